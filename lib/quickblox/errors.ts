/**
 * Errors of ours, each with a stable `code` and the HTTP `status` an app should answer with.
 * They never carry a request body, a password, the auth secret or a session token, and
 * they hold no reference to the HTTP client's request options (which hold the body).
 */
export class QuickBloxError extends Error {
  /** Stable, machine-readable code, e.g. `QB_UNAVAILABLE`. */
  readonly code: string
  /** The HTTP status an app should answer with. */
  readonly status: number

  constructor(code: string, status: number, message: string) {
    super(message)
    this.name = new.target.name
    this.code = code
    this.status = status
  }

  /** Only the public fields, so `JSON.stringify(err)` is safe and useful. */
  toJSON(): { name: string; code: string; status: number; message: string } {
    return { name: this.name, code: this.code, status: this.status, message: this.message }
  }
}

/** QuickBlox refused the user's credentials (401 at login; 403/422 too). The strategy turns it into `fail`. */
export class QuickBloxCredentialsError extends QuickBloxError {
  constructor(message = 'QuickBlox rejected the credentials', status = 401) {
    super('QB_INVALID_CREDENTIALS', status, message)
  }
}

/** The application's appId / authKey / authSecret (or clock) were refused: a server misconfiguration. */
export class QuickBloxConfigurationError extends QuickBloxError {
  constructor(message: string) {
    super('QB_CONFIGURATION', 500, message)
  }
}

/** QuickBlox's rate limit was hit. `retryAfter` is in seconds (from `Retry-After`), when known. */
export class QuickBloxRateLimitError extends QuickBloxError {
  readonly retryAfter: number | undefined
  constructor(retryAfter: number | undefined) {
    super('QB_RATE_LIMITED', 429, 'QuickBlox rate limit exceeded')
    this.retryAfter = retryAfter
  }
}

/** QuickBlox answered 5xx, or the connection was refused or reset. */
export class QuickBloxUnavailableError extends QuickBloxError {
  constructor(message = 'QuickBlox is unavailable') {
    super('QB_UNAVAILABLE', 503, message)
  }
}

/** QuickBlox did not answer within the `timeout`. */
export class QuickBloxTimeoutError extends QuickBloxError {
  constructor(timeoutMs: number) {
    super('QB_TIMEOUT', 504, `QuickBlox did not answer within ${timeoutMs} ms`)
  }
}

/** QuickBlox's reply could not be read: not JSON, truncated, or missing expected fields. */
export class QuickBloxResponseError extends QuickBloxError {
  constructor(message = 'QuickBlox sent a reply that could not be read') {
    super('QB_BAD_RESPONSE', 502, message)
  }
}
