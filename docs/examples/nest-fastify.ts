// NestJS 12 on Fastify, without sessions: the login answers the user's QuickBlox token, which a
// client needs for QuickBlox's own APIs anyway, and signing out takes it back. The API takes that
// token, or one the QuickBlox SDK gave the client (`Authorization: Bearer …`). Start it with:
//   const app = await createApp({ appId: 76730, authKey: '…', authSecret: '…' })
//   await app.listen(3000)
import 'reflect-metadata'
import { Controller, Get, Headers, HttpCode, Module, Post, Req, UseGuards, type DynamicModule } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify'
import type { QuickBloxStrategyOptions } from 'passport-quickblox'
import {
  QUICKBLOX_OPTIONS,
  QuickBloxAuthGuard,
  QuickBloxAuthStrategy,
  QuickBloxTokenAuthStrategy,
  QuickBloxTokenGuard,
  type AppUser,
} from './nest-guard.js'

@Controller()
class AuthController {
  constructor(private readonly strategy: QuickBloxAuthStrategy) {}

  @Post('login')
  @HttpCode(200)
  @UseGuards(QuickBloxAuthGuard)
  login(@Req() req: { user: AppUser }) {
    const { id, login, qbToken } = req.user
    return { user: { id, login }, qbToken }
  }

  // A 401 with `WWW-Authenticate: Bearer …` when the token is missing or refused.
  @Get('api/me')
  @UseGuards(QuickBloxTokenGuard)
  me(@Req() req: { user: Pick<AppUser, 'id' | 'login'> }) {
    return { user: req.user }
  }

  // Signing out ends the QuickBlox session whose token the client sends.
  @Post('logout')
  @HttpCode(200)
  async logout(@Headers('authorization') authorization: string | undefined) {
    const token = /^Bearer ([^\s]+)$/.exec(authorization ?? '')?.[1]
    if (token) await this.strategy.logout(token)
    return { loggedOut: token !== undefined }
  }
}

@Module({})
class AppModule {
  static forRoot(options: QuickBloxStrategyOptions): DynamicModule {
    return {
      module: AppModule,
      controllers: [AuthController],
      providers: [{ provide: QUICKBLOX_OPTIONS, useValue: options }, QuickBloxAuthStrategy, QuickBloxTokenAuthStrategy],
    }
  }
}

export async function createApp(options: QuickBloxStrategyOptions): Promise<NestFastifyApplication> {
  // Nest's Fastify adapter parses JSON and forms itself.
  return NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), new FastifyAdapter(), { logger: false })
}
