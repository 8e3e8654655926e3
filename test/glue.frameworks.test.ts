// The chat-token routes of docs/frameworks.md for Fastify and Koa (docs/examples/*-chat-token.ts),
// in real apps with their Passport glue and sessions: a user signed in by some other strategy
// gets a QuickBlox token for chat, created on first sight; nobody signed in gets 401; QuickBlox's
// faults keep their status and Retry-After.
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import Fastify from 'fastify'
import fastifyPassport from '@fastify/passport'
import secureSession from '@fastify/secure-session'
import Koa from 'koa'
import Router from '@koa/router'
import session from 'koa-session'
import koaPassport from 'koa-passport'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxTokenStrategy } from '../lib/index.js'
import { Strategy, type StrategyRequest } from '../lib/passport.js'
import { chatTokenRoute as fastifyRoute } from '../docs/examples/fastify-chat-token.js'
import { chatTokenRoute as koaRoute } from '../docs/examples/koa-chat-token.js'
import { adminFor, closeAdmins, KNOWN, loginOf, newExternalId, startAdminEmulator } from './helpers/admin.js'

interface AppUser {
  id: number
  name: string
}
/** Stands for the app's own sign-in (a password, Google, SAML…): `?id=` names the user. */
class OwnUsers extends Strategy<StrategyRequest & { url?: string }> {
  name = 'own-users'
  authenticate(req: StrategyRequest & { url?: string }): void {
    const id = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('id'))
    if (!Number.isSafeInteger(id) || id <= 0) return this.fail(undefined, 401)
    this.success({ id, name: `User ${id}` } satisfies AppUser)
  }
}

interface Started {
  url: string
  close(): Promise<void>
}
let qb: Emulator
let tokens: QuickBloxTokenStrategy

beforeAll(async () => {
  qb = await startAdminEmulator()
  tokens = new QuickBloxTokenStrategy({ appId: qb.application.id, apiEndpoint: qb.url }, (user, _s, done) =>
    done(null, user),
  )
})
afterEach(() => qb.clearFaults())
afterAll(async () => {
  await closeAdmins()
  await tokens.close()
  await qb.close()
})

async function startFastify(): Promise<Started> {
  const passport = new fastifyPassport.Authenticator()
  const app = Fastify()
  await app.register(secureSession, { key: randomBytes(32), cookie: { path: '/', httpOnly: true } })
  await app.register(passport.initialize())
  await app.register(passport.secureSession())
  passport.use('own-users', new OwnUsers())
  passport.registerUserSerializer(async (user: AppUser) => user)
  passport.registerUserDeserializer(async (user: AppUser) => user)
  app.post('/login', { preValidation: passport.authenticate('own-users') }, async () => ({ ok: true }))
  fastifyRoute(app, adminFor(qb))
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() }
}

async function startKoa(): Promise<Started> {
  const passport = new koaPassport.KoaPassport()
  passport.use('own-users', new OwnUsers())
  passport.serializeUser((user, done) => done(null, user))
  passport.deserializeUser((user: AppUser, done) => done(null, user))
  const app = new Koa()
  app.keys = ['glue-test-session-key']
  app.silent = true
  app.use(session({}, app))
  app.use(passport.initialize())
  app.use(passport.session())
  const router = new Router()
  router.post('/login', passport.authenticate('own-users'), (ctx) => {
    ctx.body = { ok: true }
  })
  koaRoute(router, adminFor(qb))
  app.use(router.routes())
  const server = app.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

describe.each([
  ['Fastify + @fastify/passport', startFastify],
  ['Koa + koa-passport', startKoa],
])('the chat-token route on %s', (_name, start) => {
  let app: Started
  beforeAll(async () => {
    app = await start()
  })
  afterAll(() => app.close())

  /** Signs `id` in through the app's own strategy; the session cookie. */
  async function signIn(id: number): Promise<string> {
    const res = await fetch(`${app.url}/login?id=${id}`, { method: 'POST' })
    expect(res.status).toBe(200)
    return res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ')
  }
  const session = (cookie?: string) =>
    fetch(`${app.url}/api/quickblox/session`, { method: 'POST', headers: cookie ? { cookie } : {} })

  it('answers a signed-in user a token QuickBloxTokenStrategy accepts, not to be cached', async () => {
    const res = await session(await signIn(KNOWN.external_user_id))
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const body = (await res.json()) as { token: string; expiresAt: string; userId: number }
    expect(body).toEqual({
      token: expect.stringMatching(/^[0-9a-f]{40}$/),
      expiresAt: expect.any(String),
      userId: KNOWN.id,
    })
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now())
    await expect(tokens.check(body.token)).resolves.toMatchObject({ user: { id: KNOWN.id } })
  })

  it('creates the QuickBlox user on first sight', async () => {
    const id = newExternalId()
    const res = await session(await signIn(id))
    expect(res.status).toBe(200)
    expect(qb.users.find((user) => user.login === loginOf(id))).toMatchObject({ full_name: `User ${id}` })
  })

  it('answers 401 when nobody is signed in, asking QuickBlox nothing', async () => {
    qb.resetLog()
    const res = await session()
    expect(res.status).toBe(401)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.json()).toEqual({ error: 'Not signed in' })
    expect(Object.values(qb.counts()).reduce((a, b) => a + b, 0)).toBe(0)
  })

  it("keeps QuickBlox's status and Retry-After: 429 and 503", async () => {
    const cookie = await signIn(newExternalId())
    qb.failNext('GET /users/by_login.json', { status: 429, retryAfter: 9 })
    const limited = await session(cookie)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('9')
    qb.failNext('GET /users/by_login.json', { status: 503 })
    expect((await session(cookie)).status).toBe(503)
  })
})
