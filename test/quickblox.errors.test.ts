import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { type Emulator, type EmulatorFault, startEmulator } from 'passport-quickblox/emulator'
import { QuickBloxClient, retryAfter } from '../lib/quickblox/client.js'
import {
  QuickBloxConfigurationError,
  QuickBloxCredentialsError,
  QuickBloxRateLimitError,
  QuickBloxResponseError,
  QuickBloxUnavailableError,
} from '../lib/quickblox/errors.js'

let qb: Emulator
let client: QuickBloxClient
const amy = { login: 'amy', password: 'amy-demo-password' }

beforeAll(async () => {
  qb = await startEmulator()
  const { id, authKey, authSecret } = qb.application
  client = new QuickBloxClient({ appId: id, authKey, authSecret, apiEndpoint: qb.url, pool: false })
})

afterEach(() => {
  qb.clearFaults()
})

afterAll(async () => {
  await client.close()
  await qb.close()
})

const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => 'resolved', (error: unknown) => error)

describe('login replies mapped to errors', () => {
  it.each<[string, EmulatorFault, new (...args: never[]) => Error, number]>([
    ['401 as a credentials error', { status: 401, body: { errors: ['Unauthorized'] } }, QuickBloxCredentialsError, 401],
    ['403 as a credentials error with status 403', { status: 403 }, QuickBloxCredentialsError, 403],
    ['422 as a credentials error with status 400', { status: 422, body: { errors: { base: ['Invalid provider'] } } }, QuickBloxCredentialsError, 400],
    ['400 as a credentials error with status 400', { status: 400 }, QuickBloxCredentialsError, 400],
    ['500 as unavailable (503)', { status: 500 }, QuickBloxUnavailableError, 503],
    ['503 as unavailable (503)', { status: 503 }, QuickBloxUnavailableError, 503],
    ['an unexpected status as an unreadable reply (502)', { status: 404 }, QuickBloxResponseError, 502],
    ['a reset connection as unavailable (503)', 'reset', QuickBloxUnavailableError, 503],
    ['an HTML page as an unreadable reply (502)', 'garbage', QuickBloxResponseError, 502],
    ['truncated JSON as an unreadable reply (502)', 'truncated', QuickBloxResponseError, 502],
    ['JSON without a user as an unreadable reply (502)', 'wrong-shape', QuickBloxResponseError, 502],
    ['a session expired twice as unavailable (503)', 'expire-session', QuickBloxUnavailableError, 503],
  ])('maps %s', async (_name, fault, type, status) => {
    qb.failNext('POST /login.json', fault, 2)
    const error = await failure(client.login(amy))
    expect(error).toBeInstanceOf(type)
    expect(error).toMatchObject({ status })
  })

  it('maps 429 to a rate-limit error carrying Retry-After in seconds', async () => {
    qb.failNext('POST /login.json', { status: 429, retryAfter: 30 })
    const error = await failure(client.login(amy))
    expect(error).toBeInstanceOf(QuickBloxRateLimitError)
    expect(error).toMatchObject({ status: 429, code: 'QB_RATE_LIMITED', retryAfter: 30 })
  })
})

describe('replies of the success status but the wrong shape', () => {
  const user = { id: 5, created_at: '2019-08-26T20:53:42Z', updated_at: '2019-08-26T20:53:42Z' }
  it.each<[string, unknown]>([
    ['a null body', null],
    ['an array', [user]],
    ['a user id that is a string', { user: { ...user, id: '5' } }],
    ['a user id of 0', { user: { ...user, id: 0 } }],
    ['no created_at', { user: { id: 5, updated_at: user.updated_at } }],
    ['an email that is a number', { user: { ...user, email: 5 } }],
    ['a flag that is a string', { user: { ...user, age_over16: 'yes' } }],
    ['a blob_id that is an object', { user: { ...user, blob_id: {} } }],
  ])('reports a login reply with %s as unreadable (502)', async (_name, body) => {
    qb.failNext('POST /login.json', { status: 202, body })
    await expect(client.login(amy)).rejects.toBeInstanceOf(QuickBloxResponseError)
  })

  it('reports a reply larger than 1 MiB as unreadable (502) without reading it all', async () => {
    qb.failNext('POST /login.json', { status: 202, body: { user, padding: 'x'.repeat(3 * 1024 * 1024) } })
    await expect(client.login(amy)).rejects.toThrow('QuickBlox sent a reply larger than 1 MiB')
  })

  it('accepts a minimal user, filling absent fields with null and false', async () => {
    qb.failNext('POST /login.json', { status: 202, body: { user: { ...user, unknown_field: 1 } } })
    const { user: read } = await client.login(amy)
    expect(read).toMatchObject({ id: 5, email: null, blob_id: null, age_over16: false })
    expect(read).not.toHaveProperty('unknown_field')
  })

  it.each<[string, unknown]>([
    ['no session', { ok: true }],
    ['a numeric token', { session: { token: 1234, user_id: 0, application_id: 1 } }],
    ['an empty token', { session: { token: '', user_id: 0, application_id: 1 } }],
    ['no user_id', { session: { token: 'abc', application_id: 1 } }],
  ])('reports a session reply with %s as unreadable (502)', async (_name, body) => {
    qb.failNext('POST /session.json', { status: 201, body })
    await expect(client.createApplicationSession()).rejects.toBeInstanceOf(QuickBloxResponseError)
  })
})

describe('session replies mapped to errors', () => {
  it.each<[string, EmulatorFault, new (...args: never[]) => Error, number]>([
    ['422 as a configuration error', { status: 422, body: { errors: { base: ['Unexpected signature'] } } }, QuickBloxConfigurationError, 500],
    ['401 as a configuration error', { status: 401 }, QuickBloxConfigurationError, 500],
    ['an HTML page as an unreadable reply (502)', 'garbage', QuickBloxResponseError, 502],
    ['truncated JSON as an unreadable reply (502)', 'truncated', QuickBloxResponseError, 502],
    ['JSON without a session as an unreadable reply (502)', 'wrong-shape', QuickBloxResponseError, 502],
    ['repeated 503s as unavailable (503)', { status: 503 }, QuickBloxUnavailableError, 503],
    ['repeated resets as unavailable (503)', 'reset', QuickBloxUnavailableError, 503],
  ])('maps %s', async (_name, fault, type, status) => {
    qb.failNext('POST /session.json', fault, 3)
    const error = await failure(client.login(amy))
    expect(error).toBeInstanceOf(type)
    expect(error).toMatchObject({ status })
  })

  it('names the reason of a configuration error', async () => {
    qb.failNext('POST /session.json', { status: 422, body: { errors: { base: ['Unexpected signature'] } } })
    await expect(client.createApplicationSession()).rejects.toThrow(
      'QuickBlox refused the application credentials (appId/authKey/authSecret): Unexpected signature',
    )
  })

  it('maps 429 to a rate-limit error carrying Retry-After in seconds', async () => {
    qb.failNext('POST /session.json', { status: 429, retryAfter: 7 })
    await expect(client.createApplicationSession()).rejects.toMatchObject({ status: 429, retryAfter: 7 })
  })
})

describe('logout replies mapped to errors', () => {
  it('maps 500 to unavailable', async () => {
    qb.failNext('DELETE /session.json', { status: 500 })
    await expect(client.logout('some-token')).rejects.toBeInstanceOf(QuickBloxUnavailableError)
  })
})

describe('connection refused', () => {
  it('is unavailable (503)', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const closed = new QuickBloxClient({ appId: 1, authKey: 'k', authSecret: 's', apiEndpoint: `http://127.0.0.1:${port}`, pool: false })
    try {
      const error = await failure(closed.login(amy))
      expect(error).toBeInstanceOf(QuickBloxUnavailableError)
      expect((error as Error).message).toBe('QuickBlox could not be reached (ECONNREFUSED)')
    } finally {
      await closed.close()
    }
  })
})

describe('a closed client', () => {
  it('refuses new calls as unavailable', async () => {
    const { id, authKey, authSecret } = qb.application
    const closed = new QuickBloxClient({ appId: id, authKey, authSecret, apiEndpoint: qb.url })
    await closed.close()
    await expect(closed.login(amy)).rejects.toBeInstanceOf(QuickBloxUnavailableError)
  })
})

describe('Retry-After', () => {
  it('reads delta-seconds', () => {
    expect(retryAfter('120')).toBe(120)
  })

  it('reads an HTTP date as seconds from now', () => {
    const seconds = retryAfter(new Date(Date.now() + 90_000).toUTCString())
    expect(seconds).toBeGreaterThanOrEqual(88)
    expect(seconds).toBeLessThanOrEqual(90)
  })

  it('reads a date in the past as 0, and nonsense or absence as unknown', () => {
    expect(retryAfter(new Date(Date.now() - 90_000).toUTCString())).toBe(0)
    expect(retryAfter('soon')).toBeUndefined()
    expect(retryAfter(undefined)).toBeUndefined()
  })
})
