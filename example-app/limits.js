// Sign-in rate limits. Three counters, each in its own express-rate-limit store (in memory, or in
// Redis so that every instance shares them):
// - address: every sign-in attempt from one client address, counted when it arrives. It bounds
//   the load one address can cause and how many guesses it can have in flight at once.
// - accountAddress: rejected credentials for one account from one address. It stops guessing
//   from that address without locking the owner out: their own address did not fail.
// - account: rejected credentials for one account from all addresses, a higher ceiling against
//   guessing spread over many addresses.
// The two credential counters count a rejection only once QuickBlox has given it (check, then
// increment after the 401): attempts still in flight, and correct logins, never count.
import { createHmac } from 'node:crypto'
import { MemoryStore, ipKeyGenerator, rateLimit } from 'express-rate-limit'
import { RedisStore } from 'rate-limit-redis'

const MINUTE = 60_000
export const DEFAULT_LIMITS = {
  address: { windowMs: 15 * MINUTE, limit: 50 },
  accountAddress: { windowMs: 15 * MINUTE, limit: 5 },
  account: { windowMs: 60 * MINUTE, limit: 100 },
}

/**
 * @param {object} options
 * @param {string} options.secret keys the account hashes, so a store holds no login, email or token
 * @param {{ sendCommand(args: string[]): Promise<unknown> } | undefined} options.redis a connected node-redis client
 * @param {typeof DEFAULT_LIMITS} options.limits
 * @param {(req: import('express').Request, res: import('express').Response) => void} options.refuse answers 429
 */
export function signInLimits({ secret, redis, limits, refuse }) {
  const store = (name) =>
    redis
      ? new RedisStore({ sendCommand: (...args) => redis.sendCommand(args), prefix: `pqb-example:rl:${name}:` })
      : new MemoryStore()

  // Sets RateLimit and Retry-After headers when it refuses.
  const perAddress = rateLimit({
    ...limits.address,
    store: store('address'),
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: refuse,
  })
  const perAccountAddress = rejectionCounter(store('account-address'), limits.accountAddress)
  const perAccount = rejectionCounter(store('account'), limits.account)

  /** The two counter keys for this request, or null when it names no account (it fails validation then). */
  function keysOf(req) {
    const account = accountOf(req.body)
    if (!account) return null
    const hash = (value) => createHmac('sha256', secret).update(value).digest('base64url')
    return { account: hash(account), accountAddress: hash(`${account}\n${ipKeyGenerator(req.ip ?? '', 56)}`) }
  }

  /** Refuses (429, Retry-After) when either credential counter is at its limit. */
  async function checkRejections(req, res, next) {
    const keys = keysOf(req)
    if (!keys) return next()
    const waits = await Promise.all([perAccountAddress.wait(keys.accountAddress), perAccount.wait(keys.account)])
    const wait = Math.max(...waits)
    if (wait === 0) return next()
    res.set('Retry-After', String(wait))
    refuse(req, res)
  }

  /** Counts a completed rejection of the credentials in `req`. */
  async function recordRejection(req) {
    const keys = keysOf(req)
    if (keys) await Promise.all([perAccountAddress.record(keys.accountAddress), perAccount.record(keys.account)])
  }

  return {
    perAddress,
    checkRejections: (req, res, next) => checkRejections(req, res, next).catch(next),
    recordRejection,
  }
}

function rejectionCounter(store, { windowMs, limit }) {
  store.init({ windowMs })
  return {
    /** Seconds until the key may try again: 0 while under the limit. */
    async wait(key) {
      const hits = await store.get(key)
      // rate-limit-redis answers NaN hits for a key it does not hold
      if (!hits || !Number.isFinite(hits.totalHits) || hits.totalHits < limit) return 0
      return Math.max(1, Math.ceil(((hits.resetTime?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000))
    },
    record: (key) => store.increment(key),
  }
}

// The account an attempt is aimed at: normalized login or email, or the provider token.
function accountOf(body) {
  const b = body ?? {}
  return typeof b.login === 'string'
    ? `login:${b.login.trim().toLowerCase()}`
    : typeof b.email === 'string'
      ? `email:${b.email.trim().toLowerCase()}`
      : typeof b.keys?.token === 'string'
        ? `facebook:${b.keys.token}`
        : typeof b.firebase_phone?.access_token === 'string'
          ? `firebase:${b.firebase_phone.access_token}`
          : ''
}
