import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { type Emulator, startEmulator } from 'passport-quickblox/emulator'
import { QuickBloxClient, type QuickBloxClientOptions } from '../lib/quickblox/client.js'
import { SessionPool, type SessionPoolOptions } from '../lib/quickblox/pool.js'
import { clientFor as emulatorClient, fakeDateOnly } from './helpers/quickblox.js'
import { nextTurn, poolMessage, recordDiagnostics, replyRead } from './helpers/diagnostics.js'

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

/** A pool of real application sessions from the emulator; `asked` counts the sessions it asked for. */
let asked = 0
function poolFor(options: SessionPoolOptions = {}): SessionPool {
  asked = 0
  const pool = new SessionPool(() => (asked++, sessions.createApplicationSession()), options)
  pools.push(pool)
  return pool
}
/** Resolves once the pool holds `size` sessions (its `refill` message says so). */
const holds = (size: number) => poolMessage((message) => message.event === 'refill' && message.size === size)
const refilled = () => poolMessage((message) => message.event === 'refill')
const refillFailed = () => poolMessage((message) => message.event === 'refill-failed')

const sessionCalls = (): number => qb.counts()['POST /session.json']

// A fresh emulator per test: refills still in flight when a test ends must not count in the next.
beforeEach(async () => {
  qb = await startEmulator()
  sessions = emulatorClient(qb, { pool: false })
})

afterEach(async () => {
  jest.useRealTimers()
  pools.splice(0).forEach((pool) => pool.close())
  await Promise.all([...clients.splice(0), sessions].map((client) => client.close()))
  await qb.close()
})

describe('session pool', () => {
  it('creates nothing until first used', async () => {
    const pool = poolFor()
    await nextTurn()
    expect(asked).toBe(0)
    const one = holds(1)
    expect(pool.take()).toBeUndefined()
    await one
    expect([asked, sessionCalls()]).toEqual([1, 1])
  })

  it('hands out each session once', async () => {
    const pool = poolFor({ max: 4 })
    const four = holds(4)
    for (let i = 0; i < 20; i++) pool.take()
    await four
    const taken = [pool.take(), pool.take(), pool.take(), pool.take()].map((session) => session?.token)
    expect(new Set(taken).size).toBe(4)
    expect(taken.every((token) => typeof token === 'string')).toBe(true)
  })

  it('grows with the login rate but never beyond max', async () => {
    const pool = poolFor({ max: 3 })
    const one = holds(1)
    pool.take()
    await one
    const three = holds(3)
    for (let i = 0; i < 40; i++) pool.take() // the first takes the one session
    await three
    await nextTurn()
    expect(pool.size).toBe(3)
    expect(asked).toBe(4) // 1, then 3 for the 40 takes: the refill they scheduled asked for no more
  })

  it('drops sessions older than maxAgeMs instead of handing them out', async () => {
    fakeDateOnly()
    const pool = poolFor({ maxAgeMs: 100 })
    const one = holds(1)
    pool.take()
    await one
    jest.setSystemTime(Date.now() + 100)
    expect(pool.take()).toBeUndefined()
  })

  it('retries a failed refill later, with backoff, without throwing', async () => {
    qb.failNext('POST /session.json', { status: 500 }, 3)
    const pool = poolFor()
    const failed = refillFailed()
    const one = holds(1)
    expect(pool.take()).toBeUndefined()
    await failed // the client's own retries included: 3 answers of 500
    expect(qb.requests.filter((r) => r.status === 500)).toHaveLength(3)
    expect(pool.size).toBe(0)
    await one // after the pool's backoff
    expect(sessionCalls()).toBe(4)
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
    const warm = refilled()
    await client.login(amy)
    await warm
    // Every session QuickBlox could create now fails: a login that succeeds used a pooled one.
    qb.failNext('POST /session.json', { status: 500 }, 100)
    qb.resetLog()
    await expect(client.login(amy)).resolves.toMatchObject({ user: { id: 100001 } })
    expect(qb.counts()['POST /login.json']).toBe(1)
    qb.clearFaults()
  })

  it('sends a warm login before the refill it triggers, so the refill never delays it', async () => {
    const client = clientFor()
    const warm = refilled()
    await client.login(amy)
    await warm
    qb.resetLog()
    const again = replyRead('POST', '/session.json', 201)
    await client.login(amy)
    await again
    expect(qb.requests.map((r) => r.endpoint)).toEqual(['POST /login.json', 'POST /session.json'])
  })

  it('makes two calls per login when disabled', async () => {
    const client = clientFor({ pool: false })
    const recorder = recordDiagnostics()
    for (let i = 0; i < 3; i++) await client.login(amy)
    recorder.stop()
    expect(recorder.of('pool')).toEqual([]) // no pool was taken from, so none will refill
    expect(qb.counts()['POST /session.json']).toBe(3)
    expect(qb.counts()['POST /login.json']).toBe(3)
  })

  it('never fails a login because a refill failed', async () => {
    const client = clientFor({ pool: { max: 1 } })
    const warm = refilled()
    await client.login(amy)
    await warm
    qb.resetLog()
    // The refill this login triggers fails, retries included.
    qb.failNext('POST /session.json', { status: 500 }, 3)
    const failed = refillFailed()
    await expect(client.login(amy)).resolves.toMatchObject({ user: { id: 100001 } })
    await failed
    expect(qb.requests.filter((r) => r.status === 500)).toHaveLength(3)
    // The pool is now empty and backing off: the next login creates its session on demand.
    await expect(client.login(amy)).resolves.toMatchObject({ user: { id: 100001 } })
  })

  it('replaces a pooled session QuickBlox no longer knows with a fresh one', async () => {
    const client = clientFor()
    const warm = refilled()
    await client.login(amy)
    await warm
    qb.failNext('POST /login.json', 'expire-session')
    await expect(client.login(amy)).resolves.toMatchObject({ user: { id: 100001 } })
    const logins = qb.requests.filter((r) => r.endpoint === 'POST /login.json').map((r) => r.status)
    expect(logins).toEqual([202, 401, 202])
  })
})
