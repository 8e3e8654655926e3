import { createHmac, randomBytes } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { DEFAULT_API_ENDPOINT, MAX_SOCKETS } from './client.js'
import {
  QuickBloxNotFoundError,
  QuickBloxResponseError,
  QuickBloxUnavailableError,
  QuickBloxValidationError,
} from './errors.js'
import { endpointProblem, type Method, type Reply, Transport } from './http.js'
import { errorFor } from './replies.js'
import type { QuickBloxUser } from './types.js'
import { isSessionToken, readUser } from './validate.js'
import {
  clockOptions,
  hostKey,
  readCacheOptions,
  revoked,
  SharedStore,
  tokenStoreKey,
  type CacheOptions,
  type StoreBackend,
} from '../shared-store.js'

/**
 * Where several instances share the identity → user mapping (e.g. Redis): the same shape as the
 * token strategy's `TokenCacheStore`, so one adapter serves both. A failing or slow store is
 * skipped (QuickBlox is asked).
 */
export type AdminCacheStore = StoreBackend

export interface AdminCacheOptions {
  /** How long a user found or created is remembered, in ms. Default 3600000 (1 hour). */
  ttlMs?: number
  /** Most users kept in memory; the least recently used go first. Default 10000, at most 1000000. */
  max?: number
  /**
   * A store shared by several instances (`get`, `set`, `delete`); the in-memory cache stays in
   * front of it, keeping an entry no longer than the entry itself says.
   */
  store?: AdminCacheStore
  /**
   * How long one store call may take, in ms (default 200, at most 60000), and never more than a
   * quarter of the time left: a store slower than that is skipped (a `get` is a miss; a `set` is given up).
   */
  storeTimeoutMs?: number
  /**
   * The clock entries are timed by, in ms since the epoch (the memory cache's, and the shared
   * store's entry times). Default `Date.now`. Tests pass a fake one to end entries without waiting.
   */
  now?: () => number
}

export interface QuickBloxAdminOptions {
  /**
   * The application's API key (QuickBlox Dashboard → your application → API keys). Permanent and
   * with full rights: keep it on the server, read it from the environment, never send it to a client.
   */
  apiKey: string
  /**
   * The secret that makes each identity's QuickBlox login (HMAC-SHA256), and so the proof that a
   * QuickBlox user is the one this backend created for that identity: at least 32 characters,
   * random, kept on the server (e.g. `QB_IDENTITY_KEY`). Required by `ensureUser()` and
   * `sessionFor()`; changing it gives every identity a new QuickBlox user.
   */
  identityKey?: string
  /** Default `https://api.quickblox.com`; enterprise plans have their own host. Plain `http:` only on loopback. */
  apiEndpoint?: string
  /** Allows a plain `http:` apiEndpoint off this machine (an emulator in a container). Default false. */
  allowInsecureHttp?: boolean
  /** Milliseconds a whole method call may take, all its QuickBlox requests included. Default 10000. */
  timeout?: number
  /** The identity → user mapping of `ensureUser()` and `sessionFor()`; `false` asks QuickBlox every time. */
  cache?: AdminCacheOptions | false
}

/** A user to create, in camelCase; QuickBlox's own field names go on the wire. */
export interface NewQuickBloxUser {
  /** One of `login` and `email` is required. */
  login?: string
  email?: string
  /** 8 to 40 characters. A strong random one is made when absent; it is never kept nor shown. */
  password?: string
  fullName?: string
  /**
   * QuickBlox's `external_user_id`: a positive integer (or its decimal text). Every QuickBlox user
   * can rewrite their own, so it is a label, never proof of who they are.
   */
  externalUserId?: number | string
  /** QuickBlox's `tag_list`. */
  tags?: readonly string[]
  /** QuickBlox's `custom_data`: text, e.g. JSON you wrote. */
  customData?: string
  phone?: string
  website?: string
}

/** Changes to a user (`updateUser()`): the fields of a new user, each optional. */
export type QuickBloxUserChanges = NewQuickBloxUser

/**
 * Who a user is in your app, for `ensureUser()` and `sessionFor()`. `externalUserId` is your own
 * id of them (text of 1 to 255 characters, such as `auth0|65f1…` or a UUID, or a positive
 * integer; `42` and `'42'` are the same identity); the other fields are used when the QuickBlox
 * user is first created. Its login is made from `externalUserId` and the `identityKey`.
 */
export type QuickBloxIdentity = Omit<NewQuickBloxUser, 'externalUserId' | 'password' | 'login'> & {
  externalUserId: number | string
  /**
   * The QuickBlox user id this identity was linked to before (the `userId` an earlier
   * `sessionFor()` resolved with), if you keep it: that user is this identity's, whatever its login
   * says now; if its owner deleted it, a new one is made under a login nobody can have taken.
   */
  quickbloxUserId?: number
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

/** What a cache miss needs: the identity (`id` its canonical text), and the call's time budget. */
interface Ensure {
  id: string
  identity: QuickBloxIdentity
  /** The QuickBlox user id the app kept for this identity, if any. */
  linked: number | undefined
  deadline: number
}

/** Printable ASCII, bounded: the API key and the identity key. */
const OPAQUE = /^[\x21-\x7e]{1,1024}$/
/** The longest text field we send; QuickBlox's own limits are shorter, and it says so in a 422. */
const MAX_FIELD = 1024
const MAX_CUSTOM_DATA = 64 * 1024
/** The longest identity (`externalUserId` as text), in UTF-16 code units. */
const MAX_IDENTITY = 255
/** Each identity's login: this, then 40 hex digits of HMAC-SHA256 (160 bits); 43 characters, within QuickBlox's 50. */
const LOGIN_PREFIX = 'qb-'
const PREFIX = 'passport-quickblox:admin-user:'
/** Half of a UTF-16 pair: ill-formed text, which UTF-8 (and so the HMAC) could not tell from U+FFFD. */
const LONE_SURROGATE = /\p{Cs}/u

/**
 * A server-side client for QuickBlox's user management, made from the application's API key
 * (`Authorization: ApiKey`): it creates, finds, changes and deletes users and issues their session
 * tokens, for apps whose users sign in elsewhere (their own database, Google, SAML). Passport-free.
 *
 * `ensureUser()` and `sessionFor()` give each of your identities its own QuickBlox user: its login
 * is an HMAC of the identity under `identityKey`, which no QuickBlox user can compute, and it is
 * found by that login alone, never by `external_user_id`, email or any field a user can write.
 *
 * @example
 * const admin = new QuickBloxAdmin({ apiKey: process.env.QB_API_KEY!, identityKey: process.env.QB_IDENTITY_KEY! })
 * const { token, expiresAt, userId } = await admin.sessionFor({ externalUserId: 'auth0|65f1', fullName: 'Amy' })
 */
export class QuickBloxAdmin {
  readonly #apiKey: string
  readonly #identityKey: string | undefined
  readonly #apiEndpoint: string
  readonly #timeout: number
  readonly #transport: Transport
  readonly #users: LRUCache<string, QuickBloxUser, Ensure> | undefined
  readonly #store: SharedStore | undefined
  readonly #closing = new AbortController()

  constructor(options: QuickBloxAdminOptions) {
    // Messages name the option, never its value: the keys are secrets.
    const bad = (message: string): never => {
      throw new TypeError(`QuickBloxAdmin: ${message}`)
    }
    if (typeof options !== 'object' || options === null) bad('options are required')
    const { apiKey, identityKey, apiEndpoint = DEFAULT_API_ENDPOINT, timeout = 10_000, cache = {} } = options
    if (typeof apiKey !== 'string' || !OPAQUE.test(apiKey)) bad('option apiKey must be the API key, printable text')
    if (identityKey !== undefined && (typeof identityKey !== 'string' || identityKey.length < 32)) {
      bad('option identityKey must be a random secret of at least 32 characters')
    }
    // Node's timers hold at most 2^31 - 1 ms; a longer one would fire at once.
    if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= 2 ** 31 - 1)) {
      bad('option timeout must be a number of milliseconds from 1 to 2147483647')
    }
    const endpoint = endpointProblem(apiEndpoint, options.allowInsecureHttp)
    if (endpoint !== undefined) bad(`option ${endpoint}`)
    this.#apiKey = apiKey
    this.#identityKey = identityKey
    this.#apiEndpoint = apiEndpoint
    this.#timeout = timeout
    this.#transport = new Transport(apiEndpoint, MAX_SOCKETS)
    if (cache === false) return
    if (typeof cache !== 'object' || cache === null) bad('option cache must be false or an object')
    const checked: CacheOptions = readCacheOptions(cache, { ttlMs: 3_600_000 }, bad)
    const { ttlMs, store } = checked
    const name = 'QuickBloxAdmin: the user store'
    this.#store = store && new SharedStore(store, checked.storeTimeoutMs, name, checked.now)
    // fetch() loads a missing identity once however many calls wait for it (single-flight in this
    // process), and never keeps a load that failed.
    this.#users = new LRUCache<string, QuickBloxUser, Ensure>({
      max: checked.max,
      ttl: ttlMs,
      ...clockOptions(checked.now),
      ignoreFetchAbort: true,
      fetchMethod: async (id, _stale, { options: entry, context }) => {
        const load = (): Promise<QuickBloxUser> => this.#findOrCreate(context)
        if (!this.#store) return load()
        // A store slower than a quarter of the time left is skipped: QuickBlox keeps most of it.
        const budget = (context.deadline - Date.now()) / 4
        return this.#store.through(this.#storeKey(id), (value) => this.#ownUser(id, value), load, ttlMs, entry, budget)
      },
    })
  }

  /**
   * Creates a user (`POST /users.json`). QuickBlox's refusals (a taken login, email or
   * externalUserId, a short password) reject with {@link QuickBloxValidationError}, whose
   * `fields` may be shown beside a sign-up form's fields.
   */
  async createUser(user: NewQuickBloxUser): Promise<QuickBloxUser> {
    return this.#create(userBody(user), this.#deadline())
  }

  /** A user by QuickBlox id (`GET /users/{id}.json`); `undefined` when the application has none. */
  async getUser(id: number): Promise<QuickBloxUser | undefined> {
    return this.#find(`users/${userId(id, 'getUser')}.json`, this.#deadline())
  }

  /**
   * A user by QuickBlox's `external_user_id` (`GET /users/external/{id}.json`); `undefined` when
   * there is none. Any user can set their own: this finds whoever claims it, proof of nothing.
   */
  async getUserByExternalId(externalUserId: number | string): Promise<QuickBloxUser | undefined> {
    return this.#find(`users/external/${externalId(externalUserId)}.json`, this.#deadline())
  }

  /** A user by login, exactly as QuickBlox keeps it (`GET /users/by_login.json`); `undefined` when none. */
  async getUserByLogin(login: string): Promise<QuickBloxUser | undefined> {
    return this.#find(`users/by_login.json?login=${encodeURIComponent(field(login, 'login'))}`, this.#deadline())
  }

  /** A user by email, in any case (`GET /users/by_email.json`); `undefined` when none. */
  async getUserByEmail(email: string): Promise<QuickBloxUser | undefined> {
    return this.#find(`users/by_email.json?email=${encodeURIComponent(field(email, 'email'))}`, this.#deadline())
  }

  /**
   * Changes a user (`PUT /users/{id}.json` with the API key): the given fields only; a new
   * `password` needs no current one. Rejects with {@link QuickBloxNotFoundError} for a user the
   * application does not have, {@link QuickBloxValidationError} (`fields`) for QuickBlox's refusals.
   */
  async updateUser(id: number, changes: QuickBloxUserChanges): Promise<QuickBloxUser> {
    const body = userBody(changes, false)
    const reply = await this.#send('PUT', `users/${userId(id, 'updateUser')}.json`, this.#deadline(), { user: body })
    if (reply.status !== 200) throw errorFor(reply, 'admin', body.password)
    this.#forgetUser(id)
    return userOf(reply)
  }

  /**
   * Deletes a user (`DELETE /users/{id}.json` with the API key); QuickBlox ends their sessions.
   * Rejects with {@link QuickBloxNotFoundError} for a user the application does not have.
   */
  async deleteUser(id: number): Promise<void> {
    const reply = await this.#send('DELETE', `users/${userId(id, 'deleteUser')}.json`, this.#deadline())
    if (reply.status < 200 || reply.status >= 300) throw errorFor(reply, 'admin')
    this.#forgetUser(id)
  }

  /**
   * The QuickBlox user of `identity`, created on first sight: the one whose login is this
   * identity's (an HMAC under `identityKey`), whatever any user wrote in their own fields. Safe
   * under races: calls in this process for one identity share one lookup, and when instances
   * elsewhere create it at the same moment, QuickBlox keeps one (logins are unique) and the others
   * read it back. The other fields are used only to create the user; an email another QuickBlox
   * user holds is left out. An existing user is not updated.
   */
  async ensureUser(identity: QuickBloxIdentity): Promise<QuickBloxUser> {
    return { ...(await this.#ensure(this.#ask(identity))) }
  }

  /** A session token of this user (`POST /users/{id}/tokens`): 404 rejects with {@link QuickBloxNotFoundError}. */
  async issueToken(id: number): Promise<QuickBloxUserToken> {
    return this.#issue(userId(id, 'issueToken'), this.#deadline())
  }

  /**
   * `ensureUser()` then `issueToken()`, within one `timeout`: a token for the chat client of
   * whoever `identity` is. A user seen before costs one QuickBlox request; a new one three (a
   * lookup by login, the creation, the token), four when its email was taken.
   */
  async sessionFor(identity: QuickBloxIdentity): Promise<QuickBloxUserSession> {
    const ask = this.#ask(identity)
    const user = await this.#ensure(ask)
    try {
      return { ...(await this.#issue(user.id, ask.deadline)), user: { ...user } }
    } catch (error) {
      // A remembered user deleted at QuickBlox since: find or create it again at QuickBlox itself
      // (the shared store may hold the same stale user), and remember that one here and there.
      if (!(error instanceof QuickBloxNotFoundError) || !this.#users) throw error
      const again = this.#remember(ask.id, await this.#findOrCreate(ask))
      return { ...(await this.#issue(again.id, ask.deadline)), user: { ...again } }
    }
  }

  /**
   * Ends a user session token (`DELETE /session.json` with it). A token QuickBlox no longer knows
   * counts as ended. Every `QuickBloxTokenStrategy` of this process forgets it at once, and its
   * entry leaves the shared store (this client's `cache.store`, and the strategies'), so
   * instances sharing the store refuse it once their memory of it ends (their `ttlMs`).
   */
  async revokeToken(token: string): Promise<void> {
    if (!isSessionToken(token)) throw new TypeError('QuickBloxAdmin: revokeToken needs a session token')
    const reply = await this.#send('DELETE', 'session.json', this.#deadline(), undefined, token)
    if (reply.status !== 401 && (reply.status < 200 || reply.status >= 300)) throw errorFor(reply, 'logout')
    await Promise.all([revoked(token), this.#store?.delete(tokenStoreKey(this.#apiEndpoint, token))])
  }

  /** Frees sockets and forgets cached users; later calls reject. Call it when your server shuts down. */
  async close(): Promise<void> {
    this.#closing.abort()
    this.#users?.clear()
    this.#transport.close()
  }

  /**
   * This identity's QuickBlox login: `qb-` and 160 bits of HMAC-SHA256 under the identity key.
   * `replacing` names a linked user its owner deleted: the login of the user made in its place.
   */
  loginFor(externalUserId: number | string, replacing?: number): string {
    if (this.#identityKey === undefined) {
      throw new TypeError('QuickBloxAdmin: option identityKey is required to map your users to QuickBlox users')
    }
    // Each kind of login has its own label, and the ended user's id (digits) comes before the
    // identity: no identity's text can make another identity's replacement login.
    const mac = createHmac('sha256', this.#identityKey)
    if (replacing === undefined) mac.update('passport-quickblox login v1\0')
    else mac.update(`passport-quickblox replacement login v1\0${userId(replacing, 'loginFor')}\0`)
    mac.update(identityOf(externalUserId))
    return LOGIN_PREFIX + mac.digest('hex').slice(0, 40)
  }

  #deadline(): number {
    return Date.now() + this.#timeout
  }

  #ask(identity: QuickBloxIdentity): Ensure {
    if (typeof identity !== 'object' || identity === null)
      throw new TypeError('QuickBloxAdmin: an identity is required')
    if ('login' in identity || 'password' in identity) {
      throw new TypeError('QuickBloxAdmin: an identity has no login or password: they are made from externalUserId')
    }
    const id = identityOf(identity.externalUserId)
    const { quickbloxUserId: linked } = identity
    if (linked !== undefined) userId(linked, 'an identity with quickbloxUserId')
    // Checked now, so a malformed field fails the call before anything is asked.
    userBody({ ...identity, externalUserId: undefined })
    this.loginFor(id)
    return { id, identity, linked, deadline: this.#deadline() }
  }

  async #ensure(ask: Ensure): Promise<QuickBloxUser> {
    if (!this.#users) return this.#findOrCreate(ask)
    const cached = this.#users.get(ask.id)
    if (cached && (ask.linked === undefined || cached.id === ask.linked)) return cached
    // The app's own link decides: a user remembered under another id is asked about again.
    if (ask.linked !== undefined) return this.#remember(ask.id, await this.#findOrCreate(ask))
    const user = await this.#users.fetch(ask.id, { context: ask })
    if (!user) throw new QuickBloxUnavailableError('The QuickBlox admin client is closed')
    return user
  }

  /** Keeps a user found or made outside the cache's own loads, here and in the shared store. */
  #remember(id: string, user: QuickBloxUser): QuickBloxUser {
    if (!this.#users) return user
    this.#users.set(id, user)
    void this.#store?.write(this.#storeKey(id), user, this.#users.ttl)
    return user
  }

  /**
   * The identity's user at QuickBlox: the linked user when the app kept one, else the one found
   * by the identity's login, else a new one created with it.
   */
  async #findOrCreate({ id, identity, linked, deadline }: Ensure): Promise<QuickBloxUser> {
    let login = this.loginFor(id)
    if (linked !== undefined) {
      const user = await this.#find(`users/${linked}.json`, deadline)
      if (user) return user
      // Its owner deleted it, and whoever took its login since is not adopted: the new user gets
      // a login made for this identity and the ended user, which nobody can have known.
      login = this.loginFor(id, linked)
    }
    const lookUp = (): Promise<QuickBloxUser | undefined> =>
      this.#find(`users/by_login.json?login=${login}`, deadline).then((user) => user && checked(login, user))
    const found = await lookUp()
    if (found) return found
    const body = userBody({ ...identity, login, externalUserId: undefined })
    for (;;) {
      try {
        return checked(login, await this.#create(body, deadline))
      } catch (error) {
        if (!(error instanceof QuickBloxValidationError)) throw error
        // Another instance created it since we looked: QuickBlox kept theirs, so read it back.
        const winner = error.fields.login?.some(isTaken) ? await lookUp() : undefined
        if (winner) return winner
        // An email anyone may have taken first never blocks the user: they are created without it.
        if (body.email === undefined || !error.fields.email?.some(isTaken)) throw error
        delete body.email
      }
    }
  }

  /** A user read back from the shared store, if it is this identity's (untrusted: another process wrote it). */
  #ownUser(id: string, value: unknown): QuickBloxUser | undefined {
    const user = readUser({ user: value })
    return user?.login === this.loginFor(id) ? user : undefined
  }

  /** Forgets the cached identity whose user this is (after a change or a deletion), here and in the store. */
  #forgetUser(id: number): void {
    if (!this.#users) return
    for (const [key, user] of this.#users.entries()) {
      if (user.id !== id) continue
      this.#users.delete(key)
      void this.#store?.delete(this.#storeKey(key)).catch(() => {})
    }
  }

  async #create(body: Record<string, unknown> & { password?: string }, deadline: number): Promise<QuickBloxUser> {
    const reply = await this.#send('POST', 'users.json', deadline, { user: body })
    if (reply.status !== 201) throw errorFor(reply, 'create', body.password)
    return userOf(reply)
  }

  /** A user, or `undefined` when QuickBlox says it has none (404 with its own error body). */
  async #find(path: string, deadline: number): Promise<QuickBloxUser | undefined> {
    const reply = await this.#send('GET', path, deadline)
    if (reply.status === 200) return userOf(reply)
    const error = errorFor(reply, 'admin')
    if (error instanceof QuickBloxNotFoundError) return undefined
    throw error
  }

  async #issue(id: number, deadline: number): Promise<QuickBloxUserToken> {
    const reply = await this.#send('POST', `users/${id}/tokens`, deadline)
    if (reply.status !== 201) throw errorFor(reply, 'admin')
    const body = reply.body as { token?: unknown; expires_at?: unknown } | undefined
    const token = body?.token
    const expiresAt = Date.parse(typeof body?.expires_at === 'string' ? body.expires_at : '')
    if (!isSessionToken(token) || !Number.isFinite(expiresAt)) {
      throw new QuickBloxResponseError('QuickBlox answered a token request without a readable token')
    }
    return { token, expiresAt: new Date(expiresAt), userId: id }
  }

  /**
   * Every request goes through here, with the API key (or, to end it, a user's token): one
   * deadline, and each request gets what is left of it.
   */
  async #send(method: Method, path: string, deadline: number, json?: Record<string, unknown>, token?: string) {
    if (this.#closing.signal.aborted) throw new QuickBloxUnavailableError('The QuickBlox admin client is closed')
    const auth = token === undefined ? { apiKey: this.#apiKey } : { token }
    return this.#transport.sendBy(method, path, deadline, { ...auth, json, reportedTimeoutMs: this.#timeout })
  }

  #storeKey(id: string): string {
    // The host and the identity: nothing derived from a secret, so rotating a key empties nothing.
    return `${PREFIX}${hostKey(this.#apiEndpoint)}:${id}`
  }
}

/** The user, if it has the login asked for (QuickBlox's lookup is exact: anything else is not its answer). */
function checked(login: string, user: QuickBloxUser): QuickBloxUser {
  if (user.login !== login) {
    throw new QuickBloxResponseError("QuickBlox answered a lookup by login with another login's user")
  }
  return user
}

/** An identity as text: 1 to 255 characters of well-formed Unicode, or a positive integer in decimal. */
function identityOf(value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value)
  if (typeof value === 'string' && value.length >= 1 && value.length <= MAX_IDENTITY && !LONE_SURROGATE.test(value)) {
    return value
  }
  throw new TypeError(
    `QuickBloxAdmin: externalUserId must be text of 1 to ${MAX_IDENTITY} characters or a positive integer`,
  )
}

/** QuickBlox's external_user_id: a positive integer, written in decimal. */
function externalId(value: unknown): string {
  const id = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
    throw new TypeError('QuickBloxAdmin: externalUserId must be a positive integer (or its decimal text)')
  }
  return String(id)
}

function userId(id: unknown, method: string): number {
  if (!Number.isSafeInteger(id) || (id as number) <= 0) {
    throw new TypeError(`QuickBloxAdmin: ${method} needs a positive integer user id`)
  }
  return id as number
}

function field(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_FIELD) {
    throw new TypeError(`QuickBloxAdmin: ${name} must be text of 1 to ${MAX_FIELD} characters`)
  }
  return value
}

/**
 * QuickBlox's `user` body from ours: only the listed fields, each checked and bounded. A new user
 * (`create`) gets a strong random password when none is given; changes carry one only when given.
 */
function userBody(user: NewQuickBloxUser, create = true): Record<string, unknown> & { password?: string } {
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
  if (!create) return password === undefined ? body : { ...body, password }
  // 24 random bytes: 32 characters, within QuickBlox's 8 to 40. Nobody signs in with it.
  return { ...body, password: password ?? randomBytes(24).toString('base64url') }
}

function userOf(reply: Reply): QuickBloxUser {
  const user = readUser(reply.body)
  if (!user) throw new QuickBloxResponseError('QuickBlox answered without a readable user')
  return user
}

const isTaken = (message: string): boolean => /taken/i.test(message)
