// NestJS: the QuickBlox strategy as a provider, and a guard that answers as Express does.
// @nestjs/passport's stock AuthGuard answers every failed login 401 and drops Retry-After; this
// one keeps the strategy's status (400 for missing or malformed credentials, 401 for wrong ones)
// and sends Retry-After with a 429. QuickBlox errors themselves (429, 502, 503, 504) reach Nest's
// exception filter, which answers with their `statusCode`.
import { HttpException, Inject, Injectable, type ExecutionContext, type OnModuleDestroy } from '@nestjs/common'
import { AuthGuard, PassportStrategy } from '@nestjs/passport'
import {
  QuickBloxError,
  QuickBloxStrategy,
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

@Injectable()
export class QuickBloxAuthGuard extends AuthGuard('quickblox') {
  override handleRequest<TUser>(
    err: unknown,
    user: TUser,
    info: unknown,
    context: ExecutionContext,
    status?: number,
  ): TUser {
    if (err instanceof QuickBloxError && err.headers) {
      // Express's response and Fastify's reply both have header().
      const response = context.switchToHttp().getResponse<{ header(name: string, value: string): unknown }>()
      for (const [name, value] of Object.entries(err.headers)) response.header(name, value)
    }
    if (err) throw err instanceof Error ? err : new Error('Authentication failed')
    if (!user) {
      const message = (info as { message?: unknown } | undefined)?.message
      throw new HttpException(typeof message === 'string' ? message : 'Unauthorized', status ?? 401)
    }
    return user
  }
}
