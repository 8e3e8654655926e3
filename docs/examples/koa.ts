// Koa 3 + koa-passport + koa-session + @koa/bodyparser, and an API for clients that hold a
// QuickBlox session token (`Authorization: Bearer …`). Start it with:
//   const { app } = createApp({ appId: 76730, authKey: '…', authSecret: '…' }, [process.env.SESSION_KEY!])
//   app.listen(3000)
import Koa from 'koa'
import Router from '@koa/router'
import { bodyParser } from '@koa/bodyparser'
import session, { type CreateSessionOptions } from 'koa-session'
import passport from 'koa-passport'
import { QuickBloxStrategy, QuickBloxTokenStrategy, type QuickBloxStrategyOptions } from 'passport-quickblox'

/** What the session keeps: the QuickBlox token stays on the server, for signing out. */
interface AppUser {
  id: number
  login: string | null
  qbToken: string
}

/** An in-memory session store, so the token never travels in a cookie. Use a shared store (Redis) in production. */
function memoryStore(): CreateSessionOptions['store'] {
  const sessions = new Map<string, unknown>()
  return {
    get: async (key: string) => sessions.get(key),
    set: async (key: string, value: unknown) => {
      sessions.set(key, value)
    },
    destroy: async (key: string) => {
      sessions.delete(key)
    },
  }
}

export function createApp(
  options: QuickBloxStrategyOptions,
  sessionKeys: string[],
): { app: Koa; strategy: QuickBloxStrategy; tokens: QuickBloxTokenStrategy } {
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

  const app = new Koa()
  app.keys = sessionKeys
  // QuickBlox errors carry `status`, `expose` and `headers` (`Retry-After`): Koa's own error
  // handling answers 429, 502, 503 and 504 with them; failed logins are answered 400 or 401.
  app.use(bodyParser({ enableTypes: ['json', 'form'] }))
  app.use(session({ store: memoryStore(), httpOnly: true, sameSite: 'lax' }, app))
  app.use(passport.initialize())
  app.use(passport.session())

  const router = new Router()
  router.post('/login', passport.authenticate('quickblox'), (ctx) => {
    const user = ctx.state.user as AppUser
    ctx.body = { user: { id: user.id, login: user.login } }
  })
  router.get('/me', (ctx) => {
    const user = ctx.state.user as AppUser | undefined
    if (!user) return ctx.throw(401)
    ctx.body = { user: { id: user.id, login: user.login } }
  })
  // Token clients: no session, a 401 with `WWW-Authenticate: Bearer …` when the token is missing or refused.
  router.get('/api/me', passport.authenticate('quickblox-token', { session: false }), (ctx) => {
    ctx.body = { user: ctx.state.user }
  })
  // Signing out of the app signs out of QuickBlox too.
  router.post('/logout', async (ctx) => {
    const user = ctx.state.user as AppUser | undefined
    if (user) await strategy.logout(user.qbToken)
    await ctx.logout()
    ctx.session = null
    ctx.body = { loggedOut: true }
  })
  app.use(router.routes())
  return { app, strategy, tokens }
}
