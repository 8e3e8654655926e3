// Sign-in rate limits, and one on refused Bearer tokens (at the end). Three sign-in counters, each
// in its own express-rate-limit store (in memory, or in Redis so that every instance shares
// them). They count only attempts that can reach QuickBlox: a POST without its CSRF token, or
// with credentials the strategy refuses to send (400), counts against nothing, so no other site
// and no junk can spend a visitor's allowance.
// - address: every such attempt from one client address. It bounds the load one address causes.
// - accountAddress: rejected credentials for one account from one address. It stops guessing from
//   that address without locking the owner out: their own address did not fail.
// - account: rejected credentials for one account from all addresses, a higher ceiling against
//   guessing spread over many addresses.
// The two credential counters take their count before QuickBlox is asked, so that attempts sent
// at the same moment cannot all pass a check that none has counted yet; the count is given back
// once QuickBlox has answered anything but a rejection (401). Only rejections stay counted.
import { createHmac } from 'node:crypto'
import { MemoryStore, ipKeyGenerator, rateLimit } from 'express-rate-limit'
import { RedisStore } from 'rate-limit-redis'
import { canonical } from './names.js'
import { withinDeadline } from './redis.js'
import { hasBearer } from './token-auth.js'

const MINUTE = 60_000
export const DEFAULT_LIMITS = {
  address: { windowMs: 15 * MINUTE, limit: 50 },
  accountAddress: { windowMs: 15 * MINUTE, limit: 5 },
  account: { windowMs: 60 * MINUTE, limit: 100 },
  bearerFailures: { windowMs: 15 * MINUTE, limit: 100 },
  signups: { windowMs: 60 * MINUTE, limit: 10 },
  resets: { windowMs: 15 * MINUTE, limit: 10 },
  resetEmail: { windowMs: 60 * MINUTE, limit: 3 },
}

/**
 * @param {object} options
 * @param {string} options.secret keys the hashes, so a store holds no address, login, email or token
 * @param {{ sendCommand(args: string[]): Promise<unknown> } | undefined} options.redis a connected node-redis client
 * @param {typeof DEFAULT_LIMITS} options.limits
 * @param {(req: import('express').Request, res: import('express').Response,
 *   what?: 'tokens' | 'signup' | 'reset') => void} options.refuse answers 429 (to sign-ins; `'tokens'`: to refused
 *   Bearer tokens, `'signup'`: to sign-ups, `'reset'`: to password-reset mails)
 */
export function signInLimits({ secret, redis, limits, refuse }) {
  const store = (name) =>
    redis
      ? new HealingRedisStore({
          sendCommand: (...args) => withinDeadline(redis.sendCommand(args)),
          prefix: `pqb-example:rl:${name}:`,
        })
      : new MemoryStore()
  const hash = (value) => createHmac('sha256', secret).update(value).digest('base64url')
  // An IPv6 client by its /56 network, as express-rate-limit does: one host holds many addresses.
  const addressOf = (req) => ipKeyGenerator(req.ip ?? '', 56)

  /** An express-rate-limit counter per client address; it sets RateLimit and Retry-After when it refuses. */
  const perClientAddress = (name, { windowMs, limit }, what, more = {}) =>
    rateLimit({
      windowMs,
      limit,
      store: store(name),
      keyGenerator: (req) => hash(`${name}\n${addressOf(req)}`),
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (req, res) => refuse(req, res, what),
      ...more,
    })
  const perAddress = perClientAddress('address', limits.address)
  const perAccountAddress = counter(store('account-address'), limits.accountAddress)
  const perAccount = counter(store('account'), limits.account)

  /**
   * Takes a place on both credential counters for the account in `res.locals.credentials` (as the
   * strategy read them), or refuses with 429 and Retry-After when either is full. A current
   * password typed to change the password or delete the account takes one too (account.js).
   * Resolves `true` when the places are held, `false` once the refusal is sent.
   */
  async function reserve(req, res) {
    const account = accountOf(res.locals.credentials)
    const places = [
      { counter: perAccountAddress, key: hash(`${account}\n${addressOf(req)}`) },
      { counter: perAccount, key: hash(account) },
    ]
    const taken = await Promise.allSettled(places.map(({ counter, key }) => counter.take(key)))
    const held = places.filter((_, i) => taken[i].status === 'fulfilled' && taken[i].value === 0)
    const failed = taken.find((result) => result.status === 'rejected')
    if (!failed && held.length === places.length) {
      res.locals.reserved = places
      return true
    }
    // Refused, or a store failed half-way: give back the places this attempt holds.
    await Promise.all(held.map(({ counter, key }) => counter.giveBack(key))).catch(() => {})
    if (failed) throw failed.reason
    const waits = taken.map((result) => result.value)
    res.set('Retry-After', String(Math.max(...waits)))
    refuse(req, res)
    return false
  }

  /**
   * The attempt is over with `status`: a rejection (401) stays counted, anything else gives its
   * places back. A store that fails here loses nothing but one place until its window ends.
   */
  async function settle(res, status) {
    const places = res.locals.reserved ?? []
    res.locals.reserved = undefined
    if (status === 401) return
    await Promise.all(places.map(({ counter, key }) => counter.giveBack(key))).catch(() => {})
  }

  // Bearer tokens refused (or malformed) per client address, each of which may cost a QuickBlox
  // call: counted as the request arrives, given back when the token was accepted. While Redis is
  // away it lets requests through (fails open): token checks need no Redis, and failing closed
  // would turn a Redis outage into an outage of the whole API.
  const bearerFailures = perClientAddress('bearer', limits.bearerFailures, 'tokens', {
    skip: (req) => !hasBearer(req),
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.locals.bearerRefused !== true,
    passOnStoreError: true,
  })

  // Sign-ups per client address that passed the CSRF check and validation: each creates a
  // QuickBlox user, so they are few and counted as they arrive.
  const signups = perClientAddress('signup', limits.signups, 'signup')

  // Password-reset mails: per client address, and per email address (whoever asks), both counted
  // as they arrive, whether or not an account has the address, so the limit tells nothing either.
  const resets = perClientAddress('reset', limits.resets, 'reset')
  const perResetEmail = counter(store('reset-email'), limits.resetEmail)
  /** Counts a mail to `email`; `false` once the 429 is sent. */
  async function resetPerEmail(req, res, email) {
    const wait = await perResetEmail.take(hash(`reset\n${canonical(email)}`))
    if (wait === 0) return true
    res.set('Retry-After', String(wait))
    refuse(req, res, 'reset')
    return false
  }

  return {
    perAddress,
    reserve: (req, res, next) => reserve(req, res).then((held) => held && next(), next),
    reserveFor: reserve,
    settle,
    bearerFailures,
    signups,
    resets,
    resetPerEmail,
  }
}

// rate-limit-redis loads its Lua script once, in init(), and keeps that promise: a load that
// failed (Redis busy or away at start) would fail every count until a restart. Load it again on
// the next count instead, and never let init() reject unheard.
class HealingRedisStore extends RedisStore {
  async init(options) {
    await super.init(options).catch(() => {})
  }

  async increment(key) {
    this.incrementScriptSha = this.incrementScriptSha.catch(() => this.loadIncrementScript())
    return super.increment(key)
  }
}

function counter(store, { windowMs, limit }) {
  void Promise.resolve(store.init({ windowMs })).catch(() => {}) // in memory: at once; in Redis: HealingRedisStore
  return {
    /** Counts one attempt and returns 0, or, when the limit is reached, the seconds until it may try again. */
    async take(key) {
      const { totalHits, resetTime } = await store.increment(key)
      if (totalHits <= limit) return 0
      await store.decrement(key)
      return Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + windowMs) - Date.now()) / 1000))
    },
    giveBack: (key) => store.decrement(key),
  }
}

/**
 * The account an attempt is aimed at, one key per account whichever field named it: a login and
 * an email share one namespace, in the canonical form sign-up holds logins to (names.js).
 * @param {import('passport-quickblox').LoginCredentials} credentials
 */
function accountOf(credentials) {
  if ('provider' in credentials) {
    return credentials.provider === 'facebook'
      ? `facebook\n${credentials.keys.token}`
      : `firebase\n${credentials.firebase_phone.project_id}\n${credentials.firebase_phone.access_token}`
  }
  const id = 'login' in credentials ? credentials.login : credentials.email
  return `id\n${canonical(id)}`
}
