// Users sign in with the app's own accounts (passport-local over SQLite); their chat client asks
// POST /api/quickblox/session for a QuickBlox token, and QuickBloxAdmin creates the QuickBlox user
// on first sight. The QuickBlox API key stays on this server.
import express from 'express'
import session from 'express-session'
import passport from 'passport'
import { Strategy as LocalStrategy } from 'passport-local'
import { quickbloxSession } from 'passport-quickblox'

const MAX_FIELD = 200

/**
 * @param {{ users: Awaited<ReturnType<typeof import('./users.js').openUsers>>,
 *           admin: import('passport-quickblox').QuickBloxAdmin, sessionSecret: string }} options
 */
export function createApp({ users, admin, sessionSecret }) {
  const auth = new passport.Passport()
  auth.use(
    new LocalStrategy((username, password, done) => {
      if (username.length > MAX_FIELD || password.length > MAX_FIELD) return done(null, false)
      void users.verify(username, password).then((user) => done(null, user ?? false), done)
    }),
  )
  auth.serializeUser((user, done) => done(null, user.id))
  auth.deserializeUser((id, done) => done(null, users.find(id) ?? false))

  const app = express()
  app.disable('x-powered-by')
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

  app.post('/login', jsonOnly, auth.authenticate('local', { failWithError: true }), (req, res) => {
    res.json({ user: req.user })
  })
  app.get('/me', (req, res) =>
    req.user ? res.json({ user: req.user }) : res.status(401).json({ error: 'Not signed in' }),
  )
  // The chat client's token: the QuickBlox user is this app's user, by id. The QuickBlox user id
  // is kept in the user's row and passed back (quickbloxUserId): someone who took a login its
  // owner freed (by deleting or renaming their QuickBlox account) is never handed to them.
  const linked = {
    async sessionFor(identity) {
      const session = await admin.sessionFor(identity)
      if (session.userId !== identity.quickbloxUserId) users.linkQuickBlox(identity.externalUserId, session.userId)
      return session
    },
  }
  app.post(
    '/api/quickblox/session',
    jsonOnly,
    quickbloxSession({
      admin: linked,
      identity: (req) => ({
        externalUserId: req.user.id,
        quickbloxUserId: req.user.quickbloxUserId,
        fullName: req.user.name,
      }),
    }),
  )
  app.post('/logout', jsonOnly, (req, res, next) => {
    req.logout((err) => (err ? next(err) : req.session.destroy(() => res.json({ loggedOut: true }))))
  })
  // Failed sign-ins (passport's failWithError) and QuickBlox's errors carry their status.
  app.use((err, req, res, _next) => {
    const status = Number.isInteger(err.status) ? err.status : 500
    if (status >= 500) console.error(`${req.method} ${req.path}: ${err.code ?? err.name}`)
    if (err.headers?.['Retry-After']) res.set('Retry-After', err.headers['Retry-After'])
    res.status(status).json({ error: err.code ?? (status === 401 ? 'Wrong username or password' : 'Error') })
  })
  return app
}
