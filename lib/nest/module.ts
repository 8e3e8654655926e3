import {
  Inject,
  Injectable,
  Module,
  UnauthorizedException,
  type DynamicModule,
  type ModuleMetadata,
  type OnApplicationShutdown,
} from '@nestjs/common'
import { APP_FILTER } from '@nestjs/core'
import passport from 'passport'
import { QuickBloxAdmin, type QuickBloxIdentity } from '../quickblox/admin.js'
import type { QuickBloxSessionAnswer } from '../session-handler.js'
import { QuickBloxStrategy, type VerifyFunction } from '../strategy.js'
import { QuickBloxTokenStrategy } from '../token-strategy.js'
import { QuickBloxExceptionFilter } from './http.js'
import {
  QUICKBLOX_OPTIONS,
  type QuickBloxModuleAsyncOptions,
  type QuickBloxModuleOptions,
  type QuickBloxVerify,
} from './options.js'

const quickbloxUser: QuickBloxVerify = (user) => user

/** The strategy's `verify`, calling the app's two-argument one; `undefined` refuses as `false` does. */
function verifyWith(verify: QuickBloxVerify = quickbloxUser): VerifyFunction {
  return (user, session, done) => {
    Promise.resolve()
      .then(() => verify(user, session))
      .then((found) => done(null, found ?? false), done)
  }
}

/** Passport's registry is one per process; `_strategy` says whether a name is still ours to remove. */
const registry = passport as typeof passport & { _strategy?(name: string): unknown }

/**
 * The strategies and the admin client made from the options, registered with Passport (which
 * `@nestjs/passport`'s guards authenticate through), and closed once the HTTP server has closed:
 * `onApplicationShutdown` runs after it, so no request in flight finds a closed client.
 */
@Injectable()
export class QuickBloxStrategies implements OnApplicationShutdown {
  readonly login: QuickBloxStrategy | null
  readonly token: QuickBloxTokenStrategy | null
  readonly admin: QuickBloxAdmin | null

  constructor(@Inject(QUICKBLOX_OPTIONS) options: QuickBloxModuleOptions) {
    const { verify, verifyToken, token, session: _session, apiKey, adminCache, identityKey, ...rest } = options
    const { authKey, authSecret, ...login } = rest
    const { appId, apiEndpoint, allowInsecureHttp, timeout } = login
    this.login =
      authKey !== undefined && authSecret !== undefined
        ? new QuickBloxStrategy({ ...login, authKey, authSecret }, verifyWith(verify))
        : null
    this.token =
      token === false
        ? null
        : new QuickBloxTokenStrategy(
            { ...token, appId, apiEndpoint, allowInsecureHttp, timeout },
            verifyWith(verifyToken),
          )
    this.admin =
      apiKey === undefined
        ? null
        : new QuickBloxAdmin({
            apiKey,
            identityKey,
            apiEndpoint,
            allowInsecureHttp,
            timeout,
            ...(adminCache === undefined ? {} : { cache: adminCache }),
          })
    for (const strategy of [this.login, this.token]) if (strategy) passport.use(strategy)
  }

  async onApplicationShutdown(): Promise<void> {
    for (const strategy of [this.login, this.token]) {
      if (strategy && registry._strategy?.(strategy.name) === strategy) passport.unuse(strategy.name)
    }
    await Promise.all([this.login?.close(), this.token?.close(), this.admin?.close()])
  }
}

/**
 * Gives the signed-in user of your app a QuickBlox session token for their chat client (the
 * QuickBlox user is created on first sight): Nest's form of `quickbloxSession`. Needs `apiKey`.
 */
@Injectable()
export class QuickBloxSessions {
  constructor(@Inject(QuickBloxStrategies) private readonly strategies: QuickBloxStrategies) {}

  /**
   * `{ token, expiresAt, userId }` for `identity`; 401 when it is `undefined` (nobody signed in).
   * QuickBlox's faults reject with their `QuickBloxError`, which the module's exception filter
   * answers with its status and `Retry-After`. Answer it with `@Header('Cache-Control', 'no-store')`.
   */
  async sessionFor(identity: QuickBloxIdentity | undefined): Promise<QuickBloxSessionAnswer> {
    const { admin } = this.strategies
    if (!admin) throw new Error('QuickBloxModule: set apiKey to issue QuickBlox tokens')
    if (identity === undefined) throw new UnauthorizedException('Not signed in')
    const { token, expiresAt, userId } = await admin.sessionFor(identity)
    return { token, expiresAt: expiresAt.toISOString(), userId }
  }
}

const pick = (key: 'login' | 'token' | 'admin') => (strategies: QuickBloxStrategies) => strategies[key]

/**
 * Registers QuickBlox's strategies with Passport for `QuickBloxAuthGuard` and
 * `QuickBloxTokenGuard`, and makes `QuickBloxStrategy`, `QuickBloxTokenStrategy` (for `logout`),
 * `QuickBloxAdmin` and `QuickBloxSessions` injectable everywhere (a global module: Passport's
 * strategies are global too). Each is `null` when its options are missing.
 */
@Module({})
export class QuickBloxModule {
  static forRoot(options: QuickBloxModuleOptions): DynamicModule {
    return QuickBloxModule.with([{ provide: QUICKBLOX_OPTIONS, useValue: options }])
  }

  /**
   * Options made by a factory, e.g. from `ConfigService`:
   * `{ imports: [ConfigModule], inject: [ConfigService], useFactory }`.
   */
  static forRootAsync({ imports = [], inject = [], useFactory }: QuickBloxModuleAsyncOptions): DynamicModule {
    return {
      ...QuickBloxModule.with([{ provide: QUICKBLOX_OPTIONS, useFactory, inject }]),
      imports,
    }
  }

  private static with(providers: NonNullable<ModuleMetadata['providers']>): DynamicModule {
    return {
      module: QuickBloxModule,
      global: true,
      providers: [
        ...providers,
        QuickBloxStrategies,
        QuickBloxSessions,
        { provide: QuickBloxStrategy, useFactory: pick('login'), inject: [QuickBloxStrategies] },
        { provide: QuickBloxTokenStrategy, useFactory: pick('token'), inject: [QuickBloxStrategies] },
        { provide: QuickBloxAdmin, useFactory: pick('admin'), inject: [QuickBloxStrategies] },
        // QuickBlox's faults thrown by a controller (`logout`, `sessionFor`) keep their status and Retry-After.
        { provide: APP_FILTER, useClass: QuickBloxExceptionFilter },
      ],
      exports: [QUICKBLOX_OPTIONS, QuickBloxStrategy, QuickBloxTokenStrategy, QuickBloxAdmin, QuickBloxSessions],
    }
  }
}
