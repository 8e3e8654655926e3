// Several instances of QuickBloxTokenStrategy sharing their validations through a real Redis
// (the example app's store adapter over node-redis), counted at the emulator.
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import { createClient } from 'redis'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { QuickBloxTokenStrategy, type TokenCacheOptions } from '../lib/index.js'
import { redisTokenStore } from '../example-app/token-auth.js'
import { sdkToken, startTokenApp, type TokenApp } from './helpers/token-app.js'
import { startRedis, type RedisServer } from './helpers/redis.js'

const APP = { id: 8080, authKey: 'redis-test-key', authSecret: 'redis-test-secret' }
const AMY = { login: 'amy', password: 'amy-password-1' }

type Client = ReturnType<typeof createClient>
let redis: RedisServer
let qb: Emulator
const clients: Client[] = []
const apps: TokenApp[] = []
const strategies: QuickBloxTokenStrategy[] = []

interface Instance {
  app: TokenApp
  strategy: QuickBloxTokenStrategy
  client: Client
}

async function instance(cache: Omit<TokenCacheOptions, 'store'> = {}): Promise<Instance> {
  const client: Client = createClient({ url: redis.url })
  client.on('error', () => {})
  await client.connect()
  clients.push(client)
  const store = redisTokenStore(client)
  const options = { appId: APP.id, apiEndpoint: qb.url, timeout: 1000, cache: { ...cache, store } }
  const strategy = new QuickBloxTokenStrategy(options, (user, _session, done) => done(null, { id: user.id }))
  strategies.push(strategy)
  const app = await startTokenApp(strategy)
  apps.push(app)
  return { app, strategy, client }
}

beforeAll(async () => {
  redis = await startRedis()
  qb = await startEmulator({ applications: [APP], users: [AMY] })
})
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
  await Promise.all(strategies.map((s) => s.close()))
  for (const client of clients) if (client.isOpen) await client.close()
  await qb.close()
  await redis.close()
})

const me = (app: TokenApp, token: string) => request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)
const calls = (): [number, number] => [qb.counts()['GET /session.json'], qb.counts()['GET /users/:id.json']]
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')
/** What store keys carry besides the kind: the application, and a fingerprint of the QuickBlox host. */
const scope = (endpoint = qb.url): string =>
  `${APP.id}:${sha256(new URL(endpoint).href.replace(/\/+$/, '')).slice(0, 16)}`
/** The Redis key of a token's validation: its SHA-256, never the token. */
const keyOf = (token: string): string => `passport-quickblox:token:${scope()}:${sha256(token)}`
async function tokenOf(): Promise<string> {
  const token = await sdkToken(qb, AMY)
  qb.resetLog()
  return token
}

describe('two instances sharing one Redis', () => {
  it('a token validated by A costs B no QuickBlox call', async () => {
    const a = await instance()
    const b = await instance()
    const token = await tokenOf()
    expect((await me(a.app, token)).status).toBe(200)
    expect((await me(b.app, token)).status).toBe(200)
    expect(calls()).toEqual([1, 1])
  })

  it('keeps no token in Redis: keys are SHA-256, values hold ids and times only', async () => {
    const a = await instance()
    const token = await tokenOf()
    await me(a.app, token)
    const keys = await a.client.keys('passport-quickblox:*')
    expect(keys).toEqual(
      expect.arrayContaining([keyOf(token), `passport-quickblox:user:${scope()}:${qb.users[0]!.id}`]),
    )
    for (const key of keys) {
      expect(key).not.toContain(token)
      expect(await a.client.get(key)).not.toContain(token)
      const ttl = await a.client.pTTL(key)
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(60_000)
    }
  })

  it("a copy in B never outlives A's validation", async () => {
    const a = await instance({ ttlMs: 1500 })
    const b = await instance({ ttlMs: 1500 })
    const token = await tokenOf()
    expect((await me(a.app, token)).status).toBe(200)
    await sleep(700)
    expect((await me(b.app, token)).status).toBe(200) // copied from Redis with at most 800 ms left
    qb.destroyUserSessions(qb.users[0]!.id)
    await sleep(900)
    // A copy trusted for a full ttlMs from B's read would still say 200 here.
    expect((await me(b.app, token)).status).toBe(401)
  })

  it('a bad token refused by A costs B no call within the negative window', async () => {
    const a = await instance()
    const b = await instance()
    qb.resetLog()
    const bad = `bad${Date.now()}`.padEnd(40, '0')
    expect((await me(a.app, bad)).status).toBe(401)
    expect((await me(b.app, bad)).status).toBe(401)
    expect(calls()).toEqual([1, 0])
  })

  it('forget(token) on A removes the shared entry: B asks QuickBlox again', async () => {
    const a = await instance()
    const b = await instance()
    const token = await tokenOf()
    await me(a.app, token)
    await a.strategy.forget(token)
    await fetch(`${qb.url}/session.json`, { method: 'DELETE', headers: { 'QB-Token': token } })
    expect((await me(b.app, token)).status).toBe(401)
    expect(calls()[0]).toBe(2)
  })

  it('a store that fails is a miss: QuickBlox is asked and the request succeeds', async () => {
    const broken = await instance()
    await broken.client.close()
    const token = await tokenOf()
    expect((await me(broken.app, token)).status).toBe(200)
    expect(calls()).toEqual([1, 1])
  })
})

describe('what the store holds is checked before it is trusted (another process wrote it)', () => {
  const forged = 'forged0token0of0nobody0000000000000000000'
  const later = (): number => Date.now() + 60_000
  /** Facts that would sign Amy in with a token QuickBlox has never issued, were they trusted. */
  const amys = (): Record<string, unknown> => ({ userId: qb.users[0]!.id, applicationId: APP.id, expiresAt: later() })

  it('a well-formed entry is trusted: the forged token passes (so the cases below can tell)', async () => {
    const a = await instance()
    await a.client.set(keyOf(forged), JSON.stringify({ value: amys(), until: later() }))
    qb.resetLog()
    expect((await me(a.app, forged)).status).toBe(200)
    expect(calls()[0]).toBe(0)
    await a.strategy.forget(forged)
  })

  it.each([
    ['an entry past its time', () => ({ value: amys(), until: Date.now() - 1000 })],
    ['a time that is not a number', () => ({ value: amys(), until: String(later()) })],
    [
      'an expiry that is not a whole number',
      () => ({ value: { ...amys(), expiresAt: later() + 0.5 }, until: later() }),
    ],
    ['a negative expiry', () => ({ value: { ...amys(), expiresAt: -1 }, until: later() })],
    ['an expiry that is text', () => ({ value: { ...amys(), expiresAt: 'soon' }, until: later() })],
    ['an entry over 64 KiB', () => ({ value: amys(), until: later(), padding: 'x'.repeat(64 * 1024) })],
  ])('%s is a miss: QuickBlox is asked, and refuses the token', async (_name, entry) => {
    const a = await instance()
    await a.client.set(keyOf(forged), JSON.stringify(entry()))
    qb.resetLog()
    expect((await me(a.app, forged)).status).toBe(401)
    expect(calls()[0]).toBe(1)
    await a.strategy.forget(forged)
  })

  it('forget(token) while QuickBlox is being asked: the answer is not shared afterwards', async () => {
    const a = await instance()
    const token = await tokenOf()
    qb.setLatency('GET /session.json', 300)
    const status = me(a.app, token).then((res) => res.status) // then() sends it now
    await sleep(100)
    await a.strategy.forget(token)
    expect(await status).toBe(200)
    qb.setLatency('GET /session.json', 0)
    expect(await a.client.get(keyOf(token))).toBeNull()
  })
})
