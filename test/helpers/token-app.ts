// An Express 5 API as users write one for mobile clients: `GET /api/me` behind
// passport.authenticate('quickblox-token', { session: false }), and an error handler that answers
// with the status our errors carry (and Retry-After when QuickBlox gave one). Plus a way to get a
// user's token as the QuickBlox SDK does, straight from `POST /session.json`.
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import express, { type ErrorRequestHandler } from 'express'
import passport from 'passport'
import type { Emulator, EmulatorApplication } from 'passport-quickblox/emulator'
import type { QuickBloxTokenStrategy } from '../../lib/index.js'
import { call, sessionParams, type Params } from './emulator.js'

export interface TokenApp {
  url: string
  /** Every error that reached the app's error handler. */
  errors: unknown[]
  close(): Promise<void>
}

export async function startTokenApp(
  strategy: QuickBloxTokenStrategy,
  options: { logErrors?: boolean } = {},
): Promise<TokenApp> {
  const auth = new passport.Passport()
  auth.use(strategy)
  const app = express()
  app.use(express.json())
  app.all('/api/me', auth.authenticate(strategy.name, { session: false }), (req, res) => {
    res.json({ user: req.user })
  })
  const errors: unknown[] = []
  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    errors.push(err)
    // As many apps do: the error, logged whole.
    if (options.logErrors) console.error(err)
    const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>
    const status = typeof e.status === 'number' ? e.status : 500
    if (typeof e.retryAfter === 'number') res.set('Retry-After', String(e.retryAfter))
    res.status(status).json({ error: { code: e.code, message: e.message } })
  }
  app.use(onError)
  const server: Server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    errors,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))
    },
  }
}

/**
 * A session token as a mobile client's SDK gets one: `POST /session.json` with the app's
 * credentials and the user's, signed including them. Without `user`, an application session.
 */
export async function sdkToken(
  emulator: Emulator,
  user?: Params,
  app: EmulatorApplication = emulator.application,
  timestamp?: number,
): Promise<string> {
  const body = sessionParams(app, user ? { user } : {}, timestamp === undefined ? {} : { timestamp })
  const answer = await call(`${emulator.url}/session.json`, 'POST', { body, encoding: 'form' })
  if (answer.status !== 201) throw new Error(`session not created: ${answer.status}`)
  return answer.json.session.token as string
}
