import type { ConfigurableModuleAsyncOptions, Provider } from '@nestjs/common'
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
  /** With `authSecret`, makes `QuickBloxStrategy` (`QuickBloxAuthGuard`). Without both, only tokens are checked. */
  authKey?: string
  authSecret?: string
  /** Logins' users. Default: the QuickBlox user. */
  verify?: QuickBloxVerify
  /** Bearer tokens' users. Default: the QuickBlox user. */
  verifyToken?: QuickBloxVerify
  /** `QuickBloxTokenStrategy`'s cache and headers (`QuickBloxTokenGuard`); `false` makes no token strategy. */
  token?: QuickBloxModuleTokenOptions | false
  /**
   * `QuickBloxAuthGuard` also logs the user into the Passport session (`req.logIn`): for apps on
   * Express with `passport.session()` and a `PassportSerializer`. Default `false`.
   */
  session?: boolean
  /** The application's API key: provides `QuickBloxAdmin` and `QuickBloxSessions` (tokens for your own users). */
  apiKey?: string
  /**
   * `QuickBloxAdmin`'s identity key: makes each of your users' QuickBlox login
   * (`QuickBloxSessions` needs it).
   */
  identityKey?: string
  /** `QuickBloxAdmin`'s user cache. */
  adminCache?: QuickBloxAdminOptions['cache']
}

/** How the module is registered, beside its options. */
export interface QuickBloxModuleExtras {
  /**
   * Makes the module's providers (guards' strategies, `QuickBloxSessions`, …) injectable in every
   * module of the app, not only in the one that imports it. Default `false`.
   */
  global?: boolean
  /** Providers the options' factory or class needs, made in the module's own scope. */
  extraProviders?: Provider[]
}

/** A class that makes the options (`useClass`, `useExisting`), as `@nestjs/jwt`'s `createJwtOptions()`. */
export interface QuickBloxOptionsFactory {
  createQuickBloxOptions(): QuickBloxModuleOptions | Promise<QuickBloxModuleOptions>
}

/**
 * `forRootAsync`'s options: one of `useFactory` (with `inject`), `useClass` or `useExisting` (a
 * {@link QuickBloxOptionsFactory}), and the `imports` they need.
 */
export interface QuickBloxModuleAsyncOptions
  extends ConfigurableModuleAsyncOptions<QuickBloxModuleOptions, 'createQuickBloxOptions'>, QuickBloxModuleExtras {}

/** The module's options, as given to `forRoot` or made by `forRootAsync`: the module's alone, never exported. */
export const QUICKBLOX_OPTIONS = Symbol('QUICKBLOX_OPTIONS')
