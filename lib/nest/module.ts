import { ConfigurableModuleBuilder, Module, type DynamicModule, type Provider } from '@nestjs/common'
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core'
import { QuickBloxAdmin } from '../quickblox/admin.js'
import { QuickBloxStrategy } from '../strategy.js'
import { QuickBloxTokenStrategy } from '../token-strategy.js'
import { NoStoreInterceptor, QuickBloxExceptionFilter } from './http.js'
import {
  QUICKBLOX_OPTIONS,
  type QuickBloxModuleAsyncOptions,
  type QuickBloxModuleExtras,
  type QuickBloxModuleOptions,
} from './options.js'
import { QuickBloxSessions } from './sessions.js'
import { QuickBloxStrategies } from './strategies.js'

// Nest's own builder makes forRoot / forRootAsync (useFactory, useClass, useExisting, imports,
// inject); the extras add `global` and `extraProviders`, as @nestjs/jwt's registerAsync has them.
const { ConfigurableModuleClass } = new ConfigurableModuleBuilder<QuickBloxModuleOptions>({
  optionsInjectionToken: QUICKBLOX_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createQuickBloxOptions')
  .setExtras<Required<QuickBloxModuleExtras>>({ global: false, extraProviders: [] }, (module, extras) => ({
    ...module,
    global: extras.global,
    providers: [...(module.providers ?? []), ...extras.extraProviders],
  }))
  .build()

const pick = (key: 'login' | 'token' | 'admin') => (strategies: QuickBloxStrategies) => strategies[key]

/**
 * QuickBlox's strategies for `QuickBloxAuthGuard` and `QuickBloxTokenGuard`, and
 * `QuickBloxStrategy`, `QuickBloxTokenStrategy` (for `logout`), `QuickBloxAdmin` and
 * `QuickBloxSessions` as providers (each strategy `null` when its options are missing). One per
 * app: each app's guards use its own strategies, however many apps a process holds. Injectable
 * in the module that imports it, or everywhere with `global: true`. The options themselves (with
 * the auth secret and API key) stay inside the module.
 */
@Module({
  providers: [
    QuickBloxStrategies,
    QuickBloxSessions,
    { provide: QuickBloxStrategy, useFactory: pick('login'), inject: [QuickBloxStrategies] },
    { provide: QuickBloxTokenStrategy, useFactory: pick('token'), inject: [QuickBloxStrategies] },
    { provide: QuickBloxAdmin, useFactory: pick('admin'), inject: [QuickBloxStrategies] },
    // QuickBlox's faults thrown by a controller (`logout`, `sessionFor`) keep their status and Retry-After.
    { provide: APP_FILTER, useClass: QuickBloxExceptionFilter },
    // Answers of `QuickBloxSessions#sessionFor` carry `Cache-Control: no-store`.
    { provide: APP_INTERCEPTOR, useClass: NoStoreInterceptor },
  ] satisfies Provider[],
  exports: [QuickBloxStrategies, QuickBloxStrategy, QuickBloxTokenStrategy, QuickBloxAdmin, QuickBloxSessions],
})
export class QuickBloxModule extends ConfigurableModuleClass {
  /** The options as they are, and `global` (default `false`). */
  static override forRoot(options: QuickBloxModuleOptions & Pick<QuickBloxModuleExtras, 'global'>): DynamicModule {
    return super.forRoot(options)
  }

  /**
   * Options made when the app starts: `{ imports: [ConfigModule], inject: [ConfigService], useFactory }`,
   * or `{ useClass }` / `{ useExisting }` with a class whose `createQuickBloxOptions()` makes them.
   */
  static override forRootAsync(options: QuickBloxModuleAsyncOptions): DynamicModule {
    return super.forRootAsync(options)
  }
}
