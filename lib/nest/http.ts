import { STATUS_CODES } from 'node:http'
import {
  Catch,
  HttpException,
  Inject,
  Injectable,
  createParamDecorator,
  type ArgumentsHost,
  type CallHandler,
  type CanActivate,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common'
import { BaseExceptionFilter } from '@nestjs/core'
import passport from 'passport'
import type { Strategy } from '../passport.js'
import { QuickBloxError } from '../quickblox/errors.js'
import type { QuickBloxStrategy } from '../strategy.js'
import type { QuickBloxTokenStrategy } from '../token-strategy.js'
import { tap, type Observable } from 'rxjs'
import { isSessionAnswer } from './sessions.js'
import { QuickBloxStrategies } from './strategies.js'

/** Express's response and Fastify's reply both have `header()`. */
interface Response {
  header(name: string, value: string): unknown
}

/** Passport's challenge of the token strategy (`Bearer realm="QuickBlox"…`), for WWW-Authenticate. */
const BEARER = /^Bearer\b/

/** The fault's headers (Retry-After) on the response, and the exception Nest answers it with. */
function fault(error: QuickBloxError, response: Response): HttpException {
  for (const [name, value] of Object.entries(error.headers ?? {})) response.header(name, value)
  // A 5xx message is not for the client (`expose`), though none of ours holds a secret.
  const message = error.expose ? error.message : (STATUS_CODES[error.status] ?? 'Error')
  return new HttpException({ statusCode: error.status, code: error.code, message }, error.status, { cause: error })
}

/** What went wrong, as an Error: Passport and its session pass on whatever they were given. */
const failure = (err: unknown): Error => (err instanceof Error ? err : new Error('QuickBlox: authentication failed'))

/**
 * Passport's outcome as Nest answers it: the user; a QuickBlox fault with its status and headers;
 * a refusal with the strategy's status (400 malformed, 401 wrong, 415 not a form or JSON) and
 * its Bearer challenge; any other error as it is (500).
 */
function outcome(err: unknown, user: unknown, info: unknown, context: ExecutionContext, status?: number): unknown {
  const response = context.switchToHttp().getResponse<Response>()
  if (err instanceof QuickBloxError) throw fault(err, response)
  if (err) throw failure(err)
  if (user) return user
  const code = status ?? 401
  // Passport sends a challenge only with a 401; RFC 6750 wants it with the 400 invalid_request too.
  if (typeof info === 'string' && BEARER.test(info)) response.header('WWW-Authenticate', info)
  const message = (info as { message?: unknown } | undefined)?.message
  throw new HttpException(
    { statusCode: code, message: typeof message === 'string' ? message : (STATUS_CODES[code] ?? 'Unauthorized') },
    code,
  )
}

/** A request as Passport leaves it, with `logIn` once Passport has seen it. */
interface PassportRequest {
  user?: unknown
  logIn(user: unknown, options: object, done: (err: unknown) => void): void
}

/**
 * Runs `strategy` for the request as Passport runs a registered one (on `Object.create`, so
 * concurrent requests each have their own `success`/`fail`/`error`), and answers with `outcome`.
 */
function authenticate(strategy: Strategy, options: object, context: ExecutionContext): Promise<unknown> {
  const http = context.switchToHttp()
  return new Promise((resolve, reject) => {
    const handler = passport.authenticate(
      Object.create(strategy) as Strategy,
      options,
      (err: unknown, user: unknown, info: unknown, status?: number) => {
        try {
          resolve(outcome(err, user, info, context, status))
        } catch (error) {
          reject(failure(error))
        }
      },
    ) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void
    handler(http.getRequest(), http.getResponse(), (err) => (err ? reject(failure(err)) : resolve(undefined)))
  })
}

/**
 * Logs a user in with QuickBlox (this app's `QuickBloxStrategy`): 400 for missing or malformed
 * credentials, 401 for wrong ones, QuickBlox's faults with their status (429 and 503 with
 * Retry-After, 502, 504). The user is on `req.user` (`@QuickBloxUser()`), and in the Passport
 * session too when the module's `session` is true. The app fails to start when the module has
 * no `authKey` and `authSecret`.
 */
@Injectable()
export class QuickBloxAuthGuard implements CanActivate {
  private readonly strategy: QuickBloxStrategy
  private readonly session: boolean

  constructor(@Inject(QuickBloxStrategies) strategies: QuickBloxStrategies) {
    if (!strategies.login) {
      throw new TypeError("QuickBloxAuthGuard needs the options authKey and authSecret in QuickBloxModule's options")
    }
    this.strategy = strategies.login
    this.session = strategies.session
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PassportRequest>()
    req.user = await authenticate(this.strategy, { session: false }, context)
    if (this.session)
      await new Promise<void>((resolve, reject) =>
        req.logIn(req.user, {}, (err) => (err ? reject(failure(err)) : resolve())),
      )
    return true
  }
}

/**
 * Lets in a request with a QuickBlox session token (`Authorization: Bearer …`, this app's token
 * strategy), without a session: 401 with the strategy's `WWW-Authenticate` challenge when the
 * token is missing or refused, 400 `invalid_request` when malformed, QuickBlox's faults as above.
 * The app fails to start when the module's `token` is `false`.
 */
@Injectable()
export class QuickBloxTokenGuard implements CanActivate {
  private readonly strategy: QuickBloxTokenStrategy

  constructor(@Inject(QuickBloxStrategies) strategies: QuickBloxStrategies) {
    if (!strategies.token) {
      throw new TypeError("QuickBloxTokenGuard needs a token strategy: QuickBloxModule's option token is false")
    }
    this.strategy = strategies.token
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    context.switchToHttp().getRequest<PassportRequest>().user = await authenticate(
      this.strategy,
      { session: false },
      context,
    )
    return true
  }
}

/** A token is a credential: no cache, shared or private, may keep an answer of `QuickBloxSessions`. */
@Injectable()
export class NoStoreInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      tap((value) => {
        if (isSessionAnswer(value)) context.switchToHttp().getResponse<Response>().header('Cache-Control', 'no-store')
      }),
    )
  }
}

/**
 * Answers a `QuickBloxError` a controller throws (`logout`, `QuickBloxSessions`) with its status
 * and headers (Retry-After), which Nest's own filter would drop. The module registers it.
 */
@Catch(QuickBloxError)
export class QuickBloxExceptionFilter extends BaseExceptionFilter {
  override catch(error: QuickBloxError, host: ArgumentsHost): void {
    super.catch(fault(error, host.switchToHttp().getResponse<Response>()), host)
  }
}

/**
 * The signed-in user (`req.user`), or one of its properties: `@QuickBloxUser() user: AppUser`,
 * `@QuickBloxUser('id') id: number`. `undefined` when nobody is signed in.
 */
export const QuickBloxUser = createParamDecorator((property: string | undefined, context: ExecutionContext) => {
  const user = context.switchToHttp().getRequest<{ user?: Record<string, unknown> }>().user
  return property === undefined ? user : user?.[property]
})
