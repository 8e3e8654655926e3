// The retry backoff of session creation: 100 ms doubling per retry, jittered to between half and
// all of it. A retry whose wait would pass the login's deadline is not made. With Math.random
// pinned and Date stopped (so no time passes on the deadline's clock), that decision shows the
// exact wait the client computed, without asserting how long anything took.
import { afterEach, beforeAll, afterAll, describe, expect, it, jest } from '@jest/globals'
import { type Emulator, startEmulator } from 'passport-quickblox/emulator'
import { clientFor, fakeDateOnly } from './helpers/quickblox.js'

let qb: Emulator
beforeAll(async () => {
  qb = await startEmulator()
})
afterEach(() => {
  jest.restoreAllMocks()
  jest.useRealTimers()
  qb.clearFaults()
  qb.resetLog()
})
afterAll(() => qb.close())

/** Creates a session through `failures` 503s, with `random` as Math.random: the calls it made, and its error. */
async function createSessionWith(
  random: () => number,
  timeout: number,
  failures = 1,
): Promise<{ calls: number; error: unknown }> {
  fakeDateOnly()
  jest.spyOn(Math, 'random').mockImplementation(random)
  qb.failNext('POST /session.json', { status: 503 }, failures)
  const client = clientFor(qb, { pool: false, timeout })
  try {
    const error = await client.createApplicationSession().then(
      () => undefined,
      (e: unknown) => e,
    )
    return { calls: qb.counts()['POST /session.json'], error }
  } finally {
    await client.close()
  }
}

const sessionCallsWith = async (random: number, timeout: number, failures = 1): Promise<number> =>
  (await createSessionWith(() => random, timeout, failures)).calls

describe('session creation backoff', () => {
  it('waits half the base at least: 50 ms before the first retry, which fits in 190 ms', async () => {
    expect(await sessionCallsWith(0, 190)).toBe(2)
  })

  it('waits the whole base at most: 100 ms before the first retry, which fits in 190 ms', async () => {
    expect(await sessionCallsWith(0.999999, 190)).toBe(2)
  })

  it('does not retry when the wait would reach the deadline: 200 ms before the second retry does not fit in 190 ms', async () => {
    expect(await sessionCallsWith(0.999999, 190, 2)).toBe(2)
  })

  it('does not retry when the wait would end right at the deadline: 50 ms before the first retry, with 50 ms left', async () => {
    expect(await sessionCallsWith(0, 50)).toBe(1)
  })

  it('gives up with a timeout, sending nothing, when the deadline passed during the wait', async () => {
    // The client draws its wait (100 ms here), then decides to retry; once the wait has begun (the
    // next turn of the event loop), the 1 s the login had is spent.
    const random = jest
      .fn(() => 0.999999)
      .mockImplementationOnce(() => {
        setImmediate(() => jest.setSystemTime(Date.now() + 1000))
        return 0.999999
      })
    const { calls, error } = await createSessionWith(random, 1000)
    expect(error).toMatchObject({ code: 'QB_TIMEOUT' })
    expect(calls).toBe(1)
  })
})
