// The example app: Express 5, express-session, Passport and passport-quickblox.
// createApp() builds the app without listening, so tests can drive it; server.js runs it.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import express from 'express'
import session from 'express-session'
import passport from 'passport'
import helmet from 'helmet'
import { rateLimit } from 'express-rate-limit'
import { RedisStore } from 'connect-redis'
import { createClient } from 'redis'
import { QuickBloxStrategy } from 'passport-quickblox'
import * as views from './views.js'

/** The strategy and its verify function: what this app keeps of a QuickBlox user, in the session. */
export function createStrategy(quickbloxOptions) {
  return new QuickBloxStrategy(quickbloxOptions, async (user, session) => ({
    // A real app would find or create its own user record here, keyed by user.id.
    id: user.id, login: user.login, email: user.email, full_name: user.full_name, phone: user.phone,
    facebook_id: user.facebook_id, user_tags: user.user_tags, created_at: user.created_at, last_request_at: user.last_request_at,
    qbToken: session.token, // needed to end the QuickBlox session at logout; never rendered or sent
  }))
}

/** Sessions in Redis, so several app instances recognise the same signed-in user. */
export async function createRedisStore(url, log = console.log) {
  const client = createClient({ url, socket: { connectTimeout: 5000 } })
  client.on('error', (err) => log(`redis: ${err.code ?? err.name}`)) // without a listener, a lost connection crashes the process
  await client.connect()
  return { store: new RedisStore({ client, prefix: 'pqb-example:' }), client }
}

const MINUTES_15 = 15 * 60_000
const DEFAULT_LIMITS = {
  ip: { windowMs: MINUTES_15, limit: 50 }, // every sign-in attempt from one IP
  account: { windowMs: MINUTES_15, limit: 5 }, // rejected credentials for one login/email/provider token
}
const MESSAGES = {
  429: 'Too many sign-in attempts. Please try again later.',
  502: 'QuickBlox sent an answer we could not read. Please try again in a moment.',
  503: 'QuickBlox is unavailable right now. Please try again in a moment.',
  504: 'QuickBlox did not answer in time. Please try again in a moment.',
  500: 'Something went wrong on our side.',
}

/**
 * @param {object} options
 * @param {import('passport-quickblox').QuickBloxStrategy} options.strategy
 * @param {string} options.sessionSecret
 * @param {import('express-session').Store} [options.sessionStore] default: in memory (one process only)
 * @param {boolean} [options.production] secure cookies
 * @param {boolean | number | string} [options.trustProxy] Express's `trust proxy`
 * @param {object[] | null} [options.demoUsers] listed on the login page (emulator mode only)
 * @param {{ ip: { windowMs: number, limit: number }, account: { windowMs: number, limit: number } }} [options.limits]
 * @param {(line: string) => void} [options.log]
 */
export function createApp({ strategy, sessionSecret, sessionStore, production = false, trustProxy = false,
  demoUsers = null, limits = DEFAULT_LIMITS, log = console.log }) {
  const app = express()
  app.set('trust proxy', trustProxy)
  const auth = new passport.Passport() // an instance of our own, not Passport's global one
  auth.use(strategy)
  auth.serializeUser((user, done) => done(null, user)) // the small object verify returned
  auth.deserializeUser((user, done) => done(null, user))

  app.use(requestLog(log), helmet(), (req, res, next) => { res.set('Cache-Control', 'no-store'); next() })
  app.use(session({
    name: 'sid', secret: sessionSecret, store: sessionStore, resave: false, saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: production, maxAge: 8 * 3600_000 },
  }))
  app.use(auth.session())

  const isApi = (req) => req.originalUrl.startsWith('/api/')
  const pageCsrf = (req) => req.user ? csrfToken(req) : '' // only signed-in pages have a form (sign out)
  const sendError = (req, res, status, message) => isApi(req)
    ? res.status(status).json({ error: message })
    : res.status(status).send(views.error({ status, message, user: req.user, csrf: pageCsrf(req) }))
  const rateLimitOptions = { standardHeaders: 'draft-8', legacyHeaders: false, handler: (req, res) => sendError(req, res, 429, MESSAGES[429]) }
  const perIp = rateLimit({ ...limits.ip, ...rateLimitOptions }) // sets Retry-After when it refuses
  const perAccount = rateLimit({
    ...limits.account, ...rateLimitOptions,
    keyGenerator: (req) => accountKey(req.body), skip: (req) => !accountKey(req.body),
    skipSuccessfulRequests: true, requestWasSuccessful: (req, res) => res.statusCode !== 401, // count rejected credentials only
  })

  // Calls Passport with a callback, so a failure can be shown on the login page or as JSON.
  const signIn = (onSuccess, onFailure) => (req, res, next) => auth.authenticate('quickblox', (err, user, info, status) => {
    if (err) return next(err)
    if (!user) return onFailure(req, res, status ?? 401, info?.message ?? 'Wrong credentials')
    req.logIn(user, (err) => err ? next(err) : onSuccess(req, res, user)) // Passport 0.7 rotates the session id here
  })(req, res, next)

  function signOut(req, res, next) {
    const token = req.user?.qbToken
    // Destroying the session signs the user out of Passport too: the login lives in the session.
    req.session.destroy(async (err) => {
      if (err) return next(err)
      res.clearCookie('sid')
      // End the QuickBlox session as well. If QuickBlox is down the user is still signed out here,
      // and QuickBlox expires the token 2 h after its last use anyway.
      if (token) await strategy.logout(token).catch((e) => { res.locals.errorCode = e.code })
      next()
    })
  }

  // Pages. Every form POST carries the synchronizer token (requireCsrf).
  const form = express.urlencoded({ extended: true, limit: '32kb' })
  app.get('/', (req, res) => res.send(views.home({ user: req.user, csrf: pageCsrf(req) })))
  app.get('/login', (req, res) => res.send(views.login({ csrf: csrfToken(req), demoUsers })))
  app.post('/login', form, perIp, requireCsrf(sendError), loginOrEmail, perAccount, signIn(
    (req, res) => res.redirect(303, '/profile'),
    (req, res, status, error) => res.status(status).send(views.login({ csrf: csrfToken(req), error, demoUsers, values: {
      login: req.body.login ?? req.body.email, project_id: req.body.firebase_phone?.project_id } })),
  ))
  app.get('/profile', (req, res) => req.user ? res.send(views.profile({ user: req.user, csrf: csrfToken(req) })) : res.redirect('/login'))
  app.post('/logout', form, requireCsrf(sendError), signOut, (req, res) => res.redirect(303, '/'))

  // JSON API. No CSRF token: only application/json is accepted, which a cross-site form cannot
  // send and a cross-site fetch() can only send after a CORS preflight we never approve.
  const api = express.Router()
  api.use((req, res, next) => req.method !== 'POST' || req.is('application/json') ? next() : sendError(req, res, 415, 'Send Content-Type: application/json'))
  api.use(express.json({ limit: '32kb' }))
  api.post('/login', perIp, perAccount, signIn(
    (req, res, user) => res.json({ user: publicUser(user) }),
    (req, res, status, error) => res.status(status).json({ error }),
  ))
  api.get('/me', (req, res) => req.user ? res.json({ user: publicUser(req.user) }) : sendError(req, res, 401, 'Not signed in'))
  api.post('/logout', signOut, (req, res) => res.status(204).end())
  app.use('/api', api)

  app.use((req, res) => sendError(req, res, 404, 'Not found'))
  app.use((err, req, res, _next) => {
    const status = [429, 502, 503, 504].includes(err.status) ? err.status // QuickBlox trouble, from the library
      : err.expose && err.status >= 400 && err.status < 500 ? err.status : 500 // e.g. malformed JSON; else a bug or misconfiguration
    const retryAfter = Number.isFinite(err.retryAfter) ? Math.ceil(err.retryAfter) : status === 503 ? 5 : undefined
    if (retryAfter !== undefined) res.set('Retry-After', String(retryAfter))
    res.locals.errorCode = typeof err.code === 'string' ? err.code : err.name // logged: never the message
    sendError(req, res, status, MESSAGES[status] ?? 'The request could not be read.')
  })
  return app
}

/** The user as pages and the API may show it: everything but the QuickBlox token. */
const publicUser = ({ qbToken: _secret, ...user }) => user

// Synchronizer token: random, kept in the session, echoed by every form, compared in constant time.
function csrfToken(req) {
  if (!req.session) return ''
  req.session.csrfToken ??= randomBytes(32).toString('base64url')
  return req.session.csrfToken
}
const requireCsrf = (sendError) => (req, res, next) => {
  const sent = Buffer.from(typeof req.body?._csrf === 'string' ? req.body._csrf : '')
  const kept = Buffer.from(req.session.csrfToken ?? '')
  if (kept.length > 0 && sent.length === kept.length && timingSafeEqual(sent, kept)) return next()
  sendError(req, res, 403, 'This form has expired. Please reload the page and try again.')
}

// The form has one "Login or email" box; QuickBlox takes them as separate fields.
function loginOrEmail(req, _res, next) {
  if (typeof req.body.login === 'string' && req.body.login.includes('@')) {
    req.body.email = req.body.login
    delete req.body.login
  }
  next()
}

// The account an attempt is aimed at: normalized login or email, or the provider token.
// Hashed, so the limiter's store never holds a token.
function accountKey(body) {
  const b = body ?? {}
  const id = typeof b.login === 'string' ? `login:${b.login.trim().toLowerCase()}`
    : typeof b.email === 'string' ? `email:${b.email.trim().toLowerCase()}`
      : typeof b.keys?.token === 'string' ? `facebook:${b.keys.token}`
        : typeof b.firebase_phone?.access_token === 'string' ? `firebase:${b.firebase_phone.access_token}` : ''
  return id && createHash('sha256').update(id).digest('hex')
}

function requestLog(log) {
  return (req, res, next) => {
    const start = Date.now()
    const { method, path } = req // the path only: a query string could carry credentials
    res.on('finish', () => log(`${method} ${path} ${res.statusCode} ${Date.now() - start}ms`
      + (res.locals.errorCode ? ` ${res.locals.errorCode}` : '')))
    next()
  }
}
