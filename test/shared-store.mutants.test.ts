// The rules of a store several instances share: what is read back, what is refused, what a failure
// tells, and how revoking a token reaches every token strategy of the process.
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterEach, describe, expect, it, jest } from '@jest/globals'
import {
  forgetRevoked,
  readCacheOptions,
  revoked,
  SharedStore,
  tokenStoreKey,
  type StoreBackend,
} from '../lib/shared-store.js'

/** A store in a Map, as Redis would hold it. */
function memoryBackend(entries = new Map<string, string>()): StoreBackend {
  return {
    get: async (key) => entries.get(key),
    set: async (key, value) => void entries.set(key, value),
    delete: async (key) => void entries.delete(key),
  }
}

const NOW = 1_000_000
const readAny = (value: unknown): unknown => value

describe('reading a shared entry', () => {
  it('gives an entry with a single millisecond left', async () => {
    const entries = new Map([['k', JSON.stringify({ key: 'k', value: 'v', until: NOW + 1 })]])
    const store = new SharedStore(memoryBackend(entries), 100, 'test store', () => NOW)
    expect(await store.read('k', readAny)).toEqual({ value: 'v', ttl: 1 })
  })

  it('refuses a value that is not text, even bytes that spell a good entry', async () => {
    const bytes = Buffer.from(JSON.stringify({ key: 'k', value: 'v', until: NOW + 1000 }))
    const backend = { ...memoryBackend(), get: async () => bytes as unknown as string }
    const store = new SharedStore(backend, 100, 'test store', () => NOW)
    expect(await store.read('k', readAny)).toBeUndefined()
  })

  it('reads an entry of exactly 64 KiB, and refuses a larger one', async () => {
    const entry = (length: number): string => {
      const bare = JSON.stringify({ key: 'k', value: '', until: NOW + 1000 })
      return JSON.stringify({ key: 'k', value: 'x'.repeat(length - bare.length), until: NOW + 1000 })
    }
    const entries = new Map([['k', entry(64 * 1024)]])
    const store = new SharedStore(memoryBackend(entries), 100, 'test store', () => NOW)
    expect(await store.read('k', readAny)).toMatchObject({ ttl: 1000 })
    entries.set('k', entry(64 * 1024 + 1))
    expect(await store.read('k', readAny)).toBeUndefined()
  })

  it('leaves no timer behind once the store has answered', async () => {
    jest.useFakeTimers()
    try {
      const store = new SharedStore(memoryBackend(), 100, 'test store')
      await store.read('k', readAny)
      expect(jest.getTimerCount()).toBe(0)
    } finally {
      jest.useRealTimers()
    }
  })
})

describe('a write the store refuses', () => {
  const seen: unknown[] = []
  const listener = (message: unknown): void => void seen.push(message)
  afterEach(() => {
    unsubscribe('passport-quickblox:store', listener)
    seen.length = 0
  })

  it('is published as a failed set', async () => {
    subscribe('passport-quickblox:store', listener)
    const backend = { ...memoryBackend(), set: () => Promise.reject(new Error('store down')) }
    await new SharedStore(backend, 100, 'test store').write('k', 'v', 1000)
    expect(seen).toEqual([{ operation: 'set', reason: 'error' }])
  })
})

describe('the store keys of a QuickBlox host', () => {
  it('are the same however many slashes end its address', () => {
    expect(tokenStoreKey('http://127.0.0.1:9/api//', 't')).toBe(tokenStoreKey('http://127.0.0.1:9/api', 't'))
  })
})

describe('the cache options', () => {
  const bad = (message: string): never => {
    throw new Error(message)
  }
  it('accept a million entries at most', () => {
    expect(readCacheOptions({ max: 1_000_000 }, { ttlMs: 1000 }, bad)).toMatchObject({ max: 1_000_000 })
    expect(() => readCacheOptions({ max: 1_000_001 }, { ttlMs: 1000 }, bad)).toThrow(/at most 1000000/)
  })
})

describe('revoking a token in this process', () => {
  it('fails when a token strategy could not forget it', async () => {
    const stop = forgetRevoked({ forget: () => Promise.reject(new Error('store down')) })
    try {
      await expect(revoked('a-token')).rejects.toThrow('store down')
    } finally {
      stop()
    }
  })

  it('no longer reaches a token strategy that stopped listening', async () => {
    const forgotten: string[] = []
    const stop = forgetRevoked({ forget: async (token) => void forgotten.push(token) })
    stop()
    await revoked('a-token')
    expect(forgotten).toEqual([])
  })

  it('skips a token strategy nobody holds any more', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    ;(() => {
      forgetRevoked({ forget: async () => {} })
    })()
    // A WeakRef keeps its target for the rest of the job that made it: collect on a later one.
    await new Promise((resolve) => setImmediate(resolve))
    gc()
    await expect(revoked('a-token')).resolves.toBeUndefined()
  })
})
