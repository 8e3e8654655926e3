import { createHash, randomBytes } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { DEFAULT_API_ENDPOINT, MAX_SOCKETS, isHttpUrl, retryAfter } from './client.js'
import {
  QuickBloxConfigurationError,
  QuickBloxError,
  QuickBloxNotFoundError,
  QuickBloxRateLimitError,
  QuickBloxResponseError,
  QuickBloxUnavailableError,
  QuickBloxValidationError,
} from './errors.js'
import { type Reply, Transport } from './http.js'
import type { QuickBloxUser } from './types.js'
import { readUser } from './validate.js'
import { MAX_ENTRIES, SharedStore } from '../shared-store.js'

/**
 * Where several instances share the externalUserId → user mapping (e.g. Redis): the same shape
 * as the token strategy's `TokenCacheStore`, so one adapter serves both. A failing or slow store
 * is skipped (QuickBlox is asked).
 */
export interface AdminCacheStore {
  get(key: string): Promise<string | null | undefined>
  /** Store `value` for `ttlMs` milliseconds (e.g. Redis `SET key value PX ttlMs`). */
  set(key: string, value: string, ttlMs: number): Promise<unknown>
}

export interface AdminCacheOptions {
  /** How long a user found or created is remembered, in ms. Default 3600000 (1 hour). */
  ttlMs?: number
  /** Most users kept in memory; the least recently used go first. Default 10000, at most 1000000. */
  max?: number
  /** A store shared by several instances; the in-memory cache stays in front of it. */
  store?: AdminCacheStore
  /**
   * How long one store call may take, in ms (default 200), and never more than a quarter of the
   * time left: a store slower than that is skipped (a `get` is a miss; a `set` is given up).
   */
  storeTimeoutMs?: number
}

export interface QuickBloxAdminOptions {
  /**
   * The application's API key (QuickBlox Dashboard → your application → API keys). Permanent and
   * with full rights: keep it on the server, read it from the environment, never send it to a client.
   */
  apiKey: string
  /** Default `https://api.quickblox.com`; enterprise plans have their own host. */
  apiEndpoint?: string
  /** Milliseconds a whole method call may take, all its QuickBlox requests included. Default 10000. */
  timeout?: number
  /** The externalUserId → user mapping of `ensureUser()` and `sessionFor()`; `false` asks QuickBlox every time. */
  cache?: AdminCacheOptions | false
}

/** A user to create, in camelCase; QuickBlox's own field names go on the wire. */
export interface NewQuickBloxUser {
  /** One of `login` and `email` is required (ensureUser makes a login when both are absent). */
  login?: string
  email?: string
  /** 8 to 40 characters. A strong random one is made when absent; it is never kept nor shown. */
  password?: string
  fullName?: string
  /** Your own id of this user: a positive integer (QuickBlox stores it as one), or its decimal text. */
  externalUserId?: number | string
  /** QuickBlox's `tag_list`. */
  tags?: readonly string[]
  /** QuickBlox's `custom_data`: text, e.g. JSON you wrote. */
  customData?: string
  phone?: string
  website?: string
}

/** Who a QuickBlox user is in your app: `externalUserId` is required, the rest is used when creating it. */
export type QuickBloxIdentity = Omit<NewQuickBloxUser, 'externalUserId' | 'password'> & {
  externalUserId: number | string
}

/** A user session token from `issueToken()`: hand it to that user's chat client, nobody else. */
export interface QuickBloxUserToken {
  token: string
  /** When QuickBlox expires it if unused (2 hours after its last use). */
  expiresAt: Date
  userId: number
}

/** What `sessionFor()` resolves with: the token and the QuickBlox user it belongs to. */
export interface QuickBloxUserSession extends QuickBloxUserToken {
  user: QuickBloxUser
}

/** What a cache miss needs: the identity to create the user from, and the call's time budget. */
interface Ensure {
  identity: QuickBloxIdentity
  deadline: number
}

/** Printable ASCII, bounded: the API key and session tokens alike. */
const OPAQUE = /^[\x21-\x7e]{1,1024}$/
/** The longest text field we send; QuickBlox's own limits are shorter, and it says so in a 422. */
const MAX_FIELD = 1024
const MAX_CUSTOM_DATA = 64 * 1024
const PREFIX = 'passport-quickblox:external-user:'

/**
 * A server-side client for QuickBlox's user management, made from the application's API key
 * (`Authorization: ApiKey`): it creates and finds users and issues their session tokens, for apps
 * whose users sign in elsewhere (their own database, Google, SAML). Passport-free.
 *
 * @example
 * const admin = new QuickBloxAdmin({ apiKey: process.env.QUICKBLOX_API_KEY! })
 * const { token, expiresAt, userId } = await admin.sessionFor({ externalUserId: 42, fullName: 'Amy' })
 */
export class QuickBloxAdmin {
  readonly #apiKey: string
  readonly #timeout: number
  readonly #transport: Transport
  readonly #users: LRUCache<string, QuickBloxUser, Ensure> | undefined
  readonly #store: SharedStore | undefined
  /** Names the application in shared-store keys without holding its key. */
  readonly #namespace: string
  readonly #closing = new AbortController()

  constructor(options: QuickBloxAdminOptions) {
    // Messages name the option, never its value: the API key is a secret.
    const bad = (message: string): never => {
      throw new TypeError(`QuickBloxAdmin: ${message}`)
    }
    if (typeof options !== 'object' || options === null) bad('options are required')
    const { apiKey, apiEndpoint = DEFAULT_API_ENDPOINT, timeout = 10_000, cache = {} } = options
    if (typeof apiKey !== 'string' || !OPAQUE.test(apiKey)) bad('option apiKey must be the API key, printable text')
    // Node's timers hold at most 2^31 - 1 ms; a longer one would fire at once.
    if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= 2 ** 31 - 1)) {
      bad('option timeout must be a number of milliseconds from 1 to 2147483647')
    }
    if (!isHttpUrl(apiEndpoint)) bad('option apiEndpoint must be an http: or https: URL')
    this.#apiKey = apiKey
    this.#timeout = timeout
    this.#transport = new Transport(apiEndpoint, MAX_SOCKETS)
    this.#namespace = createHash('sha256').update(apiKey).digest('hex').slice(0, 16)
    if (cache === false) return
    if (typeof cache !== 'object' || cache === null) bad('option cache must be false or an object')
    const { ttlMs = 3_600_000, max = 10_000, store, storeTimeoutMs = 200 } = cache
    const positive = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) > 0
    if (!positive(ttlMs) || !positive(max)) bad('cache ttlMs and max must be positive integers')
    if (max > MAX_ENTRIES) bad(`cache max must be at most ${MAX_ENTRIES}`)
    if (!positive(storeTimeoutMs) || storeTimeoutMs > 60_000) bad('cache storeTimeoutMs must be from 1 to 60000 ms')
    if (store !== undefined && (typeof store.get !== 'function' || typeof store.set !== 'function')) {
      bad('cache store must have get and set methods')
    }
    this.#store = store && new SharedStore(store, storeTimeoutMs, 'QuickBloxAdmin: the user store')
    // fetch() loads a missing externalUserId once however many calls wait for it (single-flight
    // in this process), and never keeps a load that failed.
    this.#users = new LRUCache<string, QuickBloxUser, Ensure>({
      max,
      ttl: ttlMs,
      ignoreFetchAbort: true,
      fetchMethod: async (key, _stale, { context }) => {
        // A store slower than a quarter of the time left is skipped: QuickBlox keeps most of it.
        const budget = (context.deadline - Date.now()) / 4
        const shared = await this.#store?.read(this.#storeKey(key), (value) => readUser({ user: value }), budget)
        if (shared) return shared.value
        const user = await this.#findOrCreate(context)
        void this.#store?.write(this.#storeKey(key), user, ttlMs)
        return user
      },
    })
  }

  /**
   * Creates a user (`POST /users.json`). QuickBlox's refusals (a taken login, email or
   * externalUserId, a short password) reject with {@link QuickBloxValidationError}, whose
   * `fields` may be shown beside a sign-up form's fields.
   */
  async createUser(user: NewQuickBloxUser): Promise<QuickBloxUser> {
    return this.#create(user, this.#deadline())
  }

  /** A user by QuickBlox id (`GET /users/{id}.json`); `undefined` when the application has none. */
  async getUser(id: number): Promise<QuickBloxUser | undefined> {
    if (!Number.isSafeInteger(id) || id <= 0) throw new TypeError('QuickBloxAdmin: getUser needs a positive integer id')
    return this.#find(`users/${id}.json`, this.#deadline())
  }

  /** A user by your own id (`GET /users/external/{id}.json`); `undefined` when there is none. */
  async getUserByExternalId(externalUserId: number | string): Promise<QuickBloxUser | undefined> {
    return this.#find(`users/external/${externalId(externalUserId)}.json`, this.#deadline())
  }

  /**
   * The QuickBlox user of `identity.externalUserId`, created on first sight. Safe under races:
   * calls in this process for one externalUserId share one lookup, and when instances elsewhere
   * create it at the same moment, QuickBlox keeps one (external ids are unique) and the others
   * read it back. The other fields are used only to create the user; an existing one is not updated.
   */
  async ensureUser(identity: QuickBloxIdentity): Promise<QuickBloxUser> {
    return this.#ensure({ identity, deadline: this.#deadline() })
  }

  /** A session token of this user (`POST /users/{id}/tokens`): 404 rejects with {@link QuickBloxNotFoundError}. */
  async issueToken(userId: number): Promise<QuickBloxUserToken> {
    if (!Number.isSafeInteger(userId) || userId <= 0) {
      throw new TypeError('QuickBloxAdmin: issueToken needs a positive integer user id')
    }
    return this.#issue(userId, this.#deadline())
  }

  /**
   * `ensureUser()` then `issueToken()`, within one `timeout`: a token for the chat client of
   * whoever `identity` is. A user seen before costs one QuickBlox request; a new one at most three.
   */
  async sessionFor(identity: QuickBloxIdentity): Promise<QuickBloxUserSession> {
    const deadline = this.#deadline()
    const user = await this.#ensure({ identity, deadline })
    try {
      return { ...(await this.#issue(user.id, deadline)), user }
    } catch (error) {
      // A remembered user deleted at QuickBlox since: find or create it again at QuickBlox itself
      // (the shared store may hold the same stale user), and remember that one here and there.
      if (!(error instanceof QuickBloxNotFoundError) || !this.#users) throw error
      const again = await this.#findOrCreate({ identity, deadline })
      const key = externalId(identity.externalUserId)
      this.#users.set(key, again)
      void this.#store?.write(this.#storeKey(key), again, this.#users.ttl)
      return { ...(await this.#issue(again.id, deadline)), user: again }
    }
  }

  /** Ends a user session token (`DELETE /session.json` with it). A token QuickBlox no longer knows counts as ended. */
  async revokeToken(token: string): Promise<void> {
    if (typeof token !== 'string' || !OPAQUE.test(token))
      throw new TypeError('QuickBloxAdmin: revokeToken needs a token')
    const reply = await this.#send('DELETE', 'session.json', this.#deadline(), { token })
    if (reply.status === 401 || (reply.status >= 200 && reply.status < 300)) return
    throw errorFor(reply)
  }

  /** Frees sockets and forgets cached users; later calls reject. Call it when your server shuts down. */
  async close(): Promise<void> {
    this.#closing.abort()
    this.#users?.clear()
    this.#transport.close()
  }

  #deadline(): number {
    return Date.now() + this.#timeout
  }

  async #ensure(ask: Ensure): Promise<QuickBloxUser> {
    const key = externalId(ask.identity.externalUserId)
    if (!this.#users) return this.#findOrCreate(ask)
    const user = this.#users.get(key) ?? (await this.#users.fetch(key, { context: ask }))
    if (!user) throw new QuickBloxUnavailableError('The QuickBlox admin client is closed')
    return user
  }

  async #findOrCreate({ identity, deadline }: Ensure): Promise<QuickBloxUser> {
    const id = externalId(identity.externalUserId)
    const found = await this.#find(`users/external/${id}.json`, deadline)
    if (found) return found
    // QuickBlox needs a login or an email; a user known only by its external id gets one from it.
    const login = identity.login ?? (identity.email === undefined ? `external-${id}` : undefined)
    try {
      return await this.#create({ ...identity, login, externalUserId: id }, deadline)
    } catch (error) {
      // Another instance created it since we looked: QuickBlox kept theirs, so read it back.
      const taken = error instanceof QuickBloxValidationError && error.fields.external_user_id?.some(isTaken)
      const winner = taken ? await this.#find(`users/external/${id}.json`, deadline) : undefined
      if (winner) return winner
      throw error
    }
  }

  async #create(user: NewQuickBloxUser, deadline: number): Promise<QuickBloxUser> {
    const body = userBody(user)
    const reply = await this.#send('POST', 'users.json', deadline, { apiKey: this.#apiKey, json: { user: body } })
    if (reply.status !== 201) throw errorFor(reply, body.password)
    return userOf(reply)
  }

  /** A user, or `undefined` on 404. */
  async #find(path: string, deadline: number): Promise<QuickBloxUser | undefined> {
    const reply = await this.#send('GET', path, deadline, { apiKey: this.#apiKey })
    if (reply.status === 404) return undefined
    if (reply.status !== 200) throw errorFor(reply)
    return userOf(reply)
  }

  async #issue(userId: number, deadline: number): Promise<QuickBloxUserToken> {
    const reply = await this.#send('POST', `users/${userId}/tokens`, deadline, { apiKey: this.#apiKey })
    if (reply.status !== 201) throw errorFor(reply)
    const body = reply.body as { token?: unknown; expires_at?: unknown } | undefined
    const token = body?.token
    const expiresAt = Date.parse(typeof body?.expires_at === 'string' ? body.expires_at : '')
    if (typeof token !== 'string' || !OPAQUE.test(token) || !Number.isFinite(expiresAt)) {
      throw new QuickBloxResponseError('QuickBlox answered a token request without a readable token')
    }
    return { token, expiresAt: new Date(expiresAt), userId }
  }

  /** Every request goes through here: one deadline, and each request gets what is left of it. */
  async #send(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    deadline: number,
    options: { apiKey?: string; token?: string; json?: Record<string, unknown> },
  ): Promise<Reply> {
    if (this.#closing.signal.aborted) throw new QuickBloxUnavailableError('The QuickBlox admin client is closed')
    return this.#transport.sendBy(method, path, deadline, { ...options, reportedTimeoutMs: this.#timeout })
  }

  #storeKey(externalUserId: string): string {
    return `${PREFIX}${this.#namespace}:${externalUserId}`
  }
}

/** An external id as QuickBlox keeps it: a positive integer, written in decimal. */
function externalId(value: unknown): string {
  const id = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw new TypeError('QuickBloxAdmin: externalUserId must be a positive integer (or its decimal text)')
  }
  return String(id)
}

/** QuickBlox's `user` body from ours: only the listed fields, each checked and bounded. */
function userBody(user: NewQuickBloxUser): Record<string, unknown> & { password: string } {
  if (typeof user !== 'object' || user === null) throw new TypeError('QuickBloxAdmin: a user object is required')
  const body: Record<string, unknown> = {}
  const names = {
    login: 'login',
    email: 'email',
    fullName: 'full_name',
    phone: 'phone',
    website: 'website',
    customData: 'custom_data',
  } as const
  for (const [field, wire] of Object.entries(names) as [keyof typeof names, string][]) {
    const value = user[field]
    if (value === undefined) continue
    const max = field === 'customData' ? MAX_CUSTOM_DATA : MAX_FIELD
    if (typeof value !== 'string' || value.length > max) {
      throw new TypeError(`QuickBloxAdmin: ${field} must be text of at most ${max} characters`)
    }
    body[wire] = value
  }
  if (user.tags !== undefined) {
    const tags = Array.isArray(user.tags) ? (user.tags as unknown[]) : [null]
    if (!tags.every((tag) => typeof tag === 'string' && !tag.includes(',')) || tags.join(',').length > MAX_FIELD) {
      throw new TypeError(`QuickBloxAdmin: tags must be an array of text without commas, at most ${MAX_FIELD} in all`)
    }
    body.tag_list = tags.join(',')
  }
  if (user.externalUserId !== undefined) body.external_user_id = Number(externalId(user.externalUserId))
  const { password } = user
  if (password !== undefined && (typeof password !== 'string' || password.length > MAX_FIELD)) {
    throw new TypeError(`QuickBloxAdmin: password must be text of at most ${MAX_FIELD} characters`)
  }
  // 24 random bytes: 32 characters, within QuickBlox's 8 to 40. Nobody signs in with it.
  return { ...body, password: password ?? randomBytes(24).toString('base64url') }
}

function userOf(reply: Reply): QuickBloxUser {
  const user = readUser(reply.body)
  if (!user) throw new QuickBloxResponseError('QuickBlox answered without a readable user')
  return user
}

const isTaken = (message: string): boolean => /taken/i.test(message)

/** Maps a reply QuickBlox did not mean as success to one of our errors. */
function errorFor(reply: Reply, password?: string): QuickBloxError {
  const { status } = reply
  const value = reply.headers['retry-after']
  const seconds = retryAfter(Array.isArray(value) ? value[0] : value)
  if (status === 429) return new QuickBloxRateLimitError(seconds)
  if (status >= 500) return new QuickBloxUnavailableError(`QuickBlox answered ${status}`, seconds)
  // The key is the application's: its refusal is the server's misconfiguration, never a user's fault.
  if (status === 401 || status === 403) {
    return new QuickBloxConfigurationError(`QuickBlox refused the API key (${status}): check the apiKey option`)
  }
  if (status === 404) return new QuickBloxNotFoundError()
  if (status === 422) return new QuickBloxValidationError(fieldErrors(reply.body, password))
  return new QuickBloxResponseError(`QuickBlox answered an unexpected status ${status}`)
}

/**
 * `{"errors": {"field": [...]}}` (or a bare list, as `base`), bounded: ten fields of ten reasons
 * of 200 characters. A reason that quotes the password sent is replaced, so no error holds it.
 */
function fieldErrors(body: unknown, password: string | undefined): Record<string, string[]> {
  const errors = (body as { errors?: unknown } | undefined)?.errors
  const entries = Array.isArray(errors)
    ? [['base', errors] as const]
    : typeof errors === 'object' && errors !== null
      ? Object.entries(errors)
      : []
  const fields: Record<string, string[]> = {}
  for (const [field, value] of entries.slice(0, 10)) {
    if (!/^[a-z_]{1,40}$/.test(field)) continue
    const reasons = (Array.isArray(value) ? (value as unknown[]) : [value])
      .filter((reason): reason is string => typeof reason === 'string')
      .slice(0, 10)
      .map((reason) => (quotes(reason, password) ? 'is invalid' : reason.slice(0, 200)))
    if (reasons.length > 0) fields[field] = reasons
  }
  return fields
}

/** Whether a reason quotes the password; one shorter than QuickBlox's 8 characters is refused as such. */
function quotes(reason: string, password: string | undefined): boolean {
  return password !== undefined && password.length >= 8 && reason.includes(password)
}
