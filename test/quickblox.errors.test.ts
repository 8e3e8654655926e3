import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { type Emulator, type EmulatorFault, startEmulator } from 'passport-quickblox/emulator'
import { QuickBloxClient } from '../lib/quickblox/client.js'
import { retryAfter } from '../lib/quickblox/replies.js'
import {
  QuickBloxConfigurationError,
  QuickBloxCredentialsError,
  QuickBloxRateLimitError,
  QuickBloxResponseError,
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
})

afterAll(async () => {
  await client.close()
  await qb.close()
})

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => 'resolved',
    (error: unknown) => error,
  )

describe('login replies mapped to errors', () => {
  it.each<[string, EmulatorFault, new (...args: never[]) => Error, number]>([
    ['401 as a credentials error', { status: 401, body: { errors: ['Unauthorized'] } }, QuickBloxCredentialsError, 401],
    ['403 as a credentials error with status 403', { status: 403 }, QuickBloxCredentialsError, 403],
    [
      '422 as a credentials error with status 400',
      { status: 422, body: { errors: { base: ['Invalid provider'] } } },
      QuickBloxCredentialsError,
      400,
    ],
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

  it('reports a reply larger than 1 MiB as unreadable (502)', async () => {
    qb.failNext('POST /login.json', { status: 202, body: { user, padding: 'x'.repeat(3 * 1024 * 1024) } })
    const error = await failure(client.login(amy))
    expect(error).toBeInstanceOf(QuickBloxResponseError)
    expect(error).toMatchObject({ status: 502, message: 'QuickBlox sent a reply larger than 1 MiB' })
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
    [
      '422 as a configuration error',
      { status: 422, body: { errors: { base: ['Unexpected signature'] } } },
      QuickBloxConfigurationError,
      500,
    ],
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

/** A bare HTTP server on 127.0.0.1 that answers as `handle` says, and a client pointed at it. */
async function rawQuickBlox(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const raw = new QuickBloxClient({
    appId: 1,
    authKey: RAW_KEY,
    authSecret: RAW_SECRET,
    apiEndpoint: `http://127.0.0.1:${port}`,
    pool: false,
  })
  return {
    client: raw,
    async close() {
      await raw.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
const RAW_KEY = 'raw-auth-key'
const RAW_SECRET = 'raw-auth-secret-never-shown'
const RAW_TOKEN = 'raw-session-token-never-shown'

/** The error, as a caller or a log line could see any of it, holds no secret of the request. */
function expectNoSecret(error: unknown) {
  const seen = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack ?? ''}`
  for (const secret of [RAW_SECRET, RAW_KEY, RAW_TOKEN, amy.password]) expect(seen).not.toContain(secret)
}

describe('a reply larger than 1 MiB', () => {
  it('is refused without reading it all: the client hangs up long before a 64 MiB stream ends', async () => {
    const TOTAL = 64 * 1024 * 1024
    const CHUNK = Buffer.alloc(64 * 1024, 'x')
    let written = 0
    let hungUp!: () => void
    const serverSawHangUp = new Promise<void>((resolve) => (hungUp = resolve))
    // Streams a JSON-looking body of up to 64 MiB (chunked, no Content-Length, so only the
    // bytes read can tell the size), respecting back-pressure, until the client hangs up.
    const qbRaw = await rawQuickBlox((req, res) => {
      req.resume()
      res.writeHead(201, { 'content-type': 'application/json' })
      res.socket!.once('close', hungUp)
      const pump = () => {
        while (written < TOTAL && !res.destroyed) {
          written += CHUNK.length
          if (!res.write(CHUNK)) return void res.once('drain', pump)
        }
        if (written >= TOTAL) res.end()
      }
      res.write('{"session":{"padding":"')
      pump()
    })
    try {
      const error = await failure(qbRaw.client.createApplicationSession())
      await serverSawHangUp
      expect(error).toBeInstanceOf(QuickBloxResponseError)
      expect(error).toMatchObject({ status: 502, message: 'QuickBlox sent a reply larger than 1 MiB' })
      // 1 MiB read, plus what the kernel's socket buffers took (about 4 MiB here): far from the
      // 64 MiB on offer, which a client reading it all would have taken.
      expect(written).toBeGreaterThan(1024 * 1024)
      expect(written).toBeLessThan(16 * 1024 * 1024)
    } finally {
      await qbRaw.close()
    }
  })
})

describe('a reply cut short mid-body', () => {
  // Announces more than it sends, sends half of it, then drops the connection.
  const cutShort = (res: ServerResponse, body: string) => {
    const bytes = Buffer.from(body)
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': String(bytes.length) })
    res.write(bytes.subarray(0, bytes.length >> 1), () => res.socket?.destroy())
  }
  const session = { session: { token: RAW_TOKEN, user_id: 0, application_id: 1, padding: 'x'.repeat(4096) } }

  it('is unreadable (502) for a session request, with no secret in the error', async () => {
    const requests: string[] = []
    const qbRaw = await rawQuickBlox((req, res) => {
      requests.push(`${req.method} ${req.url}`)
      req.resume()
      cutShort(res, JSON.stringify(session))
    })
    try {
      const error = await failure(qbRaw.client.createApplicationSession())
      expect(error).toBeInstanceOf(QuickBloxResponseError)
      expect(error).toMatchObject({ status: 502, message: "QuickBlox's reply was cut short" })
      expectNoSecret(error)
      // Not retried as if QuickBlox were down: the reply came, it was broken.
      expect(requests).toEqual(['POST /session.json'])
    } finally {
      await qbRaw.close()
    }
  })

  it('is unreadable (502) for a login, with no secret in the error', async () => {
    const requests: string[] = []
    const qbRaw = await rawQuickBlox((req, res) => {
      requests.push(`${req.method} ${req.url}`)
      req.resume()
      if (req.url === '/session.json') {
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(session))
      } else {
        const user = {
          id: 5,
          login: 'amy',
          created_at: '2019-08-26T20:53:42Z',
          updated_at: '2019-08-26T20:53:42Z',
          custom_data: 'x'.repeat(4096),
        }
        cutShort(res, JSON.stringify({ user }))
      }
    })
    try {
      const error = await failure(qbRaw.client.login(amy))
      expect(error).toBeInstanceOf(QuickBloxResponseError)
      expect(error).toMatchObject({ status: 502, message: "QuickBlox's reply was cut short" })
      expectNoSecret(error)
      expect(requests).toEqual(['POST /session.json', 'POST /login.json'])
    } finally {
      await qbRaw.close()
    }
  })
})

describe('connection refused', () => {
  it('is unavailable (503)', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const closed = new QuickBloxClient({
      appId: 1,
      authKey: 'k',
      authSecret: 's',
      apiEndpoint: `http://127.0.0.1:${port}`,
      pool: false,
    })
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
    const closed = clientFor(qb)
    await closed.close()
    await expect(closed.login(amy)).rejects.toBeInstanceOf(QuickBloxUnavailableError)
  })
})

describe('Retry-After', () => {
  it('reads delta-seconds, with the spaces around them that a header may have', () => {
    expect(retryAfter('120')).toBe(120)
    expect(retryAfter(' 120 ')).toBe(120)
  })

  it('reads an HTTP date as seconds from now', () => {
    const seconds = retryAfter(new Date(Date.now() + 90_000).toUTCString())
    expect(seconds).toBeGreaterThanOrEqual(88)
    expect(seconds).toBeLessThanOrEqual(90)
  })

  it('rounds a fraction of a second up: a client never comes back early', () => {
    expect(retryAfter('1.5')).toBe(2)
    expect(retryAfter('0.2')).toBe(1)
  })

  it('ignores a negative or unreadable value rather than saying "retry now"', () => {
    for (const value of ['-5', '-0.5', '+5', '.5', '1e3', '', '5 5', `${'9'.repeat(70)}`]) {
      expect(retryAfter(value)).toBeUndefined()
    }
  })

  it.each([
    [1.5, 2],
    [-5, undefined],
  ])('Retry-After: %s from QuickBlox is retryAfter %s on the error', async (header, seconds) => {
    qb.failNext('POST /session.json', { status: 429, retryAfter: header })
    const error = (await client.createApplicationSession().catch((e: unknown) => e)) as {
      retryAfter?: number
      headers?: unknown
    }
    expect(error).toMatchObject({ code: 'QB_RATE_LIMITED' })
    expect(error.retryAfter).toBe(seconds)
    expect(error.headers).toEqual(seconds === undefined ? undefined : { 'Retry-After': String(seconds) })
  })

  it('reads a date in the past as 0, and nonsense or absence as unknown', () => {
    expect(retryAfter(new Date(Date.now() - 90_000).toUTCString())).toBe(0)
    expect(retryAfter('soon')).toBeUndefined()
    expect(retryAfter('in 30')).toBeUndefined()
    expect(retryAfter('30s')).toBeUndefined()
    expect(retryAfter(undefined)).toBeUndefined()
  })
})
