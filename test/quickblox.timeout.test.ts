import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { type Emulator, startEmulator } from 'passport-quickblox/emulator'
import { QuickBloxClient } from '../lib/quickblox/client.js'
import { QuickBloxTimeoutError } from '../lib/quickblox/errors.js'
import { clientFor } from './helpers/quickblox.js'

let qb: Emulator
let client: QuickBloxClient
const amy = { login: 'amy', password: 'amy-demo-password' }
const TIMEOUT = 800
// Shared 2-core machines are slow at times: bounds are generous, never tight.
const SLACK = 1500

beforeAll(async () => {
  qb = await startEmulator()
  client = clientFor(qb, { pool: false, timeout: TIMEOUT })
})

afterEach(() => {
  qb.clearFaults()
  qb.setLatency('*', 0)
  qb.resetLog()
})

afterAll(async () => {
  await client.close()
  await qb.close()
})

async function timed(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now()
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  return { error, ms: Date.now() - started }
}

describe('timeout', () => {
  it('ends a login whose POST /login.json hangs with a 504, within the timeout', async () => {
    qb.failNext('POST /login.json', 'hang')
    const { error, ms } = await timed(client.login(amy))
    expect(error).toBeInstanceOf(QuickBloxTimeoutError)
    expect(error).toMatchObject({
      status: 504,
      code: 'QB_TIMEOUT',
      message: `QuickBlox did not answer within ${TIMEOUT} ms`,
    })
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT - 50)
    expect(ms).toBeLessThan(TIMEOUT + SLACK)
    expect(qb.counts()['POST /login.json']).toBe(1)
  })

  it('ends a login whose session creation hangs with a 504, and does not retry it', async () => {
    qb.failNext('POST /session.json', 'hang')
    const { error, ms } = await timed(client.login(amy))
    expect(error).toBeInstanceOf(QuickBloxTimeoutError)
    expect(ms).toBeLessThan(TIMEOUT + SLACK)
    expect(qb.counts()['POST /session.json']).toBe(1)
  })

  it('bounds the whole login, retries included: a slow session creation leaves less time for the login', async () => {
    qb.setLatency('POST /session.json', 500)
    qb.setLatency('POST /login.json', 500)
    const { error, ms } = await timed(client.login(amy))
    expect(error).toBeInstanceOf(QuickBloxTimeoutError)
    expect(ms).toBeLessThan(TIMEOUT + SLACK)
  })

  it('keeps session creation retries within the timeout', async () => {
    qb.setLatency('POST /session.json', 300)
    qb.failNext('POST /session.json', { status: 503 }, 3)
    const { error, ms } = await timed(client.login(amy))
    expect(error).toMatchObject({ status: expect.any(Number) })
    expect([503, 504]).toContain((error as { status: number }).status)
    expect(ms).toBeLessThan(TIMEOUT + SLACK)
    expect(qb.counts()['POST /session.json']).toBeLessThanOrEqual(3)
    expect(qb.counts()['POST /login.json']).toBe(0)
  })

  it('bounds a logout too', async () => {
    qb.failNext('DELETE /session.json', 'hang')
    const { error, ms } = await timed(client.logout('some-token'))
    expect(error).toBeInstanceOf(QuickBloxTimeoutError)
    expect(ms).toBeLessThan(TIMEOUT + SLACK)
  })
})
