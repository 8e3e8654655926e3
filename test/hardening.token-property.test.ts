// Generated Authorization headers against a real Express 5 API, QuickBloxTokenStrategy and the
// emulator: no value causes a 5xx while QuickBlox is up, a malformed Bearer credential is a 400
// that never reaches QuickBlox, and check() never rejects for what it is given.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import request from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { QuickBloxTokenStrategy } from '../lib/index.js'
import { sdkToken, startTokenApp, type TokenApp } from './helpers/token-app.js'

const RUNS = { numRuns: 300 }
const PROPERTY_TIMEOUT = 90_000
const APP = { id: 9090, authKey: 'property-key', authSecret: 'property-secret' }
const AMY = { login: 'amy', password: 'amy-password-1' }

let qb: Emulator
let strategy: QuickBloxTokenStrategy
let app: TokenApp
let live: string

beforeAll(async () => {
  qb = await startEmulator({ applications: [APP], users: [AMY] })
  // No cache: every well-formed value really reaches QuickBlox.
  strategy = new QuickBloxTokenStrategy(
    { appId: APP.id, apiEndpoint: qb.url, timeout: 2000, cache: false },
    (user, _session, done) => done(null, { id: user.id }),
  )
  app = await startTokenApp(strategy)
  live = await sdkToken(qb, AMY)
})
afterAll(async () => {
  await app.close()
  await strategy.close()
  await qb.close()
})

const calls = (): number => qb.counts()['GET /session.json'] + qb.counts()['GET /users/:id.json']
/** What an HTTP client can put in a header value (Node refuses the rest before sending). */
const sendable = (text: string): string => text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '')
const headerText = fc.string({ unit: 'binary', maxLength: 80 }).map(sendable)
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/'
const b64token = fc.string({ unit: fc.constantFrom(...B64), minLength: 1, maxLength: 60 })
/** A character RFC 6750's b64token does not allow (and no padding `=`), but a header may carry. */
const outside = fc.constantFrom(...' ,;:"\'\\()<>@[]{}?!#$%&*^`|\t\u00e9'.split(''))

/** Runs of one character, from none to 6,000: lengths around the 1,024 bound and far past it. */
const run = (unit: string): fc.Arbitrary<string> => fc.integer({ min: 0, max: 6000 }).map((n) => unit.repeat(n))
const edges = fc.oneof(
  fc.tuple(run('a'), run('=')).map(([a, b]) => a + b),
  fc
    .tuple(fc.integer({ min: 1018, max: 1030 }), fc.integer({ min: 0, max: 8 }))
    .map(([n, m]) => 'a'.repeat(n) + '='.repeat(m)),
  fc.tuple(b64token, fc.constantFrom(' ', '\t', '  ', '\u00e9', '\u00a0', '\u2028'), b64token).map((p) => p.join('')),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
)

/** Any value, often near the shape of a real one. */
const anyAuthorization = fc.oneof(
  headerText,
  edges.map((value) => `Bearer ${sendable(value)}`),
  fc
    .tuple(fc.constantFrom('Bearer ', 'bearer ', 'BEARER  ', 'Bearer', 'Basic ', 'Token ', ''), headerText)
    .map(([a, b]) => a + b),
  fc.tuple(fc.constantFrom('Bearer ', 'bearer '), b64token).map(([a, b]) => a + b),
  fc.constant(`Bearer ${'x'.repeat(40)}`),
)

/** Another scheme: no Bearer credential at all. */
const otherScheme = fc
  .tuple(fc.constantFrom('Basic ', 'Token ', 'Digest ', 'Bearer:', 'Bearer=', 'Bearerx '), b64token)
  .map(([a, b]) => a + b)

/** `Bearer` and something that is not one b64token: a stray character, `=` inside, or too long. */
const malformed = fc.oneof(
  fc.tuple(b64token, outside, b64token).map(([a, c, b]) => `Bearer ${a}${c}${b}`),
  fc.tuple(b64token, b64token).map(([a, b]) => `Bearer ${a}=${b}`),
  fc.integer({ min: 1025, max: 6000 }).map((n) => `Bearer ${'a'.repeat(n)}`),
  fc
    .tuple(fc.integer({ min: 1, max: 1024 }), fc.integer({ min: 1, max: 2000 }))
    .chain(([n, m]) => fc.constant(`Bearer ${'a'.repeat(n)}${'='.repeat(Math.max(m, 1025 - n))}`)),
)

describe('any Authorization header', () => {
  it(
    'never causes a 5xx while QuickBlox is up',
    async () => {
      await fc.assert(
        fc.asyncProperty(anyAuthorization, async (value) => {
          const res = await request(app.url).get('/api/me').set('Authorization', value)
          expect([200, 400, 401]).toContain(res.status)
          expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="QuickBlox"/)
          if (res.status === 400) expect(res.headers['www-authenticate']).toMatch(/error="invalid_request"$/)
        }),
        RUNS,
      )
    },
    PROPERTY_TIMEOUT,
  )

  it.each([
    ['another scheme is 401 with the bare challenge', otherScheme, 401, 'Bearer realm="QuickBlox"'],
    [
      'a malformed Bearer credential is 400 invalid_request',
      malformed,
      400,
      'Bearer realm="QuickBlox", error="invalid_request"',
    ],
  ])(
    '%s, and makes no QuickBlox call',
    async (_name, values, status, challenge) => {
      await fc.assert(
        fc.asyncProperty(values, async (value) => {
          qb.resetLog()
          const res = await request(app.url).get('/api/me').set('Authorization', value)
          expect(res.status).toBe(status)
          expect(res.headers['www-authenticate']).toBe(challenge)
          expect(calls()).toBe(0)
        }),
        RUNS,
      )
    },
    PROPERTY_TIMEOUT,
  )

  it(
    'check() never rejects for what it is given while QuickBlox is up',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(edges, headerText, b64token), async (value) => {
          const found = await strategy.check(value)
          expect(found === undefined || found.session.token === live).toBe(true)
        }),
        RUNS,
      )
    },
    PROPERTY_TIMEOUT,
  )

  it(
    'a well-formed one reaches QuickBlox, and only the live token signs in',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(b64token, fc.constant(live)), async (token) => {
          qb.resetLog()
          const res = await request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)
          expect(res.status).toBe(token === live ? 200 : 401)
          expect(qb.counts()['GET /session.json']).toBe(1)
        }),
        RUNS,
      )
    },
    PROPERTY_TIMEOUT,
  )

  it('is a 5xx when QuickBlox is down (the one case)', async () => {
    qb.failNext('GET /session.json', { status: 503 })
    expect((await request(app.url).get('/api/me').set('Authorization', `Bearer ${live}`)).status).toBe(503)
  })
})
