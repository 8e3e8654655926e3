// NestJS 12 on Express, with sessions (express-session), and an API for clients that hold a
// QuickBlox session token (`Authorization: Bearer …`). Start it with:
//   const app = await createApp({ appId: 76730, authKey: '…', authSecret: '…' }, process.env.SESSION_SECRET!)
//   await app.listen(3000)
import 'reflect-metadata'
import {
  Controller,
  Get,
  HttpCode,
  Injectable,
  Module,
  Post,
  Req,
  UnauthorizedException,
  UseGuards,
  type DynamicModule,
  type INestApplication,
} from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { PassportSerializer } from '@nestjs/passport'
import type { Request } from 'express'
import session from 'express-session'
import passport from 'passport'
import { QuickBloxStrategy, type QuickBloxStrategyOptions } from 'passport-quickblox'
import { QuickBloxAuthGuard, QuickBloxModule, QuickBloxTokenGuard, QuickBloxUser } from 'passport-quickblox/nest'

/** What the session keeps: the QuickBlox token stays on the server, for signing out. */
interface AppUser {
  id: number
  login: string | null
  qbToken: string
}

@Injectable()
class SessionSerializer extends PassportSerializer {
  serializeUser(user: AppUser, done: (err: Error | null, user: AppUser) => void): void {
    done(null, user)
  }
  deserializeUser(user: AppUser, done: (err: Error | null, user: AppUser) => void): void {
    done(null, user)
  }
}

const publicUser = ({ id, login }: AppUser) => ({ id, login })

@Controller()
class AuthController {
  // The module provides the strategy it registered, for logout().
  constructor(private readonly strategy: QuickBloxStrategy) {}

  // 400 for missing or malformed credentials, 401 for wrong ones; QuickBlox's faults keep their status.
  @Post('login')
  @HttpCode(200)
  @UseGuards(QuickBloxAuthGuard)
  login(@QuickBloxUser() user: AppUser) {
    return { user: publicUser(user) }
  }

  @Get('me')
  me(@QuickBloxUser() user: AppUser | undefined) {
    if (!user) throw new UnauthorizedException()
    return { user: publicUser(user) }
  }

  // Token clients: no session, a 401 with `WWW-Authenticate: Bearer …` when the token is missing or refused.
  @Get('api/me')
  @UseGuards(QuickBloxTokenGuard)
  apiMe(@QuickBloxUser() user: Pick<AppUser, 'id' | 'login'>) {
    return { user }
  }

  // Signing out of the app signs out of QuickBlox too.
  @Post('logout')
  @HttpCode(200)
  async logout(@Req() req: Request, @QuickBloxUser() user: AppUser | undefined) {
    if (user) await this.strategy.logout(user.qbToken)
    await new Promise<void>((resolve, reject) =>
      req.logout((err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve())),
    )
    return { loggedOut: true }
  }
}

@Module({})
class AppModule {
  static forRoot(options: QuickBloxStrategyOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        QuickBloxModule.forRoot({
          ...options,
          // The login guard also logs the user into the Passport session.
          session: true,
          verify: (user, qbSession): AppUser => ({ id: user.id, login: user.login, qbToken: qbSession.token }),
          verifyToken: (user) => ({ id: user.id, login: user.login }),
        }),
      ],
      controllers: [AuthController],
      providers: [SessionSerializer],
    }
  }
}

export async function createApp(options: QuickBloxStrategyOptions, sessionSecret: string): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(options), new ExpressAdapter(), { logger: false })
  // Nest parses JSON and forms itself. The session store is in memory here: use a shared one (Redis) in production.
  app.use(
    session({
      secret: sessionSecret,
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax' },
    }),
  )
  app.use(passport.session())
  // SIGTERM and SIGINT close the app, and the module closes QuickBlox's connections.
  app.enableShutdownHooks()
  return app
}
