// The login route of the hardening tests, as an app would write it: Express 5 with both body
// parsers, express-session and passport with the QuickBlox strategy. Outcomes are answered
// with Passport's custom callback; errors reach an error handler that answers `err.status` and
// JSON `{ code }` (plus `Retry-After` for rate limits). The app keeps every error it handled,
// so a test can check it is one of ours, and can log them as apps do (`console.error(err)`).
import http from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import express, { type ErrorRequestHandler } from 'express'
import session from 'express-session'
import passport from 'passport'
import type { QuickBloxStrategy } from '../../lib/index.js'

export interface LoginAppOptions {
  /** Log every handled error with `console.error`, as many apps do. Default false. */
  logErrors?: boolean
}

/** One HTTP answer of the app. `json` is undefined when the body is not JSON. */
export interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
  json: unknown
  /** Milliseconds from sending the request to the end of the answer. */
  ms: number
}

export interface LoginApp {
  url: string
  /** Every error the error handler received, in order. */
  errors: unknown[]
  /** POSTs a raw body to `/login` with the given content type, over a keep-alive connection. */
  /** `contentType`: 'json', 'form', or any raw Content-Type header value ('' sends none). */
  post(body: string, contentType: string): Promise<Answer>
  /** POSTs `value` to `/login` as JSON. */
  postJson(value: unknown): Promise<Answer>
  close(): Promise<void>
}

const CONTENT_TYPES: Record<string, string> = { json: 'application/json', form: 'application/x-www-form-urlencoded' }

export async function startLoginApp(strategy: QuickBloxStrategy, options: LoginAppOptions = {}): Promise<LoginApp> {
  const auth = new passport.Passport()
  auth.use(strategy)
  auth.serializeUser((user, done) => done(null, user))
  auth.deserializeUser((user: Express.User, done) => done(null, user))

  const app = express()
  app.use(express.json())
  app.use(express.urlencoded({ extended: true }))
  app.use(session({ secret: 'hardening-session-secret', resave: false, saveUninitialized: false }))
  app.use(auth.session())

  app.post('/login', (req, res, next) => {
    auth.authenticate(strategy.name, (err: unknown, user: unknown, info: unknown, status: unknown) => {
      if (err) return next(err)
      if (!user) {
        const message = (info as { message?: unknown } | undefined)?.message
        return res.status(typeof status === 'number' ? status : 401).json({ code: 'LOGIN_FAILED', message })
      }
      req.logIn(user as Express.User, (loginError) => {
        if (loginError) return next(loginError)
        res.json({ id: (user as { id: unknown }).id })
      })
    })(req, res, next)
  })

  const errors: unknown[] = []
  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    errors.push(err)
    if (options.logErrors) console.error('login error:', err)
    const e = (typeof err === 'object' && err !== null ? err : {}) as { status?: unknown; code?: unknown; retryAfter?: unknown }
    const status = typeof e.status === 'number' && e.status >= 400 && e.status < 600 ? e.status : 500
    if (typeof e.retryAfter === 'number') res.set('Retry-After', String(e.retryAfter))
    res.status(status).json({ code: typeof e.code === 'string' ? e.code : 'INTERNAL', retryAfter: e.retryAfter })
  }
  app.use(onError)

  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 })

  const post = (body: string, contentType: string): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const started = Date.now()
      const req = http.request({
        host: '127.0.0.1', port, path: '/login', method: 'POST', agent,
        headers: {
          ...(contentType === '' ? {} : { 'content-type': CONTENT_TYPES[contentType] ?? contentType }),
          'content-length': Buffer.byteLength(body),
        },
      }, (res) => {
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
    url: `http://127.0.0.1:${port}`,
    errors,
    post,
    postJson: (value) => post(JSON.stringify(value) ?? 'null', 'json'),
    async close() {
      agent.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))
    },
  }
}
