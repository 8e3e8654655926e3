// Several Nest apps in one process, each with a QuickBloxModule of its own QuickBlox application
// (as in an e2e suite, or a gateway serving two products): each app's guards use its own
// strategies, and closing one app leaves the others answering, on both of Nest's platforms.
import 'reflect-metadata'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { Controller, Get, HttpCode, Module, Post, UseGuards, type INestApplication } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import passport from 'passport'
import request from 'supertest'
import { startEmulator, type Emulator, type EmulatorApplication } from 'passport-quickblox/emulator'
import { QuickBloxAuthGuard, QuickBloxModule, QuickBloxTokenGuard, QuickBloxUser } from 'passport-quickblox/nest'
import { listen } from './helpers/nest.js'
import { AMY, APP } from './helpers/quickblox.js'
import { sdkToken } from './helpers/token-app.js'
import type { FrameworkApp } from './helpers/frameworks.js'

const OTHER: EmulatorApplication = { id: 5151, authKey: 'other-auth-key', authSecret: 'other-auth-secret-do-not-leak' }
const credentials = { login: AMY.login, password: AMY.password }

interface Tagged {
  id: number
  app: string
}

@Controller()
class AppController {
  @Post('login')
  @HttpCode(200)
  @UseGuards(QuickBloxAuthGuard)
  login(@QuickBloxUser() user: Tagged) {
    return user
  }

  @Get('api/me')
  @UseGuards(QuickBloxTokenGuard)
  me(@QuickBloxUser() user: Tagged) {
    return user
  }
}

/** An app for `application`, whose users say which app signed them in. */
async function start(
  emulator: Emulator,
  application: EmulatorApplication,
  platform: 'express' | 'fastify',
): Promise<{ nest: INestApplication; app: FrameworkApp }> {
  const tag = (user: { id: number }): Tagged => ({ id: user.id, app: String(application.id) })
  const { id: appId, authKey, authSecret } = application
  const options = { appId, authKey, authSecret, apiEndpoint: emulator.url, pool: false as const, timeout: 3000 }
  @Module({
    imports: [QuickBloxModule.forRoot({ ...options, verify: tag, verifyToken: tag })],
    controllers: [AppController],
  })
  class AppModule {}
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter()
  const nest = await NestFactory.create(AppModule, adapter, { logger: false })
  return { nest, app: await listen(nest) }
}

describe.each(['express', 'fastify'] as const)('two Nest apps of two QuickBlox applications on %s', (platform) => {
  let emulator: Emulator
  let first: FrameworkApp
  let second: FrameworkApp | undefined
  beforeAll(async () => {
    emulator = await startEmulator({ applications: [APP, OTHER], users: [AMY] })
    first = (await start(emulator, APP, platform)).app
    second = (await start(emulator, OTHER, platform)).app
  })
  afterAll(async () => {
    await first?.close()
    await second?.close()
    await emulator?.close()
  })

  const me = (app: FrameworkApp, token: string) =>
    request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)

  it("each app logs users in with its own application's credentials", async () => {
    const amy = emulator.users.find((user) => user.login === AMY.login)!.id
    expect((await request(first.url).post('/login').send(credentials)).body).toEqual({ id: amy, app: String(APP.id) })
    expect((await request(second!.url).post('/login').send(credentials)).body).toEqual({
      id: amy,
      app: String(OTHER.id),
    })
  })

  it("each app accepts its own application's tokens and refuses the other's", async () => {
    const mine = await sdkToken(emulator, credentials, APP)
    const theirs = await sdkToken(emulator, credentials, OTHER)
    expect((await me(first, mine)).body).toMatchObject({ app: String(APP.id) })
    expect((await me(first, theirs)).status).toBe(401)
    expect((await me(second!, theirs)).body).toMatchObject({ app: String(OTHER.id) })
    expect((await me(second!, mine)).status).toBe(401)
  })

  it("puts nothing in Passport's process-wide registry, so an app's own strategies keep their names", () => {
    const registry = passport as typeof passport & { _strategy(name: string): unknown }
    expect(registry._strategy('quickblox')).toBeUndefined()
    expect(registry._strategy('quickblox-token')).toBeUndefined()
  })

  it('closing one app leaves the other logging in and checking tokens', async () => {
    await second!.close()
    second = undefined
    const mine = await sdkToken(emulator, credentials, APP)
    expect((await me(first, mine)).status).toBe(200)
    expect((await me(first, await sdkToken(emulator, credentials, OTHER))).status).toBe(401)
    expect((await request(first.url).post('/login').send(credentials)).status).toBe(200)
  })
})
