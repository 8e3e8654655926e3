// Generated request bodies against a real Express 5 app and the emulator: no body causes a
// 5xx, no invalid body reaches QuickBlox, and valid-looking wrong credentials are a plain 401.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import type { Emulator } from 'passport-quickblox/emulator'
import { CREDENTIAL_LIMITS, QuickBloxStrategy } from '../lib/index.js'
import { startApp, type TestApp } from './helpers/app.js'
import {
  AMY,
  FACEBOOK_USER,
  FIREBASE_USER,
  calls,
  optionsFor,
  startTestEmulator,
  totalCalls,
} from './helpers/quickblox.js'

const RUNS = { numRuns: 1000 }
// 1,000 requests take a few seconds alone; a loaded shared machine may take several times that.
const PROPERTY_TIMEOUT = 90_000

let emulator: Emulator
let strategy: QuickBloxStrategy
let app: TestApp

beforeAll(async () => {
  emulator = await startTestEmulator()
  strategy = new QuickBloxStrategy(optionsFor(emulator), (user, _session, done) => done(null, { id: user.id }))
  app = await startApp(strategy)
})
afterAll(async () => {
  await app.close()
  await strategy.close()
  await emulator.close()
})

// ---- Encoding ------------------------------------------------------------------------------

/** Lone surrogates cannot be percent-encoded; a browser would send U+FFFD for them. */
const encode = (text: string): string => encodeURIComponent(text.replace(/[\uD800-\uDFFF]/g, '\uFFFD'))

/** Any value as a form body with bracket nesting (`keys[token]=…`, `password[0]=…`), as qs reads it. */
function toForm(value: unknown, prefix = ''): string[] {
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => toForm(item, prefix ? `${prefix}[${key}]` : key))
  }
  if (value === undefined || prefix === '') return []
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- only scalars are left: objects recursed above
  return [`${encode(prefix)}=${encode(String(value))}`]
}
const form = (value: unknown): string => toForm(value).join('&')

// ---- Arbitraries ---------------------------------------------------------------------------

const CONTROL = fc
  .oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }))
  .map((c) => String.fromCharCode(c))
/** Text a credential may hold: any UTF-16, no control character. */
const text = (maxLength: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength }),
      fc.string({ unit: 'binary', minLength: 1, maxLength }),
    )
    .map((s) => s.replace(/\p{Cc}/gu, 'x').slice(0, maxLength))
    .filter((s) => s !== '')
const withControl = fc
  .tuple(text(20), CONTROL, fc.nat())
  .map(([s, c, at]) => s.slice(0, at % (s.length + 1)) + c + s.slice(at % (s.length + 1)))
const tooLong = (limit: number): fc.Arbitrary<string> =>
  fc
    .tuple(text(8), fc.integer({ min: 1, max: 64 }))
    .map(([s, extra]) => s.repeat(Math.ceil((limit + extra) / s.length)).slice(0, limit + extra))

/** Names a body may use: our field names, prototype names, and anything else. */
const KEY = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'login',
    'email',
    'password',
    'provider',
    'keys',
    'token',
    'secret',
    'firebase_phone',
    'project_id',
    'access_token',
    'keys[token]',
    'user',
  ),
  fc.string({ maxLength: 12 }),
)
const LEAF = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  withControl,
  tooLong(1024),
  fc.constantFrom(AMY.login, AMY.email, AMY.password, 'facebook', 'firebase_phone', 'twitter', ''),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
)
const NESTED = fc.anything({ key: KEY, values: [LEAF], maxDepth: 3, maxKeys: 6 })
/** A value where a credential belongs: mostly valid text, sometimes anything. */
const CREDENTIAL_VALUE: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) },
  LEAF,
  NESTED,
)
/** Bodies shaped like logins (each field present or not), mixed with other keys: some reach QuickBlox. */
const LOGIN_LIKE = fc
  .tuple(
    fc.record(
      {
        login: CREDENTIAL_VALUE,
        email: CREDENTIAL_VALUE,
        password: CREDENTIAL_VALUE,
        provider: fc.oneof(fc.constantFrom('facebook', 'firebase_phone'), LEAF),
        keys: fc.oneof(fc.record({ token: CREDENTIAL_VALUE, secret: CREDENTIAL_VALUE }, { requiredKeys: [] }), LEAF),
        firebase_phone: fc.oneof(
          fc.record({ project_id: CREDENTIAL_VALUE, access_token: CREDENTIAL_VALUE }, { requiredKeys: [] }),
          LEAF,
        ),
      },
      { requiredKeys: [] },
    ),
    fc.object({ key: KEY, values: [LEAF], maxDepth: 2, maxKeys: 3 }),
  )
  .map(([credentials, extra]) => ({ ...extra, ...credentials }))
/** Arbitrary JSON-ish values, nested, keyed with the names above, and login-like bodies. */
const ANY_BODY = fc.oneof(fc.anything({ key: KEY, values: [LEAF], maxDepth: 4, maxKeys: 8 }), LOGIN_LIKE)
const ANY_OBJECT = fc.oneof(fc.object({ key: KEY, values: [LEAF], maxDepth: 4, maxKeys: 8 }), LOGIN_LIKE)

type Body = Record<string, unknown>
interface FieldSpec {
  path: string[]
  limit: number
  required: boolean
}
interface Shape {
  fixed: Body
  fields: FieldSpec[]
}

/** The four ways to log in, as the fields each needs. */
const SHAPES: Shape[] = [
  {
    fixed: {},
    fields: [
      { path: ['login'], limit: CREDENTIAL_LIMITS.login, required: true },
      { path: ['password'], limit: CREDENTIAL_LIMITS.password, required: true },
    ],
  },
  {
    fixed: {},
    fields: [
      { path: ['email'], limit: CREDENTIAL_LIMITS.email, required: true },
      { path: ['password'], limit: CREDENTIAL_LIMITS.password, required: true },
    ],
  },
  {
    fixed: { provider: 'facebook' },
    fields: [
      { path: ['keys', 'token'], limit: CREDENTIAL_LIMITS.facebookToken, required: true },
      { path: ['keys', 'secret'], limit: CREDENTIAL_LIMITS.facebookSecret, required: false },
    ],
  },
  {
    fixed: { provider: 'firebase_phone' },
    fields: [
      { path: ['firebase_phone', 'project_id'], limit: CREDENTIAL_LIMITS.firebaseProjectId, required: true },
      { path: ['firebase_phone', 'access_token'], limit: CREDENTIAL_LIMITS.firebaseAccessToken, required: true },
    ],
  },
]

function set(body: Body, path: string[], value: unknown): void {
  let node = body
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Body
  if (value === MISSING) delete node[path.at(-1)!]
  else node[path.at(-1)!] = value
}
const MISSING = Symbol('missing')

/** A body of `shape` with every field valid text. */
const validBody = (shape: Shape): fc.Arbitrary<Body> =>
  fc.tuple(...shape.fields.map((f) => text(Math.min(f.limit, 40)))).map((values) => {
    const body: Body = structuredClone(shape.fixed)
    shape.fields.forEach((f, i) => set(body, f.path, values[i]))
    return body
  })

/**
 * What makes one field invalid. `typed` adds values only JSON can carry (numbers, booleans, null):
 * a form sends every value as text.
 */
const corruption = (field: FieldSpec, typed: boolean): fc.Arbitrary<unknown> =>
  fc.oneof(
    tooLong(field.limit),
    withControl,
    fc.array(text(10), { minLength: 1, maxLength: 3 }),
    fc.dictionary(fc.constantFrom('$ne', '$gt', 'a', '0'), text(5), { minKeys: 1 }),
    ...(field.required ? [fc.constantFrom<unknown>(MISSING, '')] : []),
    ...(typed ? [fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({})] : []),
  )

/** A body that is invalid for a reason the strategy must see without asking QuickBlox. */
const invalidBody = (typed: boolean): fc.Arbitrary<Body> =>
  fc.oneof(
    // One field of a real login shape broken.
    fc.constantFrom(...SHAPES).chain((shape) =>
      fc.tuple(validBody(shape), fc.nat({ max: shape.fields.length - 1 })).chain(([body, index]) =>
        corruption(shape.fields[index]!, typed).map((bad) => {
          set(body, shape.fields[index]!.path, bad)
          return body
        }),
      ),
    ),
    // A provider we do not know.
    fc.record({
      provider: text(40).filter((p) => p !== 'facebook' && p !== 'firebase_phone'),
      login: text(20),
      password: text(20),
    }),
    // A login and an email: ambiguous.
    fc.record({ login: text(20), email: text(20), password: text(20) }),
    // Nothing usable at all.
    fc.dictionary(
      fc.string({ maxLength: 8 }).filter((k) => !['login', 'email', 'provider'].includes(k)),
      text(10),
      { maxKeys: 4 },
    ),
  )

/** A well-formed login of any method that QuickBlox will refuse. */
const wrongCredentials = fc
  .constantFrom(...SHAPES)
  .chain(validBody)
  .filter(
    (body) =>
      body.password !== AMY.password &&
      (body.keys as Body | undefined)?.token !== FACEBOOK_USER.facebook.token &&
      (body.firebase_phone as Body | undefined)?.access_token !== FIREBASE_USER.firebase_phone.access_token,
  )

// ---- Properties ----------------------------------------------------------------------------

describe('no body ever causes a 5xx', () => {
  it(
    'for any JSON value sent as JSON',
    async () => {
      const seen = new Set<number>()
      await fc.assert(
        fc.asyncProperty(ANY_BODY, async (value) => {
          const res = await app.postJson(value)
          seen.add(res.status)
          expect(res.status).toBeLessThan(500)
        }),
        RUNS,
      )
      // Some bodies were refused before QuickBlox, some reached it.
      expect([...seen]).toEqual(expect.arrayContaining([400, 401]))
    },
    PROPERTY_TIMEOUT,
  )

  it(
    'for any object sent as a form',
    async () => {
      const seen = new Set<number>()
      await fc.assert(
        fc.asyncProperty(ANY_OBJECT, async (value) => {
          const res = await app.post(form(value), 'form')
          seen.add(res.status)
          expect(res.status).toBeLessThan(500)
        }),
        RUNS,
      )
      expect([...seen]).toEqual(expect.arrayContaining([400, 401]))
    },
    PROPERTY_TIMEOUT,
  )

  it(
    'for any text sent as JSON or as a form',
    async () => {
      const raw = fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc
          .array(
            fc.tuple(
              fc.constantFrom(
                'login',
                'password',
                '__proto__[login]',
                'constructor[prototype][password]',
                'keys[token]',
                'provider',
                'a[]',
              ),
              fc.string({ maxLength: 20 }),
            ),
          )
          .map((pairs) => pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')),
      )
      await fc.assert(
        fc.asyncProperty(raw, fc.constantFrom('json', 'form'), async (body, type) => {
          const res = await app.post(body, type)
          expect(res.status).toBeLessThan(500)
        }),
        RUNS,
      )
    },
    PROPERTY_TIMEOUT,
  )

  it(
    'for any Content-Type, however the body is written',
    async () => {
      const contentType = fc.oneof(
        fc.constantFrom(
          '',
          'text/plain',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/octet-stream',
          'application/json; charset=utf-16',
          'application/json; charset=latin1',
          'application/x-www-form-urlencoded; charset=koi8-r',
          'application/vnd.api+json',
          'APPLICATION/JSON',
          'application/jsonx',
          'text/json',
          'application/*',
        ),
        fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
      )
      const body = fc.oneof(
        fc.string({ maxLength: 200 }),
        ANY_BODY.map((value) => JSON.stringify(value) ?? ''),
        ANY_OBJECT.map(form),
      )
      await fc.assert(
        fc.asyncProperty(body, contentType, async (text, type) => {
          const before = totalCalls(emulator)
          const res = await app.post(text, type)
          expect(res.status).toBeLessThan(500)
          // Only a body a parser read can reach QuickBlox.
          if (!/^\s*application\/(x-www-form-urlencoded|json)\s*(;|$)/i.test(type))
            expect(totalCalls(emulator)).toBe(before)
        }),
        RUNS,
      )
    },
    PROPERTY_TIMEOUT,
  )
})

describe('an invalid body is a 400 and never reaches QuickBlox', () => {
  it(
    'sent as JSON',
    async () => {
      await fc.assert(
        fc.asyncProperty(invalidBody(true), async (body) => {
          const before = totalCalls(emulator)
          const res = await app.postJson(body)
          expect(res.status).toBe(400)
          expect(res.json).toMatchObject({ code: 'LOGIN_FAILED' })
          expect(totalCalls(emulator)).toBe(before)
        }),
        RUNS,
      )
    },
    PROPERTY_TIMEOUT,
  )

  it(
    'sent as a form',
    async () => {
      await fc.assert(
        fc.asyncProperty(invalidBody(false), async (body) => {
          const before = totalCalls(emulator)
          const res = await app.post(form(body), 'form')
          expect(res.status).toBe(400)
          expect(totalCalls(emulator)).toBe(before)
        }),
        RUNS,
      )
    },
    PROPERTY_TIMEOUT,
  )
})

describe('valid-looking wrong credentials', () => {
  it(
    'are a 401 after exactly one login call, never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(wrongCredentials, async (body) => {
          const before = calls(emulator, 'POST /login.json')
          const res = await app.postJson(body)
          expect(res.status).toBe(401)
          expect(res.json).toMatchObject({ code: 'LOGIN_FAILED' })
          expect(calls(emulator, 'POST /login.json')).toBe(before + 1)
        }),
        RUNS,
      )
    },
    PROPERTY_TIMEOUT,
  )
})

describe('field lookup ignores prototype keys', () => {
  const expectNoLogin = async (body: string, type: 'json' | 'form'): Promise<void> => {
    const before = totalCalls(emulator)
    const res = await app.post(body, type)
    expect(res.status).toBe(400)
    expect(totalCalls(emulator)).toBe(before)
    expect(({} as Record<string, unknown>).login).toBeUndefined()
  }

  it('does not log in with credentials under "__proto__"', () =>
    expectNoLogin(`{"__proto__":{"login":"amy","password":"${AMY.password}"}}`, 'json'))
  it('does not log in with credentials under "constructor.prototype"', () =>
    expectNoLogin(`{"constructor":{"prototype":{"login":"amy","password":"${AMY.password}"}}}`, 'json'))
  it('does not log in with a Facebook token under "keys.__proto__"', () =>
    expectNoLogin(`{"provider":"facebook","keys":{"__proto__":{"token":"${FACEBOOK_USER.facebook.token}"}}}`, 'json'))
  it('does not log in with form fields named __proto__[login]', () =>
    expectNoLogin(`__proto__[login]=amy&__proto__[password]=${encode(AMY.password)}`, 'form'))
  it('does not log in with form fields named constructor[prototype][login]', () =>
    expectNoLogin(`constructor[prototype][login]=amy&constructor[prototype][password]=${encode(AMY.password)}`, 'form'))

  it('uses the own password, not one planted under "__proto__"', async () => {
    const res = await app.post(`{"login":"amy","password":"wrong","__proto__":{"password":"${AMY.password}"}}`, 'json')
    expect(res.status).toBe(401)
  })
})
