// Your backend as QuickBlox's Custom Identity Provider in every framework docs/frameworks.md shows
// (Express's handler, docs/examples/{fastify,koa,nest}-identity-provider.ts on Fastify, Koa and
// NestJS on both platforms), each a real app called by the emulator as QuickBlox calls it: the
// right QuickBlox user, the same one next time, wrong and expired tokens refused, a call without
// the secret refused before the app's function runs, the function hanging or throwing.
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import Fastify from 'fastify'
import formbody from '@fastify/formbody'
import Koa from 'koa'
import Router from '@koa/router'
import { bodyParser } from '@koa/bodyparser'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import { quickbloxIdentityProvider } from 'passport-quickblox'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { identityProviderRoute as fastifyRoute } from '../docs/examples/fastify-identity-provider.js'
import { identityProviderRoute as koaRoute } from '../docs/examples/koa-identity-provider.js'
import { IdentityProviderModule } from '../docs/examples/nest-identity-provider.js'
import { call, sessionParams } from './helpers/emulator.js'
import type { FrameworkApp } from './helpers/frameworks.js'
import {
  IDP_SECRET as SECRET,
  identityProviderSetup,
  serving,
  startExpressProvider,
} from './helpers/identity-provider.js'
import { listen } from './helpers/nest.js'

const idp = identityProviderSetup(200)
const { options, tokens } = idp

async function startFastify(): Promise<FrameworkApp> {
  const app = Fastify()
  await app.register(formbody)
  fastifyRoute(app, quickbloxIdentityProvider(options))
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() }
}

async function startKoa(): Promise<FrameworkApp> {
  const app = new Koa()
  app.silent = true
  app.use(bodyParser({ enableTypes: ['json', 'form'] }))
  const router = new Router()
  koaRoute(router, quickbloxIdentityProvider(options))
  app.use(router.routes())
  return serving(app.listen(0, '127.0.0.1'))
}

const startNest = (adapter: () => ExpressAdapter | FastifyAdapter) => async (): Promise<FrameworkApp> =>
  listen(await NestFactory.create(IdentityProviderModule.forRoot(options), adapter(), { logger: false }))

describe.each([
  ['Express', () => startExpressProvider(options)],
  ['Fastify + @fastify/formbody', startFastify],
  ['Koa + @koa/bodyparser', startKoa],
  ['NestJS on Express', startNest(() => new ExpressAdapter())],
  ['NestJS on Fastify', startNest(() => new FastifyAdapter())],
])('the identity provider endpoint on %s', (_name, start) => {
  let app: FrameworkApp
  let qb: Emulator
  let bare: Emulator
  beforeAll(async () => {
    app = await start()
    const application = { id: 1, authKey: 'key', authSecret: 'secret' }
    const url = `${app.url}/quickblox/identity`
    qb = await startEmulator({
      applications: [{ ...application, identityProvider: { url, secret: SECRET } }],
      users: [],
    })
    // The Dashboard's settings without the header template: no secret sent.
    bare = await startEmulator({ applications: [{ ...application, identityProvider: { url } }], users: [] })
  })
  afterEach(() => idp.reset())
  afterAll(async () => {
    await Promise.all([qb.close(), bare.close()])
    await app.close()
  })

  const logIn = (emulator: Emulator, login: string, password: string) =>
    call(`${emulator.url}/session.json`, 'POST', {
      body: sessionParams(emulator.application, { user: { login, password } }),
      encoding: 'form',
    })

  it('signs the chat client in as the QuickBlox user of its uid, created once, found again next time', async () => {
    const first = await logIn(qb, '42', tokens.mint(42).token)
    expect(first.status).toBe(201)
    const user = qb.users.find((u) => u.identity_provider_uid === '42')
    expect(user).toMatchObject({ full_name: 'User 42' })
    expect(first.json.session.user_id).toBe(user!.id)
    const again = await logIn(qb, '42', tokens.mint(42).token)
    expect(again.json.session.user_id).toBe(user!.id)
    expect(qb.users.filter((u) => u.identity_provider_uid === '42')).toHaveLength(1)
  })

  it('refuses a wrong token, and a token once expired, with 401', async () => {
    const token = tokens.mint(7).token
    expect((await logIn(qb, '7', 'wrong-token')).status).toBe(401)
    idp.advance(5 * 60_000)
    const expired = await logIn(qb, '7', token)
    expect(expired.status).toBe(401)
    expect(expired.json).toEqual({ errors: { base: ['Unauthorized'] } })
  })

  it("refuses a call without the secret header with 403, never running the app's function", async () => {
    const res = await logIn(bare, '42', tokens.mint(42).token)
    expect(res.status).toBe(403)
    expect(idp.verify).not.toHaveBeenCalled()
  })

  it("answers 504 when the app's function hangs and 500 when it throws, both passed on", async () => {
    idp.verify.mockImplementation(() => new Promise(() => {}))
    expect((await logIn(qb, '42', tokens.mint(42).token)).status).toBe(504)
    idp.verify.mockImplementation(() => Promise.reject(new Error('database down')))
    const threw = await logIn(qb, '42', tokens.mint(42).token)
    expect(threw.status).toBe(500)
    expect(threw.json).toEqual({ errors: { base: ['Identity provider error'] } })
  })

  it('reads a JSON body and a GET query too', async () => {
    const token = tokens.mint(42).token
    const headers = { 'X-IdP-Secret': SECRET }
    const json = await call(`${app.url}/quickblox/identity`, 'POST', {
      headers,
      body: { IdP_user_ID: '42', IdP_token: token },
    })
    expect(json.json).toEqual({ uid: '42', full_name: 'User 42' })
    const query = new URLSearchParams({ IdP_user_ID: '42', IdP_token: token })
    const get = await call(`${app.url}/quickblox/identity?${query}`, 'GET', { headers })
    expect(get.status).toBe(200)
    expect(get.headers.get('cache-control')).toBe('no-store')
  })
})
