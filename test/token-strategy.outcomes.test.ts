// Every outcome of QuickBloxTokenStrategy, over real HTTP: an Express API, Passport, the emulator.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import type { Request } from 'express'
import { startEmulator, type Emulator, type EmulatorFault } from 'passport-quickblox/emulator'
import {
  QuickBloxTokenStrategy,
  type QuickBloxTokenStrategyOptions,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
} from '../lib/index.js'
import type { QuickBloxSession, QuickBloxUser } from '../lib/quickblox/types.js'
import { sdkToken, startTokenApp, type TokenApp } from './helpers/token-app.js'

const APP = { id: 6060, authKey: 'token-test-key', authSecret: 'token-test-secret' }
const OTHER_APP = { id: 6061, authKey: 'other-key', authSecret: 'other-secret' }
const AMY = { login: 'amy', password: 'amy-password-1', full_name: 'Amy Pond' }
const BARE = 'Bearer realm="QuickBlox"'
const INVALID = 'Bearer realm="QuickBlox", error="invalid_token"'
const INVALID_REQUEST = 'Bearer realm="QuickBlox", error="invalid_request"'
const TIMEOUT = 600

let qb: Emulator
const apps: TokenApp[] = []
const strategies: QuickBloxTokenStrategy[] = []
const seen: { user: QuickBloxUser; session: QuickBloxSession }[] = []
let app: TokenApp
let amyToken: string
let amyId: number

async function start(
  extra: Partial<QuickBloxTokenStrategyOptions> | { passReqToCallback: true } = {},
  verify?: VerifyFunction,
): Promise<TokenApp> {
  const options = { appId: APP.id, apiEndpoint: qb.url, timeout: TIMEOUT, cache: false as const, ...extra }
  // One helper for both verify styles: the overloads are checked where apps use them, not here.
  const strategy = new QuickBloxTokenStrategy(
    options as QuickBloxTokenStrategyOptions,
    verify ??
      ((user, session, done) => {
        seen.push({ user, session })
        done(null, { id: user.id, login: user.login })
      }),
  )
  strategies.push(strategy)
  const started = await startTokenApp(strategy)
  apps.push(started)
  return started
}

beforeAll(async () => {
  qb = await startEmulator({ applications: [APP, OTHER_APP], users: [AMY] })
  amyId = qb.users[0]!.id
  app = await start()
})
beforeEach(async () => {
  amyToken = await sdkToken(qb, { login: AMY.login, password: AMY.password })
  qb.resetLog()
})
afterEach(() => qb.clearFaults())
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
  await Promise.all(strategies.map((s) => s.close()))
  await qb.close()
})

const me = (token: string, target = app) => request(target.url).get('/api/me').set('Authorization', `Bearer ${token}`)
const calls = (): number => qb.counts()['GET /session.json'] + qb.counts()['GET /users/:id.json']

describe('a live user token of this application', () => {
  it('signs the user in, and verify gets the user and { token, userId, applicationId, expiresAt }', async () => {
    const res = await me(amyToken)
    expect(res.status).toBe(200)
    expect(res.body.user).toEqual({ id: amyId, login: 'amy' })
    const { user, session } = seen.at(-1)!
    expect(user).toMatchObject({ id: amyId, login: 'amy', full_name: 'Amy Pond' })
    expect(session).toEqual({ token: amyToken, userId: amyId, applicationId: APP.id, expiresAt: expect.any(Date) })
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now() + 119 * 60_000)
    expect(qb.counts()).toMatchObject({ 'GET /session.json': 1, 'GET /users/:id.json': 1 })
  })

  it('accepts the scheme in any case (RFC 7235)', async () => {
    expect((await request(app.url).get('/api/me').set('Authorization', `bearer ${amyToken}`)).status).toBe(200)
  })
})

describe('no Bearer credential: 401 with the bare challenge, and no QuickBlox call', () => {
  it('without an Authorization header', async () => {
    const res = await request(app.url).get('/api/me')
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe(BARE)
  })

  it.each([
    ['another scheme', () => `Basic ${Buffer.from('amy:pw').toString('base64')}`],
    ['a scheme that only starts like Bearer', () => `Bearerx ${amyToken}`],
  ])('with %s', async (_name, header) => {
    const res = await request(app.url).get('/api/me').set('Authorization', header())
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe(BARE)
    expect(calls()).toBe(0)
  })

  it('never reads the token from the query string or the body', async () => {
    const query = await request(app.url).get(`/api/me?access_token=${amyToken}`)
    const body = await request(app.url).post('/api/me').send({ access_token: amyToken, token: amyToken })
    for (const res of [query, body]) {
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toBe(BARE)
    }
    expect(calls()).toBe(0)
  })

  it("ignores QuickBlox's QB-Token header unless qbTokenHeader is set", async () => {
    expect((await request(app.url).get('/api/me').set('QB-Token', amyToken)).status).toBe(401)
    const withHeader = await start({ qbTokenHeader: true })
    expect((await request(withHeader.url).get('/api/me').set('QB-Token', amyToken)).status).toBe(200)
  })
})

describe('a malformed Bearer credential: 400 invalid_request (RFC 6750 §3.1), and no QuickBlox call', () => {
  const expectInvalidRequest = (res: request.Response): void => {
    expect(res.status).toBe(400)
    expect(res.headers['www-authenticate']).toBe(INVALID_REQUEST)
  }

  it.each([
    ['Bearer without a token', () => 'Bearer'],
    ['Bearer and a space', () => 'Bearer '],
    ['two tokens', () => `Bearer ${amyToken} ${amyToken}`],
    ['a token with a comma', () => `Bearer ${amyToken},x`],
    ['a token too long', () => `Bearer ${'a'.repeat(1025)}`],
    ['1,024 letters and a =', () => `Bearer ${'a'.repeat(1024)}=`],
    ['a and 2,000 =', () => `Bearer a${'='.repeat(2000)}`],
    ['a token with a quote', () => `Bearer ${amyToken}"`],
  ])('with %s', async (_name, header) => {
    expectInvalidRequest(await request(app.url).get('/api/me').set('Authorization', header()))
    expect(calls()).toBe(0)
    expect(app.errors).toEqual([])
  })

  it('with qbTokenHeader: one token in both headers counts; two different ones, or a malformed one in either, are 400', async () => {
    const withHeader = await start({ qbTokenHeader: true })
    const get = () => request(withHeader.url).get('/api/me')
    expect((await get().set('QB-Token', amyToken).set('Authorization', `Bearer ${amyToken}`)).status).toBe(200)
    qb.resetLog()
    for (const res of [
      await get().set('QB-Token', amyToken).set('Authorization', 'Bearer abc'),
      await get().set('QB-Token', `${amyToken}"`),
      await get().set('QB-Token', amyToken).set('Authorization', 'Bearer'),
      await get().set('QB-Token', `${amyToken}"`).set('Authorization', `Bearer ${amyToken}`),
    ]) {
      expectInvalidRequest(res)
    }
    expect(calls()).toBe(0)
  })

  it('check() resolves undefined for any text that is not a token, without asking QuickBlox', async () => {
    const strategy = new QuickBloxTokenStrategy({ appId: APP.id, apiEndpoint: qb.url }, () => {})
    strategies.push(strategy)
    for (const text of ['x y', '', `${'a'.repeat(1024)}=`, `a${'='.repeat(2000)}`, 'é', 42 as unknown as string]) {
      await expect(strategy.check(text)).resolves.toBeUndefined()
    }
    expect(calls()).toBe(0)
  })
})

describe('a token QuickBlox does not accept for this application: 401 invalid_token', () => {
  const expectInvalid = (res: request.Response): void => {
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe(INVALID)
  }

  it('an unknown token', async () => {
    expectInvalid(await me('0123456789abcdef0123456789abcdef01234567'))
    expect(qb.counts()['GET /session.json']).toBe(1)
  })

  it('a token destroyed at QuickBlox (signed out)', async () => {
    await fetch(`${qb.url}/session.json`, { method: 'DELETE', headers: { 'QB-Token': amyToken } })
    expectInvalid(await me(amyToken))
  })

  it('a token destroyed by the emulator control', async () => {
    expect(qb.destroyUserSessions(amyId)).toBeGreaterThan(0)
    expectInvalid(await me(amyToken))
  })

  it('an expired token (2 h idle)', async () => {
    qb.expireUserSessions(amyId)
    expectInvalid(await me(amyToken))
  })

  it('an application session token (no user)', async () => {
    expectInvalid(await me(await sdkToken(qb)))
    expect(qb.counts()['GET /users/:id.json']).toBe(0)
  })

  it("another application's user token", async () => {
    expectInvalid(await me(await sdkToken(qb, { login: AMY.login, password: AMY.password }, OTHER_APP)))
    expect(qb.counts()['GET /users/:id.json']).toBe(0)
  })

  it('a token that dies between the session check and the user read', async () => {
    qb.failNext('GET /users/:id.json', 'expire-session')
    expectInvalid(await me(amyToken))
  })

  it('a user the app refuses in verify (false)', async () => {
    const refusing = await start({}, (_user, _session, done) => done(null, false))
    expectInvalid(await me(amyToken, refusing))
  })
})

describe('QuickBlox cannot tell: an error with the status of the login strategy', () => {
  // A GET reset on a reused socket is sent once more: a reset QuickBlox means is a reset twice.
  const FAULTS: [string, EmulatorFault, number, number][] = [
    ['answers 500', { status: 500 }, 503, 1],
    ['answers 503', { status: 503 }, 503, 1],
    ['resets the connection, and again on the retry', 'reset', 503, 2],
    ['answers an HTML page', 'garbage', 502, 1],
    ['cuts its reply half way', 'truncated', 502, 1],
    ['answers JSON of the wrong shape', 'wrong-shape', 502, 1],
  ]
  for (const endpoint of ['GET /session.json', 'GET /users/:id.json'] as const) {
    it.each(FAULTS)(`${endpoint} %s`, async (_name, fault, status, times) => {
      qb.failNext(endpoint, fault, times)
      const res = await me(amyToken)
      expect(res.status).toBe(status)
      expect(res.headers['www-authenticate']).toBeUndefined()
    })
  }

  it('rate-limited: 429 with retryAfter', async () => {
    qb.failNext('GET /session.json', { status: 429, retryAfter: 11 })
    const res = await me(amyToken)
    expect(res.status).toBe(429)
    expect(res.headers['retry-after']).toBe('11')
    expect(app.errors.at(-1)).toMatchObject({ code: 'QB_RATE_LIMITED', retryAfter: 11 })
  })

  it('QuickBlox hangs: 504 within the timeout, both calls together', async () => {
    // A slow session check leaves the user read only what is left of the one timeout.
    const timeout = 1500
    const slow = await start({ timeout })
    qb.setLatency('GET /session.json', timeout * 0.9)
    qb.failNext('GET /users/:id.json', 'hang')
    const started = Date.now()
    const res = await me(amyToken, slow)
    qb.setLatency('*', 0)
    expect(res.status).toBe(504)
    expect(Date.now() - started).toBeLessThan(timeout + 900)
  })

  it('QuickBlox unreachable (every connection reset before a reply): 503', async () => {
    // Kept listening, so no other test's server can take the port (a closed port may be reused
    // by a parallel worker before the request is made).
    const server = createServer()
    server.on('connection', (socket) => socket.destroy())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const unreachable = await start({ apiEndpoint: `http://127.0.0.1:${port}` })
      expect((await me(amyToken, unreachable)).status).toBe(503)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})

describe('verify', () => {
  it('a verify that rejects without a reason: a 500 whose error names this strategy', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the case under test
    const rejecting = await start({}, () => Promise.reject(undefined))
    const res = await me(amyToken, rejecting)
    expect(res.status).toBe(500)
    expect(res.body.error.message).toBe('QuickBloxTokenStrategy: verify rejected without a reason')
  })

  it('may return a promise of the user', async () => {
    const promised = await start({}, async (user) => ({ promised: user.id }))
    expect((await me(amyToken, promised)).body.user).toEqual({ promised: amyId })
  })

  it('takes the request first with passReqToCallback', async () => {
    const verify: VerifyFunctionWithRequest<Request> = (req, user, _session, done) =>
      done(null, { id: user.id, path: req.originalUrl })
    const withReq = await start({ passReqToCallback: true }, verify as unknown as VerifyFunction)
    expect((await me(amyToken, withReq)).body.user).toEqual({ id: amyId, path: '/api/me' })
  })

  it("an error in verify is the app's error (500)", async () => {
    const failing = await start({}, () => {
      throw new Error('database down')
    })
    expect((await me(amyToken, failing)).status).toBe(500)
  })
})

describe('options', () => {
  it("is named 'quickblox-token' unless told otherwise", () => {
    const verify = (): void => {}
    expect(new QuickBloxTokenStrategy({ appId: 1 }, verify).name).toBe('quickblox-token')
    expect(new QuickBloxTokenStrategy({ appId: 1, name: 'mobile' }, verify).name).toBe('mobile')
  })

  const refusal = (options: unknown, verify: unknown = () => {}): string => {
    try {
      new QuickBloxTokenStrategy(options as QuickBloxTokenStrategyOptions, verify as VerifyFunction)
    } catch (err) {
      expect(err).toBeInstanceOf(TypeError)
      return (err as Error).message
    }
    throw new Error('the options were accepted')
  }
  const says = (text: string): string => `QuickBloxTokenStrategy: ${text}`

  it.each([
    ['no options', undefined, says('options are required')],
    ['null options', null, says('options are required')],
    ['a bad cache', { appId: 1, cache: 'yes' }, says('option cache must be false or an object')],
    ['a null cache', { appId: 1, cache: null }, says('option cache must be false or an object')],
    ['a bad ttlMs', { appId: 1, cache: { ttlMs: 0 } }, says('cache ttlMs and max must be positive integers')],
    [
      'a bad negativeTtlMs',
      { appId: 1, cache: { negativeTtlMs: 1.5 } },
      says('cache negativeTtlMs must be a positive integer'),
    ],
    ['an empty store', { appId: 1, cache: { store: {} } }, says('cache store must have get, set and delete methods')],
    ['a max over 1,000,000', { appId: 1, cache: { max: 1e8 } }, says('cache max must be at most 1000000')],
    [
      'a storeTimeoutMs of 0',
      { appId: 1, cache: { storeTimeoutMs: 0 } },
      says('cache storeTimeoutMs must be from 1 to 60000 ms'),
    ],
    [
      'a plain http endpoint off this machine',
      { appId: 1, apiEndpoint: 'http://qb.example.com' },
      'QuickBlox: option apiEndpoint must be https: off this machine (http: only on loopback, unless allowInsecureHttp is true)',
    ],
    [
      'an unknown user field',
      { appId: 1, cache: { userFields: ['password'] } },
      says('cache userFields must be a list of QuickBlox user field names'),
    ],
    [
      'a known user field among unknown ones',
      { appId: 1, cache: { userFields: ['login', 'password'] } },
      says('cache userFields must be a list of QuickBlox user field names'),
    ],
    [
      'a user field name inside a list',
      { appId: 1, cache: { userFields: [['login']] } },
      says('cache userFields must be a list of QuickBlox user field names'),
    ],
    [
      'userFields that are not a list',
      { appId: 1, cache: { userFields: 'email' } },
      says('cache userFields must be a list of QuickBlox user field names'),
    ],
    [
      'a store without delete',
      { appId: 1, cache: { store: { get() {}, set() {} } } },
      says('cache store must have get, set and delete methods'),
    ],
    ['a bad qbTokenHeader', { appId: 1, qbTokenHeader: 'yes' }, says('option qbTokenHeader must be true or false')],
    ['an empty name', { appId: 1, name: '' }, says('option name must be a non-empty string')],
    ['a name that is not text', { appId: 1, name: 42 }, says('option name must be a non-empty string')],
  ])('refuses %s, saying so', (_name, options, message) => {
    expect(refusal(options)).toBe(message)
  })

  it.each([
    ['a bad appId', { appId: 'x' }, /appId/],
    ['a bad timeout', { appId: 1, timeout: -1 }, /timeout/],
    ['a maxSockets of 0', { appId: 1, maxSockets: 0 }, /maxSockets must be an integer from 1 to 1024/],
  ])('refuses %s (checked by the client)', (_name, options, message) => {
    expect(refusal(options)).toMatch(message)
  })

  it('needs a verify function', () => {
    expect(refusal({ appId: 1 }, 'not a function')).toBe(says('a verify function is required'))
  })

  it('forget() takes anything, with or without a cache', async () => {
    const verify = (): void => {}
    for (const cache of [{}, false as const]) {
      const strategy = new QuickBloxTokenStrategy({ appId: 1, cache }, verify)
      await expect(strategy.forget(undefined as unknown as string)).resolves.toBeUndefined()
      await expect(strategy.forget('a0b1c2')).resolves.toBeUndefined()
      await strategy.close()
    }
  })
})
