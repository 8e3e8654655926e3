import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { type Emulator, startEmulator } from 'passport-quickblox/emulator'
import { QuickBloxClient } from '../lib/quickblox/client.js'
import {
  QuickBloxCredentialsError,
  QuickBloxRateLimitError,
  QuickBloxUnavailableError,
} from '../lib/quickblox/errors.js'
import { clientFor } from './helpers/quickblox.js'

let qb: Emulator
let client: QuickBloxClient
const amy = { login: 'amy', password: 'amy-demo-password' }

beforeAll(async () => {
  qb = await startEmulator()
  client = clientFor(qb, { pool: false })
})

afterEach(() => {
  qb.clearFaults()
  qb.resetLog()
})

afterAll(async () => {
  await client.close()
  await qb.close()
})

const calls = (): { sessions: number; logins: number } => {
  const counts = qb.counts()
  return { sessions: counts['POST /session.json'], logins: counts['POST /login.json'] }
}

describe('session creation retries', () => {
  it('retries 503 twice and then logs in (3 session calls, 1 login call)', async () => {
    qb.failNext('POST /session.json', { status: 503 }, 2)
    await expect(client.login(amy)).resolves.toMatchObject({ user: { id: 100001 } })
    expect(calls()).toEqual({ sessions: 3, logins: 1 })
  })

  it('gives up after two retries (3 session calls, no login call)', async () => {
    qb.failNext('POST /session.json', { status: 500 }, 3)
    await expect(client.login(amy)).rejects.toBeInstanceOf(QuickBloxUnavailableError)
    expect(calls()).toEqual({ sessions: 3, logins: 0 })
  })

  it('retries a reset connection', async () => {
    qb.failNext('POST /session.json', 'reset')
    await expect(client.login(amy)).resolves.toMatchObject({ user: { id: 100001 } })
    expect(calls()).toEqual({ sessions: 2, logins: 1 })
  })

  it('waits longer before each retry', async () => {
    qb.failNext('POST /session.json', { status: 503 }, 2)
    await client.createApplicationSession()
    const [first, second, third] = qb.requests.map((r) => r.startedAt)
    // Backoff is 100 ms then 200 ms, each jittered down to half at most.
    expect(second! - first!).toBeGreaterThanOrEqual(45)
    expect(third! - second!).toBeGreaterThanOrEqual(95)
  })

  it('does not retry a rate limit', async () => {
    qb.failNext('POST /session.json', { status: 429, retryAfter: 5 })
    await expect(client.login(amy)).rejects.toBeInstanceOf(QuickBloxRateLimitError)
    expect(calls()).toEqual({ sessions: 1, logins: 0 })
  })

  it('does not retry a refused signature', async () => {
    qb.failNext('POST /session.json', { status: 422, body: { errors: { base: ['Unexpected signature'] } } })
    await expect(client.login(amy)).rejects.toMatchObject({ code: 'QB_CONFIGURATION' })
    expect(calls()).toEqual({ sessions: 1, logins: 0 })
  })
})

describe('the login call is never repeated on failure', () => {
  it('does not retry 500 (exactly one login call)', async () => {
    qb.failNext('POST /login.json', { status: 500 })
    await expect(client.login(amy)).rejects.toBeInstanceOf(QuickBloxUnavailableError)
    expect(calls()).toEqual({ sessions: 1, logins: 1 })
  })

  it('does not retry a reset connection', async () => {
    qb.failNext('POST /login.json', 'reset')
    await expect(client.login(amy)).rejects.toBeInstanceOf(QuickBloxUnavailableError)
    expect(calls()).toEqual({ sessions: 1, logins: 1 })
  })

  it('does not retry rejected credentials', async () => {
    await expect(client.login({ login: 'amy', password: 'nope' })).rejects.toBeInstanceOf(QuickBloxCredentialsError)
    expect(calls()).toEqual({ sessions: 1, logins: 1 })
  })

  it('does not retry a validation error (422)', async () => {
    qb.failNext('POST /login.json', { status: 422 })
    await expect(client.login(amy)).rejects.toMatchObject({ status: 400 })
    expect(calls()).toEqual({ sessions: 1, logins: 1 })
  })

  it('retries an expired application session exactly once, with a fresh one', async () => {
    qb.failNext('POST /login.json', 'expire-session', 2)
    await expect(client.login(amy)).rejects.toBeInstanceOf(QuickBloxUnavailableError)
    expect(calls()).toEqual({ sessions: 2, logins: 2 })
  })
})
