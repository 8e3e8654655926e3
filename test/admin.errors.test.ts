import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
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
import { adminFor, API_KEY, closeAdmins, KNOWN, newExternalId, startAdminEmulator } from './helpers/admin.js'
import { AMY } from './helpers/quickblox.js'

// What each QuickBlox refusal or fault becomes: one of our errors, with a stable code and status.
let qb: Emulator
beforeAll(async () => {
  qb = await startAdminEmulator()
})
afterAll(() => qb.close())
afterEach(async () => {
  qb.clearFaults()
  await closeAdmins()
})

/** Each method, and the endpoint its (last) request goes to. */
const METHODS: [string, EmulatorEndpoint, (admin: QuickBloxAdmin) => Promise<unknown>][] = [
  ['createUser', 'POST /users.json', (admin) => admin.createUser({ login: `l${newExternalId()}` })],
  ['getUser', 'GET /users/:id.json', (admin) => admin.getUser(KNOWN.id)],
  ['getUserByExternalId', 'GET /users/external/:id.json', (admin) => admin.getUserByExternalId(KNOWN.external_user_id)],
  ['ensureUser', 'GET /users/external/:id.json', (admin) => admin.ensureUser({ externalUserId: newExternalId() })],
  ['issueToken', 'POST /users/:id/tokens', (admin) => admin.issueToken(KNOWN.id)],
  ['sessionFor', 'POST /users/:id/tokens', (admin) => admin.sessionFor({ externalUserId: KNOWN.external_user_id })],
]

describe('a refused API key', () => {
  it.each(METHODS)('is a configuration error with a stable code from %s, never naming the key', async (_n, _e, run) => {
    const admin = adminFor(qb, { apiKey: 'the-wrong-api-key' })
    const error = await run(admin).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxConfigurationError)
    expect(error).toMatchObject({ code: 'QB_CONFIGURATION', status: 500, expose: false })
    expect(`${String(error)} ${(error as Error).stack} ${JSON.stringify(error)}`).not.toContain('the-wrong-api-key')
  })

  it('is a configuration error on 403 too', async () => {
    qb.failNext('GET /users/:id.json', { status: 403 })
    await expect(adminFor(qb).getUser(KNOWN.id)).rejects.toBeInstanceOf(QuickBloxConfigurationError)
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

  it('passes on a taken login from ensureUser, which only reads back a taken external id', async () => {
    const error = await adminFor(qb)
      .ensureUser({ externalUserId: newExternalId(), login: AMY.login })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'QB_INVALID_USER', fields: { login: ['has already been taken.'] } })
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
    qb.setLatency('GET /users/external/:id.json', 150)
    try {
      const error = await adminFor(qb, { timeout: 300 })
        .sessionFor({ externalUserId: KNOWN.external_user_id })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(QuickBloxTimeoutError)
      expect(error).toMatchObject({ code: 'QB_TIMEOUT', status: 504 })
      expect(Date.now() - started).toBeLessThan(300 + 1000)
    } finally {
      qb.setLatency('*', 0)
    }
  })

  it('answers 404 for a token of a user QuickBlox does not have', async () => {
    const error = await adminFor(qb)
      .issueToken(99_999)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxNotFoundError)
    expect(error).toMatchObject({ code: 'QB_NOT_FOUND', status: 404 })
  })

  it('does not cache a failed lookup: the next call asks again', async () => {
    const admin = adminFor(qb)
    qb.failNext('GET /users/external/:id.json', { status: 503 })
    await expect(admin.ensureUser({ externalUserId: KNOWN.external_user_id })).rejects.toThrow(
      QuickBloxUnavailableError,
    )
    await expect(admin.ensureUser({ externalUserId: KNOWN.external_user_id })).resolves.toMatchObject({ id: KNOWN.id })
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
    ['a cache that is not an object', { apiKey: API_KEY, cache: 'yes' }],
    ['a cache max of 0', { apiKey: API_KEY, cache: { max: 0 } }],
    ['a cache max above 1000000', { apiKey: API_KEY, cache: { max: 1_000_001 } }],
    ['a store time budget of 0', { apiKey: API_KEY, cache: { storeTimeoutMs: 0 } }],
    ['a store without set', { apiKey: API_KEY, cache: { store: { get: () => Promise.resolve(null) } } }],
  ])('refuses %s in the constructor, never quoting a value', (_name, options) => {
    expect(() => adminFor(qb, options)).toThrow(TypeError)
    expect(() => adminFor(qb, { ...options, apiKey: 'secret key' })).toThrow(/^(?!.*secret key)/)
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
    ['an external id that is not an integer', (admin) => admin.ensureUser({ externalUserId: 'abc' })],
    ['an external id of 0', (admin) => admin.getUserByExternalId(0)],
    ['an external id past 2^53', (admin) => admin.ensureUser({ externalUserId: '9007199254740993' })],
    ['a user id that is not an integer', (admin) => admin.getUser(1.5)],
    ['a token user id of 0', (admin) => admin.issueToken(0)],
    ['a token with a space', (admin) => admin.revokeToken('a b')],
  ])('refuses %s with a TypeError before asking QuickBlox', async (_name, run) => {
    qb.resetLog()
    await expect(run(adminFor(qb))).rejects.toThrow(TypeError)
    expect(qb.requests).toHaveLength(0)
  })
})
