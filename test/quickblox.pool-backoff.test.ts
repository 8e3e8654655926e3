// When the session pool tries again after a failed refill: 1 s doubling to 30 s, jittered to
// between half and all of it, one wait at a time, nothing once closed. All timers are fake, so
// the schedule is exact; the sessions the pool is given are real ones from the emulator, and a
// failure is the error the client throws when QuickBlox is down.
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { type Emulator, startEmulator } from 'passport-quickblox/emulator'
import { QuickBloxUnavailableError } from '../lib/quickblox/errors.js'
import { SessionPool } from '../lib/quickblox/pool.js'
import type { QuickBloxSession } from '../lib/quickblox/types.js'
import { clientFor } from './helpers/quickblox.js'

let qb: Emulator
let session: QuickBloxSession
beforeAll(async () => {
  qb = await startEmulator()
  const client = clientFor(qb, { pool: false })
  session = await client.createApplicationSession()
  await client.close()
})
afterAll(() => qb.close())

let pool: SessionPool | undefined
afterEach(() => {
  pool?.close()
  jest.restoreAllMocks()
  jest.useRealTimers()
})

interface Source {
  /** `fail`: QuickBlox is down; `succeed`: a session; `hold`: an answer that waits in `held`. */
  mode: 'fail' | 'succeed' | 'hold'
  /** Rejects a held creation as a failed one. */
  held: (() => void)[]
}

/** A pool on fake time; `calls` holds the (fake) times at which it asked for a session, from 0. */
function poolOnFakeTime(random = 0): { pool: SessionPool; calls: number[]; source: Source } {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'], now: 0 })
  jest.spyOn(Math, 'random').mockReturnValue(random)
  const calls: number[] = []
  const source: Source = { mode: 'fail', held: [] }
  pool = new SessionPool(() => {
    calls.push(Date.now())
    if (source.mode === 'succeed') return Promise.resolve(session)
    if (source.mode === 'fail') return Promise.reject(new QuickBloxUnavailableError())
    return new Promise((_, reject) => source.held.push(() => reject(new QuickBloxUnavailableError())))
  })
  return { pool, calls, source }
}

const advance = (ms: number): Promise<void> => jest.advanceTimersByTimeAsync(ms)

describe('pool refill backoff', () => {
  it.each([
    [0, 'lowest', 500],
    [0.5, 'middle', 750],
  ])(
    'waits 1 s after a first failure, jittered: Math.random() at %f (the %s jitter) makes it %i ms',
    async (random, _, ms) => {
      const { pool, calls } = poolOnFakeTime(random)
      pool.take()
      await advance(ms - 1)
      expect(calls).toEqual([0])
      await advance(1)
      expect(calls).toEqual([0, ms])
    },
  )

  it('doubles the wait after each failure, up to 30 s', async () => {
    const { pool, calls } = poolOnFakeTime(0)
    pool.take()
    await advance(46_000)
    const waits = calls.slice(1).map((at, i) => at - (calls[i] ?? 0))
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000])
  })

  it('starts over from 1 s once a refill succeeds', async () => {
    const { pool, calls, source } = poolOnFakeTime(0)
    pool.take()
    await advance(1000) // failed at 0 and 500; the next try is at 1500
    source.mode = 'succeed'
    await advance(500)
    expect(pool.size).toBe(1)
    source.mode = 'fail'
    expect(pool.take()).toBe(session)
    await advance(0)
    expect(calls).toEqual([0, 500, 1500, 1500])
    await advance(500)
    expect(calls).toEqual([0, 500, 1500, 1500, 2000])
  })

  it('waits once when several refills fail together', async () => {
    const { pool, calls } = poolOnFakeTime(0)
    for (let i = 0; i < 10; i++) pool.take() // 10 logins: 2 sessions wanted
    await advance(1500)
    expect(calls).toEqual([0, 0, 500, 500, 1500, 1500])
  })

  it('asks for nothing while it waits, however many logins come', async () => {
    const { pool, calls } = poolOnFakeTime(0)
    pool.take()
    await advance(100)
    for (let i = 0; i < 10; i++) pool.take()
    await advance(399)
    expect(calls).toEqual([0])
  })
})

describe('a closed pool', () => {
  it('stops waiting to refill', async () => {
    const { pool, calls } = poolOnFakeTime(0)
    pool.take()
    await advance(0)
    expect(jest.getTimerCount()).toBe(1) // the wait before the next try
    pool.close()
    expect(jest.getTimerCount()).toBe(0)
    await advance(60_000)
    expect(calls).toEqual([0])
  })

  it('starts no wait for a refill that fails after it closed', async () => {
    const { pool, calls, source } = poolOnFakeTime(0)
    source.mode = 'hold'
    pool.take()
    await advance(0)
    expect(calls).toEqual([0])
    expect(jest.getTimerCount()).toBe(0) // no wait yet: the creation has not failed
    pool.close()
    source.held.forEach((fail) => fail())
    await advance(0)
    expect(jest.getTimerCount()).toBe(0)
  })

  it('asks for no session when taken from', async () => {
    const { pool, calls } = poolOnFakeTime(0)
    pool.close()
    expect(pool.take()).toBeUndefined()
    await advance(60_000)
    expect(calls).toEqual([])
  })
})
