// Signing a user out everywhere: after a password change (their other sessions) or a deletion
// (all of them), on every instance, whichever store holds the sessions. Each user may have an
// "epoch", a random value renewed at such a moment; a session keeps the epoch its user had when
// it signed in, and a session whose epoch is no longer its user's is over (app.js checks it on
// each request). One read per signed-in request, and nothing to find or scan in the session store.
//
// An epoch outlives every session signed in before it (sessions last at most SESSION_MAX_AGE_MS),
// so it can be forgotten after that: a session is over when its user has an epoch that is not
// the session's own, and a user with none has had no change since any living session began.
import { randomBytes } from 'node:crypto'
import { withinDeadline } from './redis.js'

export const SESSION_MAX_AGE_MS = 8 * 3600_000
const EPOCH_TTL_MS = SESSION_MAX_AGE_MS + 3600_000
/** The epoch of a deleted user: no session has it, and none can be made. */
const DELETED = 'deleted'
/** In memory, at most this many users with a recent change are remembered; the oldest go first. */
const MAX_IN_MEMORY = 100_000

/**
 * @param {{ redis?: import('redis').RedisClientType }} options Redis, shared by every instance; else in memory
 */
export function sessionEpochs({ redis }) {
  const store = redis ? redisEpochs(redis) : memoryEpochs()
  return {
    /** The user's epoch: what a session signed in now keeps. `undefined` when there has been no change. */
    current: (userId) => store.get(userId),
    /** Whether a session signed in with `epoch` is still good. */
    async valid(userId, epoch) {
      const current = await store.get(userId)
      return current === undefined || current === epoch
    },
    /** Ends every session of the user; returns the epoch for the session that stays (the one that asked). */
    async renew(userId) {
      const epoch = randomBytes(12).toString('base64url')
      await store.set(userId, epoch)
      return epoch
    },
    /** Ends every session of a deleted user. */
    end: (userId) => store.set(userId, DELETED),
  }
}

function redisEpochs(redis) {
  const key = (userId) => `pqb-example:epoch:${Number(userId)}`
  return {
    get: async (userId) => (await withinDeadline(redis.get(key(userId)))) ?? undefined,
    set: (userId, epoch) =>
      withinDeadline(redis.set(key(userId), epoch, { expiration: { type: 'PX', value: EPOCH_TTL_MS } })),
  }
}

function memoryEpochs(now = Date.now) {
  const epochs = new Map() // userId → { epoch, until }, oldest first
  return {
    async get(userId) {
      const entry = epochs.get(userId)
      if (entry && entry.until > now()) return entry.epoch
      epochs.delete(userId)
      return undefined
    },
    async set(userId, epoch) {
      epochs.delete(userId)
      epochs.set(userId, { epoch, until: now() + EPOCH_TTL_MS })
      // Past the bound, drop the oldest: they are the nearest to expiring anyway.
      for (const [oldest] of epochs) {
        if (epochs.size <= MAX_IN_MEMORY) break
        epochs.delete(oldest)
      }
    },
  }
}
