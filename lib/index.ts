export type { QuickBloxUser, QuickBloxSession, LoginCredentials, LoginMethod, LoginResult } from './quickblox/types.js'
export {
  QuickBloxError,
  QuickBloxCredentialsError,
  QuickBloxConfigurationError,
  QuickBloxRateLimitError,
  QuickBloxUnavailableError,
  QuickBloxTimeoutError,
  QuickBloxResponseError,
} from './quickblox/errors.js'
export { QuickBloxStrategy } from './strategy.js'
export type {
  QuickBloxStrategyOptions,
  QuickBloxStrategyOptionsWithRequest,
  QuickBloxAuthenticateOptions,
  VerifyFunction,
  VerifyFunctionWithRequest,
  VerifyCallback,
} from './strategy.js'
export { CREDENTIAL_LIMITS } from './credentials.js'
export type { CredentialFields } from './credentials.js'
export { QuickBloxClient } from './quickblox/client.js'
export type { QuickBloxClientOptions } from './quickblox/client.js'
export { CHANNELS } from './diagnostics.js'
export type { LoginContext, TokenContext, RequestContext, PoolMessage, Outcome, TokenCache } from './diagnostics.js'
