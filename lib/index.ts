export type {
  QuickBloxUser,
  QuickBloxUserField,
  QuickBloxSession,
  LoginCredentials,
  LoginMethod,
  LoginResult,
} from './quickblox/types.js'
export {
  QuickBloxError,
  QuickBloxCredentialsError,
  QuickBloxConfigurationError,
  QuickBloxRateLimitError,
  QuickBloxUnavailableError,
  QuickBloxTimeoutError,
  QuickBloxResponseError,
  QuickBloxValidationError,
  QuickBloxNotFoundError,
  QuickBloxWrongPasswordError,
} from './quickblox/errors.js'
export type { QuickBloxErrorCode } from './quickblox/errors.js'
export { QuickBloxStrategy } from './strategy.js'
export type {
  QuickBloxStrategyOptions,
  QuickBloxStrategyOptionsWithRequest,
  QuickBloxAuthenticateOptions,
  CredentialsRead,
  VerifyFunction,
  VerifyFunctionWithRequest,
  VerifyCallback,
} from './strategy.js'
export type { StrategyRequest } from './passport.js'
export { QuickBloxTokenStrategy } from './token-strategy.js'
export type {
  QuickBloxTokenStrategyOptions,
  QuickBloxTokenStrategyOptionsWithRequest,
  TokenCacheOptions,
  TokenCacheStore,
} from './token-strategy.js'
export { quickbloxEnv } from './env.js'
export type { QuickBloxEnvOptions } from './env.js'
export { CREDENTIAL_LIMITS } from './credentials.js'
export type { CredentialFields } from './credentials.js'
export { QuickBloxClient } from './quickblox/client.js'
export type { QuickBloxClientOptions, QuickBloxTokenCheckOptions, QuickBloxTokenChecker } from './quickblox/client.js'
export type { QuickBloxProfileChanges, QuickBloxPasswordChange } from './quickblox/account.js'
export { CHANNELS } from './diagnostics.js'
export type {
  LoginContext,
  TokenContext,
  RequestContext,
  PoolMessage,
  StoreMessage,
  Outcome,
  TokenCache,
} from './diagnostics.js'
export { QuickBloxAdmin } from './quickblox/admin.js'
export type {
  QuickBloxAdminOptions,
  AdminCacheOptions,
  AdminCacheStore,
  NewQuickBloxUser,
  QuickBloxIdentity,
  QuickBloxUserToken,
  QuickBloxUserSession,
} from './quickblox/admin.js'
export { quickbloxSession } from './session-handler.js'
export type { QuickBloxSessionOptions, QuickBloxSessionAnswer, SignedInRequest } from './session-handler.js'
export { quickbloxIdentityProvider } from './identity-provider.js'
export type {
  QuickBloxIdentityProvider,
  QuickBloxIdentityProviderOptions,
  IdentityProviderUser,
  IdentityProviderVerify,
  IdentityProviderCall,
  IdentityProviderAnswer,
} from './identity-provider.js'
export { QuickBloxIdentityTokens } from './identity-tokens.js'
export type { QuickBloxIdentityTokensOptions, QuickBloxIdentityToken } from './identity-tokens.js'
