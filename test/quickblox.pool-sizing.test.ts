// How big the session pool grows and how long it keeps a session, by default: twice the logins
// per second of the last 10 seconds, at most 32 sessions, each kept for 30 minutes. Only Date is
// faked (to move 10 seconds or 30 minutes on at once); sessions are real, made by the emulator.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { type Emulator, startEmulator } from 'passport-quickblox/emulator'
import type { QuickBloxClient } from '../lib/quickblox/client.js'
import { SessionPool } from '../lib/quickblox/pool.js'
import { clientFor, fakeDateOnly } from './helpers/quickblox.js'
import { nextTurn, poolMessage, replyRead, requestStarts } from './helpers/diagnostics.js'

let qb: Emulator
let sessions: QuickBloxClient
let pool: SessionPool | undefined

beforeEach(async () => {
  qb = await startEmulator()
  sessions = clientFor(qb, { pool: false })
})
afterEach(async () => {
  jest.useRealTimers()
  pool?.close()
  await sessions.close()
  await qb.close()
})

/** Resolves once the pool holds `size` sessions (its `refill` message says so). */
const holds = (size: number) => poolMessage((message) => message.event === 'refill' && message.size === size)
/** How many sessions the pool has asked for. */
let asked = 0
const newPool = (options?: ConstructorParameters<typeof SessionPool>[1]): SessionPool => {
  asked = 0
  return (pool = new SessionPool(() => (asked++, sessions.createApplicationSession()), options))
}

describe('pool size', () => {
  it('is twice the logins per second over 10 seconds: 10 logins keep 2 sessions ready', async () => {
    const p = newPool()
    for (let i = 0; i < 10; i++) p.take()
    await nextTurn()
    expect(asked).toBe(2)
    await holds(2) // the sessions asked for are still on their way
    expect(qb.counts()['POST /session.json']).toBe(2)
  })

  it('counts sessions on their way and those ready: a second burst tops the pool up, never more', async () => {
    const p = newPool()
    qb.setLatency('POST /session.json', 200)
    for (let i = 0; i < 10; i++) p.take()
    await nextTurn()
    expect(asked).toBe(2)
    for (let i = 0; i < 10; i++) p.take() // 20 logins: 4 wanted, 2 of them already coming
    await nextTurn()
    expect(asked).toBe(4)
    await holds(4) // the sessions asked for are still on their way
    p.take() // 21 logins: 5 wanted, 3 ready
    await nextTurn()
    expect(asked).toBe(6)
    await holds(5) // the sessions asked for are still on their way
  })

  it.each([
    [9_999, 'still count', 4],
    [10_000, 'no longer count', 2],
  ])('counts logins of the last 10 seconds: %i ms later, 10 logins %s', async (later, _, sessionsAsked) => {
    fakeDateOnly()
    const p = newPool()
    const ready = holds(2)
    for (let i = 0; i < 10; i++) p.take()
    await ready
    jest.setSystemTime(Date.now() + later)
    p.take() // with the 10 earlier logins, 3 sessions wanted; alone, 1 (which is ready)
    await nextTurn()
    expect(asked).toBe(sessionsAsked)
  })

  it('keeps counting new logins once it has seen more than 5 × max', async () => {
    fakeDateOnly()
    const p = newPool({ max: 2 }) // 10 logins are what it takes to want 2
    const ready = holds(2)
    for (let i = 0; i < 10; i++) p.take()
    await ready
    jest.setSystemTime(Date.now() + 10_000)
    for (let i = 0; i < 10; i++) p.take() // 10 more, the earlier 10 now out of the window: 2 wanted again
    await nextTurn()
    expect(asked).toBe(4)
    await holds(2) // the sessions asked for are still on their way
  })

  it('is at most 32 by default', async () => {
    const p = newPool()
    for (let i = 0; i < 200; i++) p.take()
    await nextTurn()
    expect(asked).toBe(32)
    await holds(32) // the sessions asked for are still on their way
  })

  it('adds nothing once closed, even a session that was on its way', async () => {
    const p = newPool()
    qb.setLatency('POST /session.json', 100)
    const sent = requestStarts('POST', '/session.json')
    const created = replyRead('POST', '/session.json', 201)
    p.take()
    await sent
    p.close()
    await created
    await nextTurn() // the pool has had the session
    expect(p.size).toBe(0)
  })
})

describe('pooled session age', () => {
  it('is kept until just before 30 minutes by default', async () => {
    fakeDateOnly()
    const p = newPool()
    const ready = holds(1)
    p.take()
    await ready
    jest.setSystemTime(Date.now() + 30 * 60_000 - 1)
    expect(p.take()).toMatchObject({ userId: 0 })
  })

  it('is dropped at 30 minutes by default', async () => {
    fakeDateOnly()
    const p = newPool()
    const ready = holds(1)
    p.take()
    await ready
    jest.setSystemTime(Date.now() + 30 * 60_000)
    expect(p.take()).toBeUndefined()
  })
})
