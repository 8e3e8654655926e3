// Shared by the example-app tests: the app on 127.0.0.1 over a real emulator, and a few readers.
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { delimiter, join } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import session from 'express-session'
import type { Agent } from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { createApp, createStrategy } from '../../example-app/app.js'
import { listen } from '../../example-app/http.js'

export type AppOptions = Partial<Parameters<typeof createApp>[0]>

export interface ExampleApp {
  url: string
  emulator: Emulator
  store: session.Store
  /** Every line the app logged. */
  lines: string[]
  close(): Promise<void>
}

/** The example app with the demo users, over `emulator` (or a new one, closed with the app). */
export async function startExample(
  options: { app?: AppOptions; quickblox?: Record<string, unknown>; emulator?: Emulator } = {},
): Promise<ExampleApp> {
  const emulator = options.emulator ?? (await startEmulator())
  const { id, authKey, authSecret } = emulator.application
  const strategy = createStrategy({ appId: id, authKey, authSecret, apiEndpoint: emulator.url, ...options.quickblox })
  const lines: string[] = []
  const store = options.app?.sessionStore ?? new session.MemoryStore()
  const app = createApp({
    strategy,
    sessionSecret: 'example-app-test-secret',
    sessionStore: store,
    demoUsers: emulator.users,
    log: (line: string) => lines.push(line),
    ...options.app,
  })
  const server: Server = await listen(app, { port: 0, host: '127.0.0.1' })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    emulator,
    store,
    lines,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await strategy.close()
      if (!options.emulator) await emulator.close()
    },
  }
}

type Counter = 'address' | 'accountAddress' | 'account' | 'bearerFailures'
/** Rate limits for a test: generous (1000 a minute), but for those given. */
export const testLimits = (given: Partial<Record<Counter, number>>) => ({
  address: { windowMs: 60_000, limit: given.address ?? 1000 },
  accountAddress: { windowMs: 60_000, limit: given.accountAddress ?? 1000 },
  account: { windowMs: 60_000, limit: given.account ?? 1000 },
  bearerFailures: { windowMs: 60_000, limit: given.bearerFailures ?? 1000 },
})

/** The CSRF token of the form on `path`. */
export async function csrfFrom(agent: Agent, path = '/login'): Promise<string> {
  const res = await agent.get(path)
  const match = /name="_csrf" value="([^"]+)"/.exec(res.text)
  if (!match?.[1]) throw new Error(`no CSRF token on ${path} (status ${res.status})`)
  return match[1]
}

/** The session cookie a response set, if any (`sid`, or `__Host-sid` in production). */
export function sidCookie(setCookie: string | string[] | undefined): string | undefined {
  return ([] as string[]).concat(setCookie ?? []).find((c) => /^(__Host-)?sid=/.test(c))
}

/** The CSRF cookie a response set, if any (`csrf`, or `__Host-csrf` in production). */
export function csrfCookie(setCookie: string | string[] | undefined): string | undefined {
  return ([] as string[]).concat(setCookie ?? []).find((c) => /^(__Host-)?csrf=/.test(c))
}

/** How many sessions the store holds. */
export async function sessionCount(store: session.Store): Promise<number> {
  return new Promise((resolve, reject) =>
    store.length?.((err, length) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(length ?? 0),
    ),
  )
}

/** The QuickBlox tokens kept in the app's sessions (server-side only). */
export async function tokensInStore(store: session.Store): Promise<string[]> {
  const all = await new Promise<Record<string, session.SessionData>>((resolve, reject) =>
    store.all?.((err: Error | null, sessions) =>
      err ? reject(err) : resolve((sessions ?? {}) as Record<string, session.SessionData>),
    ),
  )
  return Object.values(all).flatMap((s) => {
    const user = (s as { passport?: { user?: { qbToken?: unknown } } }).passport?.user
    return typeof user?.qbToken === 'string' ? [user.qbToken] : []
  })
}

/** Asks the emulator about a QuickBlox session token: 200 while it lives, 401 once ended. */
export async function sessionStatus(emulator: Emulator, token: string): Promise<number> {
  const res = await fetch(`${emulator.url}/session.json`, { headers: { 'QB-Token': token } })
  await res.arrayBuffer()
  return res.status
}

/**
 * Every request log line is `METHOD /path STATUS Nms [CODE]`, the status `aborted` when the client
 * hung up first: nothing else can leak into it.
 */
export const LOG_LINE = /^(GET|POST|HEAD|PUT|DELETE|OPTIONS) (\/[\w/.-]*|\*) (\d{3}|aborted) \d+ms( [\w.]+)?$/

/**
 * The path of a system program the example-app tests need, or an error naming the install
 * command. It fails (never skips): a skipped suite reads as green.
 */
export function requireProgram(
  name: string,
  paths: string[] = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, name)),
): string {
  const found = paths.find((path) => existsSync(path))
  if (found) return found
  throw new Error(
    `${name} is not installed, so this test cannot run. npm test installs it; with Jest alone,` +
      ' run: bash scripts/system-deps.sh (Debian packages redis-server and chromium)',
  )
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}
