// The second way to QuickBlox chat (QuickBlox's Custom Identity Provider, Enterprise plans): no API
// key here. The chat client asks POST /api/quickblox/identity-token for a short-lived token of this
// app's and signs in to QuickBlox itself, QB.createSession({ login: userId, password: token });
// QuickBlox then asks /quickblox/identity who that is, and creates its user on first sight.
import { ipKeyGenerator, rateLimit } from 'express-rate-limit'
import { QuickBloxIdentityTokens, quickbloxIdentityProvider } from 'passport-quickblox'

const DEFAULT_IDP_LIMITS = {
  // Calls without the right secret header, per client address. Only those are counted: QuickBlox
  // always sends the secret, so its own addresses are never held back by what clients send it.
  forbiddenPerAddress: { windowMs: 15 * 60_000, limit: 20 },
}

/**
 * @param {{ users: Pick<Awaited<ReturnType<typeof import('./users.js').openUsers>>, 'find'>,
 *           secret: string | string[], tokenKey: string, limits?: typeof DEFAULT_IDP_LIMITS,
 *           log?: (line: string) => void }} options
 * @returns {(app: import('express').Express) => void} mounts the two routes
 */
export function identityProviderRoutes({ users, secret, tokenKey, limits = DEFAULT_IDP_LIMITS, log = console.error }) {
  const tokens = new QuickBloxIdentityTokens({ key: tokenKey })
  const provider = quickbloxIdentityProvider({
    secret,
    // This app's user id, as the token was minted for it: the uid QuickBlox links its user to.
    verify: (userId, token) => {
      const user = tokens.verify(userId, token) ? users.find(Number(userId)) : undefined
      return user && { uid: user.id, fullName: user.name }
    },
    onError: (error) => log(`/quickblox/identity: ${error instanceof Error ? error.message : 'error'}`),
  })
  const forbidden = rateLimit({
    ...limits.forbiddenPerAddress,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? '', 56),
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 403,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => res.status(429).json({ errors: { base: ['Too many requests'] } }),
  })
  return (app) => {
    // QuickBlox's call: no cookie, no CSRF token; the secret header is its credential.
    app.all('/quickblox/identity', forbidden, provider)
    // The signed-in user's token for their chat client: `{ userId, token, expiresAt }`, 5 minutes.
    app.post('/api/quickblox/identity-token', (req, res) => {
      res.set('Cache-Control', 'no-store')
      // JSON only, as every POST of this app: a cross-site form cannot send it.
      if (!req.is('application/json')) return void res.status(415).json({ error: 'JSON only' })
      if (!req.user) return void res.status(401).json({ error: 'Not signed in' })
      res.json(tokens.mint(req.user.id))
    })
  }
}
