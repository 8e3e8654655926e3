import { createHash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { Strategy, type StrategyRequest } from './passport.js'
import { QuickBloxClient, type QuickBloxTokenCheckOptions, type QuickBloxTokenChecker } from './quickblox/client.js'
import { QuickBloxCredentialsError } from './quickblox/errors.js'
import type { QuickBloxSession, QuickBloxUser } from './quickblox/types.js'
import { readUser } from './quickblox/validate.js'
import type { VerifyCallback, VerifyFunction, VerifyFunctionWithRequest } from './strategy.js'
import { callVerify } from './verify.js'
import { noteCache, noteUser, traceTokenCheck } from './diagnostics.js'

/**
 * Where several instances of the strategy share their validations (e.g. Redis). Values are
 * short JSON strings; keys are prefixed `passport-quickblox:` and hold no token, only its SHA-256.
 * A failing `get`/`set` is treated as a miss (QuickBlox is asked); a failing `delete` rejects `forget()`.
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
   * still accepted here for up to this long (call `forget(token)` at sign-out).
   */
  ttlMs?: number
  /** Most tokens (and, apart, users) kept in memory; the least recently used go first. Default 10000. */
  max?: number
  /** How long a refused token is remembered, in ms (at most `ttlMs`). Default 5000. */
  negativeTtlMs?: number
  /** A store shared by several instances; the in-memory cache stays in front of it. */
  store?: TokenCacheStore
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
/** An entry read from the shared store, with the time it has left there. */
interface Shared<T> {
  value: T
  ttl: number
}
/** What a cache miss needs to ask QuickBlox: the token itself (never a key) and the request's time budget. */
interface Ask {
  token: string
  deadline: number
}

// RFC 6750: a request without a usable token gets the bare challenge, a refused token says why.
const CHALLENGE = 'Bearer realm="QuickBlox"'
const INVALID_TOKEN = 'Bearer realm="QuickBlox", error="invalid_token"'
/** RFC 6750's b64token, bounded. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]{1,1024}=*) *$/i
const TOKEN = /^[A-Za-z0-9\-._~+/]{1,1024}=*$/
const PREFIX = 'passport-quickblox:'

const hash = (token: string): string => createHash('sha256').update(token).digest('hex')

/**
 * Passport strategy for API requests that carry a QuickBlox session token, as mobile and browser
 * clients of the QuickBlox SDK hold one: `Authorization: Bearer <token>`. QuickBlox says whose
 * token it is (`GET /session.json`, then `GET /users/{id}.json`); the answers are cached, since
 * QuickBlox limits requests per second. No auth key or secret is needed.
 */
export class QuickBloxTokenStrategy<Req extends StrategyRequest = StrategyRequest> extends Strategy<Req> {
  name: string
  /** The protocol client the tokens are checked with. */
  readonly client: QuickBloxTokenChecker
  // Plain properties, not #private: Passport runs authenticate() on Object.create(strategy).
  private readonly verify: VerifyFunction | VerifyFunctionWithRequest<Req>
  private readonly passReqToCallback: boolean
  private readonly qbTokenHeader: boolean
  private readonly appId: number
  private readonly timeout: number
  private readonly tokens: LRUCache<string, TokenFacts, Ask> | undefined
  private readonly users: LRUCache<number, QuickBloxUser, Ask> | undefined
  private readonly store: TokenCacheStore | undefined

  constructor(options: QuickBloxTokenStrategyOptions, verify: VerifyFunction)
  constructor(options: QuickBloxTokenStrategyOptionsWithRequest, verify: VerifyFunctionWithRequest<Req>)
  constructor(options: TokenStrategyOptionsBase, verify: VerifyFunction | VerifyFunctionWithRequest<Req>) {
    super()
    const bad = (message: string): never => {
      throw new TypeError(`QuickBloxTokenStrategy: ${message}`)
    }
    if (typeof options !== 'object' || options === null) bad('options are required')
    if (typeof verify !== 'function') bad('a verify function is required')
    const { name, cache = {}, qbTokenHeader, passReqToCallback, appId, apiEndpoint, timeout = 10_000 } = options
    if (name !== undefined && (typeof name !== 'string' || name === '')) bad('option name must be a non-empty string')
    for (const [flag, value] of Object.entries({ qbTokenHeader, passReqToCallback })) {
      if (value !== undefined && typeof value !== 'boolean') bad(`option ${flag} must be true or false`)
    }
    this.client = QuickBloxClient.forTokenChecks({ appId, apiEndpoint, timeout })
    this.name = name ?? 'quickblox-token'
    this.appId = Number(appId)
    this.timeout = timeout
    this.qbTokenHeader = qbTokenHeader === true
    this.passReqToCallback = passReqToCallback === true
    this.verify = verify
    if (cache === false) return
    if (typeof cache !== 'object' || cache === null) bad('option cache must be false or an object')
    const { ttlMs = 60_000, max = 10_000, negativeTtlMs = 5000, store } = cache
    const positive = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) > 0
    if (!positive(ttlMs) || !positive(max) || !positive(negativeTtlMs)) {
      bad('cache ttlMs, max and negativeTtlMs must be positive integers')
    }
    const methods = (store ?? {}) as Record<string, unknown>
    if (store !== undefined && !['get', 'set', 'delete'].every((m) => typeof methods[m] === 'function')) {
      bad('cache store must have get, set and delete methods')
    }
    this.store = store
    // lru-cache's fetch() loads a missing key once, however many requests wait for it (single-flight),
    // and never keeps a load that threw: 5xx, timeouts and rate limits are not cached. A load whose
    // entry is deleted (forget) or evicted (max) meanwhile still answers its waiters
    // (ignoreFetchAbort), but is not kept.
    this.tokens = new LRUCache<string, TokenFacts, Ask>({
      max,
      ttl: ttlMs,
      ignoreFetchAbort: true,
      fetchMethod: async (key, _stale, { options: entry, context, signal }) => {
        const shared = await this.shared(`${PREFIX}token:${key}`, readFacts)
        if (shared) {
          entry.ttl = shared.ttl
          return shared.value
        }
        const facts = await this.askSession(context)
        const refused = facts.userId <= 0 || facts.applicationId !== this.appId
        // Never trusted beyond the token's known expiry; a refused token only briefly (it may be logged in later).
        const trusted = refused ? Math.min(negativeTtlMs, ttlMs) : Math.min(ttlMs, facts.expiresAt - Date.now())
        const ttl = Math.max(1, trusted)
        entry.ttl = ttl
        if (!signal.aborted) await this.share(`${PREFIX}token:${key}`, facts, ttl)
        return facts
      },
    })
    this.users = new LRUCache<number, QuickBloxUser, Ask>({
      max,
      ttl: ttlMs,
      ignoreFetchAbort: true,
      fetchMethod: async (id, _stale, { options: entry, context }) => {
        const shared = await this.shared(`${PREFIX}user:${this.appId}:${id}`, (value) => readUser({ user: value }))
        if (shared) {
          entry.ttl = shared.ttl
          return shared.value
        }
        const user = await this.client.getUser(id, context.token, context.deadline)
        await this.share(`${PREFIX}user:${this.appId}:${id}`, user, ttlMs)
        return user
      },
    })
  }

  /** Called by Passport: token → {@link check} → `verify` → exactly one of success/fail/error. */
  override authenticate(req: Req): void {
    const token = this.readToken(req)
    if (token === undefined) return this.fail(CHALLENGE, 401)
    traceTokenCheck(this, (self) => {
      self.check(token).then(
        (found) => (found ? self.callVerify(req, found.user, found.session) : self.fail(INVALID_TOKEN, 401)),
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
   * application, `undefined` when QuickBlox refuses it; rejects with QuickBloxError when
   * QuickBlox cannot tell (5xx, unreachable, timeout, 429, unreadable). The whole check, two
   * calls included, ends within `timeout`.
   */
  async check(token: string): Promise<{ user: QuickBloxUser; session: QuickBloxSession } | undefined> {
    const ask: Ask = { token, deadline: Date.now() + this.timeout }
    const key = hash(token)
    // A hit is answered by get() without a promise of lru-cache's; fetch() loads a miss, once for all waiting.
    const cached = this.tokens?.get(key)
    // A miss is noted before QuickBlox is asked: a check it cannot answer was a miss too.
    if (cached === undefined) noteCache('miss')
    const facts = cached ?? (this.tokens ? await this.tokens.fetch(key, { context: ask }) : await this.askSession(ask))
    const refused = !facts || facts.userId <= 0 || facts.applicationId !== this.appId
    if (cached !== undefined) noteCache(refused ? 'negative' : 'hit')
    if (refused) return undefined
    let user: QuickBloxUser | undefined
    try {
      user = this.users
        ? (this.users.get(facts.userId) ?? (await this.users.fetch(facts.userId, { context: ask })))
        : await this.client.getUser(facts.userId, token, ask.deadline)
    } catch (error) {
      // The token died, or its user is gone, between the two calls: forget it rather than trust it again.
      if (!(error instanceof QuickBloxCredentialsError)) throw error
      await this.forget(token).catch(() => undefined)
      return undefined
    }
    if (!user) return undefined
    noteUser(user.id)
    const { userId, applicationId, expiresAt } = facts
    return { user, session: { token, userId, applicationId, expiresAt: new Date(expiresAt) } }
  }

  /** Stops trusting a token (call it at sign-out), here and in the shared store. */
  async forget(token: string): Promise<void> {
    if (typeof token !== 'string') return
    const key = hash(token)
    this.tokens?.delete(key)
    await this.store?.delete(`${PREFIX}token:${key}`)
  }

  /** Frees the client's sockets. Call it when your server shuts down. */
  close(): Promise<void> {
    this.tokens?.clear()
    this.users?.clear()
    return this.client.close()
  }

  /** `Authorization: Bearer <token>`, or `QB-Token` when allowed; `undefined` when absent, malformed or ambiguous. */
  private readToken(req: StrategyRequest): string | undefined {
    const authorization = req.headers.authorization
    const bearer = authorization === undefined ? undefined : (BEARER.exec(authorization)?.[1] ?? null)
    const header = this.qbTokenHeader ? req.headers['qb-token'] : undefined
    const qbToken = header === undefined ? undefined : typeof header === 'string' && TOKEN.test(header) ? header : null
    if (bearer === null || qbToken === null) return undefined
    if (bearer !== undefined && qbToken !== undefined && bearer !== qbToken) return undefined
    return bearer ?? qbToken
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

  /** An entry of the shared store, with the time it has left; a miss when absent, unreadable, or the store fails. */
  private async shared<T>(key: string, read: (value: unknown) => T | undefined): Promise<Shared<T> | undefined> {
    if (!this.store) return undefined
    try {
      const text = await this.store.get(key)
      if (typeof text !== 'string' || text.length > 64 * 1024) return undefined
      const { value, until } = JSON.parse(text) as { value?: unknown; until?: unknown }
      const ttl = typeof until === 'number' ? until - Date.now() : 0
      const checked = read(value)
      return checked !== undefined && ttl >= 1 ? { value: checked, ttl } : undefined
    } catch {
      return undefined
    }
  }

  /** Stores an entry for other instances; `until` keeps a copy from living longer than the original. */
  private async share(key: string, value: unknown, ttl: number): Promise<void> {
    try {
      await this.store?.set(key, JSON.stringify({ value, until: Date.now() + ttl }), ttl)
    } catch {
      // The store is a shortcut: this instance goes on with its own cache.
    }
  }
}

/** Token facts read back from the shared store (untrusted: another process wrote them). */
function readFacts(value: unknown): TokenFacts | undefined {
  const facts = value as Partial<TokenFacts> | null
  if (typeof facts !== 'object' || facts === null) return undefined
  const { userId, applicationId, expiresAt } = facts
  const ok = [userId, applicationId, expiresAt].every((n) => Number.isSafeInteger(n) && (n as number) >= 0)
  return ok ? { userId: userId!, applicationId: applicationId!, expiresAt: expiresAt! } : undefined
}
