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

/** Creates a session through `failures` 503s, with `random` as Math.random; resolves to how many calls it made. */
async function sessionCallsWith(random: number, timeout: number, failures = 1): Promise<number> {
  fakeDateOnly()
  jest.spyOn(Math, 'random').mockReturnValue(random)
  qb.failNext('POST /session.json', { status: 503 }, failures)
  const client = clientFor(qb, { pool: false, timeout })
  try {
    await client.createApplicationSession().catch(() => undefined)
    return qb.counts()['POST /session.json']
  } finally {
    await client.close()
  }
}

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
    fakeDateOnly()
    // The client draws its wait (100 ms here), then decides to retry; 10 ms into the wait, the 1 s
    // the login had is spent.
    jest
      .spyOn(Math, 'random')
      .mockReturnValue(0.999999)
      .mockImplementationOnce(() => {
        setTimeout(() => jest.setSystemTime(Date.now() + 1000), 10)
        return 0.999999
      })
    qb.failNext('POST /session.json', { status: 503 })
    const client = clientFor(qb, { pool: false, timeout: 1000 })
    try {
      const creating = client.createApplicationSession().catch((error: unknown) => error)
      expect(await creating).toMatchObject({ code: 'QB_TIMEOUT' })
      expect(qb.counts()['POST /session.json']).toBe(1)
    } finally {
      await client.close()
    }
  })
})
