// An Express 5 app as users write one: body parsers, express-session, passport.session(),
// and the QuickBlox strategy under test. It listens on 127.0.0.1 and records every outcome
// the strategy produced, so a test can assert there was exactly one.
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import session from 'express-session'
import passport from 'passport'
import request from 'supertest'
import type { QuickBloxAuthenticateOptions, QuickBloxStrategy } from '../../lib/index.js'

/** How the app parses bodies: JSON, urlencoded with qs (`extended`), urlencoded flat (`simple`), or not at all. */
export type BodyParsing = 'json+urlencoded' | 'extended' | 'simple' | 'json' | 'none'

export interface TestAppOptions {
  parsing?: BodyParsing
  /** Options of `passport.authenticate()` on `POST /login`. */
  authenticate?: QuickBloxAuthenticateOptions
}

/** One call of Passport's outcome callback on `POST /outcome`. */
export interface Outcome { kind: 'success' | 'fail' | 'error'; user?: unknown; info?: unknown; status?: number; error?: unknown }

export interface TestApp {
  url: string
  /** A cookie-keeping client, like a browser. */
  agent: ReturnType<typeof request.agent>
  /** Every outcome `POST /outcome` saw, in order. */
  outcomes: Outcome[]
  close(): Promise<void>
}

interface SessionUser { id: number; token?: string }

export async function startApp(strategy: QuickBloxStrategy, options: TestAppOptions = {}): Promise<TestApp> {
  const parsing = options.parsing ?? 'json+urlencoded'
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

  app.post('/login', auth.authenticate(strategy.name, options.authenticate ?? {}), (req, res) => {
    res.json({ user: req.user })
  })

  // Passport's custom-callback form shows the outcome itself: fail's info and status, the error.
  const outcomes: Outcome[] = []
  app.post('/outcome', (req, res, next) => {
    let answered = false
    const handler = auth.authenticate(strategy.name, options.authenticate ?? {},
      (error: unknown, user: unknown, info: unknown, status: unknown) => {
        const outcome: Outcome = error ? { kind: 'error', error } : user ? { kind: 'success', user, info } : { kind: 'fail', info, status: status as number }
        outcomes.push(outcome)
        if (answered) return
        answered = true
        if (outcome.kind === 'error') return next(error)
        res.status(outcome.kind === 'fail' ? (outcome.status ?? 401) : 200).json(outcome)
      }) as RequestHandler
    handler(req, res, next)
  })

  app.get('/me', (req, res) => {
    if (req.user) res.json({ user: req.user })
    else res.status(401).json({ user: null })
  })
  app.get('/messages', (req, res) => {
    res.json({ messages: (req.session as { messages?: string[] }).messages ?? [] })
  })
  app.get('/', (_req, res) => { res.send('home') })

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

  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>
    const status = typeof e.status === 'number' ? e.status : 500
    res.status(status).json({
      error: { name: e.name, code: e.code, message: e.message, status: e.status, retryAfter: e.retryAfter },
    })
  }
  app.use(onError)

  const server: Server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    agent: request.agent(url),
    outcomes,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))
    },
  }
}
