// `passport-quickblox/nest`: QuickBlox's strategies as a NestJS module, with guards that answer
// as Passport does on Express. The package's main entry never imports Nest.
export { QuickBloxModule, QuickBloxSessions, QuickBloxStrategies } from './module.js'
export { QuickBloxAuthGuard, QuickBloxTokenGuard, QuickBloxExceptionFilter, QuickBloxUser } from './http.js'
export { QUICKBLOX_OPTIONS } from './options.js'
export type {
  QuickBloxModuleOptions,
  QuickBloxModuleAsyncOptions,
  QuickBloxModuleTokenOptions,
  QuickBloxVerify,
} from './options.js'
