// Scale-out: two example-app instances (same SESSION_SECRET, same emulator) keep their sessions
// and their sign-in rate-limit counters in one real Redis: a user signed in on one is recognised
// on the other, and the limits hold across both.
//
// Needs `redis-server` (Debian package; `npm test` installs it). When it is missing this file
// FAILS with the install command: a skipped suite would read as green.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import request from 'supertest'
import type { RedisClientType } from 'redis'
import type { Emulator } from 'passport-quickblox/emulator'
import { csrfCookie, sidCookie, type ExampleApp } from './helpers/example-app.js'
import { instancesOnRedis, type InstancesOnRedis, type RedisServer } from './helpers/redis.js'

const LIMITS = {
  address: { windowMs: 60_000, limit: 1000 },
  accountAddress: { windowMs: 60_000, limit: 3 },
  account: { windowMs: 60_000, limit: 5 },
}

let setup: InstancesOnRedis | undefined
let redis: RedisServer
let emulator: Emulator
let clients: RedisClientType[]
let a: ExampleApp
let b: ExampleApp

beforeAll(async () => {
  setup = await instancesOnRedis({ trustProxy: 'loopback', limits: LIMITS })
  ;({ redis, emulator, clients } = setup)
  ;[a, b] = setup.apps as [ExampleApp, ExampleApp]
})

afterAll(() => setup?.close())

const cookieOf = (res: request.Response) => sidCookie(res.headers['set-cookie'])!.split(';')[0]!
const keys = (pattern: string) => clients[0]!.keys(pattern)

describe('sessions in Redis', () => {
  it('recognises on instance B a user who signed in on instance A (API)', async () => {
    const login = await request(a.url).post('/api/login').send({ login: 'amy', password: 'amy-demo-password' })
    expect(login.status).toBe(200)
    const me = await request(b.url).get('/api/me').set('Cookie', cookieOf(login))
    expect(me.status).toBe(200)
    expect(me.body.user).toEqual(login.body.user)
    expect((await keys('pqb-example:sess:*')).length).toBeGreaterThan(0)
  })

  it('accepts on B a form whose CSRF token A issued, and signing out on B signs out on A', async () => {
    const page = await request(a.url).get('/login')
    const csrf = csrfCookie(page.headers['set-cookie'])!.split(';')[0]!
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]
    const signedIn = await request(b.url)
      .post('/login')
      .set('Cookie', csrf)
      .type('form')
      .send({ login: 'bob@example.com', password: 'bob-demo-password', _csrf })
    expect(signedIn.status).toBe(303)
    const session = cookieOf(signedIn)
    expect((await request(a.url).get('/profile').set('Cookie', session)).text).toContain('Bob Email')
    expect((await request(b.url).post('/api/logout').set('Cookie', session).send({})).status).toBe(204)
    expect((await request(a.url).get('/api/me').set('Cookie', session)).status).toBe(401)
  })

  it('stores nothing in Redis for anonymous visitors', async () => {
    const before = (await keys('*')).sort()
    for (let i = 0; i < 50; i++) {
      expect((await request(i % 2 ? a.url : b.url).get('/login')).status).toBe(200)
      expect((await request(i % 2 ? a.url : b.url).get('/')).status).toBe(200)
    }
    expect((await keys('*')).sort()).toEqual(before)
  })
})

describe('rate limits in Redis', () => {
  const login = (app: ExampleApp, from: string, body: object) =>
    request(app.url).post('/api/login').set('X-Forwarded-For', from).send(body)

  it('counts rejections on both instances against one limit per account and address', async () => {
    expect((await login(a, '192.0.2.10', { login: 'carol@example.com', password: 'wrong-1' })).status).toBe(401)
    expect((await login(b, '192.0.2.10', { login: 'carol@example.com', password: 'wrong-2' })).status).toBe(401)
    expect((await login(a, '192.0.2.10', { login: 'carol@example.com', password: 'wrong-3' })).status).toBe(401)
    const blocked = [
      await login(a, '192.0.2.10', { login: 'carol@example.com', password: 'x' }),
      await login(b, '192.0.2.10', { login: 'carol@example.com', password: 'x' }),
    ]
    expect(blocked.map((r) => r.status)).toEqual([429, 429])
    for (const res of blocked) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    expect((await keys('pqb-example:rl:account-address:*')).length).toBeGreaterThan(0)
    // The counters are keyed by a keyed hash: Redis holds no login.
    expect((await keys('*carol*')).length).toBe(0)
  })

  it('counts a burst spread over both instances before QuickBlox is asked', async () => {
    emulator!.setLatency('POST /login.json', 200) // the first ones are in flight as the rest arrive
    try {
      const burst = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          login(i % 2 ? a : b, '192.0.2.40', { login: 'amy', password: `wrong-${i}` }),
        ),
      )
      const statuses = burst.map((r) => r.status)
      expect(statuses.filter((s) => s === 401)).toHaveLength(LIMITS.accountAddress.limit)
      expect(statuses.filter((s) => s === 429)).toHaveLength(20 - LIMITS.accountAddress.limit)
    } finally {
      emulator!.setLatency('POST /login.json', 0)
    }
  })

  it('keys the per-address counter by a keyed hash: Redis holds no client address', async () => {
    await clients[0]!.flushAll()
    expect((await login(a, '203.0.113.77', { login: 'amy', password: 'amy-demo-password' })).status).toBe(200)
    const [key, ...more] = await keys('pqb-example:rl:address:*')
    expect(more).toEqual([])
    expect(key).toMatch(/^pqb-example:rl:address:[\w-]{43}$/)
    expect(await keys('*203.0.113*')).toEqual([])
  })

  it('shares the ceiling per account across instances and addresses', async () => {
    const wrong = { login: 'dan', password: 'wrong' }
    for (const [i, from] of ['192.0.2.21', '192.0.2.22', '192.0.2.23', '192.0.2.24', '192.0.2.25'].entries()) {
      expect((await login(i % 2 ? a : b, from, wrong)).status).toBe(401)
    }
    expect((await login(a, '198.51.100.9', wrong)).status).toBe(429)
    expect((await login(b, '198.51.100.9', wrong)).status).toBe(429)
  })
})

describe('node example-app/server.js with REDIS_URL', () => {
  it('keeps sessions and rate-limit counters in Redis, and nothing for anonymous visitors', async () => {
    const { id, authKey, authSecret } = emulator!.application
    const child = spawn(process.execPath, ['example-app/server.js'], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        SESSION_SECRET: 'a-test-secret',
        REDIS_URL: redis!.url,
        QB_APP_ID: String(id),
        QB_AUTH_KEY: authKey,
        QB_AUTH_SECRET: authSecret,
        QB_API_ENDPOINT: emulator!.url,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      let output = ''
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
          if (match) resolve(match[1]!)
        })
        child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)))
      })
      expect(output).toContain('Sessions, rate-limit counters and token checks are shared in Redis (REDIS_URL)')
      await clients[0]!.flushAll()
      for (let i = 0; i < 200; i++) {
        const res = await fetch(`${url}/login`)
        await res.arrayBuffer()
        expect(res.headers.getSetCookie().some((c) => c.startsWith('sid='))).toBe(false)
      }
      expect(await keys('*')).toEqual([])
      const post = (body: object) =>
        fetch(`${url}/api/login`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        })
      expect((await post({ login: 'amy', password: 'wrong' })).status).toBe(401)
      expect((await keys('pqb-example:rl:account:*')).length).toBe(1)
      expect((await post({ login: 'amy', password: 'amy-demo-password' })).status).toBe(200)
      expect((await keys('pqb-example:sess:*')).length).toBe(1)
    } finally {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  })
})
