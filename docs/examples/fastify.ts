// Fastify 5 + @fastify/passport + @fastify/secure-session + @fastify/formbody, and an API for clients
// that hold a QuickBlox session token (`Authorization: Bearer …`). Start it with:
//   const { app } = await createApp({ appId: 76730, authKey: '…', authSecret: '…' }, sessionKey)
//   await app.listen({ port: 3000 })
// where sessionKey is 32 random bytes kept secret (e.g. Buffer.from(process.env.SESSION_KEY!, 'hex')).
import Fastify, { type FastifyInstance } from 'fastify'
import formbody from '@fastify/formbody'
import secureSession from '@fastify/secure-session'
import fastifyPassport from '@fastify/passport'
import { QuickBloxStrategy, QuickBloxTokenStrategy, type QuickBloxStrategyOptions } from 'passport-quickblox'

/** What the session keeps (encrypted in its cookie): the QuickBlox token, for signing out. */
interface AppUser {
  id: number
  login: string | null
  qbToken: string
}

export async function createApp(
  options: QuickBloxStrategyOptions,
  sessionKey: Buffer,
): Promise<{ app: FastifyInstance; strategy: QuickBloxStrategy }> {
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
  // QuickBlox errors carry `statusCode` and `headers` (`Retry-After`): Fastify's own error handler
  // answers 429, 502, 503 and 504 with them; failed logins are answered 400 or 401.
  const app = Fastify()
  await app.register(formbody)
  await app.register(secureSession, { key: sessionKey, cookie: { path: '/', httpOnly: true, sameSite: 'lax' } })
  await app.register(fastifyPassport.initialize())
  await app.register(fastifyPassport.secureSession())
  fastifyPassport.use('quickblox', strategy)
  fastifyPassport.use('quickblox-token', tokens)
  fastifyPassport.registerUserSerializer(async (user: AppUser) => user)
  fastifyPassport.registerUserDeserializer(async (user: AppUser) => user)
  app.addHook('onClose', () => Promise.all([strategy.close(), tokens.close()]))

  app.post('/login', { preValidation: fastifyPassport.authenticate('quickblox') }, async (request) => {
    const user = request.user as AppUser
    return { user: { id: user.id, login: user.login } }
  })
  app.get('/me', async (request, reply) => {
    const user = request.user as AppUser | undefined
    if (!user) return reply.code(401).send({ user: null })
    return { user: { id: user.id, login: user.login } }
  })
  // Token clients: no session, a 401 with `WWW-Authenticate: Bearer …` when the token is missing or refused.
  const bearer = fastifyPassport.authenticate('quickblox-token', { session: false })
  app.get('/api/me', { preValidation: bearer }, async (request) => ({ user: request.user }))
  // Signing out of the app signs out of QuickBlox too.
  app.post('/logout', async (request) => {
    const user = request.user as AppUser | undefined
    if (user) await strategy.logout(user.qbToken)
    await request.logout()
    return { loggedOut: true }
  })
  return { app, strategy }
}
