// One contender's Express 5 app, in a process of its own so that its CPU time and peak RSS are
// its own (the load generator and the emulator run in other processes).
// `POST /login` with `{ login, password }` → 200 `{ id }`, or 401.
import { timingSafeEqual, createHash } from 'node:crypto'
import express from 'express'
import passport from 'passport'
import passportLocal from 'passport-local'
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt'
import { QuickBloxStrategy, QuickBloxTokenStrategy } from 'passport-quickblox'
import { handRolledStrategy } from './hand-rolled.js'
import { serve } from './ipc.js'
import { subscribeAll } from './subscriber.js'

let server
let strategy
let observed = () => undefined

/** Contender (c): Passport's own floor, an in-memory user list and no network at all. */
function localStrategy(users) {
  const digest = (text) => createHash('sha256').update(text).digest()
  const passwords = new Map(users.map((u) => [u.login, digest(u.password)]))
  return new passportLocal.Strategy({ usernameField: 'login' }, (login, password, done) => {
    const expected = passwords.get(login)
    if (!expected || !timingSafeEqual(expected, digest(password))) return done(null, false)
    done(null, { id: users.find((u) => u.login === login).id, login })
  })
}

function makeStrategy(contender, { url, application, users, jwtSecret }) {
  const credentials = { appId: application.id, authKey: application.authKey, authSecret: application.authSecret }
  switch (contender) {
    case 'passport-quickblox+subscriber':
      observed = subscribeAll()
    // falls through: the same strategy, observed
    case 'passport-quickblox':
      // Defaults throughout, the session pool included.
      return new QuickBloxStrategy({ ...credentials, apiEndpoint: url }, (user, _session, done) => done(null, user))
    case 'hand-rolled':
      return handRolledStrategy({ ...credentials, apiEndpoint: url })
    case 'passport-local':
      return localStrategy(users)
    // The token section (bench/tokens.js): `GET /me` with `Authorization: Bearer`.
    case 'quickblox-token':
    case 'quickblox-token-nocache':
      return new QuickBloxTokenStrategy(
        { appId: application.id, apiEndpoint: url, ...(contender.endsWith('nocache') ? { cache: false } : {}) },
        (user, _session, done) => done(null, { id: user.id }),
      )
    case 'passport-jwt':
      return new JwtStrategy(
        { jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: jwtSecret, algorithms: ['HS256'] },
        (payload, done) => done(null, { id: Number(payload.sub) }),
      )
    default:
      throw new Error(`unknown contender ${contender}`)
  }
}

serve({
  async start({ contender, quickblox }) {
    strategy = makeStrategy(contender, quickblox)
    const authenticator = new passport.Passport()
    authenticator.use('login', strategy)
    const app = express()
    app.use(express.json({ limit: '4kb' }))
    app.use(authenticator.initialize())
    app.post('/login', authenticator.authenticate('login', { session: false }), (req, res) => {
      res.json({ id: req.user.id })
    })
    app.get('/me', authenticator.authenticate('login', { session: false }), (req, res) => {
      res.json({ id: req.user.id })
    })
    // A QuickBlox error is a 502 for the load generator to count; no stack traces on the console.
    app.use((_err, _req, res, _next) => res.status(502).json({ error: 'login failed' }))
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s))
    })
    server.keepAliveTimeout = 30_000
    return { url: `http://127.0.0.1:${server.address().port}` }
  },
  usage() {
    return { cpu: process.cpuUsage(), maxRssKb: process.resourceUsage().maxRSS, observed: observed() }
  },
  async close() {
    server?.closeAllConnections()
    await new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()))
    await strategy?.close?.()
  },
})
