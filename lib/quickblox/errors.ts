/**
 * Errors of ours, each with a stable `code` and the HTTP `status` an app should answer with.
 * They follow the `http-errors` convention (`status`, `statusCode`, `expose`, `headers`), so
 * Express's, Koa's, Fastify's and NestJS's own error handling answer with the right status.
 * They never carry a request body, a password, the auth secret or a session token, and
 * they hold no reference to the HTTP client's request options (which hold the body).
 */

/** Every `code` a {@link QuickBloxError} can carry; each error class also has it as a static `code`. */
export type QuickBloxErrorCode =
  | 'QB_INVALID_CREDENTIALS'
  | 'QB_CONFIGURATION'
  | 'QB_RATE_LIMITED'
  | 'QB_UNAVAILABLE'
  | 'QB_TIMEOUT'
  | 'QB_BAD_RESPONSE'
  | 'QB_INVALID_USER'
  | 'QB_NOT_FOUND'
  | 'QB_WRONG_PASSWORD'

export class QuickBloxError extends Error {
  /** Stable, machine-readable code, e.g. `QB_UNAVAILABLE`. */
  readonly code: QuickBloxErrorCode
  /** The HTTP status an app should answer with. */
  readonly status: number
  /** Same as `status`, where Fastify, Nest and `http-errors` users look for it. */
  readonly statusCode: number
  /** Whether the message may be shown to the client: true for 4xx, false for 5xx (Koa and Nest honour it). */
  readonly expose: boolean
  /** Headers for the answer, e.g. `Retry-After`; Express's, Koa's and Fastify's error handling send them. */
  readonly headers: Readonly<Record<string, string>> | undefined

  constructor(code: QuickBloxErrorCode, status: number, message: string, headers?: Record<string, string>) {
    super(message)
    this.name = new.target.name
    this.code = code
    this.status = status
    this.statusCode = status
    this.expose = status < 500
    this.headers = headers
  }

  /** Only the public fields, so `JSON.stringify(err)` is safe and useful. */
  toJSON(): { name: string; code: QuickBloxErrorCode; status: number; message: string } {
    return { name: this.name, code: this.code, status: this.status, message: this.message }
  }
}

/** QuickBlox refused the user's credentials (401 at login; 403/422 too). The strategy turns it into `fail`. */
export class QuickBloxCredentialsError extends QuickBloxError {
  static readonly code = 'QB_INVALID_CREDENTIALS'
  constructor(message = 'QuickBlox rejected the credentials', status = 401) {
    super(QuickBloxCredentialsError.code, status, message)
  }
}

/** The application's appId / authKey / authSecret (or clock) were refused: a server misconfiguration. */
export class QuickBloxConfigurationError extends QuickBloxError {
  static readonly code = 'QB_CONFIGURATION'
  constructor(message: string) {
    super(QuickBloxConfigurationError.code, 500, message)
  }
}

/** QuickBlox's rate limit was hit. `retryAfter` is in seconds (from `Retry-After`), when known. */
export class QuickBloxRateLimitError extends QuickBloxError {
  static readonly code = 'QB_RATE_LIMITED'
  readonly retryAfter: number | undefined
  constructor(retryAfter: number | undefined) {
    super(
      QuickBloxRateLimitError.code,
      429,
      'QuickBlox rate limit exceeded',
      retryAfter === undefined ? undefined : { 'Retry-After': String(retryAfter) },
    )
    this.retryAfter = retryAfter
  }
}

/**
 * Seconds a client is told to wait after a 503 when QuickBlox named no time: long enough that
 * clients retrying together do not add to an outage, short enough for a blip to pass unnoticed.
 */
const UNAVAILABLE_RETRY_AFTER = 30

/**
 * QuickBlox answered 5xx, or the connection was refused or reset. `retryAfter` (seconds, sent as
 * `Retry-After`) is QuickBlox's own when its answer had one, else {@link UNAVAILABLE_RETRY_AFTER}.
 */
export class QuickBloxUnavailableError extends QuickBloxError {
  static readonly code = 'QB_UNAVAILABLE'
  readonly retryAfter: number
  constructor(message = 'QuickBlox is unavailable', retryAfter: number = UNAVAILABLE_RETRY_AFTER) {
    super(QuickBloxUnavailableError.code, 503, message, { 'Retry-After': String(retryAfter) })
    this.retryAfter = retryAfter
  }
}

/** QuickBlox did not answer within the `timeout`. */
export class QuickBloxTimeoutError extends QuickBloxError {
  static readonly code = 'QB_TIMEOUT'
  constructor(timeoutMs: number) {
    super(QuickBloxTimeoutError.code, 504, `QuickBlox did not answer within ${timeoutMs} ms`)
  }
}

/** QuickBlox's reply could not be read: not JSON, truncated, or missing expected fields. */
export class QuickBloxResponseError extends QuickBloxError {
  static readonly code = 'QB_BAD_RESPONSE'
  constructor(message = 'QuickBlox sent a reply that could not be read') {
    super(QuickBloxResponseError.code, 502, message)
  }
}

/**
 * QuickBlox refused a new user's fields (422). `fields` holds its reasons per field, in its own
 * words and field names (`{ login: ['has already been taken.'] }`, `base` for the whole user):
 * they name no value, so they may be shown beside a sign-up form's fields.
 */
export class QuickBloxValidationError extends QuickBloxError {
  static readonly code = 'QB_INVALID_USER'
  readonly fields: Readonly<Record<string, readonly string[]>>
  constructor(fields: Record<string, string[]>) {
    const reasons = Object.entries(fields).flatMap(([field, messages]) =>
      messages.map((message) => (field === 'base' ? message : `${field} ${message}`)),
    )
    super(QuickBloxValidationError.code, 422, `QuickBlox refused the user: ${reasons.join('; ') || 'invalid'}`)
    this.fields = fields
  }
}

/** QuickBlox has no such user (404): an id that was never created, was deleted, or is another application's. */
export class QuickBloxNotFoundError extends QuickBloxError {
  static readonly code = 'QB_NOT_FOUND'
  constructor(message = 'QuickBlox has no such user') {
    super(QuickBloxNotFoundError.code, 404, message)
  }
}

/**
 * The current password given to `changePassword()` is not the user's (QuickBlox's 422 on
 * `old_password`). The user's mistake, not the app's: show it beside the current-password field,
 * and count it as a failed sign-in (it is a password guess).
 */
export class QuickBloxWrongPasswordError extends QuickBloxError {
  static readonly code = 'QB_WRONG_PASSWORD'
  constructor(message = 'The current password is not correct') {
    super(QuickBloxWrongPasswordError.code, 422, message)
  }
}
