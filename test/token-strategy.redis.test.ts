// Several instances of QuickBloxTokenStrategy sharing their validations through a real Redis
// (the example app's store adapter over node-redis), counted at the emulator.
import { createHash } from 'node:crypto'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import { createClient } from 'redis'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import {
  CHANNELS,
  QuickBloxError,
  QuickBloxTokenStrategy,
  type StoreMessage,
  type TokenCacheOptions,
} from '../lib/index.js'
import { redisTokenStore } from '../example-app/token-auth.js'
import { sdkToken, startTokenApp, type TokenApp } from './helpers/token-app.js'
import { startRedis, type RedisServer } from './helpers/redis.js'
import { fakeClock } from './helpers/clock.js'
import { requestStarts } from './helpers/diagnostics.js'

const APP = { id: 8080, authKey: 'redis-test-key', authSecret: 'redis-test-secret' }
const AMY = { login: 'amy', password: 'amy-password-1' }
const BEA = { login: 'bea', password: 'bea-password-1', email: 'bea@example.com', phone: '+44 20 7946 0000' }

type Client = ReturnType<typeof createClient>
let redis: RedisServer
let qb: Emulator
/** Another QuickBlox host with an application of the same id (another deployment). */
let other: Emulator
const clients: Client[] = []
const apps: TokenApp[] = []
const strategies: QuickBloxTokenStrategy[] = []

interface Instance {
  app: TokenApp
  strategy: QuickBloxTokenStrategy
  client: Client
}

async function instance(cache: Omit<TokenCacheOptions, 'store'> = {}, emulator = qb): Promise<Instance> {
  const client: Client = createClient({ url: redis.url })
  client.on('error', () => {})
  await client.connect()
  clients.push(client)
  const store = redisTokenStore(client)
  const options = { appId: APP.id, apiEndpoint: emulator.url, timeout: 1000, cache: { ...cache, store } }
  const strategy = new QuickBloxTokenStrategy(options, (user, _session, done) => done(null, { id: user.id }))
  strategies.push(strategy)
  const app = await startTokenApp(strategy)
  apps.push(app)
  return { app, strategy, client }
}

beforeAll(async () => {
  redis = await startRedis()
  other = await startEmulator({ applications: [APP], users: [AMY] })
  qb = await startEmulator({ applications: [APP], users: [AMY, BEA] })
})
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
  await Promise.all(strategies.map((s) => s.close()))
  // destroy(), not close(): a client whose Redis was killed would wait for it to come back.
  for (const client of clients) if (client.isOpen) client.destroy()
  await qb.close()
  await other.close()
  await redis.close()
})

const me = (app: TokenApp, token: string) => request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)
const calls = (): [number, number] => [qb.counts()['GET /session.json'], qb.counts()['GET /users/:id.json']]
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')
/** What store keys carry besides the kind: the application, and a fingerprint of the QuickBlox host. */
const host = (endpoint = qb.url): string => sha256(new URL(endpoint).href.replace(/\/+$/, '')).slice(0, 16)
const scope = (endpoint = qb.url): string => `${APP.id}:${host(endpoint)}`
/** The Redis key of a token's validation: the QuickBlox host and the token's SHA-256, never the token. */
const keyOf = (token: string): string => `passport-quickblox:token:${host()}:${sha256(token)}`
/** An entry as the store holds it: written for one key, and read back only for that key. */
const entryFor = (key: string, entry: Record<string, unknown>): string => JSON.stringify({ key, ...entry })
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
    // One fake clock for both instances (the entries' times in Redis are read on it); Redis's own
    // expiry, a minute of real time, does not come into it.
    const clock = fakeClock()
    const a = await instance({ ttlMs: 60_000, now: clock.now })
    const b = await instance({ ttlMs: 60_000, now: clock.now })
    const token = await tokenOf()
    await a.client.del(`passport-quickblox:user:${scope()}:${qb.users[0]!.id}`) // an earlier test's copy of Amy
    expect((await me(a.app, token)).status).toBe(200)
    clock.advance(40_000)
    expect((await me(b.app, token)).status).toBe(200) // copied from Redis with 20 s left
    expect(calls()[0]).toBe(1)
    qb.destroyUserSessions(qb.users[0]!.id)
    clock.advance(20_000)
    expect((await me(b.app, token)).status).toBe(200) // B's copy, at its last millisecond
    clock.advance(1)
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
    await a.client.set(keyOf(forged), entryFor(keyOf(forged), { value: amys(), until: later() }))
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
    ['an entry written for another key', () => ({ value: amys(), until: later(), key: keyOf('another-token') })],
    ['an entry that names no key', () => ({ value: amys(), until: later(), key: undefined })],
  ])('%s is a miss: QuickBlox is asked, and refuses the token', async (_name, entry) => {
    const a = await instance()
    await a.client.set(keyOf(forged), entryFor(keyOf(forged), entry()))
    qb.resetLog()
    expect((await me(a.app, forged)).status).toBe(401)
    expect(calls()[0]).toBe(1)
    await a.strategy.forget(forged)
  })

  it('forget(token) while QuickBlox is being asked: the answer is not shared afterwards', async () => {
    const a = await instance()
    const token = await tokenOf()
    qb.setLatency('GET /session.json', 300)
    const asked = requestStarts('GET', '/session.json')
    const status = me(a.app, token).then((res) => res.status) // then() sends it now
    await asked
    await a.strategy.forget(token)
    expect(await status).toBe(200)
    qb.setLatency('GET /session.json', 0)
    expect(await a.client.get(keyOf(token))).toBeNull()
  })
})

describe("trust is bounded by this instance's settings, whatever the writer's clock said", () => {
  const forged = 'forged1token1of1nobody1111111111111111111'
  const inMemory = (a: Instance, token: string): number =>
    (a.strategy as unknown as { accepted: { getRemainingTTL(key: string): number } }).accepted.getRemainingTTL(
      keyOf(token),
    )

  it("an entry written 10 minutes ahead stays in memory no longer than this instance's ttlMs", async () => {
    const a = await instance({ ttlMs: 5000 })
    const facts = { userId: qb.users[0]!.id, applicationId: APP.id, expiresAt: Date.now() + 2 * 3600_000 }
    await a.client.set(keyOf(forged), entryFor(keyOf(forged), { value: facts, until: Date.now() + 10 * 60_000 }))
    expect((await me(a.app, forged)).status).toBe(200)
    expect(inMemory(a, forged)).toBeGreaterThan(0)
    expect(inMemory(a, forged)).toBeLessThanOrEqual(5000)
    await a.strategy.forget(forged)
  })

  it("nor past the token's expiry", async () => {
    const a = await instance()
    const facts = { userId: qb.users[0]!.id, applicationId: APP.id, expiresAt: Date.now() + 3000 }
    await a.client.set(keyOf(forged), entryFor(keyOf(forged), { value: facts, until: Date.now() + 10 * 60_000 }))
    expect((await me(a.app, forged)).status).toBe(200)
    expect(inMemory(a, forged)).toBeLessThanOrEqual(3000)
    await a.strategy.forget(forged)
  })
})

describe('store keys carry the application and the QuickBlox host', () => {
  it('two deployments on different hosts with one application id never trust each other', async () => {
    const here = await instance()
    const there = await instance({}, other)
    const token = await tokenOf()
    expect((await me(here.app, token)).status).toBe(200)
    other.resetLog()
    // The other host has never issued this token: it is asked, and refuses it.
    expect((await me(there.app, token)).status).toBe(401)
    expect(other.counts()['GET /session.json']).toBe(1)
    expect(await here.client.keys(`passport-quickblox:token:${host(other.url)}:*`)).toEqual([
      `passport-quickblox:token:${host(other.url)}:${sha256(token)}`,
    ])
  })

  it('userFields narrows the user the store holds and verify gets: no email or phone', async () => {
    const bea = qb.users.find((user) => user.login === 'bea')!
    const full = await instance()
    const narrow = await instance({ userFields: ['login', 'full_name'] })
    const token = await sdkToken(qb, BEA)
    expect((await me(narrow.app, token)).status).toBe(200)
    const userKey = `passport-quickblox:user:${scope()}:${bea.id}`
    const stored = JSON.parse((await narrow.client.get(userKey))!) as { value: Record<string, unknown> }
    expect(stored.value).toMatchObject({ id: bea.id, login: 'bea', email: null, phone: null })
    // A full copy another instance wrote is narrowed too when read.
    await narrow.client.del(userKey)
    expect((await full.strategy.check(token))?.user).toMatchObject({ email: 'bea@example.com' })
    expect((await narrow.strategy.check(await sdkToken(qb, BEA)))?.user).toMatchObject({ login: 'bea', email: null })
    const other = await instance({ userFields: ['login'] })
    expect((await other.strategy.check(token))?.user).toMatchObject({ login: 'bea', email: null, phone: null })
  })
})

describe('logout(token) ends the token at QuickBlox, here and in the store', () => {
  it('B no longer trusts it, and QuickBlox refuses it', async () => {
    const a = await instance()
    const b = await instance()
    const token = await tokenOf()
    expect((await me(a.app, token)).status).toBe(200)
    await a.strategy.logout(token)
    expect(await a.client.get(keyOf(token))).toBeNull()
    expect(qb.counts()['DELETE /session.json']).toBe(1)
    expect((await me(b.app, token)).status).toBe(401)
    expect((await fetch(`${qb.url}/session.json`, { headers: { 'QB-Token': token } })).status).toBe(401)
  })
})

/** The store faults published while `run` runs. */
async function storeFaults(run: () => Promise<void>): Promise<StoreMessage[]> {
  const faults: StoreMessage[] = []
  const listener = (message: unknown): void => void faults.push(message as StoreMessage)
  subscribe(CHANNELS.store, listener)
  try {
    await run()
  } finally {
    unsubscribe(CHANNELS.store, listener)
  }
  return faults
}

// Last: these pause and kill the Redis the tests above share.
describe('a store that hangs or is down is a miss, never a QuickBlox fault', () => {
  it('Redis hangs (SIGSTOP): a new token is checked with QuickBlox directly, and the hung read is reported', async () => {
    const a = await instance({ storeTimeoutMs: 200 })
    const known = await tokenOf()
    expect((await me(a.app, known)).status).toBe(200)
    const token = await tokenOf()
    redis.pause()
    try {
      const faults = await storeFaults(async () => {
        expect((await me(a.app, token)).status).toBe(200)
        // A token checked before is answered from memory.
        expect((await me(a.app, known)).status).toBe(200)
      })
      expect(calls()).toEqual([1, 0])
      expect(faults).toContainEqual({ operation: 'get', reason: 'timeout' })
      expect(new Set(faults.map((fault) => fault.reason))).toEqual(new Set(['timeout']))
    } finally {
      redis.resume()
    }
  })

  it('Redis hangs: forget(token) rejects after storeTimeoutMs, naming the store, not QuickBlox', async () => {
    const a = await instance({ storeTimeoutMs: 200 })
    const token = await tokenOf()
    expect((await me(a.app, token)).status).toBe(200)
    redis.pause()
    try {
      const error: unknown = await a.strategy.forget(token).catch((e: unknown) => e)
      expect(error).not.toBeInstanceOf(QuickBloxError)
      expect((error as Error).message).toBe(
        'QuickBloxTokenStrategy: the token store did not answer delete within 200 ms',
      )
    } finally {
      redis.resume()
    }
  })

  it('Redis killed (SIGKILL): a miss, QuickBlox asked directly; started again, instances share again by themselves', async () => {
    const a = await instance({ storeTimeoutMs: 200 })
    const b = await instance({ storeTimeoutMs: 200 })
    await redis.kill()
    try {
      const token = await tokenOf()
      expect((await me(a.app, token)).status).toBe(200)
      expect(calls()[0]).toBe(1)
    } finally {
      await redis.restart()
    }
    for (const client of [a.client, b.client]) while (!client.isReady) await once(client, 'ready')
    const next = await tokenOf()
    expect((await me(a.app, next)).status).toBe(200)
    expect((await me(b.app, next)).status).toBe(200)
    expect(calls()[0]).toBe(1)
  })
})

describe('a store of your own that misbehaves', () => {
  async function withStore(store: TokenCacheOptions['store'], storeTimeoutMs = 200): Promise<TokenApp> {
    const options = { appId: APP.id, apiEndpoint: qb.url, timeout: 1000, cache: { store, storeTimeoutMs } }
    const strategy = new QuickBloxTokenStrategy(options, (user, _session, done) => done(null, { id: user.id }))
    strategies.push(strategy)
    const app = await startTokenApp(strategy)
    apps.push(app)
    return app
  }

  it('a write that never ends does not hold the answer', async () => {
    const app = await withStore(
      { get: async () => null, set: () => new Promise(() => {}), delete: async () => 1 },
      // Far beyond the check's timeout (1 s): awaiting the write would end in a timeout of the check.
      60_000,
    )
    expect((await me(app, await tokenOf())).status).toBe(200)
  })

  it('a read that throws is a miss, reported as an error', async () => {
    const broken = async (): Promise<never> => Promise.reject(new Error('store down'))
    const app = await withStore({ get: broken, set: broken, delete: broken })
    const token = await tokenOf()
    const faults = await storeFaults(async () => {
      expect((await me(app, token)).status).toBe(200)
    })
    expect(faults).toContainEqual({ operation: 'get', reason: 'error' })
  })
})
