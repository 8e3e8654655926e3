import { randomInt } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { notePooled } from '../diagnostics.js'
import {
  type QuickBloxPasswordChange,
  type QuickBloxProfileChanges,
  type Send,
  changePassword,
  checkEmail,
  deleteOwnUser,
  requestPasswordReset,
  updateProfile,
} from './account.js'
import { QuickBloxConfigurationError, QuickBloxResponseError, QuickBloxUnavailableError } from './errors.js'
import { endpointProblem, type Method, type Reply, Transport } from './http.js'
import { SessionPool, type SessionPoolOptions } from './pool.js'
import { errorFor, header, mentions } from './replies.js'
import { type SignatureAlgorithm, sign } from './signature.js'
import type { LoginCredentials, LoginResult, QuickBloxSession, QuickBloxUser } from './types.js'
import { isSessionToken, readSession, readUser } from './validate.js'

export interface QuickBloxClientOptions {
  /** The QuickBlox application id. */
  appId: number | string
  /** The application's authorization key. */
  authKey: string
  /** The application's authorization secret: signs session requests, never sent. */
  authSecret: string
  /** Default `https://api.quickblox.com`; enterprise plans have their own host. Plain `http:` only on loopback. */
  apiEndpoint?: string
  /**
   * Allows a plain `http:` apiEndpoint off this machine (an emulator in a container, reached by a
   * service name). Default false: API keys, passwords and tokens never travel in clear.
   */
  allowInsecureHttp?: boolean
  /** Milliseconds a whole login may take, retries included (also bounds each logout). Default 10000. */
  timeout?: number
  /** HMAC used for session signatures. Default `'sha1'` (QuickBlox's documented default). */
  signatureAlgorithm?: SignatureAlgorithm
  /** Prefetched application sessions (see `SessionPool`); `false` creates one per login. On by default. */
  pool?: false | SessionPoolOptions
  /**
   * Most connections open to QuickBlox at once; further requests wait for one, within their
   * `timeout`. Default 64: a burst of requests never opens a socket each.
   */
  maxSockets?: number
}

/** What a client made with `QuickBloxClient.forTokenChecks()` needs: no auth key or secret. */
export type QuickBloxTokenCheckOptions = Pick<
  QuickBloxClientOptions,
  'appId' | 'apiEndpoint' | 'allowInsecureHttp' | 'timeout' | 'maxSockets'
>
/** A client that can only check (and end) tokens others created (see `QuickBloxClient.forTokenChecks()`). */
export type QuickBloxTokenChecker = Pick<QuickBloxClient, 'getSession' | 'getUser' | 'logout' | 'close'>
/** Passed by forTokenChecks() alone: the constructor then needs no auth key or secret. */
const TOKEN_CHECKS_ONLY = Symbol('token checks only')
export const DEFAULT_API_ENDPOINT = 'https://api.quickblox.com'
/** Default of `maxSockets`. */
export const MAX_SOCKETS = 64

/** Session creation is retried this many times on 5xx, refused or reset connections. */
const SESSION_RETRIES = 2
const BACKOFF_MS = 100
/** QuickBlox expires a token 2 hours after its last use. */
const TOKEN_LIFETIME_MS = 2 * 60 * 60_000

/**
 * The protocol client: application sessions, login and logout, and the account operations a
 * user makes with their own session token. Knows nothing of Passport or Express.
 */
export class QuickBloxClient {
  readonly #appId: number
  readonly #authKey: string
  readonly #authSecret: string
  readonly #algorithm: SignatureAlgorithm
  readonly #timeout: number
  readonly #transport: Transport
  readonly #pool: SessionPool | undefined
  /** QuickBlox's clock minus ours, learnt when it refuses a timestamp. */
  #clockOffsetMs = 0
  /** Aborted by close(): ends retry waits, and refuses new requests. */
  readonly #closing = new AbortController()

  constructor(options: QuickBloxClientOptions, mode?: typeof TOKEN_CHECKS_ONLY) {
    if (typeof options !== 'object' || options === null) throw new TypeError('QuickBlox: options are required')
    const keyless = mode === TOKEN_CHECKS_ONLY
    const {
      appId,
      authKey,
      authSecret,
      apiEndpoint = DEFAULT_API_ENDPOINT,
      timeout = 10_000,
      signatureAlgorithm = 'sha1',
      pool,
      maxSockets = MAX_SOCKETS,
      allowInsecureHttp,
    } = options
    // Messages name the option, never its value: some of these are secrets.
    const check = (ok: boolean, message: string): void => {
      if (!ok) throw new TypeError(`QuickBlox: option ${message}`)
    }
    this.#appId = Number(appId)
    check(
      (typeof appId === 'number' || typeof appId === 'string') && Number.isSafeInteger(this.#appId) && this.#appId > 0,
      'appId must be a positive integer',
    )
    check(keyless || (typeof authKey === 'string' && authKey !== ''), 'authKey must be a non-empty string')
    check(keyless || (typeof authSecret === 'string' && authSecret !== ''), 'authSecret must be a non-empty string')
    check(
      signatureAlgorithm === 'sha1' || signatureAlgorithm === 'sha256',
      "signatureAlgorithm must be 'sha1' or 'sha256'",
    )
    // Node's timers hold at most 2^31 - 1 ms; a longer one would fire at once.
    check(
      typeof timeout === 'number' && timeout > 0 && timeout <= 2 ** 31 - 1,
      'timeout must be a number of milliseconds from 1 to 2147483647',
    )
    const endpoint = endpointProblem(apiEndpoint, allowInsecureHttp)
    check(endpoint === undefined, endpoint!)
    check(
      pool === undefined || pool === false || (typeof pool === 'object' && pool !== null),
      'pool must be false or an object',
    )
    check(
      Number.isSafeInteger(maxSockets) && maxSockets >= 1 && maxSockets <= 1024,
      'maxSockets must be an integer from 1 to 1024',
    )
    this.#authKey = authKey
    this.#authSecret = authSecret
    this.#algorithm = signatureAlgorithm
    this.#timeout = timeout
    this.#transport = new Transport(apiEndpoint, maxSockets)
    this.#pool =
      pool === false || keyless ? undefined : new SessionPool(() => this.#createSession(this.#deadline()), pool)
  }

  /**
   * Logs a user in: `POST /login.json` with a fresh application session, which QuickBlox
   * upgrades into the user's session. Resolves with the user and that session; rejects with a
   * QuickBloxError. Only the expired-session case is retried: repeating a login that may have
   * reached QuickBlox could log the user in twice.
   */
  async login(credentials: LoginCredentials): Promise<LoginResult> {
    const deadline = this.#deadline()
    const pooled = this.#pool?.take()
    notePooled(pooled !== undefined)
    const first = await this.#login(pooled ?? (await this.#createSession(deadline)), credentials, deadline)
    if (first) return first
    // The application session expired or QuickBlox forgot it; pooled siblings may share its fate.
    this.#pool?.clear()
    const second = await this.#login(await this.#createSession(deadline), credentials, deadline, 2)
    if (second) return second
    throw new QuickBloxUnavailableError('QuickBlox did not accept a fresh application session')
  }

  /** Ends a session (`DELETE /session.json`). A token QuickBlox no longer knows counts as logged out. */
  async logout(token: string): Promise<void> {
    // A missing or mangled token is the caller's bug: say so, rather than "logging out" nothing.
    if (!isSessionToken(token)) {
      throw new TypeError('QuickBlox: logout(token) needs the session token that verify received (session.token)')
    }
    const reply = await this.#send('DELETE', 'session.json', this.#deadline(), { token })
    if (reply.status === 401 || (reply.status >= 200 && reply.status < 300)) return
    throw errorFor(reply, 'logout')
  }

  /**
   * A client for checking tokens that others (a mobile or browser SDK) created: `getSession()`
   * and `getUser()` send the token itself, so no auth key or secret is needed, and none is
   * held. The type leaves out what would need them (`login()`, sessions of our own).
   */
  static forTokenChecks(options: QuickBloxTokenCheckOptions): QuickBloxTokenChecker {
    if (typeof options !== 'object' || options === null) throw new TypeError('QuickBlox: options are required')
    const { appId, apiEndpoint, allowInsecureHttp, timeout, maxSockets } = options
    return new QuickBloxClient(
      { appId, apiEndpoint, allowInsecureHttp, timeout, maxSockets, authKey: '', authSecret: '' },
      TOKEN_CHECKS_ONLY,
    )
  }

  /**
   * The session a token belongs to (`GET /session.json` with that token): whose it is
   * (`userId`, 0 for an application session) and which application issued it. Like any use
   * of the token, it extends the token's 2-hour lifetime, and `expiresAt` says until when.
   * An unknown, expired or destroyed token rejects with QuickBloxCredentialsError. `deadline`
   * (ms since the epoch, default now + `timeout`) lets several calls share one time budget.
   */
  async getSession(token: string, deadline = this.#deadline()): Promise<QuickBloxSession> {
    if (!isSessionToken(token)) throw new TypeError('QuickBlox: getSession needs a session token')
    const reply = await this.#send('GET', 'session.json', deadline, { token })
    if (reply.status !== 200) throw errorFor(reply, 'token')
    const session = readSession(reply.body)
    if (!session) throw new QuickBloxResponseError('QuickBlox answered a session check without a readable session')
    return { token, expiresAt: expiry(reply), userId: session.userId, applicationId: session.applicationId }
  }

  /**
   * A user by id (`GET /users/{id}.json`), read with `token` (`deadline` as for getSession).
   * A token QuickBlox does not know, or a user that is gone, rejects with QuickBloxCredentialsError.
   */
  async getUser(id: number, token: string, deadline = this.#deadline()): Promise<QuickBloxUser> {
    if (!Number.isSafeInteger(id) || id <= 0) throw new TypeError('QuickBlox: getUser needs a positive integer id')
    if (!isSessionToken(token)) throw new TypeError('QuickBlox: getUser needs a session token')
    const reply = await this.#send('GET', `users/${id}.json`, deadline, { token })
    if (reply.status !== 200) throw errorFor(reply, 'user')
    const user = readUser(reply.body)
    if (!user || user.id !== id) throw new QuickBloxResponseError('QuickBlox answered a user request without the user')
    return user
  }

  /**
   * Updates the user's own profile (`PUT /users/{id}.json`, as the SDK's `QB.users.update`), with
   * their session token: `id` is theirs (`user.id`), `token` the one verify received
   * (`session.token`). Resolves with the user as QuickBlox now has it. A login or email another
   * user has rejects with {@link QuickBloxValidationError} (`fields.login`, `fields.email`); a
   * token QuickBlox no longer knows with {@link QuickBloxCredentialsError} (sign the user in again).
   *
   * @example
   * const user = await strategy.client.updateUser(req.user.id, { fullName: 'Amy Pond' }, qbToken)
   */
  async updateUser(id: number, changes: QuickBloxProfileChanges, token: string): Promise<QuickBloxUser> {
    return updateProfile(this.#sender, id, changes, token, this.#deadline())
  }

  /**
   * Changes the user's password (`PUT /users/{id}.json` with `old_password` and `password`), with
   * their session token. A wrong current password rejects with
   * {@link QuickBloxWrongPasswordError} (422, `QB_WRONG_PASSWORD`): count it as a failed sign-in.
   * A new password QuickBlox refuses (shorter than 8 characters) rejects with
   * {@link QuickBloxValidationError} (`fields.password`). No error holds either password.
   * QuickBlox keeps the user's sessions: end the others yourself (your own sessions; tokens
   * with `logout`).
   *
   * @example
   * await strategy.client.changePassword(user.id, { oldPassword: current, password: next }, qbToken)
   */
  async changePassword(id: number, change: QuickBloxPasswordChange, token: string): Promise<QuickBloxUser> {
    return changePassword(this.#sender, id, change, token, this.#deadline())
  }

  /**
   * Deletes the user's own account (`DELETE /users/{id}.json`, as the SDK's `QB.users.delete`),
   * with their session token. QuickBlox ends the user's sessions with it. A token QuickBlox no
   * longer knows rejects with {@link QuickBloxCredentialsError}. Ask for the password first (a
   * `login()`): a session left open on a shared computer should not be enough to erase an account.
   */
  async deleteUser(id: number, token: string): Promise<void> {
    return deleteOwnUser(this.#sender, id, token, this.#deadline())
  }

  /**
   * Asks QuickBlox to mail the user at `email` a link to its own page where they choose a new
   * password (`GET /users/password/reset.json`, as the SDK's `QB.users.resetPassword`), with an
   * application session (from the pool when there is one). Resolves alike whether or not
   * QuickBlox has a user with that address, so an app that answers when this resolves tells no
   * one who has an account; rate-limit it per address and per email all the same.
   */
  async sendPasswordResetEmail(email: string): Promise<void> {
    checkEmail(email)
    const deadline = this.#deadline()
    const pooled = this.#pool?.take()
    if (
      await requestPasswordReset(this.#sender, email, (pooled ?? (await this.#createSession(deadline))).token, deadline)
    )
      return
    // The application session expired or QuickBlox forgot it; pooled siblings may share its fate.
    this.#pool?.clear()
    const session = await this.#createSession(deadline)
    if (await requestPasswordReset(this.#sender, email, session.token, deadline)) return
    throw new QuickBloxUnavailableError('QuickBlox did not accept a fresh application session')
  }

  /** Creates an application session (read-only rights; one login can upgrade it). */
  async createApplicationSession(): Promise<QuickBloxSession> {
    return this.#createSession(this.#deadline())
  }

  /** Stops pool refills and frees sockets. Pooled sessions are abandoned (QuickBlox expires them). */
  async close(): Promise<void> {
    this.#closing.abort()
    this.#pool?.close()
    this.#transport.close()
  }

  #deadline(): number {
    return Date.now() + this.#timeout
  }

  /** `undefined` when QuickBlox says the application session does not exist (any more). */
  async #login(
    session: QuickBloxSession,
    credentials: LoginCredentials,
    deadline: number,
    attempt = 1,
  ): Promise<LoginResult | undefined> {
    const reply = await this.#send('POST', 'login.json', deadline, {
      token: session.token,
      json: loginBody(credentials),
      attempt,
    })
    if (reply.status === 401 && mentions(reply, 'session does not exist')) return undefined
    if (reply.status !== 202) throw errorFor(reply, 'login')
    const user = readUser(reply.body)
    if (!user) throw new QuickBloxResponseError('QuickBlox answered a login without a readable user')
    const expiresAt = expiry(reply)
    return { user, session: { token: session.token, expiresAt, userId: user.id, applicationId: session.applicationId } }
  }

  /**
   * Session creation changes nothing a user can see, so it is the one request that is retried:
   * on 5xx, refused or reset connections, with jittered exponential backoff, within the deadline.
   */
  async #createSession(deadline: number): Promise<QuickBloxSession> {
    const attempts = { made: 0 }
    for (let retry = 0; ; retry++) {
      try {
        return await this.#requestSession(deadline, attempts)
      } catch (error) {
        const delay = BACKOFF_MS * 2 ** retry * (0.5 + Math.random() / 2)
        const retryable = error instanceof QuickBloxUnavailableError && retry < SESSION_RETRIES
        if (!retryable || Date.now() + delay >= deadline || this.#closing.signal.aborted) throw error
        // close() cuts the wait short, so no timer of ours outlives the client.
        await sleep(delay, undefined, { signal: this.#closing.signal }).catch(() => {
          throw error
        })
      }
    }
  }

  async #requestSession(deadline: number, attempts: { made: number }): Promise<QuickBloxSession> {
    let reply = await this.#postSession(deadline, attempts)
    // QuickBlox refuses timestamps far from its own clock. If ours is off, its `Date` header
    // tells by how much: retry once with that offset, and keep it for later sessions.
    if (reply.status === 422 && mentions(reply, 'timestamp')) {
      const serverNow = Date.parse(header(reply, 'date') ?? '')
      if (Number.isFinite(serverNow)) {
        this.#clockOffsetMs = serverNow - Date.now()
        reply = await this.#postSession(deadline, attempts)
      }
    }
    if (reply.status !== 201) throw errorFor(reply, 'session')
    const session = readSession(reply.body)
    if (!session) throw new QuickBloxResponseError('QuickBlox answered a session request without a readable session')
    return {
      token: session.token,
      expiresAt: expiry(reply),
      userId: session.userId,
      applicationId: session.applicationId,
    }
  }

  /** `attempts` counts this session's requests, retries included (for diagnostics). */
  #postSession(deadline: number, attempts: { made: number }): Promise<Reply> {
    if (this.#authKey === '') {
      throw new QuickBloxConfigurationError('This QuickBlox client checks tokens only: it has no authKey/authSecret')
    }
    const params: Record<string, unknown> = {
      application_id: this.#appId,
      auth_key: this.#authKey,
      timestamp: Math.floor((Date.now() + this.#clockOffsetMs) / 1000),
      // With the timestamp, makes each request unique: QuickBlox refuses a repeated pair.
      nonce: randomInt(1, 2 ** 31),
    }
    params.signature = sign(params, this.#authSecret, this.#algorithm)
    return this.#send('POST', 'session.json', deadline, { json: params, attempt: ++attempts.made })
  }

  /** `#send` for account.ts. */
  readonly #sender: Send = (method, path, deadline, options) => this.#send(method, path, deadline, options)

  /** Every request goes through here: one deadline, and each attempt gets what is left of it. */
  async #send(
    method: Method,
    path: string,
    deadline: number,
    options: {
      token?: string
      json?: Record<string, unknown>
      searchParams?: Record<string, string>
      attempt?: number
    },
  ): Promise<Reply> {
    if (this.#closing.signal.aborted) throw new QuickBloxUnavailableError('The QuickBlox client is closed')
    return this.#transport.sendBy(method, path, deadline, { ...options, reportedTimeoutMs: this.#timeout })
  }
}

/** Only the fields QuickBlox expects, in its own shape, whatever else the caller's object holds. */
function loginBody(credentials: LoginCredentials): Record<string, unknown> {
  if ('provider' in credentials) {
    if (credentials.provider === 'facebook') {
      const { token, secret } = credentials.keys
      return { provider: 'facebook', keys: secret === undefined ? { token } : { token, secret } }
    }
    const { project_id, access_token } = credentials.firebase_phone
    return { provider: 'firebase_phone', firebase_phone: { project_id, access_token } }
  }
  if ('login' in credentials) return { login: credentials.login, password: credentials.password }
  return { email: credentials.email, password: credentials.password }
}

/** `QB-Token-ExpirationDate` when QuickBlox sends a readable one, else 2 hours from now. */
function expiry(reply: Reply): Date {
  const at = Date.parse(header(reply, 'qb-token-expirationdate') ?? '')
  return new Date(Number.isFinite(at) ? at : Date.now() + TOKEN_LIFETIME_MS)
}
