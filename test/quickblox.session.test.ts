import { createServer as createHttpServer } from 'node:http'
import { connect, createServer } from 'node:net'
import type { AddressInfo, Server } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { type Emulator, startEmulator } from 'passport-quickblox/emulator'
import { QuickBloxClient, type QuickBloxClientOptions } from '../lib/quickblox/client.js'
import { QuickBloxConfigurationError } from '../lib/quickblox/errors.js'
import { clientFor as emulatorClient } from './helpers/quickblox.js'

let qb: Emulator
const clients: QuickBloxClient[] = []

function clientFor(options: Partial<QuickBloxClientOptions> = {}): QuickBloxClient {
  const client = emulatorClient(qb, { pool: false, ...options })
  clients.push(client)
  return client
}

beforeAll(async () => {
  qb = await startEmulator()
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
  qb.resetLog()
})

afterAll(async () => {
  await qb.close()
})

/** Listens on a free loopback port; resolves to the server's base URL. */
async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('application session', () => {
  it('is created with an HMAC-SHA1 signature by default', async () => {
    const session = await clientFor().createApplicationSession()
    expect(session).toMatchObject({ userId: 0, applicationId: qb.application.id })
    expect(session.token).toMatch(/^[0-9a-f]{40}$/)
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now() + 60 * 60_000)
    expect(qb.requests[0]?.body).toMatchObject({ signature: expect.stringMatching(/^[0-9a-f]{40}$/) })
  })

  it('is created with an HMAC-SHA256 signature when asked', async () => {
    await expect(clientFor({ signatureAlgorithm: 'sha256' }).createApplicationSession()).resolves.toMatchObject({
      userId: 0,
    })
    expect(qb.requests[0]?.body).toMatchObject({ signature: expect.stringMatching(/^[0-9a-f]{64}$/) })
  })

  it('is requested with a JSON body of application_id, auth_key, timestamp, nonce and signature', async () => {
    await clientFor().createApplicationSession()
    const request = qb.requests[0]
    expect(request?.headers['content-type']).toMatch(/^application\/json/)
    const body = request?.body as Record<string, unknown>
    expect(Object.keys(body).sort()).toEqual(['application_id', 'auth_key', 'nonce', 'signature', 'timestamp'])
    expect(body).toMatchObject({ application_id: qb.application.id, auth_key: qb.application.authKey })
    expect(Math.abs(Number(body.timestamp) - Date.now() / 1000)).toBeLessThan(60)
    expect(Number.isInteger(body.nonce)).toBe(true)
  })

  it('uses a new nonce for every request', async () => {
    const client = clientFor()
    await Promise.all([1, 2, 3, 4].map(() => client.createApplicationSession()))
    const nonces = qb.requests.map((r) => (r.body as { nonce: number }).nonce)
    expect(new Set(nonces).size).toBe(4)
  })

  it('reports a wrong auth secret as a configuration error naming the reason, not the secret', async () => {
    const error = await clientFor({ authSecret: 'not-the-secret' })
      .createApplicationSession()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxConfigurationError)
    expect((error as Error).message).toBe(
      'QuickBlox refused the application credentials (appId/authKey/authSecret): Unexpected signature',
    )
    expect((error as Error).message).not.toContain('not-the-secret')
  })

  it('reports an unknown application as a configuration error', async () => {
    const error = await clientFor({ appId: 999 })
      .createApplicationSession()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxConfigurationError)
    expect(error).toMatchObject({ code: 'QB_CONFIGURATION' })
  })

  it('refuses options that cannot work, without naming the secret', () => {
    const base = { appId: 1, authKey: 'k', authSecret: 's' }
    expect(() => new QuickBloxClient({ ...base, appId: 'abc' })).toThrow('appId must be a positive integer')
    expect(() => new QuickBloxClient({ ...base, authSecret: '' })).toThrow('authSecret must be a non-empty string')
    expect(() => new QuickBloxClient({ ...base, authKey: '' })).toThrow('authKey must be a non-empty string')
    expect(() => new QuickBloxClient({ ...base, timeout: 0 })).toThrow('timeout')
    expect(() => new QuickBloxClient({ ...base, signatureAlgorithm: 'md5' as 'sha1' })).toThrow('signatureAlgorithm')
    expect(() => new QuickBloxClient({ ...base, pool: { max: 0 } })).toThrow('pool.max')
  })
})

describe('connections', () => {
  it('reuses one kept-alive connection for sequential requests', async () => {
    // A TCP relay in front of the emulator counts the connections the client opens.
    let connections = 0
    const relay = createServer((socket) => {
      connections++
      const upstream = connect(qb.port, '127.0.0.1')
      socket.pipe(upstream).pipe(socket)
      socket.on('error', () => upstream.destroy())
      upstream.on('error', () => socket.destroy())
    })
    const apiEndpoint = await listening(relay)
    try {
      const client = clientFor({ apiEndpoint })
      for (let i = 0; i < 5; i++) await client.login({ login: 'amy', password: 'amy-demo-password' })
      expect(qb.requests).toHaveLength(10)
      expect(connections).toBe(1)
      await client.close()
    } finally {
      await new Promise<void>((resolve) => relay.close(() => resolve()))
    }
  })
})

describe('clock skew', () => {
  it("retries once with QuickBlox's clock when it refuses our timestamp, and keeps the offset", async () => {
    qb.advanceTime(2 * 60 * 60_000)
    try {
      const client = clientFor()
      const { user } = await client.login({ login: 'amy', password: 'amy-demo-password' })
      expect(user.id).toBe(100001)
      expect(qb.requests.filter((r) => r.endpoint === 'POST /session.json').map((r) => r.status)).toEqual([422, 201])
      qb.resetLog()
      await client.createApplicationSession()
      expect(qb.requests.map((r) => r.status)).toEqual([201])
    } finally {
      qb.advanceTime(-2 * 60 * 60_000)
    }
  })

  it('is not assumed from another refusal that mentions the timestamp', async () => {
    qb.failNext('POST /session.json', { status: 400, body: { errors: { timestamp: ['is missing'] } } })
    await expect(clientFor().createApplicationSession()).rejects.toMatchObject({ status: 500 })
    expect(qb.counts()['POST /session.json']).toBe(1)
  })

  it('is not corrected when the refusal carries no readable Date', async () => {
    let calls = 0
    const refusing = createHttpServer((_req, res) => {
      calls++
      res.sendDate = false
      res.writeHead(422, { 'Content-Type': 'application/json' }).end('{"errors":{"base":["Unexpected timestamp"]}}')
    })
    const apiEndpoint = await listening(refusing)
    try {
      const client = clientFor({ apiEndpoint })
      await expect(client.createApplicationSession()).rejects.toMatchObject({ code: 'QB_CONFIGURATION' })
      expect(calls).toBe(1)
    } finally {
      refusing.close()
    }
  })
})

describe('requests', () => {
  it('say who sends them: User-Agent passport-quickblox', async () => {
    await clientFor().createApplicationSession()
    expect(qb.requests[0]?.headers['user-agent']).toBe('passport-quickblox')
  })

  it('do not follow redirects: a redirect is an unexpected answer, and its target is never called', async () => {
    let followed = 0
    const target = createHttpServer((_req, res) => {
      followed++
      res.end('{}')
    })
    const targetUrl = await listening(target)
    const redirecting = createHttpServer((_req, res) => {
      res.writeHead(302, { Location: `${targetUrl}/session.json` }).end()
    })
    const apiEndpoint = await listening(redirecting)
    try {
      const client = clientFor({ apiEndpoint })
      await expect(client.createApplicationSession()).rejects.toMatchObject({
        code: 'QB_BAD_RESPONSE',
        message: 'QuickBlox answered an unexpected status 302',
      })
      expect(followed).toBe(0)
    } finally {
      redirecting.closeAllConnections()
      target.closeAllConnections()
      await Promise.all([target, redirecting].map((server) => new Promise((resolve) => server.close(resolve))))
    }
  })
})
