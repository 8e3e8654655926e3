import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common'
import type { QuickBloxAdminOptions } from '../quickblox/admin.js'
import type { QuickBloxSession, QuickBloxUser } from '../quickblox/types.js'
import type { QuickBloxStrategyOptions } from '../strategy.js'
import type { QuickBloxTokenStrategyOptions } from '../token-strategy.js'

/**
 * Decides who a QuickBlox user is in your app: return (or resolve with) the user to sign in,
 * `false` or `null` to refuse. Throwing (rejecting) answers 500.
 */
export type QuickBloxVerify = (user: QuickBloxUser, session: QuickBloxSession) => unknown

/** What `QuickBloxModule` gives `QuickBloxTokenStrategy`, besides `appId`, `apiEndpoint`, `timeout`. */
export type QuickBloxModuleTokenOptions = Pick<QuickBloxTokenStrategyOptions, 'cache' | 'qbTokenHeader' | 'maxSockets'>

export interface QuickBloxModuleOptions extends Omit<
  QuickBloxStrategyOptions,
  'name' | 'passReqToCallback' | 'authKey' | 'authSecret'
> {
  /** With `authSecret`, registers `QuickBloxStrategy` (`QuickBloxAuthGuard`). Without, only tokens are checked. */
  authKey?: string
  authSecret?: string
  /** Logins' users. Default: the QuickBlox user. */
  verify?: QuickBloxVerify
  /** Bearer tokens' users. Default: the QuickBlox user. */
  verifyToken?: QuickBloxVerify
  /** `QuickBloxTokenStrategy`'s cache and headers (`QuickBloxTokenGuard`); `false` registers no token strategy. */
  token?: QuickBloxModuleTokenOptions | false
  /**
   * `QuickBloxAuthGuard` also logs the user into the Passport session (`req.logIn`): for apps on
   * Express with `passport.session()` and a `PassportSerializer`. Default `false`.
   */
  session?: boolean
  /** The application's API key: provides `QuickBloxAdmin` and `QuickBloxSessions` (tokens for your own users). */
  apiKey?: string
  /**
   * `QuickBloxAdmin`'s identity key, which makes each of your users' QuickBlox login
   * (`QuickBloxSessions` needs it).
   */
  identityKey?: string
  /** `QuickBloxAdmin`'s user cache. */
  adminCache?: QuickBloxAdminOptions['cache']
}

export interface QuickBloxModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: (InjectionToken | OptionalFactoryDependency)[]
  useFactory: (...args: never[]) => QuickBloxModuleOptions | Promise<QuickBloxModuleOptions>
}

/** The module's options, as given to `forRoot` or made by `forRootAsync`'s factory. */
export const QUICKBLOX_OPTIONS = Symbol('QUICKBLOX_OPTIONS')
