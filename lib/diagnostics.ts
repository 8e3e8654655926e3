/**
 * What this package publishes on Node's `diagnostics_channel`, for metrics and traces. The
 * channel names and context fields are public API: fields may be added, never renamed.
 *
 * Nothing secret ever reaches a context: no password, token, auth key or secret, login or email.
 * Node's `tracePromise` puts the traced function's result (or error) on the context, so every
 * traced function here resolves with nothing, and rejects only with one of our errors (which
 * carry nothing secret). With no subscriber, nothing is built or published.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { channel, tracingChannel } from 'node:diagnostics_channel'
import { QuickBloxError } from './quickblox/errors.js'
import type { LoginMethod } from './quickblox/types.js'

/** The channel names, for `diagnostics_channel.tracingChannel()` and `subscribe()`. */
export const CHANNELS = {
  /** Tracing channel: one trace per `QuickBloxStrategy` authentication that reaches QuickBlox. */
  login: 'passport-quickblox:login',
  /** Tracing channel: one trace per bearer-token check. */
  token: 'passport-quickblox:token',
  /** Tracing channel: one trace per HTTP request to QuickBlox. */
  request: 'passport-quickblox:request',
  /** Plain channel: session pool events (`PoolMessage`). */
  pool: 'passport-quickblox:pool',
  /** Plain channel: a token store (`cache.store`) that failed or did not answer in time (`StoreMessage`). */
  store: 'passport-quickblox:store',
} as const

/** How an authentication ended: which of Passport's `success`, `fail` or `error` the strategy called. */
export type Outcome = 'success' | 'fail' | 'error'

/** Context of a `passport-quickblox:login` trace. Fields marked "by the end" are set when it ends. */
export interface LoginContext {
  /** How the user logs in. */
  method: LoginMethod
  /** By the end: how the authentication ended. */
  outcome?: Outcome
  /** By the end: the `fail` status (401, 403, 400) or the error's `status` (e.g. 503); absent on success. */
  status?: number
  /** By the end: the `code` of our error behind a `fail` or `error` (e.g. `QB_INVALID_CREDENTIALS`, `QB_TIMEOUT`). */
  code?: string
  /** HTTP requests to QuickBlox made for this login (background pool refills not included). */
  calls: number
  /** Whether a prefetched application session from the pool was used. */
  pooled: boolean
  /** The QuickBlox user id, once QuickBlox has accepted the credentials (so on every success). */
  userId?: number
  /** Set by Node on the `error` event: our error (`QuickBloxError`). Errors of your `verify` never appear. */
  error?: unknown
}

/**
 * Where a token check's answer came from: the cache (valid or refused before), a check of the
 * same token already under way, or its own look-up (the shared store, then QuickBlox).
 */
export type TokenCache = 'hit' | 'miss' | 'negative' | 'joined'

/** Context of a `passport-quickblox:token` trace. */
export interface TokenContext {
  /**
   * `hit`: a cached valid token; `negative`: a cached refusal; `miss`: this request looked it up
   * (the shared store, then QuickBlox); `joined`: it waited for another request's look-up of the
   * same token. Absent when no token was read.
   */
  cache?: TokenCache
  /** By the end: how the authentication ended. */
  outcome?: Outcome
  /** By the end: the `fail` status or the error's `status`; absent on success. */
  status?: number
  /**
   * By the end: the `code` of our error behind an `error`, or why a `fail`: `no_token` (401, no
   * Bearer credential), `invalid_request` (400, a malformed one), `invalid_token` (401, refused).
   */
  code?: string
  /** HTTP requests to QuickBlox made for this check (0 on a cache hit). */
  calls: number
  /** The QuickBlox user id the token belongs to, once known. */
  userId?: number
  /** Set by Node on the `error` event: our error (`QuickBloxError`). */
  error?: unknown
}

/** Context of a `passport-quickblox:request` trace: one HTTP request to QuickBlox. */
export interface RequestContext {
  /** `GET`, `POST` or `DELETE`. */
  method: string
  /** The path as a template, e.g. `/session.json`, `/users/{id}.json`: never an id or a token. */
  path: string
  /** 1 for a request's first try; 2, 3 for its retries. */
  attempt: number
  /** By the end: the HTTP status QuickBlox answered; absent when no reply arrived. */
  status?: number
  /** Set by Node on the `error` event when no usable reply arrived (timeout, refused, unreadable): our error. */
  error?: unknown
}

/** A message on the `passport-quickblox:pool` channel. */
export interface PoolMessage {
  /**
   * `take`: a login asked for a session (`hit` says whether it got one); `refill`: a session was
   * added; `refill-failed`: creating one failed (`code`), retried later; `clear`: all were dropped
   * (QuickBlox forgot one); `close`: the pool was closed.
   */
  event: 'take' | 'refill' | 'refill-failed' | 'clear' | 'close'
  /** Sessions ready now. */
  size: number
  /** Session requests in flight. */
  creating: number
  /** On `take`: whether a ready session was handed out. */
  hit?: boolean
  /** On `refill-failed`: the error's code. */
  code?: string
}

const loginChannel = tracingChannel<unknown, LoginContext>(CHANNELS.login)
const tokenChannel = tracingChannel<unknown, TokenContext>(CHANNELS.token)
const requestChannel = tracingChannel<unknown, RequestContext>(CHANNELS.request)
const poolChannel = channel(CHANNELS.pool)
const storeChannel = channel(CHANNELS.store)

/** The login or token check running now (only while someone listens), for the notes below. */
const current = new AsyncLocalStorage<LoginContext | TokenContext>()

/** Passport's outcome actions, as a strategy has them during `authenticate()`. */
interface Outcomes {
  success(user: unknown, info?: unknown): void
  fail(challenge?: unknown, status?: number): void
  error(err: Error): void
}

/**
 * Runs `run` (a strategy's authentication, from the first QuickBlox call on) inside a
 * `passport-quickblox:login` trace that ends when it calls `success`, `fail` or `error`.
 * `run` receives the strategy to call them on.
 */
export function traceLogin<S extends Outcomes>(strategy: S, method: LoginMethod, run: (strategy: S) => void): void {
  if (!loginChannel.hasSubscribers) return run(strategy)
  trace<S, LoginContext>(loginChannel, strategy, { method, calls: 0, pooled: false }, run)
}

/**
 * Runs `run` (a token strategy's authentication) inside a `passport-quickblox:token` trace,
 * ending when it calls `success`, `fail` or `error`. Inside, `noteCache()` and `noteUser()` fill
 * the context; QuickBlox requests are counted in `calls`.
 */
export function traceTokenCheck<S extends Outcomes>(strategy: S, run: (strategy: S) => void): void {
  if (!tokenChannel.hasSubscribers) return run(strategy)
  trace<S, TokenContext>(tokenChannel, strategy, { calls: 0 }, run)
}

/** The part of a tracing channel `trace()` uses. */
interface Traceable<C> {
  tracePromise(fn: () => Promise<void>, context: C): Promise<void>
}

function trace<S extends Outcomes, C extends LoginContext | TokenContext>(
  tracing: Traceable<C>,
  strategy: S,
  context: C,
  run: (strategy: S) => void,
): void {
  const traced = (): Promise<void> =>
    new Promise((resolve, reject) => {
      // Passport's own way: a per-request object whose outcome actions are the request's.
      const observed = Object.create(strategy) as S
      observed.success = (user, info) => {
        context.outcome = 'success'
        resolve()
        strategy.success(user, info)
      }
      observed.fail = (challenge, status) => {
        context.outcome = 'fail'
        context.status = status // our strategies always give one
        resolve()
        strategy.fail(challenge, status)
      }
      observed.error = (err) => {
        context.outcome = 'error'
        // Only our errors are described (and attached by Node): an app's error may hold anything.
        if (err instanceof QuickBloxError) {
          context.status = err.status
          context.code = err.code
          reject(err)
        } else {
          resolve()
        }
        strategy.error(err)
      }
      current.run(context, () => run(observed))
    })
  // The rejection is the error event's; the strategy reports the error to Passport itself.
  tracing.tracePromise(traced, context).catch(() => {})
}

/** Inside a trace: why a `fail` (our error's code, e.g. rejected credentials, or an RFC 6750 error code). */
export function noteFailure(reason: { code: string }): void {
  const context = current.getStore()
  if (context) context.code = reason.code
}

/** Inside a trace: QuickBlox accepted the credentials (or the token) of this user. */
export function noteUser(userId: number): void {
  const context = current.getStore()
  if (context) context.userId = userId
}

/** Inside `traceLogin`: whether the login got a prefetched session. */
export function notePooled(pooled: boolean): void {
  const context = current.getStore()
  if (context && 'pooled' in context) context.pooled = pooled
}

/** Inside `traceTokenCheck`: where the answer came from. */
export function noteCache(cache: TokenCache): void {
  const context = current.getStore()
  if (context && !('pooled' in context)) context.cache = cache
}

/** Traces one HTTP request to QuickBlox; `send` resolves with the reply's status. */
export function traceRequest<R extends { status: number }>(
  method: string,
  path: string,
  attempt: number,
  send: () => Promise<R>,
): Promise<R> {
  const context = current.getStore()
  if (context) context.calls++
  return requestChannel.hasSubscribers ? tracedRequest(method, path, attempt, send) : send()
}

async function tracedRequest<R extends { status: number }>(
  method: string,
  path: string,
  attempt: number,
  send: () => Promise<R>,
): Promise<R> {
  const request: RequestContext = { method, path: pathTemplate(path), attempt }
  let reply: R | undefined
  // The traced function keeps the reply to itself: it holds tokens and users.
  await requestChannel.tracePromise(async () => {
    reply = await send()
    request.status = reply.status
  }, request)
  return reply as R
}

/**
 * A path as a template: numeric segments become `{id}`, and any segment that is not a plain
 * word becomes `{param}`, so no id or token ever reaches a context or a metric label.
 */
export function pathTemplate(path: string): string {
  const segments = path
    .split(/[?#]/, 1)[0]!
    .split('/')
    .filter((segment) => segment !== '')
  return `/${segments
    .map((segment) => {
      if (/^\d+(\.json)?$/.test(segment)) return segment.replace(/^\d+/, '{id}')
      return /^[a-z_]{1,40}(\.json)?$/.test(segment) ? segment : '{param}'
    })
    .join('/')}`
}

/** A message on the `passport-quickblox:store` channel: one store call that failed or ran out of time. */
export interface StoreMessage {
  /** The store method that was called. */
  operation: 'get' | 'set' | 'delete'
  /** `timeout`: no answer within `cache.storeTimeoutMs`; `error`: it threw or rejected. */
  reason: 'timeout' | 'error'
}

/** Publishes a store fault, when someone listens. */
export function publishStore(message: StoreMessage): void {
  if (storeChannel.hasSubscribers) storeChannel.publish(message)
}

/** Publishes a pool event, when someone listens. */
export function publishPool(message: () => PoolMessage): void {
  if (poolChannel.hasSubscribers) poolChannel.publish(message())
}
