import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { Store, TIMESTAMP_WINDOW_S } from '../lib/emulator/store.js'
import { call, sessionParams, type Params } from './helpers/emulator.js'

// The emulator remembers used timestamp + nonce pairs to refuse replays, and forgets them in
// occasional sweeps once their timestamp has left the 60-minute window. These tests cross many
// sweeps and check that no replay slips through and that remembering stays cheap.

const T = Date.UTC(2026, 0, 1, 12) // a fixed clock, moved only by advanceTime()
const nowS = T / 1000
let qb: Emulator
beforeAll(async () => {
  qb = await startEmulator({ now: () => T, applications: [{ id: 1, authKey: 'k', authSecret: 's' }], users: [] })
})
afterAll(() => qb.close())

const post = (params: Params) => call(`${qb.url}/session.json`, 'POST', { body: params })
const refusal = async (params: Params) => (await post(params)).json
/** Creates `count` sessions, 100 at a time, with fresh nonces and timestamps spread over ±50 minutes. */
let nextNonce = 1000
async function fill(count: number): Promise<void> {
  for (let done = 0; done < count; done += 100) {
    const batch = Array.from({ length: Math.min(100, count - done) }, () => {
      const nonce = nextNonce++
      return post(sessionParams(qb.application, {}, { timestamp: nowS - 3000 + (nonce % 6000), nonce }))
    })
    expect((await Promise.all(batch)).every((answer) => answer.status === 201)).toBe(true)
  }
}

describe('replayed timestamp + nonce pairs', () => {
  it('stay refused across sweeps, whatever their place in the window', async () => {
    const early = sessionParams(qb.application, {}, { timestamp: nowS - TIMESTAMP_WINDOW_S + 60, nonce: 1 })
    const late = sessionParams(qb.application, {}, { timestamp: nowS + TIMESTAMP_WINDOW_S - 60, nonce: 2 })
    const middle = sessionParams(qb.application, {}, { timestamp: nowS - 1000, nonce: 3 })
    for (const params of [early, late, middle]) expect((await post(params)).status).toBe(201)
    await fill(1100) // the store sweeps at 1000 pairs remembered
    for (const params of [early, late, middle])
      expect(await refusal(params)).toEqual({ errors: { base: ['Unexpected nonce'] } })
    // Half an hour on the early pair is out of the window, refused for its timestamp. The next
    // sweep (at 2000 pairs) forgets what left the window, and nothing that is still in it.
    qb.advanceTime(30 * 60 * 1000)
    await fill(1000)
    expect(await refusal(early)).toEqual({ errors: { base: ['Unexpected timestamp'] } })
    for (const params of [late, middle])
      expect(await refusal(params)).toEqual({ errors: { base: ['Unexpected nonce'] } })
  }, 60_000)
})

describe('remembering nonces', () => {
  const store = (clock: () => number): Store =>
    new Store([{ id: 1, authKey: 'k', authSecret: 's', apiKey: 'a' }], [], clock)
  it('costs about the same per session however many pairs are remembered', () => {
    // 200,000 pairs, all within the window. Scanning every remembered pair on each session would
    // take minutes; a sweep now and then takes well under a second. Ten seconds is generous.
    const s = store(() => T)
    const deadline = performance.now() + 10_000
    let used = 0
    while (used < 200_000 && performance.now() < deadline) {
      for (let i = 0; i < 1000; i++, used++) s.useNonce(1, nowS - (used % 3000), String(used))
    }
    expect(used).toBe(200_000)
    expect(s.useNonce(1, nowS, '0')).toBe(false)
  }, 30_000)
})
