import { STATUS_CODES } from 'node:http'
import {
  Catch,
  HttpException,
  Inject,
  Injectable,
  createParamDecorator,
  type ArgumentsHost,
  type ExecutionContext,
} from '@nestjs/common'
import { BaseExceptionFilter } from '@nestjs/core'
import { AuthGuard } from '@nestjs/passport'
import { QuickBloxError } from '../quickblox/errors.js'
import { QUICKBLOX_OPTIONS, type QuickBloxModuleOptions } from './options.js'

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

/**
 * Passport's outcome as Nest answers it: the user; a QuickBlox fault with its status and headers;
 * a refusal with the strategy's status (400 malformed, 401 wrong, 415 not a form or JSON) and
 * its Bearer challenge; any other error as it is (500).
 */
function outcome<TUser>(err: unknown, user: TUser, info: unknown, context: ExecutionContext, status?: number): TUser {
  const response = context.switchToHttp().getResponse<Response>()
  if (err instanceof QuickBloxError) throw fault(err, response)
  if (err) throw err instanceof Error ? err : new Error('QuickBlox: authentication failed')
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

/**
 * Logs a user in with QuickBlox (`QuickBloxStrategy`): 400 for missing or malformed credentials,
 * 401 for wrong ones, QuickBlox's faults with their status (429 with Retry-After, 502, 503,
 * 504). The user is on `req.user` (`@QuickBloxUser()`), and in the Passport session too when
 * the module's `session` is true.
 */
@Injectable()
export class QuickBloxAuthGuard extends AuthGuard('quickblox') {
  constructor(@Inject(QUICKBLOX_OPTIONS) private readonly moduleOptions: QuickBloxModuleOptions) {
    super()
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    await super.canActivate(context)
    if (this.moduleOptions.session === true) await this.logIn(context.switchToHttp().getRequest())
    return true
  }

  override handleRequest<TUser>(err: unknown, user: TUser, info: unknown, context: ExecutionContext, status?: number) {
    return outcome(err, user, info, context, status)
  }
}

/**
 * Lets in a request with a QuickBlox session token (`Authorization: Bearer …`, the token
 * strategy), without a session: 401 with the strategy's `WWW-Authenticate` challenge when the
 * token is missing or refused, 400 `invalid_request` when malformed, QuickBlox's faults as above.
 */
@Injectable()
export class QuickBloxTokenGuard extends AuthGuard('quickblox-token') {
  override getAuthenticateOptions(): { session: boolean } {
    return { session: false }
  }

  override handleRequest<TUser>(err: unknown, user: TUser, info: unknown, context: ExecutionContext, status?: number) {
    return outcome(err, user, info, context, status)
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
