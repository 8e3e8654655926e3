// NestJS: the QuickBlox strategies as providers, and guards that answer as Express does.
// @nestjs/passport's stock AuthGuard answers every failure 401 and drops Retry-After and
// WWW-Authenticate; these keep the strategy's status (400 for missing or malformed credentials,
// 401 for wrong ones), send Retry-After with a 429 and the token strategy's `Bearer` challenge
// with its 401. QuickBlox errors themselves (429, 502, 503, 504) reach Nest's exception filter,
// which answers with their `statusCode`.
import { HttpException, Inject, Injectable, type ExecutionContext, type OnModuleDestroy } from '@nestjs/common'
import { AuthGuard, PassportStrategy } from '@nestjs/passport'
import {
  QuickBloxError,
  QuickBloxStrategy,
  QuickBloxTokenStrategy,
  type QuickBloxSession,
  type QuickBloxStrategyOptions,
  type QuickBloxUser,
} from 'passport-quickblox'

export const QUICKBLOX_OPTIONS = Symbol('QUICKBLOX_OPTIONS')

/** What the app keeps for a signed-in user: the QuickBlox token, for signing out. */
export interface AppUser {
  id: number
  login: string | null
  qbToken: string
}

@Injectable()
export class QuickBloxAuthStrategy extends PassportStrategy(QuickBloxStrategy) implements OnModuleDestroy {
  constructor(@Inject(QUICKBLOX_OPTIONS) options: QuickBloxStrategyOptions) {
    super(options)
  }

  validate(user: QuickBloxUser, session: QuickBloxSession): AppUser {
    return { id: user.id, login: user.login, qbToken: session.token }
  }

  onModuleDestroy(): Promise<void> {
    return this.close()
  }
}

/** Token clients' users (`Authorization: Bearer <QuickBlox session token>`); no auth key or secret needed. */
@Injectable()
export class QuickBloxTokenAuthStrategy extends PassportStrategy(QuickBloxTokenStrategy) implements OnModuleDestroy {
  constructor(@Inject(QUICKBLOX_OPTIONS) { appId, apiEndpoint, timeout }: QuickBloxStrategyOptions) {
    super({ appId, apiEndpoint, timeout })
  }

  validate(user: QuickBloxUser): Pick<AppUser, 'id' | 'login'> {
    return { id: user.id, login: user.login }
  }

  onModuleDestroy(): Promise<void> {
    return this.close()
  }
}

/** Sends the strategy's headers, then throws what Nest answers with: its error, or its failure's status. */
function answer<TUser>(err: unknown, user: TUser, info: unknown, context: ExecutionContext, status?: number): TUser {
  // Express's response and Fastify's reply both have header().
  const response = context.switchToHttp().getResponse<{ header(name: string, value: string): unknown }>()
  if (err instanceof QuickBloxError && err.headers) {
    for (const [name, value] of Object.entries(err.headers)) response.header(name, value)
  }
  if (err) throw err instanceof Error ? err : new Error('Authentication failed')
  if (!user) {
    // A string is the strategy's challenge (`Bearer realm="QuickBlox"…`), for WWW-Authenticate.
    if (typeof info === 'string' && (status ?? 401) === 401) response.header('WWW-Authenticate', info)
    const message = (info as { message?: unknown } | undefined)?.message
    throw new HttpException(typeof message === 'string' ? message : 'Unauthorized', status ?? 401)
  }
  return user
}

/** Logs in with a login and password (`QuickBloxAuthStrategy`). */
@Injectable()
export class QuickBloxAuthGuard extends AuthGuard('quickblox') {
  override handleRequest<TUser>(err: unknown, user: TUser, info: unknown, context: ExecutionContext, status?: number) {
    return answer(err, user, info, context, status)
  }
}

/** Lets in a token client (`QuickBloxTokenAuthStrategy`), without a session. */
@Injectable()
export class QuickBloxTokenGuard extends AuthGuard('quickblox-token') {
  override handleRequest<TUser>(err: unknown, user: TUser, info: unknown, context: ExecutionContext, status?: number) {
    return answer(err, user, info, context, status)
  }
}
