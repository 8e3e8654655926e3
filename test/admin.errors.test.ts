import { beforeAll, describe, expect, it } from '@jest/globals'
import type { Emulator, EmulatorEndpoint, EmulatorFault } from 'passport-quickblox/emulator'
import {
  QuickBloxConfigurationError,
  QuickBloxNotFoundError,
  QuickBloxRateLimitError,
  QuickBloxResponseError,
  QuickBloxTimeoutError,
  QuickBloxUnavailableError,
  QuickBloxValidationError,
} from '../lib/index.js'
import { QuickBloxAdmin, type QuickBloxAdminOptions } from '../lib/index.js'
import { adminFor, API_KEY, KNOWN, newExternalId, useAdminEmulator } from './helpers/admin.js'
import { AMY } from './helpers/quickblox.js'

// What each QuickBlox refusal or fault becomes: one of our errors, with a stable code and status.
let qb: Emulator
useAdminEmulator((started) => (qb = started))

/** An identity whose QuickBlox user exists: a user "seen before". */
const KNOWN_IDENTITY = 'known|identity'
beforeAll(async () => {
  await adminFor(qb).ensureUser({ externalUserId: KNOWN_IDENTITY })
})

/** Each method that reads a reply, and the endpoint its (last) request goes to. */
const METHODS: [string, EmulatorEndpoint, (admin: QuickBloxAdmin) => Promise<unknown>][] = [
  ['createUser', 'POST /users.json', (admin) => admin.createUser({ login: `l${newExternalId()}` })],
  ['getUser', 'GET /users/:id.json', (admin) => admin.getUser(KNOWN.id)],
  ['getUserByExternalId', 'GET /users/external/:id.json', (admin) => admin.getUserByExternalId(KNOWN.external_user_id)],
  ['getUserByLogin', 'GET /users/by_login.json', (admin) => admin.getUserByLogin(KNOWN.login)],
  ['getUserByEmail', 'GET /users/by_email.json', (admin) => admin.getUserByEmail(AMY.email)],
  ['updateUser', 'PUT /users/:id.json', (admin) => admin.updateUser(KNOWN.id, { fullName: 'Known' })],
  ['ensureUser', 'GET /users/by_login.json', (admin) => admin.ensureUser({ externalUserId: newExternalId() })],
  ['issueToken', 'POST /users/:id/tokens', (admin) => admin.issueToken(KNOWN.id)],
  ['sessionFor', 'POST /users/:id/tokens', (admin) => admin.sessionFor({ externalUserId: KNOWN_IDENTITY })],
]

describe('a refused API key', () => {
  it.each(METHODS)('is a configuration error with a stable code from %s, never naming the key', async (_n, _e, run) => {
    const admin = adminFor(qb, { apiKey: 'the-wrong-api-key' })
    const error = await run(admin).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxConfigurationError)
    expect(error).toMatchObject({ code: 'QB_CONFIGURATION', status: 500, expose: false })
    expect(`${String(error)} ${(error as Error).stack} ${JSON.stringify(error)}`).not.toContain('the-wrong-api-key')
  })

  it('is a configuration error on 403 too, and from deleteUser', async () => {
    qb.failNext('GET /users/:id.json', { status: 403 })
    await expect(adminFor(qb).getUser(KNOWN.id)).rejects.toBeInstanceOf(QuickBloxConfigurationError)
    const wrongKey = adminFor(qb, { apiKey: 'the-wrong-api-key' })
    await expect(wrongKey.deleteUser(KNOWN.id)).rejects.toBeInstanceOf(QuickBloxConfigurationError)
    await expect(adminFor(qb).getUser(KNOWN.id)).resolves.toMatchObject({ id: KNOWN.id })
  })
})

describe('QuickBlox refusing a new user (422)', () => {
  it.each<[string, Parameters<QuickBloxAdmin['createUser']>[0], Record<string, string[]>]>([
    ['a taken login', { login: AMY.login }, { login: ['has already been taken.'] }],
    ['a taken email', { email: AMY.email }, { email: ['has already been taken'] }],
    [
      'a taken external id',
      { login: 'ext-taken', externalUserId: KNOWN.external_user_id },
      { external_user_id: ['has already been taken.'] },
    ],
    [
      'a short password',
      { login: 'short-pw', password: 'short' },
      { password: ['is too short (minimum is 8 characters)'] },
    ],
    ['a short login', { login: 'ab' }, { login: ['is too short (minimum is 3 characters)'] }],
    ['a malformed email', { email: 'nope' }, { email: ['is invalid'] }],
    ['neither login nor email', { fullName: 'Nobody' }, { base: ['Login or email required'] }],
  ])('rejects %s with status 422 and the field errors, safe to show', async (_name, user, fields) => {
    const error = await adminFor(qb)
      .createUser(user)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxValidationError)
    expect(error).toMatchObject({ code: 'QB_INVALID_USER', status: 422, expose: true, fields })
  })

  it("passes on QuickBlox's refusal of an identity's own field, when it is not a taken login or email", async () => {
    const error = await adminFor(qb)
      .ensureUser({ externalUserId: newExternalId(), email: 'not-an-email' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'QB_INVALID_USER', fields: { email: ['is invalid'] } })
  })

  it('passes on the field errors of updateUser, and a password quoted in them never', async () => {
    qb.failNext('PUT /users/:id.json', { status: 422, body: { errors: { password: ['pass-word-5678 is weak'] } } })
    const error = (await adminFor(qb)
      .updateUser(KNOWN.id, { password: 'pass-word-5678' })
      .catch((e: unknown) => e)) as QuickBloxValidationError
    expect(error).toMatchObject({ code: 'QB_INVALID_USER', fields: { password: ['is invalid'] } })
    const taken = await adminFor(qb)
      .updateUser(KNOWN.id, { login: AMY.login })
      .catch((e: unknown) => e)
    expect(taken).toMatchObject({ code: 'QB_INVALID_USER', fields: { login: ['has already been taken.'] } })
  })

  it('keeps field errors bounded and drops a reason that quotes the password', async () => {
    const reasons = Array.from({ length: 30 }, (_, i) => `reason ${i} ${'x'.repeat(300)}`)
    const errors = { password: ['is weak: pass-word-1234'], login: reasons, 'Bad Field!': ['x'] }
    qb.failNext('POST /users.json', { status: 422, body: { errors } })
    const error = (await adminFor(qb)
      .createUser({ login: 'bounded', password: 'pass-word-1234' })
      .catch((e: unknown) => e)) as QuickBloxValidationError
    expect(error.fields.password).toEqual(['is invalid'])
    expect(error.fields.login).toHaveLength(10)
    expect(error.fields.login!.every((reason) => reason.length <= 200)).toBe(true)
    expect(Object.keys(error.fields)).toEqual(['password', 'login'])
    expect(error.message).not.toContain('pass-word-1234')
  })
})

describe('QuickBlox faults', () => {
  it.each<[string, EmulatorFault, new (...args: never[]) => Error, Record<string, unknown>]>([
    ['a 500', { status: 500 }, QuickBloxUnavailableError, { code: 'QB_UNAVAILABLE', status: 503 }],
    ['a 503', { status: 503 }, QuickBloxUnavailableError, { code: 'QB_UNAVAILABLE', status: 503 }],
    ['a reset connection', 'reset', QuickBloxUnavailableError, { code: 'QB_UNAVAILABLE', status: 503 }],
    [
      'a 429 with Retry-After',
      { status: 429, retryAfter: 7 },
      QuickBloxRateLimitError,
      { code: 'QB_RATE_LIMITED', status: 429, retryAfter: 7 },
    ],
    ['an HTML page', 'garbage', QuickBloxResponseError, { code: 'QB_BAD_RESPONSE', status: 502 }],
    ['JSON of the wrong shape', 'wrong-shape', QuickBloxResponseError, { code: 'QB_BAD_RESPONSE', status: 502 }],
  ])('turns %s into its error, from every method', async (_name, fault, kind, fields) => {
    for (const [, endpoint, run] of METHODS) {
      qb.failNext(endpoint, fault)
      const error = await run(adminFor(qb)).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(kind)
      expect(error).toMatchObject(fields)
    }
  })

  it('ends a call that hangs at its timeout with a 504, every request of it counted', async () => {
    const started = Date.now()
    qb.failNext('POST /users/:id/tokens', 'hang')
    qb.setLatency('GET /users/by_login.json', 150)
    try {
      const error = await adminFor(qb, { timeout: 300 })
        .sessionFor({ externalUserId: KNOWN_IDENTITY })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(QuickBloxTimeoutError)
      expect(error).toMatchObject({ code: 'QB_TIMEOUT', status: 504 })
      expect(Date.now() - started).toBeLessThan(300 + 1000)
    } finally {
      qb.setLatency('*', 0)
    }
  })

  it.each<[string, (admin: QuickBloxAdmin) => Promise<unknown>]>([
    ['a token of', (admin) => admin.issueToken(99_999)],
    ['a change to', (admin) => admin.updateUser(99_999, { fullName: 'Nobody' })],
    ['the deletion of', (admin) => admin.deleteUser(99_999)],
  ])('answers 404 for %s a user QuickBlox does not have', async (_name, run) => {
    const error = await run(adminFor(qb)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxNotFoundError)
    expect(error).toMatchObject({ code: 'QB_NOT_FOUND', status: 404 })
  })

  it('does not cache a failed lookup: the next call asks again', async () => {
    const admin = adminFor(qb)
    qb.failNext('GET /users/by_login.json', { status: 503 })
    await expect(admin.ensureUser({ externalUserId: KNOWN_IDENTITY })).rejects.toThrow(QuickBloxUnavailableError)
    const known = await adminFor(qb).ensureUser({ externalUserId: KNOWN_IDENTITY })
    await expect(admin.ensureUser({ externalUserId: KNOWN_IDENTITY })).resolves.toEqual(known)
  })

  it('fails revokeToken on a 5xx but not on an unknown token', async () => {
    qb.failNext('DELETE /session.json', { status: 503 })
    await expect(adminFor(qb).revokeToken('f'.repeat(40))).rejects.toThrow(QuickBloxUnavailableError)
    await expect(adminFor(qb).revokeToken('f'.repeat(40))).resolves.toBeUndefined()
  })
})

describe('bounded input', () => {
  it.each<[string, Record<string, unknown>]>([
    ['no API key', { apiKey: '' }],
    ['an API key with a space', { apiKey: 'two words' }],
    ['a timeout of 0', { apiKey: API_KEY, timeout: 0 }],
    ['an endpoint that is not http', { apiKey: API_KEY, apiEndpoint: 'ftp://qb' }],
    ['a plain http endpoint off this machine', { apiKey: API_KEY, apiEndpoint: 'http://qb.example.com' }],
    ['an allowInsecureHttp that is not a boolean', { apiKey: API_KEY, allowInsecureHttp: 'yes' }],
    ['a short identity key', { apiKey: API_KEY, identityKey: 'short-key' }],
    ['an identity key that is not text', { apiKey: API_KEY, identityKey: 12345 }],
    ['a cache that is not an object', { apiKey: API_KEY, cache: 'yes' }],
    ['a cache max of 0', { apiKey: API_KEY, cache: { max: 0 } }],
    ['a cache max above 1000000', { apiKey: API_KEY, cache: { max: 1_000_001 } }],
    ['a store time budget of 0', { apiKey: API_KEY, cache: { storeTimeoutMs: 0 } }],
    ['a store without set', { apiKey: API_KEY, cache: { store: { get: () => Promise.resolve(null) } } }],
    [
      'a store without delete',
      { apiKey: API_KEY, cache: { store: { get: () => Promise.resolve(null), set: () => Promise.resolve() } } },
    ],
    ['a store time budget over 60 s', { apiKey: API_KEY, cache: { storeTimeoutMs: 60_001 } }],
    ['a cache clock that is not a function', { apiKey: API_KEY, cache: { now: 1 } }],
  ])('refuses %s in the constructor, never quoting a value', (_name, options) => {
    expect(() => adminFor(qb, options)).toThrow(TypeError)
    expect(() => adminFor(qb, { ...options, apiKey: 'secret key' })).toThrow(/^(?!.*secret key)/)
    // The option refused, whichever it is, is not quoted either (the identity key is a secret too).
    let message = ''
    try {
      adminFor(qb, options)
    } catch (error) {
      message = (error as Error).message
    }
    const values = Object.values(options).filter((value) => typeof value === 'string' || typeof value === 'number')
    for (const value of values.map(String).filter((text) => text.length >= 3)) expect(message).not.toContain(value)
  })

  it('refuses to be made without options', () => {
    expect(() => new QuickBloxAdmin(null as unknown as QuickBloxAdminOptions)).toThrow(
      'QuickBloxAdmin: options are required',
    )
  })

  it.each<[string, (admin: QuickBloxAdmin) => Promise<unknown>]>([
    ['a login of 2000 characters', (admin) => admin.createUser({ login: 'l'.repeat(2000) })],
    ['custom data over 64 KiB', (admin) => admin.createUser({ login: 'big', customData: 'x'.repeat(70_000) })],
    ['a password that is not text', (admin) => admin.createUser({ login: 'p', password: 5 as unknown as string })],
    ['a tag with a comma', (admin) => admin.createUser({ login: 'tags', tags: ['a,b'] })],
    ['an external id that is not an integer', (admin) => admin.getUserByExternalId('abc')],
    ['an external id of 0', (admin) => admin.getUserByExternalId(0)],
    ['an empty identity', (admin) => admin.ensureUser({ externalUserId: '' })],
    ['an identity of 256 characters', (admin) => admin.sessionFor({ externalUserId: 'i'.repeat(256) })],
    ['an identity with half a surrogate pair', (admin) => admin.ensureUser({ externalUserId: 'amy\ud800' })],
    ['an identity of 0', (admin) => admin.ensureUser({ externalUserId: 0 })],
    ['an identity past 2^53', (admin) => admin.ensureUser({ externalUserId: 2 ** 53 + 2 })],
    ['an identity that is an object', (admin) => admin.ensureUser({ externalUserId: {} as unknown as string })],
    ['an identity with a login', (admin) => admin.ensureUser({ externalUserId: 7, login: 'x' } as never)],
    ['an identity with a malformed field', (admin) => admin.sessionFor({ externalUserId: 7, fullName: 7 as never })],
    ['no identity key', () => adminFor(qb, { identityKey: undefined }).sessionFor({ externalUserId: 7 })],
    ['a login that is empty', (admin) => admin.getUserByLogin('')],
    ['an email that is not text', (admin) => admin.getUserByEmail(7 as unknown as string)],
    ['a change to user 0', (admin) => admin.updateUser(0, { fullName: 'x' })],
    ['a change of a password that is not text', (admin) => admin.updateUser(5, { password: 5 as never })],
    ['a deletion of user -1', (admin) => admin.deleteUser(-1)],
    ['a user id that is not an integer', (admin) => admin.getUser(1.5)],
    ['a token user id of 0', (admin) => admin.issueToken(0)],
    ['a token with a space', (admin) => admin.revokeToken('a b')],
    ['a token outside the Bearer grammar', (admin) => admin.revokeToken('token!with"quotes')],
    ['a token of 1025 characters', (admin) => admin.revokeToken('t'.repeat(1025))],
  ])('refuses %s with a TypeError before asking QuickBlox', async (_name, run) => {
    qb.resetLog()
    await expect(run(adminFor(qb))).rejects.toThrow(TypeError)
    expect(qb.requests).toHaveLength(0)
  })
})
