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
