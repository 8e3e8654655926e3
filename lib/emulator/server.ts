import { createHash, randomInt } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'
import { isParams, parseBody, parseQuery, readBody, Reply, type Params, type Value } from './body.js'
import { cannedReply, Faults } from './faults.js'
import { identityProviderUser } from './identity-provider.js'
import { PasswordResets } from './password-reset.js'
import { signatureMatches } from './signature.js'
import { TIMESTAMP_WINDOW_S, iso, type Credential, type Session, type Store } from './store.js'
import {
  ENDPOINTS,
  type EmulatorEndpoint,
  type EmulatorFault,
  type EmulatorMail,
  type EmulatorRequestLog,
  type EmulatorUser,
} from './types.js'
import { listUsers } from './user-list.js'
import { readNewUser, readUserUpdate } from './users.js'

const NO_SESSION = { errors: ['Required session does not exist'] }
const UNAUTHORIZED = { errors: ['Unauthorized'] }
const NOT_FOUND = { errors: ['Not found'] }
const MASKED = new Set([
  'password',
  'old_password',
  'password_confirmation',
  'token',
  'secret',
  'access_token',
  'auth_secret',
])
const base = (message: string): { errors: { base: string[] } } => ({ errors: { base: [message] } })
const blank = (field: string): Reply => new Reply(422, { errors: { [field]: ["can't be blank"] } })
/**
 * The endpoints a backend may call with `Authorization: ApiKey <key>` rather than a `QB-Token`
 * (QuickBlox's server-to-server key). A request with the key is its application's, whatever
 * `QB-Token` it also carries; `POST /users/{id}/tokens` takes the key only.
 */
const API_KEY_ENDPOINTS: ReadonlySet<EmulatorEndpoint> = new Set([
  'POST /users.json',
  'GET /users/:id.json',
  'GET /users/external/:id.json',
  'POST /users/:id/tokens',
  'PUT /users/:id.json',
  'DELETE /users/:id.json',
  'GET /users/by_login.json',
  'GET /users/by_email.json',
  'GET /users.json',
] as const)
const API_KEY = /^ApiKey +([\x21-\x7e]{1,1024})$/

/** A scalar parameter as text; a nested value where text belongs is malformed (400). */
function text(params: Params | undefined, key: string): string | undefined {
  const value = params?.[key]
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value === 'object') throw new Reply(400, base(`Malformed parameter ${key}`))
  return String(value)
}

/** The credential of `POST /session.json` (login/email under `user`) or `POST /login.json` (at the top). */
function readCredential(params: Params, user: Params | undefined): Credential | undefined {
  const provider = text(params, 'provider')
  if (provider === 'facebook') {
    const token = text(isParams(params.keys) ? params.keys : undefined, 'token')
    if (token === undefined) throw blank('keys[token]')
    return { kind: 'facebook', token }
  }
  if (provider === 'firebase_phone') {
    const firebase = isParams(params.firebase_phone) ? params.firebase_phone : undefined
    const projectId = text(firebase, 'project_id')
    const accessToken = text(firebase, 'access_token')
    if (projectId === undefined) throw blank('firebase_phone[project_id]')
    if (accessToken === undefined) throw blank('firebase_phone[access_token]')
    return { kind: 'firebase_phone', projectId, accessToken }
  }
  if (provider !== undefined) throw new Reply(422, { errors: { provider: ['is not supported'] } })
  const login = text(user, 'login')
  const email = text(user, 'email')
  const password = text(user, 'password')
  if (login === undefined && email === undefined && password === undefined) return undefined
  if (login === undefined && email === undefined) throw blank('login')
  if (password === undefined) throw blank('password')
  return login !== undefined ? { kind: 'login', name: login, password } : { kind: 'email', name: email!, password }
}

/** The masked copy of a body or header set that the request log keeps. */
function mask(value: Value): Value {
  if (Array.isArray(value)) return value.map(mask)
  if (!isParams(value)) return value
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, MASKED.has(key) ? '***' : mask(item)]))
}

const fingerprint = (token: string): string => createHash('sha256').update(token).digest('hex').slice(0, 12)

/**
 * Who a user endpoint acts for: the application, and the user whose session token was sent (0:
 * none, or the API key).
 */
interface Caller {
  applicationId: number
  userId: number
  apiKey: boolean
}

/** The request handler: routing, the log, latency and faults around QuickBlox's endpoints. */
export class EmulatorServer {
  readonly requests: EmulatorRequestLog[] = []
  readonly faults = new Faults()
  readonly latency = new Map<EmulatorEndpoint | '*', number>()
  counts = {} as Record<EmulatorEndpoint, number>
  readonly resets: PasswordResets
  private readonly closing = new AbortController()

  constructor(
    private readonly store: Store,
    private readonly log: (line: string) => void,
    private readonly maxLogEntries: number,
    mail: (mail: EmulatorMail) => void,
  ) {
    this.resets = new PasswordResets(store, mail)
    // Every request waiting out its latency listens for close: many at once is normal here.
    setMaxListeners(0, this.closing.signal)
    this.resetLog()
  }

  resetLog(): void {
    this.requests.length = 0
    this.counts = Object.fromEntries(Object.keys(ENDPOINTS).map((endpoint) => [endpoint, 0])) as Record<
      EmulatorEndpoint,
      number
    >
  }

  /** Ends pending latency waits so `close()` does not wait for them. */
  close(): void {
    this.closing.abort()
  }

  handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now()
    const method = req.method ?? 'GET'
    const url = req.url ?? '/'
    const at = url.indexOf('?')
    const path = at < 0 ? url : url.slice(0, at)
    const query = at < 0 ? '' : url.slice(at + 1)
    const endpoint = route(method, path)
    const token = typeof req.headers['qb-token'] === 'string' ? req.headers['qb-token'] : undefined
    const { authorization } = req.headers
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(req.headers)) {
      headers[name] =
        name === 'qb-token' && token
          ? fingerprint(token)
          : /^(authorization|cookie)$/.test(name)
            ? '***'
            : String(value)
    }
    const entry: EmulatorRequestLog = {
      endpoint,
      method,
      path,
      headers,
      body: null,
      status: null,
      startedAt: this.store.now(),
      durationMs: 0,
    }
    if (token) entry.token = fingerprint(token)
    this.requests.push(entry)
    // A long-running emulator (the CLI, a demo) keeps only the most recent entries; counts go on counting.
    if (this.requests.length > this.maxLogEntries) this.requests.splice(0, this.requests.length - this.maxLogEntries)
    if (endpoint) this.counts[endpoint]++
    // The emulator's clock, as QuickBlox's own Date header: a client may correct its timestamps by it.
    res.setHeader('Date', new Date(entry.startedAt).toUTCString())
    res.on('close', () => {
      entry.durationMs = performance.now() - started
      entry.status = res.writableFinished ? res.statusCode : null
      this.log(`${method} ${path} ${entry.status ?? '-'} ${Math.round(entry.durationMs)}ms`)
    })
    try {
      const params = { ...parseQuery(query), ...parseBody(await readBody(req), req.headers['content-type']) }
      entry.body = mask(params)
      // A path QuickBlox has no route for gets its web server's page, not an API "not found":
      // a client with a wrong apiEndpoint path must not take it for "no such user".
      if (!endpoint) return sendPage(res, 404, 'The page you were looking for does not exist.')
      const fault = this.faults.take(endpoint)
      const ms = this.latency.get(endpoint) ?? this.latency.get('*') ?? 0
      // The answer leaves `ms` after the request arrived, as a slow QuickBlox's would: time spent
      // reading the body counts towards it.
      const wait = ms - (performance.now() - started)
      if (wait > 0) await delay(wait, undefined, { signal: this.closing.signal })
      if (fault === 'hang') return
      if (fault === 'reset') return void req.socket.destroy()
      if (fault === 'expire-session') {
        if (token) this.store.destroySession(token)
        throw new Reply(401, NO_SESSION)
      }
      const reply =
        (fault && cannedReply(fault, endpoint)) ?? (await this.answer(endpoint, params, path, token, authorization))
      send(res, reply, fault)
    } catch (error) {
      if (this.closing.signal.aborted) return
      if (error instanceof Reply) return send(res, error)
      this.log(`${method} ${path} failed: ${error instanceof Error ? error.name : 'error'}`)
      send(res, new Reply(500, { errors: ['Internal Server Error'] }))
    }
  }

  /** QuickBlox's own behaviour for one endpoint. */
  private answer(
    endpoint: EmulatorEndpoint,
    params: Params,
    path: string,
    token: string | undefined,
    authorization: string | undefined,
  ): Reply | Promise<Reply> {
    if (endpoint === 'POST /session.json') return this.createSession(params)
    // The reset page is a browser's, opened from a mail: its link's secret is all it needs.
    if (endpoint === 'GET /password/reset' || endpoint === 'POST /password/reset')
      return this.resets.page(endpoint.split(' ')[0]!, params)
    // An `ApiKey` Authorization decides; another scheme (a proxy's Basic, say) leaves QB-Token to.
    const apiKey = /^ApiKey\b/i.test(authorization ?? '')
    if (API_KEY_ENDPOINTS.has(endpoint) && (apiKey || endpoint === 'POST /users/:id/tokens')) {
      const app = this.store.applicationByApiKey(API_KEY.exec(authorization ?? '')?.[1] ?? '')
      if (!app) throw new Reply(401, base('Unauthorized'))
      const [status, body] = this.users(endpoint, { applicationId: app.id, userId: 0, apiKey: true }, params, path)
      return new Reply(status, body)
    }
    const session = this.store.useSession(token)
    // The token-check endpoints word it as a whole-request error; the others as a bare list.
    if (!session) throw new Reply(401, endpoint.startsWith('GET ') ? base(NO_SESSION.errors[0]!) : NO_SESSION)
    const ok = (status: number, body: unknown): Reply =>
      new Reply(status, body, { 'QB-Token-ExpirationDate': expirationHeader(this.store.expiresAt(session)) })
    switch (endpoint) {
      case 'GET /session.json':
        return ok(200, { session: this.store.sessionJson(session) })
      case 'DELETE /session.json':
        this.store.destroySession(session.token)
        return new Reply(200, '')
      case 'POST /login.json':
        return ok(202, { user: this.login(session, params) })
      case 'DELETE /login.json':
        if (session.userId === 0) throw new Reply(403, base('Forbidden. Need user.'))
        this.store.setUser(session, 0)
        return ok(200, '')
      default: {
        const caller = { applicationId: session.applicationId, userId: session.userId, apiKey: false }
        return ok(...this.users(endpoint, caller, params, path))
      }
    }
  }

  /**
   * The user endpoints, for the application an API key or a session token speaks for: it sees its
   * own users and the seeded users of every application, and creates users of its own. A user
   * session may change and delete its own user only; the API key, any user of its application.
   */
  private users(endpoint: EmulatorEndpoint, caller: Caller, params: Params, path: string): [number, unknown] {
    const visible = this.store.usersOf(caller.applicationId)
    const id = /^\/users\/(?:external\/)?(\d{1,16})(?:\.json|\/tokens)$/.exec(path)?.[1]
    const found = (match: (user: EmulatorUser) => boolean, notFound: unknown = NOT_FOUND): EmulatorUser => {
      const user = visible.find(match)
      if (!user) throw new Reply(404, notFound)
      return user
    }
    const byId = (notFound?: unknown): EmulatorUser => found((u) => String(u.id) === id, notFound)
    /** The user a `PUT` or `DELETE` names, if the caller may change it. */
    const own = (): EmulatorUser => {
      const user = byId()
      if (!caller.apiKey && caller.userId !== user.id)
        throw new Reply(403, base('You are not allowed to change this user'))
      return user
    }
    switch (endpoint) {
      case 'POST /users.json': {
        const app = this.store.applications.find((a) => a.id === caller.applicationId)
        if (!caller.apiKey && app?.allowUserCreation === false) {
          throw new Reply(403, base('Users may not be created with an application session'))
        }
        const user = this.store.addUser(readNewUser(params, caller.applicationId, visible))
        return [201, { user: this.store.userJson(user) }]
      }
      case 'GET /users/external/:id.json': {
        const user = found((u) => id !== undefined && String(u.external_user_id) === String(Number(id)))
        return [200, { user: this.store.userJson(user) }]
      }
      case 'GET /users/by_login.json': {
        const login = text(params, 'login')
        const user = found((u) => login !== undefined && u.login === login)
        return [200, { user: this.store.userJson(user) }]
      }
      case 'GET /users/by_email.json': {
        const email = text(params, 'email')?.toLowerCase()
        const user = found((u) => email !== undefined && u.email?.toLowerCase() === email)
        return [200, { user: this.store.userJson(user) }]
      }
      case 'POST /users/:id/tokens': {
        const user = byId(base('User not found'))
        // A user session like one made by signing in: every endpoint treats it as such.
        const now = this.store.now()
        const applicationId = caller.applicationId
        const session = this.store.createSession(applicationId, user.id, randomInt(1, 2 ** 31), Math.floor(now / 1000))
        return [201, { token: session.token, expires_at: iso(this.store.expiresAt(session)) }]
      }
      case 'PUT /users/:id.json': {
        const user = own()
        const matches = (password: string | undefined): boolean => this.store.passwordMatches(user, password)
        const changes = readUserUpdate(params, user, visible, caller.apiKey, matches)
        return [200, { user: this.store.userJson(this.store.updateUser(user, changes)) }]
      }
      case 'DELETE /users/:id.json':
        this.store.deleteUser(own())
        return [200, '']
      case 'GET /users.json':
        return [
          200,
          listUsers(
            visible.map((user) => this.store.userJson(user)),
            params,
          ),
        ]
      case 'GET /users/password/reset.json': {
        // QuickBlox answers 404 for an address none of the application's users has.
        const email = text(params, 'email')?.toLowerCase()
        if (email === undefined) throw blank('email')
        this.resets.request(
          found((u) => u.email?.toLowerCase() === email),
          caller.applicationId,
        )
        return [200, '']
      }
      default:
        return [200, { user: this.store.userJson(byId()) }]
    }
  }

  /**
   * `POST /session.json`. The checks run in QuickBlox's order of trust: the application, then the
   * signature (which proves the caller holds the auth secret), then timestamp and nonce, which
   * stop a captured request from being replayed; only a signed request may use up a nonce.
   */
  private async createSession(params: Params): Promise<Reply> {
    const fields = ['application_id', 'auth_key', 'timestamp', 'nonce', 'signature'] as const
    for (const field of fields) if (text(params, field) === undefined) throw blank(field)
    const app = this.store.application(text(params, 'application_id'), text(params, 'auth_key'))
    if (!app) throw new Reply(422, base('Unknown application'))
    if (!signatureMatches(params, app.authSecret)) throw new Reply(422, base('Unexpected signature'))
    const timestamp = Number(text(params, 'timestamp'))
    const nonce = text(params, 'nonce')!
    if (!Number.isInteger(timestamp) || Math.abs(this.store.now() / 1000 - timestamp) > TIMESTAMP_WINDOW_S) {
      throw new Reply(422, base('Unexpected timestamp'))
    }
    if (!/^-?\d{1,18}$/.test(nonce)) throw new Reply(422, { errors: { nonce: ['is invalid'] } })
    if (!this.store.useNonce(app.id, timestamp, nonce)) throw new Reply(422, base('Unexpected nonce'))
    const credential = readCredential(params, isParams(params.user) ? params.user : undefined)
    // With a Custom Identity Provider, QuickBlox asks it about every login or email and password.
    const user =
      app.identityProvider && (credential?.kind === 'login' || credential?.kind === 'email')
        ? await identityProviderUser(
            app.identityProvider,
            { [credential.kind]: credential.name, password: credential.password },
            this.store,
            app.id,
            this.closing.signal,
          )
        : credential && this.store.findUser(app.id, credential)
    if (credential && !user) throw new Reply(401, UNAUTHORIZED)
    const session = this.store.createSession(app.id, user?.id ?? 0, Number(nonce), timestamp)
    return new Reply(
      201,
      { session: this.store.sessionJson(session) },
      { 'QB-Token-ExpirationDate': expirationHeader(this.store.expiresAt(session)) },
    )
  }

  /**
   * `POST /login.json` upgrades the application session it is sent with: from now on this very
   * token is the user's. Logging in again as the same user answers 202 again; as another user it is
   * refused (422), so a token can never serve two users' logins.
   */
  private login(session: Session, params: Params): unknown {
    const credential = readCredential(params, params)
    if (!credential) throw blank('login')
    const user = this.store.findUser(session.applicationId, credential)
    if (!user) throw new Reply(401, UNAUTHORIZED)
    if (session.userId !== 0 && session.userId !== user.id)
      throw new Reply(422, base('You have already logged in as another user'))
    this.store.setUser(session, user.id)
    return this.store.userJson(user)
  }
}

function route(method: string, path: string): EmulatorEndpoint | null {
  const name = path
    .replace(/^\/users\/\d+\.json$/, '/users/:id.json')
    .replace(/^\/users\/external\/[^/]+\.json$/, '/users/external/:id.json')
    .replace(/^\/users\/\d+\/tokens$/, '/users/:id/tokens')
  const endpoint = `${method} ${name}`
  return Object.hasOwn(ENDPOINTS, endpoint) ? (endpoint as EmulatorEndpoint) : null
}

/** A plain HTML page (no JSON), as a web server answers outside the API. */
function sendPage(res: ServerResponse, status: number, text: string): void {
  const body = `<!doctype html><title>${status}</title><p>${text}</p>`
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

/** QuickBlox's format: `2016-05-02 19:52:00 UTC`. */
function expirationHeader(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC')
}

/**
 * Writes the reply. `'truncated'` sends half the body as if it were all of it; `'cut'` announces
 * the whole body, sends half, then drops the connection, as a connection lost mid-answer.
 */
function send(res: ServerResponse, reply: Reply, fault?: EmulatorFault): void {
  if (res.headersSent || res.destroyed) return
  const full = Buffer.from(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body))
  const half = full.subarray(0, Math.floor(full.length / 2))
  const body = fault === 'truncated' ? half : full
  res.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
    ...reply.headers,
  })
  if (fault === 'cut') return void res.write(half, () => res.destroy())
  res.end(body)
}
