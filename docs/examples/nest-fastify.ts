// NestJS 12 on Fastify, without sessions, its settings from ConfigService: the login answers the
// user's QuickBlox token, which a client needs for QuickBlox's own APIs anyway, and signing out
// takes it back. The API takes that token, or one the QuickBlox SDK gave the client
// (`Authorization: Bearer …`). Start it with:
//   const app = await createApp()   // QB_APP_ID, QB_AUTH_KEY, QB_AUTH_SECRET (and QB_API_ENDPOINT) from the environment
//   await app.listen(3000)
import 'reflect-metadata'
import { Controller, Get, Headers, HttpCode, Module, Post, UseGuards } from '@nestjs/common'
import { ConfigModule, ConfigService } from '@nestjs/config'
import { NestFactory } from '@nestjs/core'
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify'
import { QuickBloxTokenStrategy } from 'passport-quickblox'
import {
  QuickBloxAuthGuard,
  QuickBloxModule,
  QuickBloxTokenGuard,
  QuickBloxUser,
  type QuickBloxModuleOptions,
} from 'passport-quickblox/nest'

interface AppUser {
  id: number
  login: string | null
  qbToken: string
}

@Controller()
class AuthController {
  constructor(private readonly tokens: QuickBloxTokenStrategy) {}

  @Post('login')
  @HttpCode(200)
  @UseGuards(QuickBloxAuthGuard)
  login(@QuickBloxUser() { id, login, qbToken }: AppUser) {
    return { user: { id, login }, qbToken }
  }

  // A 401 with `WWW-Authenticate: Bearer …` when the token is missing or refused.
  @Get('api/me')
  @UseGuards(QuickBloxTokenGuard)
  me(@QuickBloxUser() user: Pick<AppUser, 'id' | 'login'>) {
    return { user }
  }

  // Signing out ends the QuickBlox session whose token the client sends, and forgets it here.
  @Post('logout')
  @HttpCode(200)
  async logout(@Headers('authorization') authorization: string | undefined) {
    const token = /^Bearer ([^\s]+)$/.exec(authorization ?? '')?.[1]
    if (token) await this.tokens.logout(token)
    return { loggedOut: token !== undefined }
  }
}

/** QuickBlox's settings from ConfigService: the environment, a `.env` file, or what `settings` holds. */
function quickbloxOptions(config: ConfigService): QuickBloxModuleOptions {
  return {
    appId: config.getOrThrow<string>('QB_APP_ID'),
    authKey: config.getOrThrow<string>('QB_AUTH_KEY'),
    authSecret: config.getOrThrow<string>('QB_AUTH_SECRET'),
    apiEndpoint: config.get<string>('QB_API_ENDPOINT'),
    timeout: Number(config.get<string>('QB_TIMEOUT_MS') ?? 10_000),
    // `off` creates a QuickBlox session per login instead of keeping a few ready (tests count requests).
    pool: config.get<string>('QB_SESSION_POOL') === 'off' ? false : undefined,
    verify: (user, session): AppUser => ({ id: user.id, login: user.login, qbToken: session.token }),
    verifyToken: (user) => ({ id: user.id, login: user.login }),
  }
}

export async function createApp(settings?: Record<string, string>): Promise<NestFastifyApplication> {
  @Module({
    imports: [
      ConfigModule.forRoot({ load: settings ? [() => settings] : [] }),
      QuickBloxModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: quickbloxOptions }),
    ],
    controllers: [AuthController],
  })
  class AppModule {}
  // Nest's Fastify adapter parses JSON and forms itself.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { logger: false })
  app.enableShutdownHooks()
  return app
}
