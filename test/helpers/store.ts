// A shared store in a Map, as Redis would hold it: what `cache.store` takes, with its entries in
// view, its writes counted, and (`failDelete`) a store that cannot be told to forget.
export function memoryStore(options: { failDelete?: boolean } = {}) {
  const entries = new Map<string, string>()
  const counts = { sets: 0 }
  const store = {
    get: async (key: string) => entries.get(key),
    set: async (key: string, value: string) => {
      counts.sets++
      entries.set(key, value)
    },
    delete: async (key: string) => {
      if (options.failDelete) throw new Error('store down')
      entries.delete(key)
    },
  }
  return { entries, store, counts }
}
