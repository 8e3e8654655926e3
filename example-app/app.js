// The example app: Express 5, express-session, Passport and passport-quickblox.
// createApp() builds the app without listening, so tests can drive it; server.js runs it.
import { promisify } from 'node:util'
import express from 'express'
import session from 'express-session'
import passport from 'passport'
import helmet from 'helmet'
import { RedisStore } from 'connect-redis'
import { StoreFault, isRedisFault, sessionClient } from './redis.js'
import { QuickBloxError, QuickBloxStrategy, QuickBloxValidationError } from 'passport-quickblox'
import { csrfProtection } from './csrf.js'
import * as bodies from './bodies.js'
import { DEFAULT_LIMITS, signInLimits } from './limits.js'
import * as views from './views.js'
import { appUser } from './user.js'
import { bearerAuth } from './token-auth.js'
import { accountRoutes } from './account.js'
import { loginProblem } from './names.js'
import { SESSION_MAX_AGE_MS, sessionEpochs } from './sessions.js'

/** The strategy and its verify function: what this app keeps of a QuickBlox user, in the session. */
export function createStrategy(quickbloxOptions) {
  return new QuickBloxStrategy(quickbloxOptions, async (user, session) => ({
    ...appUser(user),
    qbToken: session.token, // needed to end the QuickBlox session at logout; never rendered or sent
  }))
}

const MESSAGES = {
  403: 'Sign in over HTTPS.',
  429: 'Too many sign-in attempts. Please try again later.',
  tokens429: 'Too many refused tokens. Please try again later.',
  signup429: 'Too many sign-ups from your address. Please try again later.',
  reset429: 'Too many password-reset requests. Please try again later.',
  502: 'QuickBlox sent an answer we could not read. Please try again in a moment.',
  503: 'QuickBlox is unavailable right now. Please try again in a moment.',
  redis: 'This service is briefly unavailable. Please try again in a moment.',
  504: 'QuickBlox did not answer in time. Please try again in a moment.',
  500: 'Something went wrong on our side.',
}
// What each body parser accepts, told to a client whose body it could not take (415).
const ACCEPTED = {
  api: 'Send Content-Type: application/json in UTF-8, without Content-Encoding.',
  form: 'Send the form as application/x-www-form-urlencoded in UTF-8 or ISO-8859-1, without Content-Encoding.',
}

/**
 * Builds the app without listening (see `listen` in http.js). One options object, so features can be added.
 * @param {object} options
 * @param {import('passport-quickblox').QuickBloxStrategy} options.strategy
 * @param {string} options.sessionSecret signs session cookies and CSRF tokens, keys the rate-limit hashes
 * @param {import('redis').RedisClientType} [options.redis] sessions and rate-limit counters in Redis, shared by
 *   every instance
 * @param {import('express-session').Store} [options.sessionStore] default: Redis when `redis` is given, else in memory
 * @param {boolean} [options.production] `__Host-` (so Secure) session and CSRF cookies; sign-in over HTTPS only
 * @param {boolean | number | string} [options.trustProxy] Express's `trust proxy`
 * @param {object[] | null} [options.demoUsers] listed on the login page (emulator mode only)
 * @param {Partial<typeof DEFAULT_LIMITS>} [options.limits] the rate limits (limits.js); DEFAULT_LIMITS for those
 *   not given
 * @param {(line: string) => void} [options.log]
 * @param {import('passport-quickblox').QuickBloxTokenStrategy} [options.tokenStrategy] /api/* also takes Bearer tokens
 * @param {import('passport-quickblox').QuickBloxAdmin} [options.admin] the application's API key: a sign-up page
 */
export function createApp({
  strategy,
  sessionSecret,
  redis,
  sessionStore,
  production = false,
  trustProxy = false,
  demoUsers = null,
  limits = DEFAULT_LIMITS,
  log = console.log,
  tokenStrategy,
  admin,
}) {
  const app = express()
  app.set('trust proxy', trustProxy)
  const auth = new passport.Passport() // an instance of our own, not Passport's global one
  auth.use(strategy)
  if (tokenStrategy) auth.use(tokenStrategy)
  auth.serializeUser((user, done) => done(null, user)) // the small object verify returned
  auth.deserializeUser((user, done) => done(null, user))

  app.use(requestLog(log), helmet(), asteriskForm, (req, res, next) => {
    res.set('Cache-Control', 'no-store')
    next()
  })
  // A session is stored, and its cookie set, only at sign-in (saveUninitialized: false, and nothing
  // else writes to it): anonymous visitors cost no memory and no Redis entry.
  // In production the cookie is `__Host-` prefixed: Secure, Path=/, no Domain, so a sibling
  // subdomain cannot plant a session id of its choosing.
  const sessionCookie = production ? '__Host-sid' : 'sid'
  const cookieOptions = { httpOnly: true, sameSite: 'lax', secure: production, path: '/' }
  app.use(
    session({
      name: sessionCookie,
      secret: sessionSecret,
      resave: false,
      saveUninitialized: false,
      store:
        sessionStore ??
        (redis ? new RedisStore({ client: sessionClient(redis), prefix: 'pqb-example:sess:' }) : undefined),
      cookie: { ...cookieOptions, maxAge: SESSION_MAX_AGE_MS },
    }),
  )
  app.use(auth.session())
  // A session that its user's password change or deletion ended elsewhere (sessions.js) is over
  // here too: it goes on as a signed-out visitor, and its QuickBlox session is ended.
  const epochs = sessionEpochs({ redis })
  app.use(async (req, res, next) => {
    const kept = req.session?.passport?.user
    try {
      if (!kept || (await epochs.valid(kept.id, kept.sessionEpoch))) return next()
      await promisify(req.session.regenerate.bind(req.session))()
      req.user = undefined
      await endQuickBloxSession(res, kept.qbToken)
      next()
    } catch (err) {
      next(err)
    }
  })

  const csrf = csrfProtection({ secret: sessionSecret, production })
  // The API's paths, in any casing: Express matches `/API/me` to `/api/me` as well.
  const isApi = (req) => /^\/api(?:[/?]|$)/i.test(req.originalUrl)
  const pageCsrf = (req, res) => (req.user ? csrf.token(req, res) : '') // only signed-in pages have a form (sign out)
  const sendError = (req, res, status, message) =>
    isApi(req)
      ? res.status(status).json({ error: message })
      : res.status(status).send(views.error({ status, message, user: req.user, csrf: pageCsrf(req, res) }))
  const requireCsrf = (req, res, next) =>
    csrf.verify(req) ? next() : sendError(req, res, 403, 'This form has expired. Please reload the page and try again.')
  const refuse = (req, res, what = '') => sendError(req, res, 429, MESSAGES[`${what}429`] ?? MESSAGES[429])
  const limiter = signInLimits({ secret: sessionSecret, redis, limits: { ...DEFAULT_LIMITS, ...limits }, refuse })

  // Every sign-in, form or JSON, in this order: HTTPS in production (a Secure cookie would never
  // reach the browser, leaving a stored session no one can use); the credentials as the strategy
  // reads them (a 400 counts against nothing); the per-address limit; a place on the account's
  // counters (limits.js); then QuickBlox, through Passport with a callback, so a failure can be
  // shown on the login page or as JSON. Signing in ends the QuickBlox session of whoever was
  // signed in before in this browser: the app no longer holds its token.
  const signIn = (onSuccess, onFailure) => [
    (req, res, next) => {
      if (production && !req.secure) return sendError(req, res, 403, MESSAGES[403])
      const read = strategy.credentialsOf(req)
      if ('message' in read) return onFailure(req, res, 400, read.message)
      res.locals.credentials = read.credentials
      next()
    },
    limiter.perAddress,
    limiter.reserve,
    (req, res, next) =>
      auth.authenticate('quickblox', (err, user, info, status) => {
        signedIn(req, res, { err, user, info, status }, onSuccess, onFailure).catch((e) => next(e))
      })(req, res, next),
  ]

  /** What Passport said of a sign-in, answered; every failure on the way rejects, for `next`. */
  async function signedIn(req, res, { err, user, info, status }, onSuccess, onFailure) {
    const outcome = err ? undefined : user ? 200 : (status ?? 401)
    const previous = sessionToken(req)
    await limiter.settle(res, outcome)
    if (err) throw err
    if (!user) return onFailure(req, res, outcome, info?.message ?? 'Wrong credentials')
    user.sessionEpoch = await epochs.current(user.id) // see sessions.js
    // How they signed in: a password, or a provider (then /profile asks for that again, not a password).
    const read = res.locals.credentials
    user.signedInWith = read && 'provider' in read ? read.provider : 'password'
    await promisify(req.logIn.bind(req))(user) // Passport 0.7 gives the session a new id here (no session fixation)
    await endQuickBloxSession(res, previous)
    onSuccess(req, res, user)
  }

  // Ends a QuickBlox session. If QuickBlox is down the log says so, and QuickBlox expires the
  // token 2 h after its last use anyway.
  const endQuickBloxSession = (res, token) =>
    token
      ? strategy.logout(token).catch((e) => {
          res.locals.errorCode = e.code
        })
      : Promise.resolve()

  // Signs out whatever this request is signed in with: the cookie session (destroyed, so Passport's
  // login goes with it, and its QuickBlox session ended), and on the API a Bearer token too. With a
  // cookie and a token of two users, both end. The token is ended at QuickBlox and no longer trusted
  // here (tokenStrategy.logout); if QuickBlox cannot be reached that fails (503, "try again"): the
  // client still holds the token and can ask again, where a browser's cookie is gone either way.
  async function signOut(req, res) {
    const token = sessionToken(req)
    await promisify(req.session.destroy.bind(req.session))()
    res.clearCookie(sessionCookie, cookieOptions)
    await endQuickBloxSession(res, token)
    if (!res.locals.bearerToken) return
    await tokenStrategy.logout(res.locals.bearerToken).catch((err) => {
      // Ended at QuickBlox, or QuickBlox's own fault; else the shared token store failed to forget it.
      throw err instanceof QuickBloxError ? err : new StoreFault(err)
    })
  }

  // Pages. Every form POST carries the CSRF token (requireCsrf).
  const form = bodies.form()
  app.get('/', (req, res) =>
    res.send(views.home({ user: req.user, csrf: pageCsrf(req, res), deleted: req.query.deleted === '1' })),
  )
  const signup = Boolean(admin)
  app.get('/login', (req, res) =>
    res.send(views.login({ csrf: csrf.token(req, res), demoUsers, signup, expired: req.query.expired === '1' })),
  )
  app.post(
    '/login',
    form,
    requireCsrf,
    loginOrEmail,
    signIn(
      (req, res) => res.redirect(303, '/profile'),
      (req, res, status, error) => {
        const values = { login: req.body.login ?? req.body.email, project_id: req.body.firebase_phone?.project_id }
        res.status(status).send(views.login({ csrf: csrf.token(req, res), error, demoUsers, values, signup }))
      },
    ),
  )
  if (admin) {
    // Sign-up: the QuickBlox user is created from this server with the application's API key
    // (clients need no right to create users), then signed in as the login form would.
    const signupPage = (req, res, status, { values = {}, errors = {} } = {}) =>
      res.status(status).send(views.signup({ csrf: csrf.token(req, res), values, errors }))
    app.get('/signup', (req, res) => signupPage(req, res, 200))
    app.post(
      '/signup',
      form,
      requireCsrf,
      async (req, res, next) => {
        const { values, errors } = readSignup(req.body)
        if (Object.keys(errors).length > 0) return signupPage(req, res, 400, { values, errors })
        res.locals.signup = values
        next()
      },
      limiter.signups,
      async (req, res, next) => {
        const { login, email, full_name: fullName, password } = res.locals.signup
        try {
          await admin.createUser({ login, email, fullName, password })
        } catch (err) {
          // QuickBlox's field errors (a taken login, a short password) are for the person signing up.
          if (!(err instanceof QuickBloxValidationError)) throw err
          const errors = Object.fromEntries(Object.entries(err.fields).map(([field, list]) => [field, list.join(', ')]))
          return signupPage(req, res, 422, { values: res.locals.signup, errors })
        }
        req.body = login ? { login, password } : { email, password }
        next()
      },
      signIn(
        (req, res) => res.redirect(303, '/profile'),
        (req, res, status, error) =>
          signupPage(req, res, status, { values: res.locals.signup, errors: { base: error } }),
      ),
    )
  }
  // The user's own account (account.js): name and email, password, deletion, a forgotten password.
  const account = accountRoutes({
    strategy,
    epochs,
    limiter,
    csrfToken: (req, res) => csrf.token(req, res),
    sendError,
    signOut,
    endQuickBloxSession,
    sessionToken,
  })
  const signedInPage = (req, res, next) => (req.user ? next() : res.redirect('/login'))
  app.get('/profile', signedInPage, (req, res) =>
    res.send(views.profile({ user: req.user, csrf: csrf.token(req, res), updated: req.query.updated })),
  )
  app.post('/profile', form, requireCsrf, signedInPage, account.updateProfile('form'))
  app.post('/profile/password', form, requireCsrf, signedInPage, limiter.perAddress, account.changePassword('form'))
  app.post('/profile/delete', form, requireCsrf, signedInPage, limiter.perAddress, account.deleteAccount('form'))
  app.get('/password-reset', (req, res) => res.send(views.passwordReset({ csrf: csrf.token(req, res) })))
  app.post('/password-reset', form, requireCsrf, limiter.resets, account.resetPassword('form'))
  app.post('/logout', form, requireCsrf, async (req, res) => {
    await signOut(req, res)
    res.redirect(303, '/')
  })

  // JSON API. No CSRF token: a body must be application/json, which a cross-site form cannot
  // send and a cross-site fetch() can only send after a CORS preflight we never approve. A POST
  // without a body and without a Content-Type (a bare logout) is let through: the session cookie
  // is SameSite=Lax, so a cross-site request does not carry it.
  const api = express.Router()
  api.use((req, res, next) =>
    !BODY_METHODS.has(req.method) || isJsonOrBare(req) ? next() : sendError(req, res, 415, ACCEPTED.api),
  )
  api.use(bodies.json())
  api.post(
    '/login',
    signIn(
      (req, res, user) => res.json({ user: publicUser(user) }),
      (req, res, status, error) => res.status(status).json({ error }),
    ),
  )
  api.get('/me', (req, res) =>
    req.user ? res.json({ user: publicUser(req.user) }) : sendError(req, res, 401, 'Not signed in'),
  )
  const signedInApi = (req, res, next) => (req.user ? next() : sendError(req, res, 401, 'Not signed in'))
  api.patch('/me', signedInApi, account.updateProfile('api'))
  api.put('/me/password', signedInApi, limiter.perAddress, account.changePassword('api'))
  api.delete('/me', signedInApi, limiter.perAddress, account.deleteAccount('api'))
  api.post('/password-reset', limiter.resets, account.resetPassword('api'))
  api.post('/logout', async (req, res) => {
    await signOut(req, res)
    res.status(204).end()
  })
  if (tokenStrategy) app.use('/api', limiter.bearerFailures, bearerAuth(auth, tokenStrategy)) // token-auth.js
  app.use('/api', api)

  app.use((req, res) => sendError(req, res, 404, 'Not found'))
  app.use((err, req, res, _next) => {
    // Sessions or counters out of reach (Redis hangs or is down): 503, never a 500 or a hang.
    if (isRedisFault(err)) {
      res.locals.errorCode = 'REDIS_UNAVAILABLE'
      return sendError(req, res.set('Retry-After', '5'), 503, MESSAGES.redis)
    }
    // QuickBlox trouble, from the library; a client error such as malformed JSON; else a bug or misconfiguration.
    const status = [429, 502, 503, 504].includes(err.status)
      ? err.status
      : err.expose && err.status >= 400 && err.status < 500
        ? err.status
        : 500
    // The library's 503s carry QuickBlox's Retry-After, or 30 s where it sent none.
    const retryAfter = Number.isFinite(err.retryAfter) ? Math.ceil(err.retryAfter) : undefined
    if (retryAfter !== undefined) res.set('Retry-After', String(retryAfter))
    res.locals.errorCode = typeof err.code === 'string' ? err.code : (err.type ?? err.name) // logged: never the message
    const message =
      MESSAGES[status] ??
      (status === 415
        ? ACCEPTED[isApi(req) ? 'api' : 'form']
        : status === 413
          ? `The request body is larger than ${bodies.BODY_LIMIT.replace('kb', ' KB')}.`
          : 'The request could not be read.')
    sendError(req, res, status, message)
  })
  return app
}

/** The methods whose body the API reads: JSON only. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

// application/json (any parameters; the parser checks the charset), or no body and no type at all.
function isJsonOrBare(req) {
  const type = req.headers['content-type']
  if (type === undefined) {
    return req.headers['transfer-encoding'] === undefined && Number(req.headers['content-length'] ?? 0) === 0
  }
  return type.split(';')[0].trim().toLowerCase() === 'application/json'
}

const SIGNUP_FIELDS = ['login', 'email', 'full_name', 'password']
/**
 * The sign-up form's fields as text (anything else counts as empty), and what is wrong with them
 * before QuickBlox is asked.
 */
function readSignup(body) {
  const values = Object.fromEntries(
    SIGNUP_FIELDS.map((field) => [field, typeof body?.[field] === 'string' ? body[field].trim() : '']),
  )
  values.password = typeof body?.password === 'string' ? body.password : ''
  const errors = {}
  for (const field of SIGNUP_FIELDS) {
    if (values[field].length > 255) errors[field] = 'is too long (at most 255 characters)'
    else if (/\p{Cc}/u.test(values[field])) errors[field] = 'must not contain control characters'
  }
  // A login that could pass for another, or for an email (names.js).
  const problem = values.login && !errors.login ? loginProblem(values.login) : undefined
  if (problem) errors.login = problem
  if (!values.login && !values.email) errors.login = 'or an email is required'
  if (!values.password) errors.password = 'is required'
  for (const field of SIGNUP_FIELDS) if (values[field] === '') delete values[field]
  return { values, errors }
}

/** The QuickBlox token of the cookie session's user (Passport keeps the login in `session.passport`), if any. */
const sessionToken = (req) => req.session?.passport?.user?.qbToken

/** The user as pages and the API may show it: all but the QuickBlox token and what the session keeps for itself. */
const publicUser = ({ qbToken: _secret, sessionEpoch: _epoch, signedInWith: _method, ...user }) => user

// The form has one "Login or email" box; QuickBlox takes them as separate fields.
function loginOrEmail(req, _res, next) {
  if (typeof req.body.login === 'string' && req.body.login.includes('@')) {
    req.body.email = req.body.login
    delete req.body.login
  }
  next()
}

// One line per request, once it is over: the status sent, or `aborted` when the client hung up first.
function requestLog(log) {
  return (req, res, next) => {
    const start = Date.now()
    const { method, path } = req // the path only: a query string could carry credentials
    res.on('close', () => {
      const status = res.writableFinished ? res.statusCode : 'aborted'
      const code = res.locals.errorCode ? ` ${res.locals.errorCode}` : ''
      log(`${method} ${path} ${status} ${Date.now() - start}ms${code}`)
    })
    next()
  }
}

// `OPTIONS *` asks about the server as a whole (RFC 9110): no route has that path. Any other
// method with it is malformed.
function asteriskForm(req, res, next) {
  if (req.url !== '*') return next()
  if (req.method !== 'OPTIONS') return res.status(400).end()
  res.set('Allow', 'GET, HEAD, POST, OPTIONS').status(204).end()
}
