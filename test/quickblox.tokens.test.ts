import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { type Emulator } from 'passport-quickblox/emulator'
import { QuickBloxClient, type QuickBloxTokenChecker } from '../lib/quickblox/client.js'
import {
  QuickBloxConfigurationError,
  QuickBloxCredentialsError,
  QuickBloxRateLimitError,
  QuickBloxResponseError,
  QuickBloxTimeoutError,
  QuickBloxUnavailableError,
} from '../lib/quickblox/errors.js'
import { AMY, clientFor, startTestEmulator } from './helpers/quickblox.js'

let qb: Emulator
let checker: QuickBloxTokenChecker
let amyToken: string
let amyId: number
const TIMEOUT = 800

beforeAll(async () => {
  qb = await startTestEmulator()
  checker = QuickBloxClient.forTokenChecks({ appId: qb.application.id, apiEndpoint: qb.url, timeout: TIMEOUT })
  const login = clientFor(qb, { pool: false })
  const { session, user } = await login.login({ login: AMY.login, password: AMY.password })
  await login.close()
  amyToken = session.token
  amyId = user.id
})
afterEach(() => {
  qb.clearFaults()
  qb.resetLog()
})
afterAll(async () => {
  await checker.close()
  await qb.close()
})

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  )

describe('token checks without an auth key or secret', () => {
  it('getSession(token) tells whose token it is, which application issued it, and until when', async () => {
    const session = await checker.getSession(amyToken)
    const applicationId = qb.application.id
    expect(session).toEqual({ token: amyToken, userId: amyId, applicationId, expiresAt: expect.any(Date) })
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now() + 119 * 60_000)
    expect(qb.requests.at(-1)).toMatchObject({ method: 'GET', path: '/session.json' })
  })

  it('getUser(id, token) reads the user with that token', async () => {
    const user = await checker.getUser(amyId, amyToken)
    expect(user).toMatchObject({ id: amyId, login: AMY.login, full_name: AMY.full_name })
    expect(qb.counts()['GET /users/:id.json']).toBe(1)
  })

  it('an unknown, expired or destroyed token rejects with QuickBloxCredentialsError (401)', async () => {
    const unknown = 'QuickBlox does not know this session token (unknown, expired or destroyed)'
    const error = await rejection(checker.getSession('0'.repeat(40)))
    expect(error).toBeInstanceOf(QuickBloxCredentialsError)
    expect(error).toMatchObject({ status: 401, message: unknown })
    const userError = await rejection(checker.getUser(amyId, '0'.repeat(40)))
    expect(userError).toBeInstanceOf(QuickBloxCredentialsError)
    expect(userError).toMatchObject({ status: 401, message: unknown })
  })

  it('a user that is gone rejects with QuickBloxCredentialsError', async () => {
    const error = await rejection(checker.getUser(999_999, amyToken))
    expect(error).toBeInstanceOf(QuickBloxCredentialsError)
    expect(error).toMatchObject({ status: 401, message: 'QuickBlox has no user for this session token' })
  })

  const unexpected = (status: number): object => ({
    code: 'QB_BAD_RESPONSE',
    message: `QuickBlox answered an unexpected status ${status}`,
  })

  it.each([403, 418, 422])('maps another status, %i, to QuickBloxResponseError (502)', async (status) => {
    qb.failNext('GET /session.json', { status })
    expect(await rejection(checker.getSession(amyToken))).toMatchObject(unexpected(status))
    qb.failNext('GET /users/:id.json', { status })
    expect(await rejection(checker.getUser(amyId, amyToken))).toMatchObject(unexpected(status))
  })

  it('maps a 404 to a session check to QuickBloxResponseError: only a user can be gone', async () => {
    qb.failNext('GET /session.json', { status: 404 })
    expect(await rejection(checker.getSession(amyToken))).toMatchObject(unexpected(404))
  })

  it.each([
    ['5xx', { status: 500 }, QuickBloxUnavailableError],
    ['an HTML page', 'garbage', QuickBloxResponseError],
    ['a reply of the wrong shape', 'wrong-shape', QuickBloxResponseError],
  ] as const)('maps %s through the same errors as login', async (_name, fault, type) => {
    qb.failNext('GET /session.json', fault)
    expect(await rejection(checker.getSession(amyToken))).toBeInstanceOf(type)
    qb.failNext('GET /users/:id.json', fault)
    expect(await rejection(checker.getUser(amyId, amyToken))).toBeInstanceOf(type)
    expect(qb.requests).toHaveLength(2) // each asked once: no retry of a check
  })

  it('maps a reset connection, on a reused socket and again on the one retry, as unavailable', async () => {
    for (const check of [() => checker.getSession(amyToken), () => checker.getUser(amyId, amyToken)]) {
      await checker.getSession(amyToken) // a kept-alive socket to reuse
      qb.resetLog()
      qb.failNext('GET /session.json', 'reset', 2)
      qb.failNext('GET /users/:id.json', 'reset', 2)
      expect(await rejection(check())).toBeInstanceOf(QuickBloxUnavailableError)
      expect(qb.requests).toHaveLength(2)
      qb.clearFaults()
    }
  })

  it('429 carries retryAfter', async () => {
    qb.failNext('GET /session.json', { status: 429, retryAfter: 7 })
    const error = await rejection(checker.getSession(amyToken))
    expect(error).toBeInstanceOf(QuickBloxRateLimitError)
    expect(error).toMatchObject({ status: 429, retryAfter: 7 })
  })

  it('a hung check ends with QuickBloxTimeoutError within the timeout', async () => {
    qb.failNext('GET /session.json', 'hang')
    const started = Date.now()
    expect(await rejection(checker.getSession(amyToken))).toBeInstanceOf(QuickBloxTimeoutError)
    expect(Date.now() - started).toBeLessThan(TIMEOUT + 1500)
  })

  it('refuses a malformed token or id before calling QuickBlox, saying which', async () => {
    const token = 'needs a session token'
    const id = 'QuickBlox: getUser needs a positive integer id'
    const calls: [() => Promise<unknown>, string][] = [
      [() => checker.getSession(''), `QuickBlox: getSession ${token}`],
      [() => checker.getSession('a b'), `QuickBlox: getSession ${token}`],
      [() => checker.getSession(12345678 as never), `QuickBlox: getSession ${token}`],
      [() => checker.getUser(0, amyToken), id],
      [() => checker.getUser(1.5, amyToken), id],
      [() => checker.getUser(amyId, ''), `QuickBlox: getUser ${token}`],
      [() => checker.getUser(amyId, 'a b'), `QuickBlox: getUser ${token}`],
      [() => checker.getUser(amyId, 12345678 as never), `QuickBlox: getUser ${token}`],
    ]
    for (const [call, message] of calls) expect(await rejection(call())).toEqual(new TypeError(message))
    expect(qb.requests).toHaveLength(0)
  })

  it('refuses a session check answered without a readable session', async () => {
    qb.failNext('GET /session.json', { status: 200, body: { session: null } })
    expect(await rejection(checker.getSession(amyToken))).toMatchObject({
      code: 'QB_BAD_RESPONSE',
      message: 'QuickBlox answered a session check without a readable session',
    })
  })

  it('refuses a user reply that is not the user asked for', async () => {
    const user = await checker.getUser(amyId, amyToken)
    qb.failNext('GET /users/:id.json', { status: 200, body: { user: { ...user, id: amyId + 1 } } })
    expect(await rejection(checker.getUser(amyId, amyToken))).toMatchObject({
      code: 'QB_BAD_RESPONSE',
      message: 'QuickBlox answered a user request without the user',
    })
  })

  it('cannot create sessions: it holds no auth key or secret', async () => {
    const client = checker as unknown as QuickBloxClient
    expect(await rejection(client.createApplicationSession())).toBeInstanceOf(QuickBloxConfigurationError)
    expect(qb.requests).toHaveLength(0)
  })

  it('refuses options that are not an object', () => {
    for (const options of [null, undefined, 'options']) {
      expect(() => QuickBloxClient.forTokenChecks(options as never)).toThrow(
        new TypeError('QuickBlox: options are required'),
      )
    }
  })

  it('a full client checks tokens too', async () => {
    const client = clientFor(qb, { pool: false })
    try {
      expect((await client.getSession(amyToken)).userId).toBe(amyId)
    } finally {
      await client.close()
    }
  })
})
