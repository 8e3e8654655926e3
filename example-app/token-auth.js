// API requests from mobile and browser clients of the QuickBlox SDK: `Authorization: Bearer
// <QuickBlox session token>` on /api/*, checked by QuickBloxTokenStrategy. No cookie, so no
// CSRF token: a browser never attaches this header on its own. Requests without it, or with
// another scheme (a staging site's Basic password gate), go on to the cookie session as before.
import { QuickBloxTokenStrategy } from 'passport-quickblox'
import { appUser } from './user.js'

/** The strategy's shared cache store (`cache.store`) over a node-redis client, so all instances share validations. */
export function redisTokenStore(client) {
  return {
    get: (key) => client.get(key),
    set: (key, value, ttlMs) => client.set(key, value, { expiration: { type: 'PX', value: ttlMs } }),
    delete: (key) => client.del(key),
  }
}

/**
 * @param {{ appId: number | string, apiEndpoint?: string, timeout?: number }} quickblox no auth key or secret needed
 * @param {import('redis').RedisClientType} [redis] shares the cache between instances when given
 */
export function createTokenStrategy({ appId, apiEndpoint, timeout }, redis) {
  return new QuickBloxTokenStrategy(
    { appId, apiEndpoint, timeout, cache: redis ? { store: redisTokenStore(redis) } : {} },
    // The same user object as a cookie sign-in gives, without a token: this one stays with the client.
    async (user) => appUser(user),
  )
}

/** Whether the request's `Authorization` header is of the Bearer scheme (case-insensitive, RFC 9110). */
export const hasBearer = (req) => /^bearer(?: |$)/i.test(req.headers.authorization ?? '')

/** Mounted on /api before the API's routes: signs in Bearer requests for this request only (no session). */
export function bearerAuth(auth, strategy) {
  return (req, res, next) => {
    if (!hasBearer(req)) return next()
    auth.authenticate(strategy.name, { session: false }, (err, user, challenge, status) => {
      if (err) return next(err)
      if (!user) {
        res.locals.bearerRefused = true // counted against the address (limits.js)
        return res
          .status(status ?? 401)
          .set('WWW-Authenticate', challenge)
          .json({ error: 'Invalid or missing token' })
      }
      req.login(user, { session: false }, (err) => {
        if (err) return next(err)
        // The route decides what to do with it: POST /api/logout ends it (app.js, signOut).
        res.locals.bearerToken = req.headers.authorization.slice('Bearer '.length).trim()
        next()
      })
    })(req, res, next)
  }
}
