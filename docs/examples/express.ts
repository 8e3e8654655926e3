// Express 5 + passport + express-session, and an API for clients that hold a QuickBlox session
// token (`Authorization: Bearer …`, as the QuickBlox SDK gives one). Start it with:
//   const { app } = createApp({ appId: 76730, authKey: '…', authSecret: '…' }, process.env.SESSION_SECRET!)
//   app.listen(3000)
import express, { type ErrorRequestHandler, type Express } from 'express'
import session from 'express-session'
import passport from 'passport'
import {
  QuickBloxError,
  QuickBloxStrategy,
  QuickBloxTokenStrategy,
  type QuickBloxStrategyOptions,
} from 'passport-quickblox'

/** What the session keeps: the QuickBlox token stays on the server, for signing out. */
interface AppUser {
  id: number
  login: string | null
  qbToken: string
}

export function createApp(
  options: QuickBloxStrategyOptions,
  sessionSecret: string,
): { app: Express; strategy: QuickBloxStrategy; tokens: QuickBloxTokenStrategy } {
  const strategy = new QuickBloxStrategy(options, async (user, qbSession) => ({
    id: user.id,
    login: user.login,
    qbToken: qbSession.token,
  }))
  // Checking a token needs no auth key or secret.
  const { appId, apiEndpoint, timeout } = options
  const tokens = new QuickBloxTokenStrategy({ appId, apiEndpoint, timeout }, async (user) => ({
    id: user.id,
    login: user.login,
  }))
  passport.use(strategy)
  passport.use(tokens)
  passport.serializeUser((user, done) => done(null, user))
  passport.deserializeUser((user: AppUser, done) => done(null, user))

  const app = express()
  app.use(express.json())
  app.use(express.urlencoded({ extended: false }))
  // The session store is in memory here: use a shared one (Redis) in production.
  app.use(
    session({
      secret: sessionSecret,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  )
  app.use(passport.session())

  // Failed logins are answered 400 or 401 by Passport.
  app.post('/login', passport.authenticate('quickblox'), (req, res) => {
    const user = req.user as AppUser
    res.json({ user: { id: user.id, login: user.login } })
  })
  app.get('/me', (req, res) => {
    const user = req.user as AppUser | undefined
    if (!user) return void res.status(401).json({ user: null })
    res.json({ user: { id: user.id, login: user.login } })
  })
  // Token clients: no session, a 401 with `WWW-Authenticate: Bearer …` when the token is missing or refused.
  app.get('/api/me', passport.authenticate('quickblox-token', { session: false }), (req, res) => {
    res.json({ user: req.user })
  })
  // Signing out of the app signs out of QuickBlox too.
  app.post('/logout', async (req, res) => {
    const user = req.user as AppUser | undefined
    if (user) await strategy.logout(user.qbToken)
    req.logout((err) => (err ? res.status(500).end() : res.json({ loggedOut: true })))
  })

  // QuickBlox errors: 429 (with Retry-After when known), 500, 502, 503, 504, and a stable code.
  const onError: ErrorRequestHandler = (err, _req, res, next) => {
    if (!(err instanceof QuickBloxError)) return next(err)
    res
      .set(err.headers ?? {})
      .status(err.status)
      .json({ code: err.code, message: err.message })
  }
  app.use(onError)
  return { app, strategy, tokens }
}
