// What each error says. Apps show these messages (a refused login's message becomes Passport's
// `info.message`) and operators read them in logs, so each QuickBlox reply gets its own words:
// the reasons QuickBlox gave, never a secret.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { type Emulator, type EmulatorEndpoint, type EmulatorFault, startEmulator } from 'passport-quickblox/emulator'
import type { QuickBloxClient } from '../lib/quickblox/client.js'
import { clientFor } from './helpers/quickblox.js'

let qb: Emulator
let client: QuickBloxClient
const amy = { login: 'amy', password: 'amy-demo-password' }

beforeAll(async () => {
  qb = await startEmulator()
  client = clientFor(qb, { pool: false, timeout: 1000 })
})
afterEach(() => {
  qb.clearFaults()
  qb.resetLog()
})
afterAll(async () => {
  await client.close()
  await qb.close()
})

/** The error a call ends with, as `{ name, code, status, message }`. */
async function failure(call: Promise<unknown>): Promise<unknown> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(Error)
  return JSON.parse(JSON.stringify(error))
}

const login = (): Promise<unknown> => failure(client.login(amy))
const fail = (endpoint: EmulatorEndpoint, fault: EmulatorFault, times = 1): void => qb.failNext(endpoint, fault, times)

describe('session creation refused', () => {
  it('names every reason QuickBlox gave, joined', async () => {
    fail('POST /session.json', {
      status: 422,
      body: { errors: { base: ['Unknown application'], auth_key: ['is invalid'] } },
    })
    expect(await login()).toEqual({
      name: 'QuickBloxConfigurationError',
      code: 'QB_CONFIGURATION',
      status: 500,
      message:
        'QuickBlox refused the application credentials (appId/authKey/authSecret): Unknown application; auth_key is invalid',
    })
  })

  it('names the status when QuickBlox gave no reason, a 400 included', async () => {
    fail('POST /session.json', { status: 400, body: {} })
    expect(await login()).toMatchObject({
      code: 'QB_CONFIGURATION',
      message: 'QuickBlox refused the application credentials (appId/authKey/authSecret): status 400',
    })
  })

  it("points at the server's clock when QuickBlox refuses the timestamp even after correcting it, in any case", async () => {
    fail('POST /session.json', { status: 422, body: { errors: ['Signature OK', 'Unexpected TIMESTAMP'] } }, 2)
    expect(await login()).toMatchObject({
      code: 'QB_CONFIGURATION',
      message:
        "QuickBlox refused the session timestamp: check this server's clock (Signature OK; Unexpected TIMESTAMP)",
    })
    expect(qb.counts()['POST /session.json']).toBe(2)
  })

  it('says when a created session cannot be read', async () => {
    fail('POST /session.json', 'wrong-shape')
    expect(await login()).toMatchObject({
      code: 'QB_BAD_RESPONSE',
      status: 502,
      message: 'QuickBlox answered a session request without a readable session',
    })
  })
})

describe('login refused', () => {
  it.each<[string, EmulatorFault, object]>([
    [
      'a 401',
      { status: 401, body: { errors: ['Unauthorized'] } },
      {
        name: 'QuickBloxCredentialsError',
        code: 'QB_INVALID_CREDENTIALS',
        status: 401,
        message: 'QuickBlox rejected the credentials',
      },
    ],
    [
      'a 403',
      { status: 403 },
      { code: 'QB_INVALID_CREDENTIALS', status: 403, message: 'QuickBlox does not allow this login' },
    ],
    [
      'a 400',
      { status: 400 },
      { code: 'QB_INVALID_CREDENTIALS', status: 400, message: 'QuickBlox refused the credentials as invalid' },
    ],
    [
      'a 422',
      { status: 422 },
      { code: 'QB_INVALID_CREDENTIALS', status: 400, message: 'QuickBlox refused the credentials as invalid' },
    ],
    [
      'a 500',
      { status: 500 },
      { name: 'QuickBloxUnavailableError', code: 'QB_UNAVAILABLE', status: 503, message: 'QuickBlox answered 500' },
    ],
    [
      'a 404',
      { status: 404 },
      {
        name: 'QuickBloxResponseError',
        code: 'QB_BAD_RESPONSE',
        status: 502,
        message: 'QuickBlox answered an unexpected status 404',
      },
    ],
    [
      'a 429',
      { status: 429 },
      {
        name: 'QuickBloxRateLimitError',
        code: 'QB_RATE_LIMITED',
        status: 429,
        message: 'QuickBlox rate limit exceeded',
      },
    ],
    [
      'a 202 without a user',
      'wrong-shape',
      { code: 'QB_BAD_RESPONSE', message: 'QuickBlox answered a login without a readable user' },
    ],
    ['a cut reply', 'cut', { code: 'QB_BAD_RESPONSE', message: "QuickBlox's reply was cut short" }],
    ['a reset connection', 'reset', { code: 'QB_UNAVAILABLE', message: 'QuickBlox could not be reached (ECONNRESET)' }],
    [
      'a hang',
      'hang',
      {
        name: 'QuickBloxTimeoutError',
        code: 'QB_TIMEOUT',
        status: 504,
        message: 'QuickBlox did not answer within 1000 ms',
      },
    ],
  ])('says what %s means', async (_name, fault, expected) => {
    fail('POST /login.json', fault)
    expect(await login()).toMatchObject(expected)
  })

  it('says when QuickBlox forgets the fresh session it just made, too', async () => {
    fail('POST /login.json', 'expire-session', 2)
    expect(await login()).toMatchObject({
      code: 'QB_UNAVAILABLE',
      message: 'QuickBlox did not accept a fresh application session',
    })
  })

  it('recognises "session does not exist" in any case', async () => {
    fail('POST /login.json', { status: 401, body: { errors: ['Required Session Does Not Exist'] } })
    await expect(client.login(amy)).resolves.toMatchObject({ user: { login: 'amy' } })
    expect(qb.counts()['POST /session.json']).toBe(2)
  })
})

describe('an expired session', () => {
  it('is only a 401 saying so: another status with those words is not retried', async () => {
    fail('POST /login.json', { status: 403, body: { errors: ['Required session does not exist'] } })
    expect(await login()).toMatchObject({ code: 'QB_INVALID_CREDENTIALS', status: 403 })
    expect(qb.counts()['POST /login.json']).toBe(1)
  })
})

describe('logout refused', () => {
  it('is an error for a redirect, not a logout', async () => {
    const { session } = await client.login(amy)
    fail('DELETE /session.json', { status: 300, body: '' })
    expect(await failure(client.logout(session.token))).toMatchObject({
      code: 'QB_BAD_RESPONSE',
      message: 'QuickBlox answered an unexpected status 300',
    })
  })

  it('is unavailable for a 5xx', async () => {
    const { session } = await client.login(amy)
    fail('DELETE /session.json', { status: 503 })
    expect(await failure(client.logout(session.token))).toMatchObject({
      code: 'QB_UNAVAILABLE',
      message: 'QuickBlox answered 503',
    })
  })
})

describe('logout tokens', () => {
  it("takes any token of 1 to 1024 of RFC 6750's b64token characters to QuickBlox", async () => {
    for (const token of ['a', '~'.repeat(1024), `${'a'.repeat(1023)}=`]) {
      qb.resetLog()
      await expect(client.logout(token)).resolves.toBeUndefined()
      expect(qb.counts()['DELETE /session.json']).toBe(1)
    }
  })

  it('refuses what no token is, before asking QuickBlox: the one token grammar of the strategy', async () => {
    qb.resetLog()
    for (const token of ['!', 'a b', `${'a'.repeat(1024)}=`, `a${'='.repeat(2000)}`]) {
      await expect(client.logout(token)).rejects.toThrow(TypeError)
    }
    expect(qb.counts()['DELETE /session.json']).toBe(0)
  })
})
