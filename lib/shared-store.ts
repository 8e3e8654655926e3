import { createHash } from 'node:crypto'
import { publishStore } from './diagnostics.js'

/** What a shared store (Redis, say) must do: the token strategy's and the admin client's `cache.store`. */
export interface StoreBackend {
  get(key: string): Promise<string | null | undefined>
  /** Store `value` for `ttlMs` milliseconds (e.g. Redis `SET key value PX ttlMs`). */
  set(key: string, value: string, ttlMs: number): Promise<unknown>
  delete(key: string): Promise<unknown>
}

/** lru-cache sets memory aside for `max` entries up front: the caches in front of a store are bounded. */
const MAX_ENTRIES = 1_000_000

/** The cache options the token strategy and the admin client share, checked by {@link readCacheOptions}. */
export interface CacheOptions {
  ttlMs: number
  max: number
  store: StoreBackend | undefined
  storeTimeoutMs: number
  /** The clock entries are timed by (ms since the epoch); `Date.now` when not given. */
  now: (() => number) | undefined
}

/**
 * The one check of `cache` options, for the token strategy and the admin client alike: `ttlMs`
 * and `max` positive integers (`max` at most {@link MAX_ENTRIES}), `storeTimeoutMs` from 1 to
 * 60000, a `store` with `get`, `set` and `delete`, a `now` clock that is a function. `bad`
 * throws, naming the option.
 */
export function readCacheOptions(
  cache: Partial<CacheOptions>,
  defaults: { ttlMs: number },
  bad: (message: string) => never,
): CacheOptions {
  const { ttlMs = defaults.ttlMs, max = 10_000, store, storeTimeoutMs = 200 } = cache
  if (!positive(ttlMs) || !positive(max)) bad('cache ttlMs and max must be positive integers')
  if (max > MAX_ENTRIES) bad(`cache max must be at most ${MAX_ENTRIES}`)
  if (!positive(storeTimeoutMs) || storeTimeoutMs > 60_000) bad('cache storeTimeoutMs must be from 1 to 60000 ms')
  const methods = (store ?? {}) as Record<string, unknown>
  if (store !== undefined && !['get', 'set', 'delete'].every((name) => typeof methods[name] === 'function')) {
    bad('cache store must have get, set and delete methods')
  }
  const { now } = cache
  if (now !== undefined && typeof now !== 'function') bad('cache now must be a function')
  return { ttlMs, max, store, storeTimeoutMs, now }
}

/**
 * lru-cache's options for a cache timed by `now`: its clock (`perf`), read on every check, since
 * a clock of the caller's may jump between two reads lru-cache would otherwise merge.
 */
export function clockOptions(now: (() => number) | undefined): { perf?: { now: () => number }; ttlResolution?: 0 } {
  return now ? { perf: { now }, ttlResolution: 0 } : {}
}

export const positive = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

/**
 * The shared-store key of a token's check, for the token strategy that keeps it and the admin
 * client that revokes tokens: the QuickBlox host, and the token's SHA-256 (never the token).
 */
export function tokenStoreKey(apiEndpoint: string, token: string): string {
  return tokenKey(hostKey(apiEndpoint), token)
}

/** {@link tokenStoreKey} for a host already fingerprinted with {@link hostKey} (a token check's hot path). */
export function tokenKey(host: string, token: string): string {
  return `passport-quickblox:token:${host}:${sha256(token)}`
}

/** Names a QuickBlox host in store keys: a fingerprint of its URL (nothing secret). */
export function hostKey(apiEndpoint: string): string {
  return sha256(new URL(apiEndpoint).href.replace(/\/+$/, '')).slice(0, 16)
}

/** What a token strategy of this process does when a token is revoked (see {@link revoked}). */
interface Forgets {
  forget(token: string): Promise<void>
}
const forgetters = new Set<WeakRef<Forgets>>()

/**
 * Makes `target` forget every token revoked in this process from now on, until the returned
 * function is called. Held weakly: a strategy nobody holds is not kept alive by this.
 */
export function forgetRevoked(target: Forgets): () => void {
  const ref = new WeakRef(target)
  forgetters.add(ref)
  return () => void forgetters.delete(ref)
}

/** Tells every token strategy of this process to forget `token`; rejects when a shared store could not be told. */
export async function revoked(token: string): Promise<void> {
  const calls: Promise<void>[] = []
  for (const ref of forgetters) {
    const target = ref.deref()
    if (target) calls.push(target.forget(token))
    else forgetters.delete(ref)
  }
  const failed = (await Promise.allSettled(calls)).find((result) => result.status === 'rejected')
  if (failed) throw failed.reason
}

/** A store call that did not end within its time. */
class StoreTimeout extends Error {
  constructor(name: string, operation: string, ms: number) {
    super(`${name} did not answer ${operation} within ${ms} ms`)
  }
}

/**
 * A store several instances share, as a shortcut and never a dependency: each call has its own
 * time budget, a call that fails or runs out of time is published on `passport-quickblox:store`,
 * and entries are `{ key, value, until }` JSON: read back only under the key they were written
 * for, and a copy never outlives the entry it was copied from. The one rule for the token
 * strategy and the admin client.
 */
export class SharedStore {
  /**
   * `name` says whose store it is in errors, e.g. `QuickBloxTokenStrategy: the token store`;
   * `now` is the clock entry times are read on.
   */
  constructor(
    private readonly backend: StoreBackend,
    private readonly timeoutMs: number,
    private readonly name: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The entry under `key`, checked by `read`, with the milliseconds it has left; `undefined` when
   * absent, expired, unreadable, or the store fails or takes longer than `timeoutMs` (or `budgetMs`).
   */
  async read<T>(
    key: string,
    read: (value: unknown) => T | undefined,
    budgetMs = this.timeoutMs,
  ): Promise<{ value: T; ttl: number } | undefined> {
    try {
      const text = await this.call('get', () => this.backend.get(key), Math.min(budgetMs, this.timeoutMs))
      if (typeof text !== 'string' || text.length > 64 * 1024) return undefined
      const entry = JSON.parse(text) as { key?: unknown; value?: unknown; until?: unknown }
      // An entry copied or written under another key is no answer for this one.
      if (entry.key !== key) return undefined
      const ttl = typeof entry.until === 'number' ? entry.until - this.now() : 0
      const checked = read(entry.value)
      return checked !== undefined && ttl >= 1 ? { value: checked, ttl } : undefined
    } catch {
      return undefined
    }
  }

  /** Stores an entry for `ttl` ms; a failure is only published: this instance goes on with its own cache. */
  async write(key: string, value: unknown, ttl: number): Promise<void> {
    const text = JSON.stringify({ key, value, until: this.now() + ttl })
    await this.call('set', () => this.backend.set(key, text, ttl)).catch(() => {})
  }

  /**
   * What an lru-cache `fetchMethod` in front of this store does: the shared entry when there is
   * one, kept in memory (`entry.ttl`) no longer than it has left; else `load()`, shared for `ttlMs`.
   */
  async through<T>(
    key: string,
    read: (value: unknown) => T | undefined,
    load: () => Promise<T>,
    ttlMs: number,
    entry: { ttl?: number },
    budgetMs?: number,
  ): Promise<T> {
    const shared = await this.read(key, read, budgetMs)
    if (shared) {
      entry.ttl = Math.min(shared.ttl, ttlMs)
      return shared.value
    }
    const value = await load()
    void this.write(key, value, ttlMs)
    return value
  }

  /** Deletes an entry; rejects when the store fails or runs out of time. */
  async delete(key: string): Promise<void> {
    await this.call('delete', () => this.backend.delete(key))
  }

  private async call<T>(operation: 'get' | 'set' | 'delete', call: () => Promise<T>, ms = this.timeoutMs): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new StoreTimeout(this.name, operation, ms)), Math.max(0, ms))
      // A write nobody waits for must not keep the process alive.
      timer.unref()
    })
    try {
      // Promise.race also handles a late rejection of the store's promise.
      return await Promise.race([Promise.resolve().then(call), timeout])
    } catch (error) {
      publishStore({ operation, reason: error instanceof StoreTimeout ? 'timeout' : 'error' })
      throw error
    } finally {
      clearTimeout(timer)
    }
  }
}
