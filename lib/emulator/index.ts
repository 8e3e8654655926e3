import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { demoData } from './demo-data.js'
import { isIdentityProvider } from './identity-provider.js'
import { EmulatorServer } from './server.js'
import { Store } from './store.js'
import { certificateFor } from './tls.js'
import type {
  Emulator,
  EmulatorApplication,
  EmulatorApplicationWithKey,
  EmulatorData,
  EmulatorMail,
  EmulatorOptions,
  EmulatorUserSeed,
} from './types.js'

export type * from './types.js'
export { demoData } from './demo-data.js'

/**
 * Starts a local QuickBlox on `host:port` (default `127.0.0.1`, any free port) that answers
 * `POST/GET/DELETE /session.json`, `POST/DELETE /login.json`, and, with a session token or the
 * application's `Authorization: ApiKey`, the user endpoints (`POST /users.json`,
 * `GET/PUT/DELETE /users/{id}.json`, `GET /users/external/{id}.json`, `GET /users/by_login.json`,
 * `GET /users/by_email.json`, `POST /users/{id}/tokens`) as QuickBlox does, with controls for
 * tests (latency, faults, request log, clock). Over HTTP, or HTTPS with `tls`. Also `GET /users.json`
 * (paging, filters, order) and `GET /users/password/reset.json`, whose "mail" (`mails`) links to
 * the emulator's own page for a new password.
 *
 * @example
 * const qb = await startEmulator()
 * // new QuickBloxStrategy({ apiEndpoint: qb.url, appId: qb.application.id, ... }, verify)
 * await qb.close()
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const data = await loadData(options)
  let offset = 0
  const clock = options.now ?? Date.now
  if (options.identityProvider !== undefined && !isIdentityProvider(options.identityProvider))
    throw new TypeError(IDENTITY_PROVIDER_ERROR)
  // Every application has an API key, as every QuickBlox application does: made up when not given.
  const applications: EmulatorApplicationWithKey[] = data.applications.map((app) => ({
    ...app,
    apiKey: app.apiKey ?? randomBytes(20).toString('hex'),
    ...((app.identityProvider ?? options.identityProvider)
      ? { identityProvider: app.identityProvider ?? options.identityProvider }
      : {}),
  }))
  const store = new Store(applications, data.users, () => clock() + offset)
  const log = options.log ?? ((): void => {})
  const maxLogEntries = options.maxLogEntries ?? 10_000
  if (!Number.isInteger(maxLogEntries) || maxLogEntries < 0)
    throw new TypeError('maxLogEntries must be a non-negative integer')
  const mail = options.mail ?? ((sent: EmulatorMail): void => log(`mail to ${sent.to}: ${sent.subject}: ${sent.link}`))
  const handler = new EmulatorServer(store, log, maxLogEntries, mail)
  for (const [endpoint, ms] of Object.entries(options.latency ?? {})) handler.latency.set(endpoint as never, ms)

  const listenHost = options.host ?? '127.0.0.1'
  const tls =
    options.tls === undefined || options.tls === false ? undefined : await certificateFor(options.tls, listenHost)
  // `handle` answers every error itself, so its promise never rejects.
  const listener = (req: IncomingMessage, res: ServerResponse): void => void handler.handle(req, res)
  const server = tls ? createHttpsServer(tls, listener) : createServer(listener)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, listenHost, () => resolve())
  })
  const { address, port } = server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`
  handler.resets.baseUrl = url
  let closed: Promise<void> | undefined

  return {
    url,
    port,
    certificate: tls?.cert,
    application: store.applications[0]!,
    applications: store.applications,
    users: store.users,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        handler.close()
        server.close(() => resolve())
        // Hung requests and idle keep-alive sockets would otherwise hold close() (and Jest) open.
        server.closeAllConnections()
      })),
    setLatency: (endpoint, ms) => {
      // '*' means every endpoint: it replaces the per-endpoint settings rather than hiding behind them.
      if (endpoint === '*') handler.latency.clear()
      handler.latency.set(endpoint, ms)
    },
    failNext: (endpoint, fault, times) => handler.faults.add(endpoint, fault, times),
    clearFaults: () => handler.faults.clear(),
    advanceTime: (ms) => void (offset += ms),
    get requests() {
      return handler.requests
    },
    counts: () => ({ ...handler.counts }),
    resetLog: () => handler.resetLog(),
    destroyUserSessions: (userId) => store.endUserSessions(userId, 'destroy'),
    expireUserSessions: (userId) => store.endUserSessions(userId, 'expire'),
    get mails() {
      return handler.resets.mails
    },
    lastResetLink: (email) => handler.resets.lastLink(email),
    addUser: (seed) => {
      const copy: unknown = structuredClone(seed)
      if (!isUserSeed(copy)) throw new TypeError(USER_SEED_ERROR)
      return store.addUser(copy)
    },
  }
}

const IDENTITY_PROVIDER_ERROR =
  'An identity provider must be { url: http(s) URL, secret?: string, method?: GET | POST, ' +
  'templates?: { headers?, params?, response? } of strings, timeoutMs?: 1-10000 }'
const USER_SEED_ERROR = 'Emulator users must be an array of user objects (id a number, text fields strings)'

/**
 * Options win over the data file; with neither, the demo data. Seeds are copied, and checked
 * since a file is untrusted input.
 */
async function loadData(options: EmulatorOptions): Promise<EmulatorData> {
  let file: Partial<EmulatorData> = {}
  if (options.dataFile !== undefined) {
    const text = await readFile(options.dataFile, 'utf8')
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      // Not V8's message: it quotes the text around the error, which may be a secret or a password.
      throw new SyntaxError(`${options.dataFile}: not valid JSON`)
    }
    if (typeof parsed !== 'object' || parsed === null)
      throw new TypeError(`${options.dataFile}: expected { applications, users }`)
    file = parsed
  }
  const given = options.applications ?? file.applications
  const data = structuredClone({
    applications: given ?? demoData.applications,
    users: options.users ?? file.users ?? (given ? [] : demoData.users),
  })
  if (!Array.isArray(data.applications) || data.applications.length === 0 || !data.applications.every(isApplication)) {
    throw new TypeError(
      'Emulator applications must be a non-empty array of ' +
        '{ id: number, authKey: string, authSecret: string, apiKey?: string }',
    )
  }
  if (data.applications.some((app) => app?.identityProvider !== undefined && !isIdentityProvider(app.identityProvider)))
    throw new TypeError(IDENTITY_PROVIDER_ERROR)
  if (!Array.isArray(data.users) || !data.users.every(isUserSeed)) {
    throw new TypeError(USER_SEED_ERROR)
  }
  return data
}

function isApplication(value: unknown): value is EmulatorApplication {
  const app = value as Partial<EmulatorApplication> | null
  return (
    Number.isInteger(app?.id) &&
    typeof app?.authKey === 'string' &&
    app.authKey !== '' &&
    typeof app.authSecret === 'string' &&
    app.authSecret !== '' &&
    (app.apiKey === undefined || (typeof app.apiKey === 'string' && /^[\x21-\x7e]{1,1024}$/.test(app.apiKey))) &&
    (app.allowUserCreation === undefined || typeof app.allowUserCreation === 'boolean')
  )
}

function isUserSeed(value: unknown): value is EmulatorUserSeed {
  if (typeof value !== 'object' || value === null) return false
  const user = value as Record<string, unknown>
  const strings = [
    'login',
    'email',
    'password',
    'full_name',
    'phone',
    'website',
    'custom_data',
    'user_tags',
    'identity_provider_uid',
  ]
  const isObject = (v: unknown, keys: string[]): boolean =>
    v === undefined ||
    (typeof v === 'object' && v !== null && keys.every((k) => typeof (v as Record<string, unknown>)[k] === 'string'))
  return (
    (user.id === undefined || Number.isInteger(user.id)) &&
    (user.application_id === undefined || Number.isInteger(user.application_id)) &&
    strings.every((key) => user[key] === undefined || typeof user[key] === 'string') &&
    isObject(user.facebook, ['token']) &&
    isObject(user.firebase_phone, ['project_id', 'access_token'])
  )
}
