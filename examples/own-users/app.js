// Users sign in with the app's own accounts (passport-local over SQLite); their chat client asks
// POST /api/quickblox/session for a QuickBlox token, and QuickBloxAdmin creates the QuickBlox user
// on first sight. The QuickBlox API key stays on this server.
import { promisify } from 'node:util'
import express from 'express'
import session from 'express-session'
import passport from 'passport'
import { Strategy as LocalStrategy } from 'passport-local'
import { quickbloxSession } from 'passport-quickblox'
import { DEFAULT_LIMITS, rateLimits } from './limits.js'

const MAX_FIELD = 200
// The chat tokens a session remembers, to end them at sign-out: at the default limit (20 per
// 15 minutes) more than a busy afternoon's worth; older ones are dropped first.
const MAX_CHAT_TOKENS = 50

/**
 * @param {{ users: Awaited<ReturnType<typeof import('./users.js').openUsers>>,
 *           admin?: import('passport-quickblox').QuickBloxAdmin, sessionSecret: string,
 *           limits?: Partial<typeof DEFAULT_LIMITS>, trustProxy?: boolean | number | string,
 *           log?: (line: string) => void,
 *           identityProvider?: ReturnType<typeof import('./identity-provider.js').identityProviderRoutes> }} options
 *   `admin` for the API-key way, `identityProvider` for the identity-provider way (identity-provider.js)
 */
export function createApp({
  users,
  admin,
  sessionSecret,
  limits = {},
  trustProxy = false,
  log = console.error,
  identityProvider,
}) {
  const auth = new passport.Passport()
  auth.use(
    new LocalStrategy((username, password, done) => {
      void users.verify(username, password).then((user) => done(null, user ?? false), done)
    }),
  )
  auth.serializeUser((user, done) => done(null, user.id))
  auth.deserializeUser((id, done) => done(null, users.find(id) ?? false))
  const limit = rateLimits({ ...DEFAULT_LIMITS, ...limits })

  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', trustProxy) // behind a proxy, so that the limits count each client's own address
  app.use(express.json({ limit: '4kb' }))
  // The default memory store is fine for a demo; use a shared store (Redis) in production.
  app.use(
    session({
      secret: sessionSecret,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'strict' },
    }),
  )
  app.use(auth.session())

  // JSON only: a cross-site form cannot send application/json, so (with SameSite=strict) no CSRF.
  const jsonOnly = (req, res, next) =>
    req.is('application/json') ? next() : res.status(415).json({ error: 'JSON only' })
  const signedIn = (req, res, next) => (req.user ? next() : res.status(401).json({ error: 'Not signed in' }))

  app.post(
    '/login',
    jsonOnly,
    textCredentials,
    limit.signIn,
    auth.authenticate('local', { failWithError: true }),
    (req, res) => res.json({ user: req.user }),
  )
  app.get('/me', signedIn, (req, res) => res.json({ user: req.user }))
  // The chat client's token: the QuickBlox user is this app's user, by id. The QuickBlox user id
  // is kept in the user's row and passed back (quickbloxUserId): someone who took a login its
  // owner freed (by deleting or renaming their QuickBlox account) is never handed to them. The
  // session remembers each token it was given, so that signing out ends them.
  const identity = (req) => ({
    externalUserId: req.user.id,
    quickbloxUserId: req.user.quickbloxUserId,
    fullName: req.user.name,
  })
  if (admin)
    app.post('/api/quickblox/session', jsonOnly, signedIn, limit.chatTokens, (req, res, next) => {
      const remembering = {
        async sessionFor(who) {
          const issued = await admin.sessionFor(who)
          if (issued.userId !== who.quickbloxUserId) users.linkQuickBlox(who.externalUserId, issued.userId)
          req.session.chatTokens = [...(req.session.chatTokens ?? []), issued.token].slice(-MAX_CHAT_TOKENS)
          return issued
        },
      }
      quickbloxSession({ admin: remembering, identity })(req, res, next)
    })
  // The other way: QuickBlox asks this app who a chat client is (identity-provider.js).
  identityProvider?.(app, { jsonOnly, signedIn, limit })
  // Ends the session here, then the chat tokens it was given. A token QuickBlox could not be
  // reached to end is logged (its code, never the token): QuickBlox expires it 2 h after last use.
  app.post('/logout', jsonOnly, async (req, res) => {
    const tokens = req.session.chatTokens ?? []
    await promisify(req.logout.bind(req))()
    await promisify(req.session.destroy.bind(req.session))()
    const ended = await Promise.allSettled(tokens.map((token) => admin.revokeToken(token)))
    for (const { reason } of ended.filter((result) => result.status === 'rejected')) {
      log(`POST /logout: a chat token was not ended: ${reason.code ?? reason.name}`)
    }
    res.json({ loggedOut: true })
  })
  // Failed sign-ins (passport's failWithError) and QuickBlox's errors carry their status.
  app.use((err, req, res, _next) => {
    const status = Number.isInteger(err.status) ? err.status : 500
    if (status >= 500) log(`${req.method} ${req.path}: ${err.code ?? err.name}`)
    if (err.headers?.['Retry-After']) res.set('Retry-After', err.headers['Retry-After'])
    res.status(status).json({ error: err.code ?? (status === 401 ? 'Wrong username or password' : 'Error') })
  })
  return app
}

/** 400 unless the username and password are text of a sensible length (a number or `true` is no password). */
function textCredentials(req, res, next) {
  const { username, password } = req.body ?? {}
  const text = (value) => typeof value === 'string' && value.length > 0 && value.length <= MAX_FIELD
  if (text(username) && text(password)) return next()
  res.status(400).json({ error: `username and password must be text of 1 to ${MAX_FIELD} characters` })
}
