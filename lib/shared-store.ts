import { publishStore } from './diagnostics.js'

/** What a shared store (Redis, say) must do: the token strategy's and the admin client's `cache.store`. */
export interface StoreBackend {
  get(key: string): Promise<string | null | undefined>
  set(key: string, value: string, ttlMs: number): Promise<unknown>
  delete?(key: string): Promise<unknown>
}

/** lru-cache sets memory aside for `max` entries up front: the caches in front of a store are bounded. */
export const MAX_ENTRIES = 1_000_000

/** A store call that did not end within its time. */
class StoreTimeout extends Error {
  constructor(name: string, operation: string, ms: number) {
    super(`${name} did not answer ${operation} within ${ms} ms`)
  }
}

/**
 * A store several instances share, as a shortcut and never a dependency: each call has its own
 * time budget, a call that fails or runs out of time is published on `passport-quickblox:store`,
 * and entries are `{ value, until }` JSON, so a copy never outlives the entry it was copied from.
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
      const { value, until } = JSON.parse(text) as { value?: unknown; until?: unknown }
      const ttl = typeof until === 'number' ? until - this.now() : 0
      const checked = read(value)
      return checked !== undefined && ttl >= 1 ? { value: checked, ttl } : undefined
    } catch {
      return undefined
    }
  }

  /** Stores an entry for `ttl` ms; a failure is only published: this instance goes on with its own cache. */
  async write(key: string, value: unknown, ttl: number): Promise<void> {
    const text = JSON.stringify({ value, until: this.now() + ttl })
    await this.call('set', () => this.backend.set(key, text, ttl)).catch(() => {})
  }

  /** Deletes an entry; rejects when the store fails or runs out of time. */
  async delete(key: string): Promise<void> {
    await this.call('delete', () => this.backend.delete!(key))
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
