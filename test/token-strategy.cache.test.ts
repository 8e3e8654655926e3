// The cache of QuickBloxTokenStrategy, counted at the emulator: single-flight, TTL, max (LRU),
// the negative cache, users by id, forget(), revocation after the TTL, and what is never cached.
import { tracingChannel } from 'node:diagnostics_channel'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { CHANNELS, QuickBloxTokenStrategy, type RequestContext, type TokenCacheOptions } from '../lib/index.js'
import { sdkToken, startTokenApp, type TokenApp } from './helpers/token-app.js'
import { fakeClock } from './helpers/clock.js'
import { requestStarts } from './helpers/diagnostics.js'

const APP = { id: 7070, authKey: 'cache-test-key', authSecret: 'cache-test-secret' }
const AMY = { login: 'amy', password: 'amy-password-1' }
const BOB = { login: 'bob', password: 'bob-password-1' }
const CAROL = { login: 'carol', password: 'carol-password-1' }
const INVALID = 'Bearer realm="QuickBlox", error="invalid_token"'

let qb: Emulator
const apps: TokenApp[] = []
const strategies: QuickBloxTokenStrategy[] = []

// A generous timeout: a loaded machine must not turn a slow answer into a 504 here.
interface Started {
  app: TokenApp
  strategy: QuickBloxTokenStrategy
}
async function start(cache: TokenCacheOptions | false = {}, emulator = qb, timeout = 5000): Promise<Started> {
  const strategy = new QuickBloxTokenStrategy(
    { appId: APP.id, apiEndpoint: emulator.url, timeout, cache },
    (user, _session, done) => done(null, { id: user.id }),
  )
  strategies.push(strategy)
  const app = await startTokenApp(strategy)
  apps.push(app)
  return { app, strategy }
}

beforeAll(async () => {
  qb = await startEmulator({ applications: [APP], users: [AMY, BOB, CAROL] })
})
afterEach(() => {
  qb.clearFaults()
  qb.setLatency('*', 0)
})
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
  await Promise.all(strategies.map((s) => s.close()))
  await qb.close()
})

const me = (app: TokenApp, token: string) => request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)
const sessionCalls = (emulator = qb): number => emulator.counts()['GET /session.json']
const userCalls = (emulator = qb): number => emulator.counts()['GET /users/:id.json']
/** A fresh user token, and the log cleared so counts start at 0. */
async function tokenOf(user = AMY): Promise<string> {
  const token = await sdkToken(qb, user)
  qb.resetLog()
  return token
}

describe('single-flight', () => {
  it('many concurrent first requests with one token: one GET /session.json, one GET /users/{id}.json', async () => {
    const { app } = await start()
    const token = await tokenOf()
    qb.setLatency('GET /session.json', 150)
    const answers = await Promise.all(Array.from({ length: 25 }, () => me(app, token)))
    expect(answers.map((res) => res.status)).toEqual(Array(25).fill(200))
    expect(sessionCalls()).toBe(1)
    expect(userCalls()).toBe(1)
  })

  it('concurrent requests with an unknown token make one call', async () => {
    const { app } = await start()
    qb.resetLog()
    qb.setLatency('GET /session.json', 150)
    const answers = await Promise.all(Array.from({ length: 10 }, () => me(app, 'f'.repeat(40))))
    expect(answers.every((res) => res.status === 401)).toBe(true)
    expect(sessionCalls()).toBe(1)
  })
})

describe('hits', () => {
  it('a token seen before costs no call within the TTL', async () => {
    const { app } = await start()
    const token = await tokenOf()
    for (let i = 0; i < 5; i++) expect((await me(app, token)).status).toBe(200)
    expect([sessionCalls(), userCalls()]).toEqual([1, 1])
  })

  it('a new token of a user already seen costs one call (GET /session.json): users are cached by id', async () => {
    const { app } = await start()
    const first = await tokenOf(BOB)
    expect((await me(app, first)).status).toBe(200)
    const second = await tokenOf(BOB)
    expect((await me(app, second)).status).toBe(200)
    expect([sessionCalls(), userCalls()]).toEqual([1, 0])
  })

  it('cache: false asks QuickBlox on every request (two calls each)', async () => {
    const { app } = await start(false)
    const token = await tokenOf()
    for (let i = 0; i < 3; i++) expect((await me(app, token)).status).toBe(200)
    expect([sessionCalls(), userCalls()]).toEqual([3, 3])
  })
})

describe('TTL and revocation', () => {
  it('asks QuickBlox again once ttlMs has passed, not before', async () => {
    const clock = fakeClock()
    const { app } = await start({ ttlMs: 1000, now: clock.now })
    const token = await tokenOf()
    await me(app, token)
    clock.advance(1000)
    await me(app, token)
    expect(sessionCalls()).toBe(1)
    clock.advance(1)
    expect((await me(app, token)).status).toBe(200)
    expect([sessionCalls(), userCalls()]).toEqual([2, 2])
  })

  it('a token destroyed at QuickBlox is accepted until ttlMs has passed, then refused', async () => {
    const clock = fakeClock()
    const { app } = await start({ ttlMs: 1000, now: clock.now })
    const token = await tokenOf()
    expect((await me(app, token)).status).toBe(200)
    qb.destroyUserSessions(qb.users[0]!.id)
    // The documented trade-off: the cache still trusts it...
    clock.advance(1000)
    expect((await me(app, token)).status).toBe(200)
    clock.advance(1)
    // ...but no longer than ttlMs.
    const res = await me(app, token)
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe(INVALID)
  })

  it("no entry outlives the token's known expiry", async () => {
    // The emulator's clock runs 2 h minus 2 s behind the strategy's: QuickBlox's
    // QB-Token-ExpirationDate ("2 h after the last use", to the second) is then 1 to 2 s away on
    // the strategy's clock, well before the 60 s TTL. Both clocks move only when told.
    const offset = 2 * 3600_000 - 2000
    const clock = fakeClock()
    const emulatorNow = (): number => clock.now() - offset
    const old = await startEmulator({ applications: [APP], users: [AMY], now: emulatorNow })
    try {
      const { app } = await start({ ttlMs: 60_000, now: clock.now }, old)
      const token = await sdkToken(old, AMY, APP, Math.floor(emulatorNow() / 1000))
      // The check itself renews the token at QuickBlox: its expiry header says "2 h from now" on the
      // emulator's clock, 1 to 2 s from now on the strategy's.
      expect((await me(app, token)).status).toBe(200)
      clock.advance(1000)
      expect((await me(app, token)).status).toBe(200)
      expect(sessionCalls(old)).toBe(1)
      clock.advance(1001) // past the expiry, whatever its millisecond
      expect((await me(app, token)).status).toBe(200)
      expect(sessionCalls(old)).toBe(2)
    } finally {
      await old.close()
    }
  })

  it('forget(token) stops trusting it at once (sign-out)', async () => {
    const { app, strategy } = await start()
    const token = await tokenOf()
    expect((await me(app, token)).status).toBe(200)
    await fetch(`${qb.url}/session.json`, { method: 'DELETE', headers: { 'QB-Token': token } })
    await strategy.forget(token)
    expect((await me(app, token)).status).toBe(401)
    expect(sessionCalls()).toBe(2)
  })
})

describe('max', () => {
  it('keeps at most max tokens, evicting the least recently used', async () => {
    const { app } = await start({ max: 2 })
    const [a, b, c] = [await sdkToken(qb, AMY), await sdkToken(qb, BOB), await sdkToken(qb, CAROL)]
    qb.resetLog()
    await me(app, a)
    await me(app, b)
    await me(app, a) // a is now the most recently used
    await me(app, c) // evicts b
    expect(sessionCalls()).toBe(3)
    await me(app, a)
    expect(sessionCalls()).toBe(3)
    await me(app, b)
    expect(sessionCalls()).toBe(4)
  })
})

describe('entries that go while QuickBlox is being asked', () => {
  it('forget(token) during a check: the waiting requests still get their answer, and nothing is kept', async () => {
    const { app, strategy } = await start()
    const token = await tokenOf()
    qb.setLatency('GET /session.json', 200)
    const asked = requestStarts('GET', '/session.json')
    const pending = Promise.all([me(app, token), me(app, token)])
    await asked
    await strategy.forget(token)
    expect((await pending).map((res) => res.status)).toEqual([200, 200])
    qb.setLatency('*', 0)
    await me(app, token)
    expect(sessionCalls()).toBe(2)
  })

  it('evicted by max during a check: every request still gets its answer', async () => {
    const { app } = await start({ max: 1 })
    const tokens = [await sdkToken(qb, AMY), await sdkToken(qb, BOB), await sdkToken(qb, CAROL)]
    qb.setLatency('GET /session.json', 150)
    const answers = await Promise.all(tokens.flatMap((token) => [me(app, token), me(app, token)]))
    expect(answers.map((res) => res.status)).toEqual(Array(6).fill(200))
  })
})

describe('the negative cache', () => {
  it('a flood of one bad token costs one call per window', async () => {
    const clock = fakeClock()
    const { app } = await start({ negativeTtlMs: 1500, now: clock.now })
    qb.resetLog()
    for (let i = 0; i < 20; i++) expect((await me(app, 'e'.repeat(40))).status).toBe(401)
    clock.advance(1500)
    expect((await me(app, 'e'.repeat(40))).status).toBe(401)
    expect(sessionCalls()).toBe(1)
    clock.advance(1)
    expect((await me(app, 'e'.repeat(40))).status).toBe(401)
    expect(sessionCalls()).toBe(2)
  })

  it('an application token is refused only briefly: once logged in, it counts', async () => {
    const clock = fakeClock()
    const { app } = await start({ negativeTtlMs: 200, now: clock.now })
    const token = await sdkToken(qb)
    expect((await me(app, token)).status).toBe(401)
    // POST /login.json upgrades this very token into Amy's session.
    const login = await fetch(`${qb.url}/login.json`, {
      method: 'POST',
      headers: { 'QB-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify(AMY),
    })
    expect(login.status).toBe(202)
    expect((await me(app, token)).status).toBe(401) // still within the negative window
    clock.advance(201)
    expect((await me(app, token)).status).toBe(200)
  })
})

describe('never cached', () => {
  it.each([
    ['a 5xx', { status: 500 } as const, 503],
    ['a timeout', 'hang' as const, 504],
    ['a 429', { status: 429, retryAfter: 1 } as const, 429],
  ])('%s: the next request asks QuickBlox again and succeeds', async (_name, fault, status) => {
    const { app } = await start({}, qb, 600)
    const token = await tokenOf()
    qb.failNext('GET /session.json', fault)
    expect((await me(app, token)).status).toBe(status)
    expect((await me(app, token)).status).toBe(200)
    expect(sessionCalls()).toBe(2)
  })

  it('a failed user read: the next request reads the user again', async () => {
    const { app } = await start()
    const token = await tokenOf(CAROL)
    qb.failNext('GET /users/:id.json', { status: 503 })
    expect((await me(app, token)).status).toBe(503)
    expect((await me(app, token)).status).toBe(200)
    expect(userCalls()).toBe(2)
  })
})

describe('a user read shared by requests with different tokens', () => {
  it('fails only for the request whose token died: one with a valid token of the same user asks again with its own', async () => {
    const { strategy } = await start()
    const [dying, valid] = [await sdkToken(qb, AMY), await sdkToken(qb, AMY)]
    expect(await strategy.check(valid)).toBeDefined()
    // Amy's user is read again, with whichever token asks first; that read expires its token.
    ;(strategy as unknown as { users: { clear(): void } }).users.clear()
    qb.resetLog()
    qb.failNext('GET /users/:id.json', 'expire-session')
    qb.setLatency('GET /users/:id.json', 100)
    // The valid token's check starts once the dying one's user read is under way, and joins it.
    let joined: Promise<unknown> | undefined
    const requests = tracingChannel<unknown, RequestContext>(CHANNELS.request)
    const noop = (): void => {}
    const handlers = {
      start: (context: RequestContext) => {
        if (context.path === '/users/{id}.json') joined ??= strategy.check(valid)
      },
      end: noop,
      asyncStart: noop,
      asyncEnd: noop,
      error: noop,
    }
    requests.subscribe(handlers)
    try {
      expect(await strategy.check(dying)).toBeUndefined()
    } finally {
      requests.unsubscribe(handlers)
    }
    expect(await joined).toMatchObject({ user: { login: 'amy' }, session: { token: valid } })
    expect(userCalls()).toBe(2)
  })
})

describe('refused tokens are kept apart', () => {
  it('1,000 junk tokens do not push a valid token out (max: 100)', async () => {
    const { app, strategy } = await start({ max: 100 })
    const token = await tokenOf()
    expect((await me(app, token)).status).toBe(200)
    for (let batch = 0; batch < 20; batch++) {
      const junk = Array.from({ length: 50 }, (_, i) => `junk${batch}x${i}`.padEnd(40, '0'))
      await Promise.all(junk.map(async (bad) => expect(await strategy.check(bad)).toBeUndefined()))
    }
    qb.resetLog()
    expect((await me(app, token)).status).toBe(200)
    expect(sessionCalls()).toBe(0)
  })

  it('the refused tokens are bounded by max too: the oldest is asked about again', async () => {
    const { strategy } = await start({ max: 2 })
    qb.resetLog()
    for (const bad of ['a', 'b', 'c', 'a'].map((c) => c.repeat(40))) expect(await strategy.check(bad)).toBeUndefined()
    expect(sessionCalls()).toBe(4)
  })
})

describe('forget and logout', () => {
  it('forget(token) stops trusting it here only: QuickBlox is not told, and it still works there', async () => {
    const { app, strategy } = await start()
    const token = await tokenOf()
    expect((await me(app, token)).status).toBe(200)
    await strategy.forget(token)
    expect(qb.counts()['DELETE /session.json']).toBe(0)
    expect((await me(app, token)).status).toBe(200)
    expect(sessionCalls()).toBe(2)
  })

  it('logout(token) ends it at QuickBlox (DELETE /session.json with that token) and here', async () => {
    const { app, strategy } = await start()
    const token = await tokenOf()
    const other = await tokenOf()
    expect((await me(app, token)).status).toBe(200)
    await strategy.logout(token)
    expect(qb.counts()['DELETE /session.json']).toBe(1)
    const res = await me(app, token)
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe(INVALID)
    // Only that token: the same user's other one still works.
    expect((await me(app, other)).status).toBe(200)
  })

  it('logout(token) of a token QuickBlox no longer knows resolves; of anything but a token, a TypeError', async () => {
    const { strategy } = await start()
    await expect(strategy.logout('0'.repeat(40))).resolves.toBeUndefined()
    await expect(strategy.logout('not a token')).rejects.toThrow(TypeError)
  })

  it('logout(token) when QuickBlox is down rejects with its error: the token may still work', async () => {
    const { strategy } = await start()
    const token = await tokenOf()
    qb.failNext('DELETE /session.json', { status: 503 })
    await expect(strategy.logout(token)).rejects.toMatchObject({ code: 'QB_UNAVAILABLE' })
  })
})

describe('keys', () => {
  it('are SHA-256 of the token, never the token', async () => {
    const { strategy, app } = await start()
    const token = await tokenOf()
    await me(app, token)
    const keys = [...(strategy as unknown as { accepted: Map<string, unknown> }).accepted.keys()]
    expect(keys).toEqual([expect.stringMatching(/^passport-quickblox:token:[0-9a-f]{16}:[0-9a-f]{64}$/)])
    expect(keys[0]).not.toContain(token)
  })
})
