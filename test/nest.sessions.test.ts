// QuickBloxSessions, the Nest form of the API-key bridge: the signed-in user of an app that signs
// people in itself gets a QuickBlox token for their chat client, on both of Nest's platforms. The
// module has an API key and no auth key, so it registers no login strategy.
import 'reflect-metadata'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  Controller,
  Get,
  HttpCode,
  Injectable,
  Module,
  Post,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import request from 'supertest'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxStrategy } from 'passport-quickblox'
import {
  QuickBloxModule,
  QuickBloxSessions,
  QuickBloxTokenGuard,
  QuickBloxUser,
  type QuickBloxModuleOptions,
} from 'passport-quickblox/nest'
import { API_KEY, IDENTITY_KEY, newExternalId, startAdminEmulator } from './helpers/admin.js'
import { listen } from './helpers/nest.js'
import type { FrameworkApp } from './helpers/frameworks.js'

interface OwnUser {
  id: number
}

/** The app's own sign-in, reduced to a header: who is signed in, if anyone. */
@Injectable()
class OwnUsers implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, unknown>; user?: OwnUser }>()
    const id = Number(req.headers['x-own-user'])
    if (Number.isSafeInteger(id) && id > 0) req.user = { id }
    return true
  }
}

@Controller()
class ChatController {
  constructor(private readonly sessions: QuickBloxSessions) {}

  @Post('api/quickblox/session')
  @HttpCode(200)
  @UseGuards(OwnUsers)
  session(@QuickBloxUser() user: OwnUser | undefined) {
    return this.sessions.sessionFor(user && { externalUserId: user.id, fullName: `User ${user.id}` })
  }

  @Get('api/me')
  @UseGuards(QuickBloxTokenGuard)
  me(@QuickBloxUser('id') id: number) {
    return { id }
  }
}

async function start(emulator: Emulator, platform: 'express' | 'fastify'): Promise<INestApplication> {
  const options: QuickBloxModuleOptions = {
    appId: emulator.application.id,
    apiEndpoint: emulator.url,
    timeout: 3000,
    apiKey: API_KEY,
    identityKey: IDENTITY_KEY,
  }
  @Module({ imports: [QuickBloxModule.forRoot(options)], controllers: [ChatController] })
  class AppModule {}
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter()
  return NestFactory.create(AppModule, adapter, { logger: false })
}

describe.each(['express', 'fastify'] as const)('QuickBloxSessions on @nestjs/platform-%s', (platform) => {
  let emulator: Emulator
  let nest: INestApplication
  let app: FrameworkApp
  beforeAll(async () => {
    emulator = await startAdminEmulator()
    nest = await start(emulator, platform)
    app = await listen(nest)
  })
  afterAll(async () => {
    await app?.close()
    await emulator?.close()
  })

  const ask = (user?: number) => {
    const req = request(app.url).post('/api/quickblox/session')
    return user === undefined ? req : req.set('X-Own-User', String(user))
  }

  it("answers the signed-in user's QuickBlox token, not to be cached, which the token guard accepts", async () => {
    const res = await ask(newExternalId())
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body).toEqual({ token: expect.any(String), expiresAt: expect.any(String), userId: expect.any(Number) })
    expect(Number.isNaN(Date.parse(res.body.expiresAt))).toBe(false)
    const me = await request(app.url).get('/api/me').set('Authorization', `Bearer ${res.body.token}`)
    expect(me.status).toBe(200)
    expect(me.body).toEqual({ id: res.body.userId })
  })

  it('answers 401 when nobody is signed in, without asking QuickBlox', async () => {
    emulator.resetLog()
    const res = await ask()
    expect(res.status).toBe(401)
    expect(emulator.requests).toEqual([])
  })

  it('answers 429 with Retry-After when QuickBlox rate-limits', async () => {
    emulator.failNext('GET /users/by_login.json', { status: 429, retryAfter: 12 })
    const res = await ask(newExternalId())
    expect(res.status).toBe(429)
    expect(res.headers['retry-after']).toBe('12')
    expect(res.body).toMatchObject({ statusCode: 429, code: 'QB_RATE_LIMITED' })
    emulator.clearFaults()
  })

  it('answers 503 with Retry-After: 30 when QuickBlox is down, and never shows the API key', async () => {
    emulator.failNext('GET /users/by_login.json', { status: 503 })
    const res = await ask(newExternalId())
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBe('30')
    expect(res.text).not.toContain(API_KEY)
    emulator.clearFaults()
  })

  it("answers QuickBlox's own Retry-After with its 503", async () => {
    emulator.failNext('GET /users/by_login.json', { status: 503, retryAfter: 120 })
    const res = await ask(newExternalId())
    expect([res.status, res.headers['retry-after']]).toEqual([503, '120'])
    emulator.clearFaults()
  })

  it('leaves the answers of other handlers to their own cache headers', async () => {
    const res = await ask(newExternalId())
    const me = await request(app.url).get('/api/me').set('Authorization', `Bearer ${res.body.token}`)
    expect(me.status).toBe(200)
    expect(me.headers['cache-control']).toBeUndefined()
  })

  it('makes no login strategy without an auth key and secret', () => {
    expect(nest.get(QuickBloxStrategy)).toBeNull()
  })
})
