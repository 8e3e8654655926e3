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
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { PassportSerializer } from '@nestjs/passport'
import type { Request } from 'express'
import session from 'express-session'
import passport from 'passport'
import type { QuickBloxStrategyOptions } from 'passport-quickblox'
import {
  QUICKBLOX_OPTIONS,
  QuickBloxAuthGuard,
  QuickBloxAuthStrategy,
  QuickBloxTokenAuthStrategy,
  QuickBloxTokenGuard,
  type AppUser,
} from './nest-guard.js'

/** Logs the user into the session after the QuickBlox login succeeded. */
@Injectable()
class QuickBloxSessionGuard extends QuickBloxAuthGuard {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const allowed = (await super.canActivate(context)) as boolean
    await super.logIn(context.switchToHttp().getRequest<Request>())
    return allowed
  }
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

const publicUser = (user: AppUser) => ({ id: user.id, login: user.login })

@Controller()
class AuthController {
  constructor(private readonly strategy: QuickBloxAuthStrategy) {}

  @Post('login')
  @HttpCode(200)
  @UseGuards(QuickBloxSessionGuard)
  login(@Req() req: Request) {
    return { user: publicUser(req.user as AppUser) }
  }

  @Get('me')
  me(@Req() req: Request) {
    const user = req.user as AppUser | undefined
    if (!user) throw new UnauthorizedException()
    return { user: publicUser(user) }
  }

  // Token clients: no session, a 401 with `WWW-Authenticate: Bearer …` when the token is missing or refused.
  @Get('api/me')
  @UseGuards(QuickBloxTokenGuard)
  apiMe(@Req() req: Request) {
    return { user: req.user }
  }

  // Signing out of the app signs out of QuickBlox too.
  @Post('logout')
  @HttpCode(200)
  async logout(@Req() req: Request) {
    const user = req.user as AppUser | undefined
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
      controllers: [AuthController],
      providers: [
        { provide: QUICKBLOX_OPTIONS, useValue: options },
        QuickBloxAuthStrategy,
        QuickBloxTokenAuthStrategy,
        SessionSerializer,
      ],
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
  app.enableShutdownHooks()
  return app
}
