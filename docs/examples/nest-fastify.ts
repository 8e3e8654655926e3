// NestJS 12 on Fastify, without sessions: the login answers the user's QuickBlox token, which a
// client needs for QuickBlox's own APIs anyway, and signing out takes it back. Start it with:
//   const app = await createApp({ appId: 76730, authKey: '…', authSecret: '…' })
//   await app.listen(3000)
import 'reflect-metadata'
import { Controller, Headers, HttpCode, Module, Post, Req, UseGuards, type DynamicModule } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify'
import type { QuickBloxStrategyOptions } from 'passport-quickblox'
import { QUICKBLOX_OPTIONS, QuickBloxAuthGuard, QuickBloxAuthStrategy, type AppUser } from './nest-guard.js'

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
      providers: [{ provide: QUICKBLOX_OPTIONS, useValue: options }, QuickBloxAuthStrategy],
    }
  }
}

export async function createApp(options: QuickBloxStrategyOptions): Promise<NestFastifyApplication> {
  // Nest's Fastify adapter parses JSON and forms itself.
  return NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), new FastifyAdapter(), { logger: false })
}
