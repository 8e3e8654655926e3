// The example app's /api/* with `Authorization: Bearer <QuickBlox token>`, as a mobile client of
// the QuickBlox SDK calls it: over real HTTP, with the demo emulator, and two instances sharing
// token checks through a real Redis.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import { createClient } from 'redis'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import type { QuickBloxTokenStrategy } from '../lib/index.js'
import { createTokenStrategy } from '../example-app/token-auth.js'
import {
  sessionCount,
  sessionStatus,
  sidCookie,
  startExample,
  testLimits,
  tokensInStore,
  type ExampleApp,
} from './helpers/example-app.js'
import { sdkToken } from './helpers/token-app.js'
import { startRedis, type RedisServer } from './helpers/redis.js'

const AMY = { login: 'amy', password: 'amy-demo-password' }
let qb: Emulator
const strategies: QuickBloxTokenStrategy[] = []
const apps: ExampleApp[] = []

type RedisClient = Parameters<typeof createTokenStrategy>[1]

async function example(redis?: RedisClient): Promise<ExampleApp> {
  const quickblox = { appId: qb.application.id, apiEndpoint: qb.url }
  const tokenStrategy = createTokenStrategy(quickblox, redis)
  strategies.push(tokenStrategy)
  const app = await startExample({ emulator: qb, app: { tokenStrategy } })
  apps.push(app)
  return app
}
const sessionCalls = (): number => qb.counts()['GET /session.json']

beforeAll(async () => {
  qb = await startEmulator()
})
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
  await Promise.all(strategies.map((s) => s.close()))
  await qb.close()
})

describe('the example API with a Bearer token', () => {
  let app: ExampleApp
  beforeAll(async () => {
    app = await example()
  })

  it('GET /api/me answers the user of a token the SDK got, with no cookie and no CSRF token', async () => {
    const token = await sdkToken(qb, AMY)
    const res = await request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)
    expect(res.status).toBe(200)
    expect(res.body.user).toMatchObject({ id: 100001, login: 'amy', full_name: 'Amy Login' })
    expect(JSON.stringify(res.body)).not.toContain(token)
    expect(res.headers['set-cookie']).toBeUndefined()
  })

  it('a refused token: 401 JSON with the invalid_token challenge', async () => {
    const res = await request(app.url)
      .get('/api/me')
      .set('Authorization', `Bearer ${'0'.repeat(40)}`)
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer realm="QuickBlox", error="invalid_token"')
    expect(res.body).toEqual({ error: 'Invalid or missing token' })
  })

  it('without the header, /api/me is the cookie session as before', async () => {
    const res = await request(app.url).get('/api/me')
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ error: 'Not signed in' })
  })

  it.each(['/api/logout', '/api/logout/', '/API/Logout', '/api/LOGOUT/'])(
    'POST %s with a token ends it at QuickBlox and here: the token signs in nowhere after',
    async (path) => {
      const token = await sdkToken(qb, AMY)
      expect((await request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(200)
      expect((await request(app.url).post(path).set('Authorization', `Bearer ${token}`)).status).toBe(204)
      expect(await sessionStatus(qb, token)).toBe(401)
      qb.resetLog()
      expect((await request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(401)
      expect(sessionCalls()).toBe(1) // no longer trusted from the cache: QuickBlox was asked, and said no
    },
  )

  it('POST /api/logout with a cookie of one user and a token of another ends both', async () => {
    const signedIn = await request(app.url)
      .post('/api/login')
      .send({ email: 'bob@example.com', password: 'bob-demo-password' })
    const sid = sidCookie(signedIn.headers['set-cookie'])!.split(';')[0]!
    const [cookieToken] = await tokensInStore(app.store)
    const token = await sdkToken(qb, AMY)
    const res = await request(app.url).post('/api/logout').set('Cookie', sid).set('Authorization', `Bearer ${token}`)
    expect(res.status).toBe(204)
    expect(await sessionStatus(qb, token)).toBe(401)
    expect(await sessionStatus(qb, cookieToken!)).toBe(401)
    expect((await request(app.url).get('/api/me').set('Cookie', sid)).status).toBe(401)
    expect(await sessionCount(app.store)).toBe(0)
  })

  it('POST /api/logout with a token while QuickBlox is down: 503 with Retry-After, and the token can be ended after', async () => {
    const token = await sdkToken(qb, AMY)
    expect((await request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(200)
    qb.failNext('DELETE /session.json', { status: 503 })
    const failed = await request(app.url).post('/api/logout').set('Authorization', `Bearer ${token}`)
    expect(failed.status).toBe(503)
    expect(failed.headers['retry-after']).toBeDefined()
    expect(await sessionStatus(qb, token)).toBe(200)
    expect((await request(app.url).post('/api/logout').set('Authorization', `Bearer ${token}`)).status).toBe(204)
    expect(await sessionStatus(qb, token)).toBe(401)
  })

  it('a GET to /api/logout with a token ends nothing', async () => {
    const token = await sdkToken(qb, AMY)
    expect((await request(app.url).get('/api/logout').set('Authorization', `Bearer ${token}`)).status).toBe(404)
    expect(await sessionStatus(qb, token)).toBe(200)
  })

  it('QuickBlox unavailable: 503 JSON with Retry-After', async () => {
    qb.failNext('GET /session.json', { status: 503 })
    const res = await request(app.url)
      .get('/api/me')
      .set('Authorization', `Bearer ${await sdkToken(qb, AMY)}`)
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBeDefined()
    expect(res.body.error).toMatch(/unavailable/)
  })
})

describe('refused tokens per address', () => {
  async function limited(bearerFailures: number): Promise<ExampleApp> {
    const tokenStrategy = createTokenStrategy({ appId: qb.application.id, apiEndpoint: qb.url })
    strategies.push(tokenStrategy)
    const app = await startExample({
      emulator: qb,
      app: { tokenStrategy, trustProxy: 'loopback', limits: testLimits({ bearerFailures }) },
    })
    apps.push(app)
    return app
  }
  const me = (app: ExampleApp, from: string, token: string) =>
    request(app.url).get('/api/me').set('X-Forwarded-For', from).set('Authorization', `Bearer ${token}`)
  const junk = (i: number) => `${'0'.repeat(30)}${String(i).padStart(10, '0')}`

  it('answers 429 with Retry-After once an address has had its refused tokens, even to a good one', async () => {
    const app = await limited(3)
    for (let i = 0; i < 3; i++) expect((await me(app, '192.0.2.50', junk(i))).status).toBe(401)
    qb.resetLog()
    const refused = await me(app, '192.0.2.50', junk(3))
    expect(refused.status).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(refused.body).toEqual({ error: 'Too many refused tokens. Please try again later.' })
    expect((await me(app, '192.0.2.50', await sdkToken(qb, AMY))).status).toBe(429)
    expect(sessionCalls()).toBe(0)
    expect((await me(app, '192.0.2.51', await sdkToken(qb, AMY))).status).toBe(200) // another address
    expect((await request(app.url).get('/api/me').set('X-Forwarded-For', '192.0.2.50')).status).toBe(401) // no token
  })

  it('a cookie session behind a Basic password gate: /api/* is the cookie user, and nothing counts as a refused token', async () => {
    const app = await limited(1)
    const gate = `Basic ${Buffer.from('staging:gate-password').toString('base64')}`
    const signedIn = await request(app.url).post('/api/login').set('Authorization', gate).send(AMY)
    expect(signedIn.status).toBe(200)
    const sid = sidCookie(signedIn.headers['set-cookie'])!.split(';')[0]!
    qb.resetLog()
    for (let i = 0; i < 3; i++) {
      const res = await request(app.url)
        .get('/api/me')
        .set('X-Forwarded-For', '192.0.2.54')
        .set('Authorization', gate)
        .set('Cookie', sid)
      expect(res.status).toBe(200)
      expect(res.body.user).toMatchObject({ login: 'amy' })
    }
    expect(sessionCalls()).toBe(0) // the gate's password is no token: QuickBlox was not asked
    expect((await me(app, '192.0.2.54', await sdkToken(qb, AMY))).status).toBe(200) // no 429: none counted
    const anonymous = await request(app.url)
      .get('/api/me')
      .set('X-Forwarded-For', '192.0.2.54')
      .set('Authorization', gate)
    expect(anonymous.status).toBe(401)
    expect(anonymous.body).toEqual({ error: 'Not signed in' })
    expect(anonymous.headers['www-authenticate']).toBeUndefined()
  })

  it('takes the Bearer scheme in any casing, and counts its refusals', async () => {
    const app = await limited(1)
    const meWith = (from: string, authorization: string) =>
      request(app.url).get('/api/me').set('X-Forwarded-For', from).set('Authorization', authorization)
    const lower = await meWith('192.0.2.55', `bearer ${junk(7)}`)
    expect(lower.status).toBe(401)
    expect(lower.headers['www-authenticate']).toBe('Bearer realm="QuickBlox", error="invalid_token"')
    const token = await sdkToken(qb, AMY)
    expect((await meWith('192.0.2.55', `BEARER ${token}`)).status).toBe(429)
    expect((await meWith('192.0.2.56', `BEARER ${token}`)).status).toBe(200)
  })

  it('does not count accepted tokens', async () => {
    const app = await limited(2)
    const token = await sdkToken(qb, AMY)
    for (let i = 0; i < 10; i++) expect((await me(app, '192.0.2.52', token)).status).toBe(200)
    expect((await me(app, '192.0.2.52', junk(0))).status).toBe(401)
  })

  it('counts a burst of junk tokens as it arrives: QuickBlox is asked once per allowed failure', async () => {
    const app = await limited(3)
    qb.setLatency('GET /session.json', 200)
    qb.resetLog()
    try {
      const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => me(app, '192.0.2.53', junk(100 + i))))
      const statuses = burst.map((r) => r.status)
      expect(statuses.filter((s) => s === 401)).toHaveLength(3)
      expect(statuses.filter((s) => s === 429)).toHaveLength(17)
      expect(sessionCalls()).toBe(3)
    } finally {
      qb.setLatency('GET /session.json', 0)
    }
  })
})

describe('two example instances sharing token checks in Redis', () => {
  let redis: RedisServer
  const clients: NonNullable<RedisClient>[] = []
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(async () => {
    for (const client of clients) await client.close()
    await redis.close()
  })

  it('a token checked by one instance costs the other no QuickBlox call', async () => {
    for (let i = 0; i < 2; i++) {
      const client = createClient({ url: redis.url })
      await client.connect()
      clients.push(client)
    }
    const one = await example(clients[0])
    const two = await example(clients[1])
    const token = await sdkToken(qb, AMY)
    qb.resetLog()
    expect((await request(one.url).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(200)
    expect((await request(two.url).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(200)
    expect(sessionCalls()).toBe(1)
  })

  it('refused tokens from one address count on both instances against one limit', async () => {
    const instances = []
    for (const client of clients) {
      const tokenStrategy = createTokenStrategy({ appId: qb.application.id, apiEndpoint: qb.url }, client)
      strategies.push(tokenStrategy)
      const app = await startExample({
        emulator: qb,
        app: { tokenStrategy, redis: client, trustProxy: 'loopback', limits: testLimits({ bearerFailures: 2 }) },
      })
      apps.push(app)
      instances.push(app)
    }
    const me = (app: ExampleApp, token: string) =>
      request(app.url).get('/api/me').set('X-Forwarded-For', '192.0.2.70').set('Authorization', `Bearer ${token}`)
    expect((await me(instances[0]!, '1'.repeat(40))).status).toBe(401)
    expect((await me(instances[1]!, '2'.repeat(40))).status).toBe(401)
    expect((await me(instances[0]!, '3'.repeat(40))).status).toBe(429)
    expect((await me(instances[1]!, '4'.repeat(40))).status).toBe(429)
  })
})
