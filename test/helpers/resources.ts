// What a piece leaves alive in this process: sockets, timers... counted by kind
// (process.getActiveResourcesInfo()), to show that closing it leaves nothing behind.
import { expect } from '@jest/globals'

/** How many sockets, timers... of each kind are alive in this process. */
export function resources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}

/** Kinds of which more are alive now than in `before`. */
export const added = (before: Record<string, number>): string[] =>
  Object.entries(resources())
    .filter(([kind, n]) => n > (before[kind] ?? 0))
    .map(([kind]) => kind)

/** Sockets and their timers end asynchronously once destroyed: polls for up to 10 s, never waits blindly. */
export async function nothingAddedTo(before: Record<string, number>): Promise<void> {
  const end = Date.now() + 10_000
  while (added(before).length > 0 && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20))
  expect(added(before)).toEqual([])
}
