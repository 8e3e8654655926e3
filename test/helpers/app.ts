// The one Express test app, as users write one: body parsers, express-session,
// passport.session() and the QuickBlox strategy under test, on 127.0.0.1. Three login routes
// show the strategy's outcomes three ways:
// - `POST /login`: plain `passport.authenticate()`, as most apps mount it;
// - `POST /outcome`: Passport's custom callback, recording every outcome (a test asserts there
//   was exactly one, with fail's info and status);
// - `POST /api/login`: a JSON API (`{ id }`, or `{ code: 'LOGIN_FAILED', message }`) for the
//   hardening tests, which post raw bodies to it over a keep-alive connection.
// Errors reach one handler that answers `err.status` with `{ error: { name, code, ... } }` (and
// `Retry-After` for rate limits) and keeps every error, so a test can check it is one of ours.
import http from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import session from 'express-session'
import passport from 'passport'
import request from 'supertest'
import type { QuickBloxAuthenticateOptions, QuickBloxStrategy } from 'passport-quickblox'

/** How the app parses bodies: JSON, urlencoded with qs (`extended`), urlencoded flat (`simple`), or not at all. */
export type BodyParsing = 'json+urlencoded' | 'extended' | 'simple' | 'json' | 'none'

export interface TestAppOptions {
  parsing?: BodyParsing
  /** Options of `passport.authenticate()` on the login routes. */
  authenticate?: QuickBloxAuthenticateOptions
  /** Log every handled error with `console.error`, as many apps do. Default false. */
  logErrors?: boolean
}

/** One call of Passport's outcome callback on `POST /outcome`. */
export interface Outcome {
  kind: 'success' | 'fail' | 'error'
  user?: unknown
  info?: unknown
  status?: number
  error?: unknown
}

/** One raw HTTP answer. `json` is undefined when the body is not JSON. */
export interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
  json: unknown
  /** Milliseconds from sending the request to the end of the answer. */
  ms: number
}

export interface TestApp {
  url: string
  /** A cookie-keeping client, like a browser. */
  agent: ReturnType<typeof request.agent>
  /** Every outcome `POST /outcome` saw, in order. */
  outcomes: Outcome[]
  /** Every error the error handler received, in order. */
  errors: unknown[]
  /**
   * POSTs a raw body to `/api/login` over a keep-alive connection. `contentType`: 'json', 'form',
   * or any raw Content-Type header value ('' sends none).
   */
  post(body: string, contentType: string): Promise<Answer>
  /** POSTs `value` to `/api/login` as JSON. */
  postJson(value: unknown): Promise<Answer>
  close(): Promise<void>
}

interface SessionUser {
  id: number
  token?: string
}

const CONTENT_TYPES: Record<string, string> = { json: 'application/json', form: 'application/x-www-form-urlencoded' }

export async function startApp(strategy: QuickBloxStrategy, options: TestAppOptions = {}): Promise<TestApp> {
  const parsing = options.parsing ?? 'json+urlencoded'
  const authenticateOptions = options.authenticate ?? {}
  const auth = new passport.Passport()
  auth.use(strategy)
  auth.serializeUser((user, done) => done(null, user))
  auth.deserializeUser((user: Express.User, done) => done(null, user))

  const app = express()
  if (parsing === 'json' || parsing === 'json+urlencoded') app.use(express.json())
  if (parsing === 'extended' || parsing === 'json+urlencoded') app.use(express.urlencoded({ extended: true }))
  if (parsing === 'simple') app.use(express.urlencoded({ extended: false }))
  app.use(session({ secret: 'test-app-session-secret', resave: false, saveUninitialized: false }))
  app.use(auth.session())

  app.post('/login', auth.authenticate(strategy.name, authenticateOptions) as RequestHandler, (req, res) => {
    res.json({ user: req.user })
  })

  const outcomes: Outcome[] = []
  app.post('/outcome', (req, res, next) => {
    let answered = false
    const callback = (error: unknown, user: unknown, info: unknown, status: unknown): void => {
      const outcome: Outcome = error
        ? { kind: 'error', error }
        : user
          ? { kind: 'success', user, info }
          : { kind: 'fail', info, status: status as number }
      outcomes.push(outcome)
      if (answered) return
      answered = true
      if (outcome.kind === 'error') return next(error)
      res.status(outcome.kind === 'fail' ? (outcome.status ?? 401) : 200).json(outcome)
    }
    const handler = auth.authenticate(strategy.name, authenticateOptions, callback) as RequestHandler
    handler(req, res, next)
  })

  app.post('/api/login', (req, res, next) => {
    const callback = (err: unknown, user: unknown, info: unknown, status: unknown): void => {
      if (err) return next(err)
      if (!user) {
        const message = (info as { message?: unknown } | undefined)?.message
        return void res.status(typeof status === 'number' ? status : 401).json({ code: 'LOGIN_FAILED', message })
      }
      req.logIn(user, (loginError) => {
        if (loginError) return next(loginError)
        res.json({ id: (user as SessionUser).id })
      })
    }
    const handler = auth.authenticate(strategy.name, authenticateOptions, callback) as RequestHandler
    handler(req, res, next)
  })

  app.get('/me', (req, res) => {
    if (req.user) res.json({ user: req.user })
    else res.status(401).json({ user: null })
  })
  app.get('/messages', (req, res) => {
    res.json({ messages: (req.session as { messages?: string[] }).messages ?? [] })
  })
  app.get('/', (_req, res) => {
    res.send('home')
  })

  // Signing out of the app signs out of QuickBlox too.
  app.post('/logout', async (req, res, next) => {
    try {
      const token = (req.user as SessionUser | undefined)?.token
      if (token) await strategy.logout(token)
      req.logout((err) => (err ? next(err) : res.json({ loggedOut: true })))
    } catch (err) {
      next(err)
    }
  })

  const errors: unknown[] = []
  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    errors.push(err)
    if (options.logErrors) console.error('login error:', err)
    const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>
    const status = typeof e.status === 'number' && e.status >= 400 && e.status < 600 ? e.status : 500
    if (typeof e.retryAfter === 'number') res.set('Retry-After', String(e.retryAfter))
    res.status(status).json({
      error: { name: e.name, code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter },
    })
  }
  app.use(onError)

  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 16 })

  const post = (body: string, contentType: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const started = Date.now()
      const headers = {
        ...(contentType === '' ? {} : { 'content-type': CONTENT_TYPES[contentType] ?? contentType }),
        'content-length': Buffer.byteLength(body),
      }
      const req = http.request({
        host: '127.0.0.1',
        port,
        path: '/api/login',
        method: 'POST',
        agent: keepAlive,
        headers,
      })
      req.on('response', (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let json: unknown
          try {
            json = JSON.parse(text)
          } catch {
            json = undefined
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, ms: Date.now() - started })
        })
      })
      req.on('error', reject)
      req.end(body)
    })

  return {
    url,
    agent: request.agent(url),
    outcomes,
    errors,
    post,
    postJson: (value) => post(JSON.stringify(value) ?? 'null', 'json'),
    async close() {
      keepAlive.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))
    },
  }
}
