import { LRUCache } from 'lru-cache'
import { Strategy, type StrategyRequest } from './passport.js'
import {
  DEFAULT_API_ENDPOINT,
  QuickBloxClient,
  type QuickBloxTokenCheckOptions,
  type QuickBloxTokenChecker,
} from './quickblox/client.js'
import { QuickBloxCredentialsError } from './quickblox/errors.js'
import { USER_FIELDS, type QuickBloxSession, type QuickBloxUser, type QuickBloxUserField } from './quickblox/types.js'
import { isSessionToken, readUser } from './quickblox/validate.js'
import type { VerifyCallback, VerifyFunction, VerifyFunctionWithRequest } from './strategy.js'
import { callVerify } from './verify.js'
import { noteCache, noteFailure, noteUser, traceTokenCheck } from './diagnostics.js'
import {
  clockOptions,
  forgetRevoked,
  hostKey,
  positive,
  readCacheOptions,
  SharedStore,
  tokenKey,
} from './shared-store.js'

/**
 * Where several instances of the strategy share their validations (e.g. Redis): a shortcut, never
 * a dependency. Values are short JSON strings; keys hold no token, only its SHA-256 (see
 * docs/tokens.md). Each call has `cache.storeTimeoutMs`: a `get` or `set` that fails or runs out
 * of time is a miss (QuickBlox is asked), and a `set` is never awaited by a check; a `delete` that
 * fails or runs out of time rejects `forget()` and `logout()`.
 */
export interface TokenCacheStore {
  get(key: string): Promise<string | null | undefined>
  /** Store `value` for `ttlMs` milliseconds (e.g. Redis `SET key value PX ttlMs`). */
  set(key: string, value: string, ttlMs: number): Promise<unknown>
  delete(key: string): Promise<unknown>
}

export interface TokenCacheOptions {
  /**
   * How long a validation is trusted, in ms. Default 60000. A token destroyed at QuickBlox is
   * still accepted here for up to this long (end it with `logout(token)` at sign-out).
   */
  ttlMs?: number
  /**
   * Most tokens kept in memory, and apart as many refused tokens and as many users; the least
   * recently used go first. Default 10000, at most 1000000 (memory is set aside for `max` up front).
   */
  max?: number
  /** How long a refused token is remembered, in ms (at most `ttlMs`). Default 5000. */
  negativeTtlMs?: number
  /** A store shared by several instances; the in-memory cache stays in front of it. */
  store?: TokenCacheStore
  /** Milliseconds each call to `store` may take before it counts as failed. Default 200, at most 60000. */
  storeTimeoutMs?: number
  /**
   * The user fields kept in the cache and the store, and so given to `verify` (the others are
   * `null`, or `false` for flags); `id`, `created_at` and `updated_at` always are. Default: all,
   * email and phone included. Narrow it to what `verify` needs.
   */
  userFields?: readonly QuickBloxUserField[]
  /**
   * The clock entries are timed by, in ms since the epoch (lru-cache's `perf`, the shared store's
   * entry times, a token's expiry). Default `Date.now`. Tests pass a fake one to end entries
   * without waiting; QuickBlox calls keep their real timeouts.
   */
  now?: () => number
}

interface TokenStrategyOptionsBase extends QuickBloxTokenCheckOptions {
  /** The name to use with `passport.authenticate()`. Default `'quickblox-token'`. */
  name?: string
  /** Validations kept in memory (and optionally in a shared store); `false` asks QuickBlox on every request. */
  cache?: TokenCacheOptions | false
  /** Also read the token from QuickBlox's own `QB-Token` header. Default `false`: only `Authorization: Bearer`. */
  qbTokenHeader?: boolean
  /** Whether `verify` takes the request as its first argument. Default `false`. */
  passReqToCallback?: boolean
}
export interface QuickBloxTokenStrategyOptions extends TokenStrategyOptionsBase {
  passReqToCallback?: false
}
export interface QuickBloxTokenStrategyOptionsWithRequest extends TokenStrategyOptionsBase {
  passReqToCallback: true
}

/** What `GET /session.json` told about a token. An unknown token is one with no user of no application. */
interface TokenFacts {
  userId: number
  applicationId: number
  expiresAt: number
}
const UNKNOWN: TokenFacts = { userId: 0, applicationId: 0, expiresAt: 0 }
/** What a look-up needs to ask QuickBlox: the token itself (never a key) and the request's time budget. */
interface Ask {
  token: string
  deadline: number
}
/** A user read that QuickBlox refused, with the check whose token it was sent with. */
class UserRefused extends Error {
  constructor(
    readonly ask: Ask,
    readonly refusal: QuickBloxCredentialsError,
  ) {
    super(refusal.message)
  }
}

// RFC 6750 §3: a request without a token gets the bare challenge, a malformed one 400
// invalid_request, a refused one 401 invalid_token.
const CHALLENGE = 'Bearer realm="QuickBlox"'
const INVALID_REQUEST = 'Bearer realm="QuickBlox", error="invalid_request"'
const INVALID_TOKEN = 'Bearer realm="QuickBlox", error="invalid_token"'
/** A request whose Bearer credential (or QB-Token) is not one token of the right shape. */
const MALFORMED = Symbol('malformed')
const PREFIX = 'passport-quickblox:'

/**
 * Passport strategy for API requests that carry a QuickBlox session token, as mobile and browser
 * clients of the QuickBlox SDK hold one: `Authorization: Bearer <token>`. QuickBlox says whose
 * token it is (`GET /session.json`, then `GET /users/{id}.json`); the answers are cached, since
 * QuickBlox limits requests per second. No auth key or secret is needed.
 */
export class QuickBloxTokenStrategy<Req extends StrategyRequest = StrategyRequest> extends Strategy<Req> {
  name: string
  /** The protocol client the tokens are checked (and ended) with. */
  readonly client: QuickBloxTokenChecker
  // Plain properties, not #private: Passport runs authenticate() on Object.create(strategy).
  private readonly verify: VerifyFunction | VerifyFunctionWithRequest<Req>
  private readonly passReqToCallback: boolean
  private readonly qbTokenHeader: boolean
  private readonly appId: number
  private readonly timeout: number
  /** The QuickBlox host's fingerprint, as store keys name it (computed once, not per check). */
  private readonly host: string
  /** User keys in the store start with this: the application, and a fingerprint of the QuickBlox host. */
  private readonly keyPrefix: string
  /** Stops this strategy hearing of tokens revoked in this process (see `QuickBloxAdmin.revokeToken`). */
  private readonly unlisten: () => void
  private readonly ttlMs: number
  private readonly negativeTtlMs: number
  /** Accepted tokens and refused ones apart, so refusals never push a valid token out. */
  private readonly accepted: LRUCache<string, TokenFacts> | undefined
  private readonly refused: LRUCache<string, true> | undefined
  /** Look-ups under way, by key: concurrent requests with one token share one (single-flight). */
  private readonly pending = new Map<string, Promise<TokenFacts>>()
  private readonly users: LRUCache<number, QuickBloxUser, Ask> | undefined
  private readonly store: SharedStore | undefined
  private readonly userFields: readonly QuickBloxUserField[] | undefined
  private readonly now: () => number = Date.now

  constructor(options: QuickBloxTokenStrategyOptions, verify: VerifyFunction)
  constructor(options: QuickBloxTokenStrategyOptionsWithRequest, verify: VerifyFunctionWithRequest<Req>)
  constructor(options: TokenStrategyOptionsBase, verify: VerifyFunction | VerifyFunctionWithRequest<Req>) {
    super()
    const bad = (message: string): never => {
      throw new TypeError(`QuickBloxTokenStrategy: ${message}`)
    }
    if (typeof options !== 'object' || options === null) bad('options are required')
    if (typeof verify !== 'function') bad('a verify function is required')
    const { name, cache = {}, qbTokenHeader, passReqToCallback, appId, timeout = 10_000 } = options
    const { apiEndpoint = DEFAULT_API_ENDPOINT, allowInsecureHttp } = options
    if (name !== undefined && (typeof name !== 'string' || name === '')) bad('option name must be a non-empty string')
    for (const [flag, value] of Object.entries({ qbTokenHeader, passReqToCallback })) {
      if (value !== undefined && typeof value !== 'boolean') bad(`option ${flag} must be true or false`)
    }
    const { maxSockets } = options
    this.client = QuickBloxClient.forTokenChecks({ appId, apiEndpoint, allowInsecureHttp, timeout, maxSockets })
    this.name = name ?? 'quickblox-token'
    this.appId = Number(appId)
    this.timeout = timeout
    this.qbTokenHeader = qbTokenHeader === true
    this.passReqToCallback = passReqToCallback === true
    this.verify = verify
    this.host = hostKey(apiEndpoint)
    this.keyPrefix = `${this.appId}:${this.host}`
    if (cache === false) {
      this.ttlMs = this.negativeTtlMs = 0
      this.unlisten = (): void => {}
      return
    }
    if (typeof cache !== 'object' || cache === null) bad('option cache must be false or an object')
    const { ttlMs, max, store, storeTimeoutMs, now } = readCacheOptions(cache, { ttlMs: 60_000 }, bad)
    const { negativeTtlMs = 5000, userFields } = cache
    if (!positive(negativeTtlMs)) bad('cache negativeTtlMs must be a positive integer')
    const known = (field: unknown): boolean => typeof field === 'string' && Object.hasOwn(USER_FIELDS, field)
    if (userFields !== undefined && !(Array.isArray(userFields) && userFields.every(known))) {
      bad('cache userFields must be a list of QuickBlox user field names')
    }
    if (now) this.now = now
    const clock = clockOptions(now)
    this.store = store && new SharedStore(store, storeTimeoutMs, 'QuickBloxTokenStrategy: the token store', this.now)
    this.userFields = userFields
    this.ttlMs = ttlMs
    this.negativeTtlMs = Math.min(negativeTtlMs, ttlMs)
    this.accepted = new LRUCache<string, TokenFacts>({ max, ttl: ttlMs, ...clock })
    this.refused = new LRUCache<string, true>({ max, ttl: this.negativeTtlMs, ...clock })
    // lru-cache's fetch() reads a user once, however many requests wait for it, and never keeps a
    // read that threw: 5xx, timeouts and rate limits are not cached. A read evicted (max)
    // meanwhile still answers its waiters (ignoreFetchAbort), but is not kept.
    this.users = new LRUCache<number, QuickBloxUser, Ask>({
      max,
      ttl: ttlMs,
      ...clock,
      ignoreFetchAbort: true,
      fetchMethod: async (id, _stale, { options: entry, context }) => {
        const load = async (): Promise<QuickBloxUser> => this.narrow(await this.readUser(id, context))
        if (!this.store) return load()
        const read = (value: unknown): QuickBloxUser | undefined => {
          const user = readUser({ user: value })
          return user?.id === id ? this.narrow(user) : undefined
        }
        return this.store.through(`${PREFIX}user:${this.keyPrefix}:${id}`, read, load, ttlMs, entry)
      },
    })
    // A token revoked with QuickBloxAdmin in this process is refused here at once.
    this.unlisten = forgetRevoked(this)
  }

  /** Called by Passport: token → {@link check} → `verify` → exactly one of success/fail/error. */
  override authenticate(req: Req): void {
    const token = this.readToken(req)
    traceTokenCheck(this, (self) => {
      if (token === undefined) {
        noteFailure({ code: 'no_token' })
        return self.fail(CHALLENGE, 401)
      }
      if (token === MALFORMED) {
        noteFailure({ code: 'invalid_request' })
        // Passport itself sends a challenge with a 401 only.
        const res = (req as { res?: { setHeader?: (name: string, value: string) => unknown } }).res
        if (typeof res?.setHeader === 'function') res.setHeader('WWW-Authenticate', INVALID_REQUEST)
        return self.fail(INVALID_REQUEST, 400)
      }
      self.check(token).then(
        (found) => {
          if (found) return self.callVerify(req, found.user, found.session)
          noteFailure({ code: 'invalid_token' })
          self.fail(INVALID_TOKEN, 401)
        },
        (err: unknown) => self.error(err as Error),
      )
    })
  }

  private callVerify(req: Req, user: QuickBloxUser, session: QuickBloxSession): void {
    const invoke = (done: VerifyCallback): unknown =>
      this.passReqToCallback
        ? (this.verify as VerifyFunctionWithRequest<Req>)(req, user, session, done)
        : (this.verify as VerifyFunction)(user, session, done)
    // A user the app refuses: the token is no good here, in RFC 6750's words.
    callVerify(this, invoke, () => this.fail(INVALID_TOKEN, 401), 'QuickBloxTokenStrategy')
  }

  /**
   * Whose token this is: the user and session when it is a live user session of this
   * application, `undefined` when QuickBlox refuses it or it is not a token at all; rejects with
   * QuickBloxError when QuickBlox cannot tell (5xx, unreachable, timeout, 429, unreadable). The
   * whole check, two calls included, ends within `timeout`.
   */
  async check(token: string): Promise<{ user: QuickBloxUser; session: QuickBloxSession } | undefined> {
    if (!isSessionToken(token)) return undefined
    const ask: Ask = { token, deadline: Date.now() + this.timeout }
    const facts = await this.facts(ask)
    if (!facts) return undefined
    let user: QuickBloxUser
    try {
      user = await this.user(facts.userId, ask)
    } catch (error) {
      // The token died, or its user is gone, between the two calls: forget it rather than trust it again.
      if (!(error instanceof UserRefused)) throw error
      await this.forget(token).catch(() => undefined)
      return undefined
    }
    noteUser(user.id)
    const { userId, applicationId, expiresAt } = facts
    // A copy: a caller that changes it changes nothing the next check returns.
    return { user: { ...user }, session: { token, userId, applicationId, expiresAt: new Date(expiresAt) } }
  }

  /**
   * Ends the token at QuickBlox (`DELETE /session.json` with it), then forgets it here and in the
   * shared store. Call it when a client signs out through your backend. A token QuickBlox no
   * longer knows counts as ended; anything but a token is a TypeError.
   */
  async logout(token: string): Promise<void> {
    await this.client.logout(token)
    await this.forget(token)
  }

  /**
   * Stops trusting a token here and in the shared store, without telling QuickBlox (where it
   * still works: {@link logout} ends it there too). Rejects when the store cannot be told; this
   * instance then refuses the token for `ttlMs`, rather than believe the store's copy again.
   */
  async forget(token: string): Promise<void> {
    if (!isSessionToken(token)) return
    const key = tokenKey(this.host, token)
    this.accepted?.delete(key)
    this.refused?.delete(key)
    // A look-up under way still answers its waiters, but is no longer kept.
    this.pending.delete(key)
    await this.store?.delete(key).catch((error: unknown) => {
      // The store still holds it, and would be believed here again: refused here instead, for as
      // long as a shared entry can last.
      this.refused?.set(key, true, { ttl: this.ttlMs })
      throw error
    })
  }

  /** Frees the client's sockets. Call it when your server shuts down. */
  close(): Promise<void> {
    this.unlisten()
    this.accepted?.clear()
    this.refused?.clear()
    this.pending.clear()
    this.users?.clear()
    return this.client.close()
  }

  /** `Authorization: Bearer <token>`, or `QB-Token` when allowed; `undefined` when neither is there. */
  private readToken(req: StrategyRequest): string | typeof MALFORMED | undefined {
    const authorization = req.headers.authorization
    // Another scheme is no Bearer credential at all; a Bearer one must be exactly one token.
    const bearer =
      authorization === undefined || !/^bearer(?: |$)/i.test(authorization)
        ? undefined
        : validToken(authorization.slice(6).replace(/^ +| +$/g, ''))
    const qbToken =
      this.qbTokenHeader && req.headers['qb-token'] !== undefined ? validToken(req.headers['qb-token']) : undefined
    // Two that differ are malformed; else the one given, which may be MALFORMED itself.
    if (bearer !== undefined && qbToken !== undefined && bearer !== qbToken) return MALFORMED
    return bearer ?? qbToken
  }

  /** The token's facts when this application accepts it, from the caches or a look-up; `undefined` when refused. */
  private async facts(ask: Ask): Promise<TokenFacts | undefined> {
    if (!this.accepted || !this.refused) {
      noteCache('miss')
      return this.accepts(await this.askSession(ask))
    }
    const key = tokenKey(this.host, ask.token)
    const hit = this.accepted.get(key)
    if (hit) {
      noteCache('hit')
      return hit
    }
    if (this.refused.get(key)) {
      noteCache('negative')
      return undefined
    }
    const under = this.pending.get(key)
    // A miss is noted before QuickBlox is asked: a check it cannot answer was a miss too.
    noteCache(under ? 'joined' : 'miss')
    return this.accepts(await (under ?? this.lookUp(key, ask)))
  }

  /** The shared store's entry, else QuickBlox's answer, kept (and shared) unless forgotten meanwhile. */
  private lookUp(key: string, ask: Ask): Promise<TokenFacts> {
    const settle = (): boolean => {
      const current = this.pending.get(key) === loading
      if (current) this.pending.delete(key)
      return current
    }
    const loading: Promise<TokenFacts> = (async () => {
      const shared = await this.store?.read(key, readFacts)
      const facts = shared?.value ?? (await this.askSession(ask))
      // Trusted no longer than this instance's settings say, whatever the store's writer said:
      // a refused token only briefly (it may be logged in later), a valid one never past its expiry.
      const accepted = this.accepts(facts) !== undefined
      const bound = accepted ? Math.min(this.ttlMs, facts.expiresAt - this.now()) : this.negativeTtlMs
      const ttl = Math.max(1, Math.min(bound, shared?.ttl ?? bound))
      if (!settle()) return facts
      if (accepted) this.accepted!.set(key, facts, { ttl })
      else this.refused!.set(key, true, { ttl })
      // Not awaited: a write never holds the answer.
      if (!shared) void this.store?.write(key, facts, ttl)
      return facts
    })()
    loading.catch(settle)
    this.pending.set(key, loading)
    return loading
  }

  private accepts(facts: TokenFacts): TokenFacts | undefined {
    return facts.userId > 0 && facts.applicationId === this.appId ? facts : undefined
  }

  /**
   * The user, from the cache or read once for all waiting. A read another request's token made
   * fails for that request only: this one asks again with its own token.
   */
  private async user(id: number, ask: Ask): Promise<QuickBloxUser> {
    if (!this.users) return this.readUser(id, ask)
    try {
      // fetch() resolves undefined only when fetchMethod does, which ours never does.
      return this.users.get(id) ?? (await this.users.fetch(id, { context: ask }))!
    } catch (error) {
      if (!(error instanceof UserRefused) || error.ask.token === ask.token) throw error
      const user = this.narrow(await this.readUser(id, ask))
      this.users.set(id, user)
      return user
    }
  }

  /** The user with only `userFields` (whoever wrote it, when it comes from the store). */
  private narrow(user: QuickBloxUser): QuickBloxUser {
    if (!this.userFields) return user
    const kept: Record<string, unknown> = {}
    for (const field of ['id', 'created_at', 'updated_at', ...this.userFields] as const) kept[field] = user[field]
    // The absent fields become null (flags false), as in any reply of QuickBlox's.
    return readUser({ user: kept })!
  }

  /** `GET /users/{id}.json` with the check's token. */
  private async readUser(id: number, ask: Ask): Promise<QuickBloxUser> {
    try {
      return await this.client.getUser(id, ask.token, ask.deadline)
    } catch (error) {
      throw error instanceof QuickBloxCredentialsError ? new UserRefused(ask, error) : error
    }
  }

  /** `GET /session.json` with the token; a token QuickBlox does not know becomes {@link UNKNOWN}. */
  private async askSession({ token, deadline }: Ask): Promise<TokenFacts> {
    try {
      const session = await this.client.getSession(token, deadline)
      return { userId: session.userId, applicationId: session.applicationId, expiresAt: session.expiresAt.getTime() }
    } catch (error) {
      if (error instanceof QuickBloxCredentialsError) return UNKNOWN
      throw error
    }
  }
}

/** A header value that is one token, {@link MALFORMED} otherwise. */
function validToken(value: unknown): string | typeof MALFORMED {
  return isSessionToken(value) ? value : MALFORMED
}

/** Token facts read back from the shared store (untrusted: another process wrote them). */
function readFacts(value: unknown): TokenFacts | undefined {
  const facts = value as Partial<TokenFacts> | null
  if (typeof facts !== 'object' || facts === null) return undefined
  const { userId, applicationId, expiresAt } = facts
  const ok = [userId, applicationId, expiresAt].every((n) => Number.isSafeInteger(n) && (n as number) >= 0)
  return ok ? { userId: userId!, applicationId: applicationId!, expiresAt: expiresAt! } : undefined
}
