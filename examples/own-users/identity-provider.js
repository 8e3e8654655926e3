// The second way to QuickBlox chat (QuickBlox's Custom Identity Provider, Enterprise plans): no API
// key here. The chat client asks POST /api/quickblox/identity-token for a short-lived token of this
// app's and signs in to QuickBlox itself, QB.createSession({ login: userId, password: token });
// QuickBlox then asks /quickblox/identity who that is, and creates its user on first sight.
import { QuickBloxIdentityTokens, quickbloxIdentityProvider } from 'passport-quickblox'

/**
 * @param {{ users: Pick<Awaited<ReturnType<typeof import('./users.js').openUsers>>, 'find'>,
 *           secret: string | string[], tokenKey: string, log?: (line: string) => void }} options
 * @returns the routes, mounted by `createApp` with its own JSON-only and signed-in checks and limits
 */
export function identityProviderRoutes({ users, secret, tokenKey, log = console.error }) {
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
  /**
   * @param {import('express').Express} app
   * @param {{ jsonOnly: import('express').RequestHandler, signedIn: import('express').RequestHandler,
   *           limit: ReturnType<typeof import('./limits.js').rateLimits> }} helpers
   */
  return (app, { jsonOnly, signedIn, limit }) => {
    // QuickBlox's call: no cookie, no CSRF token; the secret header is its credential.
    app.all('/quickblox/identity', limit.identityProvider, provider)
    // The signed-in user's token for their chat client: `{ userId, token, expiresAt }`, 5 minutes.
    app.post('/api/quickblox/identity-token', jsonOnly, signedIn, limit.chatTokens, (req, res) => {
      res.set('Cache-Control', 'no-store').json(tokens.mint(req.user.id))
    })
  }
}
