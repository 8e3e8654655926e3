// `node example-app/server.js` as `npm start` runs it, on the dist/ that test/global-setup.js
// built (the app imports the package by name, which Node resolves to dist/). Checks the demo
// mode, a real QuickBlox configuration (here: an emulator the test runs), refusal of unsafe
// production settings, the timeouts that free slow clients' connections, and a shutdown that
// exits 0 within 10 s even with a QuickBlox that does not answer and a client that stalls.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { exitOf, killServers, startServer } from './helpers/server-process.js'
import { turnsUntil } from './helpers/diagnostics.js'

let emulator: Emulator

beforeAll(async () => {
  emulator = await startEmulator()
}, 120_000)
afterEach(killServers)
afterAll(() => emulator?.close())

describe('node example-app/server.js', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'with no QuickBlox settings: demo mode, serves /login, exits 0 on %s',
    async (signal) => {
      const server = await startServer({})
      expect(server.output()).toMatch(/started the QuickBlox emulator at http:\/\/127\.0\.0\.1:\d+ with the demo users/)
      expect(server.output()).toContain('SESSION_SECRET is not set: using a random one')
      const res = await fetch(`${server.url}/login`)
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('Demo mode')
      const started = Date.now()
      server.child.kill(signal)
      expect(await exitOf(server.child)).toBe(0)
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(server.output()).toContain(`${signal}: shutting down`)
    },
  )

  it('lists only the seeded demo users on /login, never one who signed up since', async () => {
    const server = await startServer({})
    const signup = await fetch(`${server.url}/signup`)
    const cookie = signup.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ')
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await signup.text())?.[1] ?? ''
    const created = await fetch(`${server.url}/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
      body: new URLSearchParams({ _csrf: csrf, email: 'victim@corp.example', password: 'victims-secret-1' }),
      redirect: 'manual',
    })
    expect(created.status).toBe(303)
    const page = await (await fetch(`${server.url}/login`)).text()
    expect(page).toContain('Demo mode')
    expect(page).toContain('amy-demo-password')
    expect(page).not.toContain('victim@corp.example')
    expect(page).not.toContain('victims-secret-1')
    server.child.kill('SIGTERM')
    expect(await exitOf(server.child)).toBe(0)
  })

  it('with QB_APP_ID, QB_AUTH_KEY, QB_AUTH_SECRET and QB_API_ENDPOINT: starts no emulator and signs in there', async () => {
    const { id, authKey, authSecret } = emulator.application
    emulator.resetLog()
    const server = await startServer({
      QB_APP_ID: String(id),
      QB_AUTH_KEY: authKey,
      QB_AUTH_SECRET: authSecret,
      QB_API_ENDPOINT: emulator.url,
      SESSION_SECRET: 'a-test-secret',
    })
    expect(server.output()).not.toContain('emulator')
    expect(server.output()).not.toContain('SESSION_SECRET is not set')
    const page = await (await fetch(`${server.url}/login`)).text()
    expect(page).not.toContain('Demo mode')
    const res = await fetch(`${server.url}/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'amy', password: 'amy-demo-password' }),
    })
    expect(res.status).toBe(200)
    expect(emulator.counts()['POST /login.json']).toBe(1)
    expect(server.output()).not.toContain('amy-demo-password')
    expect(server.output()).not.toContain(authSecret)
    server.child.kill('SIGTERM')
    expect(await exitOf(server.child)).toBe(0)
  })

  it.each([
    [
      { NODE_ENV: 'production', QB_APP_ID: '1', QB_AUTH_KEY: 'k', QB_AUTH_SECRET: 's' },
      'SESSION_SECRET is required when NODE_ENV=production',
    ],
    [
      { NODE_ENV: 'production', SESSION_SECRET: 'x' },
      'QB_APP_ID, QB_AUTH_KEY and QB_AUTH_SECRET are required when NODE_ENV=production',
    ],
    [{ QB_APP_ID: '1' }, 'Set all of QB_APP_ID, QB_AUTH_KEY and QB_AUTH_SECRET, or none of them'],
  ])('refuses to start with unsafe or partial settings %o', async (env, message) => {
    const child = spawn(process.execPath, ['example-app/server.js'], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const [code] = (await once(child, 'close')) as [number | null] // 'close': after stderr has been read
    expect(code).toBe(1)
    expect(stderr).toContain(`Cannot start: ${message}`)
    expect(stderr).not.toMatch(/\n\s+at /) // a message, not a stack trace
  })
})

/** A raw connection to the server that sends `text` and then nothing more. */
async function stalledClient(url: string, text: string) {
  const { port } = new URL(url)
  const socket = connect(Number(port), '127.0.0.1')
  await once(socket, 'connect')
  socket.write(text)
  let received = ''
  socket.on('data', (chunk: Buffer) => {
    received += chunk
  })
  const closed = new Promise<number>((resolve) => {
    const started = Date.now()
    socket.once('close', () => resolve(Date.now() - started))
  })
  socket.on('error', () => {}) // a reset is one way for the server to close it
  return { socket, closed, received: () => received }
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

const PARTIAL_BODY =
  'POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
  'Content-Length: 100\r\n\r\n{"login":'

describe('slow clients', () => {
  it('answers 408 and closes the connection of a client that stalls half-way through its body', async () => {
    const server = await startServer({ REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '500' })
    const client = await stalledClient(server.url, PARTIAL_BODY)
    const ms = await within(client.closed, 5_000, 'connection closed')
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /)
    expect(ms).toBeGreaterThanOrEqual(900)
    server.child.kill('SIGTERM')
    expect(await exitOf(server.child)).toBe(0)
  })

  it('answers 408 and closes the connection of a client that stalls in its headers', async () => {
    const server = await startServer({ REQUEST_TIMEOUT_MS: '2000', HEADERS_TIMEOUT_MS: '500' })
    const client = await stalledClient(server.url, 'GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    const ms = await within(client.closed, 5_000, 'connection closed')
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /)
    expect(ms).toBeLessThan(2_000) // the headers timeout, not the request timeout
  })

  it('closes an idle keep-alive connection after KEEP_ALIVE_TIMEOUT_MS', async () => {
    const server = await startServer({ KEEP_ALIVE_TIMEOUT_MS: '300' })
    const client = await stalledClient(server.url, 'GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    await within(client.closed, 3_000, 'idle connection closed') // Node's default would keep it 5 s
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /)
  })
})

describe('shutdown', () => {
  const qbEnv = () => ({
    QB_APP_ID: String(emulator.application.id),
    QB_AUTH_KEY: emulator.application.authKey,
    QB_AUTH_SECRET: emulator.application.authSecret,
    QB_API_ENDPOINT: emulator.url,
    SESSION_SECRET: 'a-test-secret',
  })
  const signIn = (url: string) =>
    fetch(`${url}/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'amy', password: 'amy-demo-password' }),
    })
  // The emulator records a request as it arrives, and publishes no event for it.
  const loginReachedQuickBlox = (count: number) => turnsUntil(() => emulator.counts()['POST /login.json'] >= count)

  it('lets a request in flight finish, then exits 0', async () => {
    const server = await startServer({ ...qbEnv(), SHUTDOWN_GRACE_MS: '5000' })
    emulator.resetLog()
    emulator.setLatency('POST /login.json', 600)
    try {
      const login = signIn(server.url)
      await loginReachedQuickBlox(1)
      server.child.kill('SIGTERM')
      expect((await login).status).toBe(200)
      expect(await exitOf(server.child)).toBe(0)
    } finally {
      emulator.setLatency('POST /login.json', 0)
    }
  })

  it('exits 0 within 10 s (default grace) with a hung QuickBlox call, a stalled and an idle client', async () => {
    const server = await startServer(qbEnv())
    emulator.resetLog()
    emulator.failNext('POST /login.json', 'hang')
    const login = signIn(server.url).then(
      (res) => res.status,
      () => 'connection closed',
    )
    await loginReachedQuickBlox(1)
    const stalled = await stalledClient(server.url, PARTIAL_BODY)
    const idle: Socket = connect(Number(new URL(server.url).port), '127.0.0.1')
    idle.on('error', () => {}) // the server may close it with a reset
    await once(idle, 'connect')
    const started = Date.now()
    server.child.kill('SIGTERM')
    expect(await exitOf(server.child)).toBe(0)
    const ms = Date.now() - started
    expect(ms).toBeLessThan(10_000)
    console.log(`shutdown with a hung QuickBlox call, a stalled and an idle client: ${ms} ms`)
    expect(server.output()).toMatch(/shut down in \d+ms/)
    expect(await login).toBe(503) // its QuickBlox call was cancelled: "unavailable, try again"
    await within(stalled.closed, 1_000, 'stalled client closed')
    idle.destroy()
  })
})
