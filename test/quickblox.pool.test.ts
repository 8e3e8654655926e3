import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { type Emulator, startEmulator } from 'passport-quickblox/emulator'
import { QuickBloxClient, type QuickBloxClientOptions } from '../lib/quickblox/client.js'
import { SessionPool, type SessionPoolOptions } from '../lib/quickblox/pool.js'
import { clientFor as emulatorClient } from './helpers/quickblox.js'

let qb: Emulator
let sessions: QuickBloxClient
const clients: QuickBloxClient[] = []
const pools: SessionPool[] = []
const amy = { login: 'amy', password: 'amy-demo-password' }

function clientFor(options: Partial<QuickBloxClientOptions> = {}): QuickBloxClient {
  const client = emulatorClient(qb, options)
  clients.push(client)
  return client
}

/** A pool of real application sessions from the emulator. */
function poolFor(options: SessionPoolOptions = {}): SessionPool {
  const pool = new SessionPool(() => sessions.createApplicationSession(), options)
  pools.push(pool)
  return pool
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const sessionCalls = (): number => qb.counts()['POST /session.json']
const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

// A fresh emulator per test: refills still in flight when a test ends must not count in the next.
beforeEach(async () => {
  qb = await startEmulator()
  sessions = emulatorClient(qb, { pool: false })
})

afterEach(async () => {
  pools.splice(0).forEach((pool) => pool.close())
  await Promise.all([...clients.splice(0), sessions].map((client) => client.close()))
  await qb.close()
})

describe('session pool', () => {
  it('creates nothing until first used', async () => {
    const pool = poolFor()
    await wait(50)
    expect(sessionCalls()).toBe(0)
    expect(pool.take()).toBeUndefined()
    await until(() => pool.size === 1)
    expect(sessionCalls()).toBe(1)
  })

  it('hands out each session once', async () => {
    const pool = poolFor({ max: 4 })
    for (let i = 0; i < 20; i++) pool.take()
    await until(() => pool.size === 4)
    const taken = [pool.take(), pool.take(), pool.take(), pool.take()].map((session) => session?.token)
    expect(new Set(taken).size).toBe(4)
    expect(taken.every((token) => typeof token === 'string')).toBe(true)
  })

  it('grows with the login rate but never beyond max', async () => {
    const pool = poolFor({ max: 3 })
    pool.take()
    await until(() => pool.size === 1)
    for (let i = 0; i < 40; i++) pool.take()
    await until(() => pool.size === 3)
    await wait(100)
    expect(pool.size).toBe(3)
  })

  it('drops sessions older than maxAgeMs instead of handing them out', async () => {
    const pool = poolFor({ maxAgeMs: 100 })
    pool.take()
    await until(() => pool.size === 1)
    await wait(150)
    expect(pool.take()).toBeUndefined()
  })

  it('retries a failed refill later, with backoff, without throwing', async () => {
    qb.failNext('POST /session.json', { status: 500 }, 3)
    const pool = poolFor()
    expect(pool.take()).toBeUndefined()
    await until(() => qb.requests.filter((r) => r.status === 500).length === 3)
    expect(pool.size).toBe(0)
    await until(() => pool.size === 1)
    expect(sessionCalls()).toBe(4)
  })

  it('stops refilling once closed', async () => {
    qb.failNext('POST /session.json', { status: 500 }, 3)
    const pool = poolFor()
    pool.take()
    await until(() => qb.requests.filter((r) => r.status === 500).length === 3)
    pool.close()
    await wait(1500)
    expect(sessionCalls()).toBe(3)
  })
})

describe('client with a pool', () => {
  it('never hands one application session to two logins, however many run at once', async () => {
    const client = clientFor({ pool: { max: 8 } })
    for (let wave = 0; wave < 5; wave++) {
      const results = await Promise.all(Array.from({ length: 20 }, () => client.login(amy)))
      expect(results.every((result) => result.user.id === 100001)).toBe(true)
    }
    const tokens = qb.requests.filter((r) => r.endpoint === 'POST /login.json').map((r) => r.token)
    expect(tokens).toHaveLength(100)
    expect(new Set(tokens).size).toBe(100)
  })

  it('takes a login down to one round trip once warm', async () => {
    const client = clientFor()
    await client.login(amy)
    await until(() => qb.requests.filter((r) => r.endpoint === 'POST /session.json' && r.status === 201).length === 2)
    await wait(100)
    // A session created now would take 3 s: a login that is quicker used a pooled one.
    qb.setLatency('POST /session.json', 3000)
    const started = Date.now()
    await client.login(amy)
    expect(Date.now() - started).toBeLessThan(2500)
  })

  it('sends a warm login before the refill it triggers, so the refill never delays it', async () => {
    const client = clientFor()
    await client.login(amy)
    await until(() => qb.requests.filter((r) => r.endpoint === 'POST /session.json' && r.status === 201).length === 2)
    qb.resetLog()
    await client.login(amy)
    await until(() => qb.requests.length === 2)
    expect(qb.requests.map((r) => r.endpoint)).toEqual(['POST /login.json', 'POST /session.json'])
  })

  it('makes two calls per login when disabled', async () => {
    const client = clientFor({ pool: false })
    for (let i = 0; i < 3; i++) await client.login(amy)
    await wait(50)
    expect(qb.counts()['POST /session.json']).toBe(3)
    expect(qb.counts()['POST /login.json']).toBe(3)
  })

  it('never fails a login because a refill failed', async () => {
    const client = clientFor({ pool: { max: 1 } })
    await client.login(amy)
    await until(() => qb.requests.filter((r) => r.endpoint === 'POST /session.json' && r.status === 201).length === 2)
    await wait(100)
    qb.resetLog()
    // The refill this login triggers fails, retries included.
    qb.failNext('POST /session.json', { status: 500 }, 3)
    await expect(client.login(amy)).resolves.toMatchObject({ user: { id: 100001 } })
    await until(() => qb.requests.filter((r) => r.status === 500).length === 3)
    // The pool is now empty and backing off: the next login creates its session on demand.
    await expect(client.login(amy)).resolves.toMatchObject({ user: { id: 100001 } })
  })

  it('replaces a pooled session QuickBlox no longer knows with a fresh one', async () => {
    const client = clientFor()
    await client.login(amy)
    await until(() => qb.requests.filter((r) => r.endpoint === 'POST /session.json' && r.status === 201).length === 2)
    qb.failNext('POST /login.json', 'expire-session')
    await expect(client.login(amy)).resolves.toMatchObject({ user: { id: 100001 } })
    const logins = qb.requests.filter((r) => r.endpoint === 'POST /login.json').map((r) => r.status)
    expect(logins).toEqual([202, 401, 202])
  })
})
