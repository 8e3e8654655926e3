// `node example-app/server.js` as `npm start` runs it, on the dist/ that test/global-setup.js
// built (the app imports the package by name, which Node resolves to dist/). Checks the demo
// mode, a real QuickBlox configuration (here: an emulator the test runs), refusal of unsafe
// production settings, and a clean exit (code 0) on SIGTERM and SIGINT.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'

const children: ChildProcess[] = []
let emulator: Emulator

beforeAll(async () => {
  emulator = await startEmulator()
}, 120_000)
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})
afterAll(() => emulator?.close())

/** Starts the server with exactly `env` (plus PATH), on a free port; resolves at its "listening" line. */
async function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['example-app/server.js'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 15 s:\n${output}`)), 15_000)
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match) { clearTimeout(timer); resolve(match[1]!) }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code}:\n${output}`)) })
  })
  return { child, url, output: () => output }
}

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode
  const [code] = (await once(child, 'exit')) as [number | null]
  return code
}

describe('node example-app/server.js', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('with no QuickBlox settings: demo mode, serves /login, exits 0 on %s', async (signal) => {
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
  })

  it('with QB_APP_ID, QB_AUTH_KEY, QB_AUTH_SECRET and QB_API_ENDPOINT: starts no emulator and signs in there', async () => {
    const { id, authKey, authSecret } = emulator.application
    emulator.resetLog()
    const server = await startServer({
      QB_APP_ID: String(id), QB_AUTH_KEY: authKey, QB_AUTH_SECRET: authSecret, QB_API_ENDPOINT: emulator.url, SESSION_SECRET: 'a-test-secret',
    })
    expect(server.output()).not.toContain('emulator')
    expect(server.output()).not.toContain('SESSION_SECRET is not set')
    const page = await (await fetch(`${server.url}/login`)).text()
    expect(page).not.toContain('Demo mode')
    const res = await fetch(`${server.url}/api/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: 'amy', password: 'amy-demo-password' }),
    })
    expect(res.status).toBe(200)
    expect(emulator.counts()['POST /login.json']).toBe(1)
    expect(server.output()).not.toContain('amy-demo-password')
    expect(server.output()).not.toContain(authSecret)
    server.child.kill('SIGTERM')
    expect(await exitOf(server.child)).toBe(0)
  })

  it.each([
    [{ NODE_ENV: 'production', QB_APP_ID: '1', QB_AUTH_KEY: 'k', QB_AUTH_SECRET: 's' }, 'SESSION_SECRET is required when NODE_ENV=production'],
    [{ NODE_ENV: 'production', SESSION_SECRET: 'x' }, 'QB_APP_ID, QB_AUTH_KEY and QB_AUTH_SECRET are required when NODE_ENV=production'],
    [{ QB_APP_ID: '1' }, 'Set all of QB_APP_ID, QB_AUTH_KEY and QB_AUTH_SECRET, or none of them'],
  ])('refuses to start with unsafe or partial settings %o', async (env, message) => {
    const child = spawn(process.execPath, ['example-app/server.js'], { env: { PATH: process.env.PATH ?? '', PORT: '0', ...env } })
    children.push(child)
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    const [code] = (await once(child, 'close')) as [number | null] // 'close': after stderr has been read
    expect(code).toBe(1)
    expect(stderr).toContain(`Cannot start: ${message}`)
    expect(stderr).not.toMatch(/\n\s+at /) // a message, not a stack trace
  })
})
