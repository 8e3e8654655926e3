import { AsyncResource } from 'node:async_hooks'
import { publishPool, type PoolMessage } from '../diagnostics.js'
import { QuickBloxError } from './errors.js'
import type { QuickBloxSession } from './types.js'

export interface SessionPoolOptions {
  /** Most sessions kept ready or being made, from 1 to 1000. Default 32. */
  max?: number
  /** A pooled session older than this is dropped unused. Default 30 minutes. */
  maxAgeMs?: number
}

/** How far back logins are counted to size the pool. */
const RATE_WINDOW_MS = 10_000
/** The largest `max`: a pool of 1000 is what 500 logins per second keep ready. */
const LARGEST_MAX = 1000
/** Refill backoff after a failed session creation: 1 s doubling to 30 s. */
const BACKOFF_MS = 1_000
const MAX_BACKOFF_MS = 30_000

/**
 * Fresh, unused application sessions, so that a login's critical path is one round trip
 * (`POST /login.json`) instead of two.
 *
 * A login upgrades the very token it is sent with into the user's token, so a pooled session
 * serves exactly one login: `take()` removes it, synchronously, before anyone else can see it.
 * QuickBlox expires a token 2 hours after its last use; pooled tokens were never used, so their
 * age counts from creation and they are dropped at `maxAgeMs`, well before that.
 *
 * The pool aims at twice the logins per second seen over the last 10 seconds, between 1 and
 * `max`. It fills lazily (the first `take()` starts it) and never fails a login: a failed refill
 * is retried later with backoff, and meanwhile logins create their sessions on demand.
 */
export class SessionPool {
  readonly #create: () => Promise<QuickBloxSession>
  readonly #max: number
  readonly #maxAgeMs: number
  readonly #ready: { session: QuickBloxSession; createdAt: number }[] = []
  /**
   * When the last `5 * max` `take()` calls happened (-Infinity for none yet), the oldest
   * overwritten first: that many within the window already make the target `max`.
   */
  readonly #takes: Float64Array
  #nextTake = 0
  #creating = 0
  #failures = 0
  #retryTimer: NodeJS.Timeout | undefined
  #fillScheduled = false
  #closed = false
  /**
   * Refills run in the async context the pool was made in, not in that of the login whose
   * `take()` started them: they are not that login's work (nor its trace's children).
   */
  readonly #scheduleFill = AsyncResource.bind(() => {
    this.#fillScheduled = false
    this.#fill()
  })

  constructor(create: () => Promise<QuickBloxSession>, options: SessionPoolOptions = {}) {
    this.#create = create
    this.#max = options.max ?? 32
    this.#maxAgeMs = options.maxAgeMs ?? 30 * 60_000
    if (!Number.isInteger(this.#max) || this.#max < 1 || this.#max > LARGEST_MAX)
      throw new TypeError(`pool.max must be an integer from 1 to ${LARGEST_MAX}`)
    if (!(this.#maxAgeMs > 0)) throw new TypeError('pool.maxAgeMs must be a positive number')
    this.#takes = new Float64Array(5 * this.#max).fill(-Infinity)
  }

  /** A fresh session no one else will get, or `undefined` when none is ready. */
  take(): QuickBloxSession | undefined {
    const now = Date.now()
    this.#takes[this.#nextTake] = now
    this.#nextTake = (this.#nextTake + 1) % this.#takes.length
    let entry = this.#ready.shift()
    while (entry && now - entry.createdAt >= this.#maxAgeMs) entry = this.#ready.shift()
    // Refill once the caller's own login request is on its way, not ahead of it: signing and
    // sending a session request costs CPU that would otherwise delay that login. Not unref()ed:
    // the event loop may wait for I/O or a timer before it runs an unref()ed immediate.
    if (!this.#fillScheduled) {
      this.#fillScheduled = true
      setImmediate(this.#scheduleFill)
    }
    publishPool(() => this.#message('take', { hit: entry !== undefined }))
    return entry?.session
  }

  /** Drops every ready session, e.g. after QuickBlox said one of them no longer exists. */
  clear(): void {
    this.#ready.length = 0
    publishPool(() => this.#message('clear'))
  }

  /** Number of sessions ready now (for tests and metrics). */
  get size(): number {
    return this.#ready.length
  }

  close(): void {
    this.#closed = true
    this.#ready.length = 0
    clearTimeout(this.#retryTimer)
    publishPool(() => this.#message('close'))
  }

  #message(event: PoolMessage['event'], extra?: Partial<PoolMessage>): PoolMessage {
    return { event, size: this.#ready.length, creating: this.#creating, ...extra }
  }

  #target(): number {
    const since = Date.now() - RATE_WINDOW_MS
    let recent = 0
    for (const at of this.#takes) if (at > since) recent++
    return Math.min(this.#max, Math.max(1, Math.ceil((2 * recent * 1000) / RATE_WINDOW_MS)))
  }

  #fill(): void {
    if (this.#closed || this.#retryTimer) return
    for (let missing = this.#target() - this.#ready.length - this.#creating; missing > 0; missing--) {
      this.#creating++
      this.#create().then(
        (session) => {
          this.#creating--
          this.#failures = 0
          if (this.#closed) return
          this.#ready.push({ session, createdAt: Date.now() })
          publishPool(() => this.#message('refill'))
        },
        (error: unknown) => {
          this.#creating--
          const code = error instanceof QuickBloxError ? error.code : 'UNKNOWN'
          publishPool(() => this.#message('refill-failed', { code }))
          this.#backOff()
        },
      )
    }
  }

  #backOff(): void {
    if (this.#closed || this.#retryTimer) return
    const delay = Math.min(MAX_BACKOFF_MS, BACKOFF_MS * 2 ** this.#failures++) * (0.5 + Math.random() / 2)
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      this.#fill()
    }, delay)
    // Waiting to retry is never a reason to keep the process running.
    this.#retryTimer.unref()
  }
}
