// `passport-quickblox/nest`: QuickBlox's strategies as a NestJS module, with guards that answer
// as Passport does on Express. The package's main entry never imports Nest.
export { QuickBloxModule } from './module.js'
export { QuickBloxStrategies } from './strategies.js'
export { QuickBloxSessions } from './sessions.js'
export { QuickBloxAuthGuard, QuickBloxTokenGuard, QuickBloxExceptionFilter, QuickBloxUser } from './http.js'
export type {
  QuickBloxModuleOptions,
  QuickBloxModuleAsyncOptions,
  QuickBloxModuleExtras,
  QuickBloxModuleTokenOptions,
  QuickBloxOptionsFactory,
  QuickBloxVerify,
} from './options.js'
