// The example app with Redis (sessions, rate-limit counters, shared token checks) while a real
// redis-server hangs (SIGSTOP) and while it is down (SIGKILL), then back: anonymous pages are
// served, signed-in pages and sign-ins are answered in time (at worst 503 with Retry-After, never
// a 500 or a hang), a Bearer token checked before is accepted from memory, a new one is checked
// with QuickBlox directly, and everything works again soon after Redis returns, without a restart.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { connectRedis } from '../example-app/redis.js'
import { createTokenStrategy } from '../example-app/token-auth.js'
import type { QuickBloxTokenStrategy } from '../lib/index.js'
import { LOG_LINE, sidCookie, startExample, testLimits, type ExampleApp } from './helpers/example-app.js'
import { startRedis, type RedisServer } from './helpers/redis.js'
import { sdkToken } from './helpers/token-app.js'

const AMY = { login: 'amy', password: 'amy-demo-password' }
const BOB = { email: 'bob@example.com', password: 'bob-demo-password' }
// Each answer must come within 3 s; a new Bearer token within the token check's timeout plus 1 s.
const ANSWER_WITHIN_MS = 3_000
const TOKEN_TIMEOUT_MS = 1_500

let redis: RedisServer
let emulator: Emulator
let client: Awaited<ReturnType<typeof connectRedis>>
let tokenStrategy: QuickBloxTokenStrategy
let app: ExampleApp

beforeAll(async () => {
  redis = await startRedis()
  emulator = await startEmulator()
  client = await connectRedis(redis.url, () => {})
  tokenStrategy = createTokenStrategy(
    { appId: emulator.application.id, apiEndpoint: emulator.url, timeout: TOKEN_TIMEOUT_MS },
    client,
  )
  app = await startExample({
    emulator,
    app: { redis: client, sessionStore: undefined, tokenStrategy, limits: testLimits({}) },
  })
})
afterAll(async () => {
  await app.close()
  await tokenStrategy.close()
  await client.close().catch(() => {})
  await emulator.close()
  await redis.close()
})

/** One request, which must be answered within `ms`. */
async function call(path: string, init: RequestInit = {}, ms = ANSWER_WITHIN_MS) {
  const res = await fetch(`${app.url}${path}`, { ...init, signal: AbortSignal.timeout(ms) }).catch((e) => {
    throw new Error(`${path} ${String(e)} ${app.lines.slice(-3).join(' / ')}`)
  })
  const text = await res.text()
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text, cookies: res.headers.getSetCookie() }
}
const json = (body: object, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
})
const bearer = (token: string): RequestInit => ({ headers: { Authorization: `Bearer ${token}` } })

/** A signed-in session cookie, made while Redis is up. */
async function signIn(body: object): Promise<string> {
  const res = await call('/api/login', json(body))
  expect(res.status).toBe(200)
  return sidCookie(res.cookies)!.split(';')[0]!
}
/** A form POST with a fresh CSRF pair (made without Redis: the CSRF token is a signed cookie). */
async function formLogin() {
  const page = await call('/login')
  const csrf = page.cookies.find((c) => c.startsWith('csrf='))!.split(';')[0]!
  const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!
  return call('/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: csrf },
    body: new URLSearchParams({ ...AMY, _csrf }).toString(),
  })
}

/** What must hold while Redis is away, whichever way. */
async function whileRedisIsAway(cookie: string, knownToken: string) {
  expect((await call('/login')).status).toBe(200) // anonymous pages need no Redis
  expect((await call('/')).status).toBe(200)
  for (const res of [
    await call('/profile', { headers: { Cookie: cookie } }),
    await call('/api/me', { headers: { Cookie: cookie } }),
    await formLogin(),
    await call('/api/login', json(BOB)),
  ]) {
    expect(res.status).toBe(503)
    expect(Number(res.retryAfter)).toBeGreaterThan(0)
  }
  expect((await call('/api/me', bearer(knownToken))).status).toBe(200) // from memory
  const fresh = await sdkToken(emulator, AMY)
  emulator.resetLog()
  expect((await call('/api/me', bearer(fresh), TOKEN_TIMEOUT_MS + 1_000)).status).toBe(200)
  expect(emulator.counts()['GET /session.json']).toBe(1) // QuickBlox asked directly
  expect((await call('/api/me', bearer('0'.repeat(40)), TOKEN_TIMEOUT_MS + 1_000)).status).toBe(401)
}

/** Resolves once the app's node-redis client is (or is no longer) ready, on the client's own events. */
async function redisReady(ready: boolean): Promise<void> {
  if (client.isReady === ready) return
  const events = ready ? ['ready'] : ['error', 'reconnecting', 'end']
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (client.isReady !== ready) return
      for (const event of events) client.off(event, check)
      resolve()
    }
    for (const event of events) client.on(event, check)
  })
}

/** Once the app's Redis client is ready again, a fresh sign-in and its profile work at once. */
async function backToNormal(): Promise<void> {
  await redisReady(true)
  const res = await call('/api/login', json(AMY))
  expect(res.status).toBe(200)
  const cookie = sidCookie(res.cookies)!.split(';')[0]!
  expect((await call('/profile', { headers: { Cookie: cookie } })).status).toBe(200)
}

describe('the example app while Redis hangs, is down, and returns', () => {
  it('rides out a Redis that hangs (SIGSTOP), and is back when it resumes', async () => {
    const cookie = await signIn(AMY)
    const known = await sdkToken(emulator, BOB)
    expect((await call('/api/me', bearer(known))).status).toBe(200)
    redis.pause()
    try {
      await whileRedisIsAway(cookie, known)
    } finally {
      redis.resume()
    }
    await backToNormal()
    expect((await call('/profile', { headers: { Cookie: cookie } })).status).toBe(200) // the session survived
  }, 60_000)

  it('rides out a Redis that is down (SIGKILL), and is back when it starts again', async () => {
    const cookie = await signIn(AMY)
    const known = await sdkToken(emulator, BOB)
    expect((await call('/api/me', bearer(known))).status).toBe(200)
    await redis.kill()
    try {
      await whileRedisIsAway(cookie, known)
    } finally {
      await redis.restart()
    }
    await backToNormal()
  }, 60_000)

  it('an app started while Redis is down counts sign-ins once Redis is back, without a restart', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    await redis.kill()
    let late: ExampleApp | undefined
    try {
      await redisReady(false)
      // Its counters load their Redis scripts now: that fails at once (no offline queue).
      late = await startExample({
        emulator,
        app: { redis: client, sessionStore: undefined, limits: testLimits({ accountAddress: 2 }) },
      })
    } finally {
      await redis.restart()
    }
    try {
      await redisReady(true)
      const wrong = async () => (await fetch(`${late.url}/api/login`, json({ login: 'amy', password: 'wrong' }))).status
      expect([await wrong(), await wrong(), await wrong()]).toEqual([401, 401, 429])
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
      await late.close()
    }
  })

  it('logged no 500 through it all, and the Redis faults by their code', () => {
    for (const line of app.lines) expect(line).toMatch(LOG_LINE)
    expect(app.lines.filter((l) => / 5\d\d \d+ms/.test(l) && !/ 503 \d+ms REDIS_UNAVAILABLE$/.test(l))).toEqual([])
    // At least the three signed-in requests refused while Redis was away, in each of the two outages.
    expect(app.lines.filter((l) => /REDIS_UNAVAILABLE$/.test(l)).length).toBeGreaterThanOrEqual(6)
  })
})
