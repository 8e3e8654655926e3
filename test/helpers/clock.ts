// A clock for caches under test (the token strategy's `cache.now`, the emulator's `now`): it moves
// only when told, so a TTL ends without waiting for it.
export interface FakeClock {
  now: () => number
  advance(ms: number): void
}

export function fakeClock(start = Date.now()): FakeClock {
  let time = start
  return {
    now: () => time,
    advance(ms) {
      time += ms
    },
  }
}
