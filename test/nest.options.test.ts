// QuickBloxModule's options at run time, on Nest's Express platform: `token: false` makes no
// token strategy, and `verify` / `verifyToken` that refuse a user give 401 (with the Bearer
// challenge for tokens), as the strategies' own verify functions do.
import 'reflect-metadata'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { Controller, Get, HttpCode, Module, Post, UseGuards, type INestApplication } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import request from 'supertest'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxStrategy, QuickBloxTokenStrategy } from 'passport-quickblox'
import {
  QuickBloxAuthGuard,
  QuickBloxModule,
  QuickBloxTokenGuard,
  QuickBloxUser,
  type QuickBloxModuleOptions,
} from 'passport-quickblox/nest'
import { listen } from './helpers/nest.js'
import { AMY, optionsFor, startTestEmulator } from './helpers/quickblox.js'
import { sdkToken } from './helpers/token-app.js'
import type { FrameworkApp } from './helpers/frameworks.js'

@Controller()
class AppController {
  @Post('login')
  @HttpCode(200)
  @UseGuards(QuickBloxAuthGuard)
  login(@QuickBloxUser('id') id: number) {
    return { id }
  }

  @Get('api/me')
  @UseGuards(QuickBloxTokenGuard)
  me(@QuickBloxUser('id') id: number) {
    return { id }
  }
}

/** Only the login route: an app whose module has no token strategy. */
@Controller()
class LoginController {
  @Post('login')
  @HttpCode(200)
  @UseGuards(QuickBloxAuthGuard)
  login(@QuickBloxUser('id') id: number) {
    return { id }
  }
}

let emulator: Emulator
beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(() => emulator.close())

async function start(
  extra: Partial<QuickBloxModuleOptions>,
  controller: new () => unknown = AppController,
): Promise<{ nest: INestApplication; app: FrameworkApp }> {
  @Module({ imports: [QuickBloxModule.forRoot({ ...optionsFor(emulator), ...extra })], controllers: [controller] })
  class AppModule {}
  const nest = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false })
  return { nest, app: await listen(nest) }
}
const credentials = { login: AMY.login, password: AMY.password }

describe('QuickBloxModule options', () => {
  it('token: false makes no token strategy; logins still work', async () => {
    const { nest, app } = await start({ token: false }, LoginController)
    try {
      expect(nest.get(QuickBloxTokenStrategy)).toBeNull()
      expect(nest.get(QuickBloxStrategy)).toBeInstanceOf(QuickBloxStrategy)
      expect((await request(app.url).post('/login').send(credentials)).status).toBe(200)
    } finally {
      await app.close()
    }
  })

  it('a verify that refuses the user (null) answers 401; a verifyToken that refuses (false), 401 with the challenge', async () => {
    const { app } = await start({ verify: () => null, verifyToken: () => false })
    try {
      expect((await request(app.url).post('/login').send(credentials)).status).toBe(401)
      const token = await sdkToken(emulator, credentials)
      const me = await request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)
      expect(me.status).toBe(401)
      expect(me.headers['www-authenticate']).toBe('Bearer realm="QuickBlox", error="invalid_token"')
    } finally {
      await app.close()
    }
  })

  it('verify and verifyToken decide who the user is', async () => {
    const { app } = await start({ verify: (user) => ({ id: user.id * 10 }), verifyToken: (user) => ({ id: -user.id }) })
    try {
      const amy = emulator.users.find((user) => user.login === AMY.login)!.id
      expect((await request(app.url).post('/login').send(credentials)).body).toEqual({ id: amy * 10 })
      const token = await sdkToken(emulator, credentials)
      expect((await request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)).body).toEqual({
        id: -amy,
      })
    } finally {
      await app.close()
    }
  })
})
