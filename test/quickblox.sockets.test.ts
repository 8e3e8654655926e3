// The client's connections to QuickBlox: at most maxSockets at once (the rest wait within their
// deadline), and a GET whose kept-alive socket was reset as it was reused is sent once more.
// Connections are counted by a TCP relay in front of the emulator.
import { createServer, connect, type Server, type Socket } from 'node:net'
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { QuickBloxClient, QuickBloxTimeoutError, type QuickBloxTokenChecker } from '../lib/index.js'
import { recordDiagnostics } from './helpers/diagnostics.js'
import { sdkToken } from './helpers/token-app.js'

const APP = { id: 5150, authKey: 'sockets-key', authSecret: 'sockets-secret' }
const AMY = { login: 'amy', password: 'amy-password-1' }

let qb: Emulator
let relay: Relay
let token: string
const clients: QuickBloxTokenChecker[] = []

interface Relay {
  url: string
  /** Most connections open at once among those made since the last reset(). */
  peak: number
  reset(): void
  close(): Promise<void>
}

async function startRelay(target: string): Promise<Relay> {
  const { hostname, port } = new URL(target)
  const sockets = new Set<Socket>()
  let open = 0
  let generation = 0
  const relay = { peak: 0 } as Relay
  const server: Server = createServer((inbound) => {
    const born = generation
    sockets.add(inbound)
    relay.peak = Math.max(relay.peak, ++open)
    const outbound = connect(Number(port), hostname)
    sockets.add(outbound)
    inbound.pipe(outbound).pipe(inbound)
    for (const socket of [inbound, outbound]) socket.on('error', () => {})
    inbound.once('close', () => {
      if (born === generation) open--
      outbound.destroy()
    })
    outbound.once('close', () => inbound.destroy())
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  relay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  relay.reset = () => {
    generation++
    open = relay.peak = 0
  }
  relay.close = async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return relay
}

function checker(options: { maxSockets?: number; timeout?: number; apiEndpoint?: string } = {}): QuickBloxTokenChecker {
  const client = QuickBloxClient.forTokenChecks({ appId: APP.id, apiEndpoint: relay.url, timeout: 5000, ...options })
  clients.push(client)
  return client
}

beforeAll(async () => {
  qb = await startEmulator({ applications: [APP], users: [AMY] })
  relay = await startRelay(qb.url)
  token = await sdkToken(qb, AMY)
})
afterEach(() => {
  qb.clearFaults()
  qb.setLatency('*', 0)
})
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()))
  await relay.close()
  await qb.close()
})

describe('maxSockets', () => {
  it('300 checks at once open at most 64 connections by default, and all are answered', async () => {
    const client = checker()
    qb.setLatency('GET /session.json', 50)
    relay.reset()
    const sessions = await Promise.all(Array.from({ length: 300 }, () => client.getSession(token)))
    expect(sessions).toHaveLength(300)
    expect(relay.peak).toBeGreaterThan(1)
    expect(relay.peak).toBeLessThanOrEqual(64)
  })

  it('maxSockets: 4 opens at most 4; the other requests wait their turn', async () => {
    const client = checker({ maxSockets: 4 })
    qb.setLatency('GET /session.json', 20)
    relay.reset()
    const sessions = await Promise.all(Array.from({ length: 20 }, () => client.getSession(token)))
    expect(sessions.every((session) => session.token === token)).toBe(true)
    expect(relay.peak).toBeLessThanOrEqual(4)
  })

  it('a request still waiting for a socket when its timeout ends is a QuickBloxTimeoutError', async () => {
    const client = checker({ maxSockets: 1, timeout: 300 })
    qb.setLatency('GET /session.json', 200)
    const results = await Promise.allSettled(Array.from({ length: 3 }, () => client.getSession(token)))
    expect(results[0]!.status).toBe('fulfilled')
    expect(results[2]).toEqual({ status: 'rejected', reason: expect.any(QuickBloxTimeoutError) })
  })
})

describe('a kept-alive socket reset as it is reused', () => {
  const sessionCalls = (): number => qb.counts()['GET /session.json']

  it('a GET is sent once more, on a fresh socket, and answered: attempts 1 and 2 of one request', async () => {
    const client = checker({ apiEndpoint: qb.url })
    await client.getSession(token)
    qb.resetLog()
    qb.failNext('GET /session.json', 'reset')
    const recorder = recordDiagnostics()
    try {
      await expect(client.getSession(token)).resolves.toMatchObject({ token })
      expect(recorder.of('request', 'start').map((event) => event.fields.attempt)).toEqual([1, 2])
    } finally {
      recorder.stop()
    }
    expect(sessionCalls()).toBe(2)
  })

  it('only once: reset again, it is QuickBlox that is unavailable', async () => {
    const client = checker({ apiEndpoint: qb.url })
    await client.getSession(token)
    qb.resetLog()
    qb.failNext('GET /session.json', 'reset', 2)
    await expect(client.getSession(token)).rejects.toMatchObject({ code: 'QB_UNAVAILABLE' })
    expect(sessionCalls()).toBe(2)
  })

  it('a reset on a fresh connection is not sent again', async () => {
    const client = checker({ apiEndpoint: qb.url })
    qb.resetLog()
    qb.failNext('GET /session.json', 'reset')
    await expect(client.getSession(token)).rejects.toMatchObject({ code: 'QB_UNAVAILABLE' })
    expect(sessionCalls()).toBe(1)
  })

  it('a DELETE is never sent again: it may have reached QuickBlox', async () => {
    const client = checker({ apiEndpoint: qb.url })
    await client.getSession(token)
    qb.resetLog()
    qb.failNext('DELETE /session.json', 'reset')
    await expect(client.logout(token)).rejects.toMatchObject({ code: 'QB_UNAVAILABLE' })
    expect(qb.counts()['DELETE /session.json']).toBe(1)
  })
})

/**
 * A bare HTTP server that never ends an idle kept-alive connection itself; `second` handles the
 * second request that arrives on the first connection (the reused socket). Closed after all tests.
 */
async function keptAliveServer(second: (req: IncomingMessage, res: ServerResponse) => void) {
  const requests: string[] = []
  const sockets = new Set<Socket>()
  const server = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    if (requests.length === 2) return second(req, res)
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":{"base":["Not found"]}}')
  })
  server.keepAliveTimeout = 0 // only the client may end a connection
  server.on('connection', (socket: Socket) => sockets.add(socket))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  servers.push(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { client: checker({ apiEndpoint: url }), requests, sockets }
}

const servers: (() => Promise<void>)[] = []
afterAll(() => Promise.all(servers.map((close) => close())))

describe('a kept-alive socket against a server that keeps it open', () => {
  it('close() ends the kept-alive connections itself', async () => {
    const { client, requests, sockets } = await keptAliveServer(() => {})
    await client.getSession(token).catch(() => undefined)
    const closed = once([...sockets][0]!, 'close')
    await client.close()
    await closed
    expect(requests).toHaveLength(1)
  })

  it('a reply QuickBlox could not have sent on a reused socket is not asked again', async () => {
    const { client, requests } = await keptAliveServer((req) => req.socket.end('NOT HTTP AT ALL\r\n\r\n'))
    await client.getSession(token).catch(() => undefined)
    await expect(client.getSession(token)).rejects.toMatchObject({ code: 'QB_UNAVAILABLE' })
    expect(requests).toHaveLength(2)
  })

  it("a reset that comes after the request's time is up is not sent again", async () => {
    const later = Date.now() + 10_000
    const { client, requests } = await keptAliveServer((req) => {
      now.mockImplementation(() => later) // the request's 5 s are spent by the time the reset arrives
      req.socket.resetAndDestroy()
    })
    const now = jest.spyOn(Date, 'now')
    try {
      await client.getSession(token).catch(() => undefined)
      await expect(client.getSession(token)).rejects.toMatchObject({ code: 'QB_UNAVAILABLE' })
      expect(requests).toHaveLength(2)
    } finally {
      now.mockRestore()
    }
  })
})
