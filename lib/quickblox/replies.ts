import {
  QuickBloxConfigurationError,
  QuickBloxCredentialsError,
  QuickBloxError,
  QuickBloxNotFoundError,
  QuickBloxRateLimitError,
  QuickBloxResponseError,
  QuickBloxUnavailableError,
  QuickBloxValidationError,
  QuickBloxWrongPasswordError,
} from './errors.js'
import type { Reply } from './http.js'
import { readErrors } from './validate.js'

/**
 * What a request was for, which decides what a refusal means:
 * - `session`: an application session (`POST /session.json`, signed with the auth secret);
 * - `login`, `token`, `user`, `logout`: a user's login, and a token someone holds;
 * - `admin`: a request made with the API key; `create` is `POST /users.json` with it, where a
 *   404 cannot mean "no such user";
 * - `account`: a change a user makes to their own account with their own token (account.ts).
 */
export type Step = 'session' | 'login' | 'logout' | 'token' | 'user' | 'admin' | 'create' | 'account'

/**
 * Maps a reply QuickBlox did not mean as success to one of our errors: the one place that does,
 * for the client, the token strategy and the admin client. `password` is the one sent, if any
 * (or the current and the new one): a field error quoting one is replaced, so no error holds it.
 */
export function errorFor(reply: Reply, step: Step, password?: string | readonly string[]): QuickBloxError {
  const { status } = reply
  const passwords = typeof password === 'string' ? [password] : (password ?? [])
  const seconds = retryAfter(header(reply, 'retry-after'))
  if (status === 429) return new QuickBloxRateLimitError(seconds)
  // QuickBlox's own delay when its 5xx names one; the error's default otherwise.
  if (status >= 500) return new QuickBloxUnavailableError(`QuickBlox answered ${status}`, seconds)
  // A 404 without QuickBlox's own error body is no "not found" of QuickBlox's: a wrong path or
  // host (a proxy's HTML page, another API). A 404 on creating a user cannot be one either.
  if (status === 404 && (!isQuickBloxError(reply) || step === 'create')) {
    return new QuickBloxConfigurationError(
      'QuickBlox answered 404 where it has no such answer: check the apiEndpoint option (host and path)',
    )
  }
  if (status >= 400 && step === 'session') {
    const reasons = readErrors(reply.body).join('; ') || `status ${status}`
    if (mentions(reply, 'timestamp'))
      return new QuickBloxConfigurationError(
        `QuickBlox refused the session timestamp: check this server's clock (${reasons})`,
      )
    return new QuickBloxConfigurationError(
      `QuickBlox refused the application credentials (appId/authKey/authSecret): ${reasons}`,
    )
  }
  // The user's own token: its refusal is the user's (their session ended), never the app's misconfiguration.
  if (step === 'account') {
    if (status === 401) {
      return new QuickBloxCredentialsError('QuickBlox does not know this session token (unknown, expired or destroyed)')
    }
    // A user token may change its own user only: another id, or an application session, is refused.
    if (status === 403) return new QuickBloxCredentialsError('This session token may not change this user', 403)
    if (status === 404) return new QuickBloxNotFoundError()
    if (status === 422) {
      const fields = fieldErrors(reply.body, passwords)
      return fields.old_password ? new QuickBloxWrongPasswordError() : new QuickBloxValidationError(fields)
    }
  }
  if (step === 'admin' || step === 'create') {
    // The key is the application's: its refusal is the server's misconfiguration, never a user's fault.
    if (status === 401 || status === 403) {
      return new QuickBloxConfigurationError(`QuickBlox refused the API key (${status}): check the apiKey option`)
    }
    if (status === 404) return new QuickBloxNotFoundError()
    if (status === 422) return new QuickBloxValidationError(fieldErrors(reply.body, passwords))
  }
  // A token QuickBlox does not know (any more), or whose user is gone: the client's token is invalid.
  if ((step === 'token' || step === 'user') && status === 401) {
    return new QuickBloxCredentialsError('QuickBlox does not know this session token (unknown, expired or destroyed)')
  }
  if (step === 'user' && status === 404)
    return new QuickBloxCredentialsError('QuickBlox has no user for this session token')
  if (step === 'login' && status === 401) return new QuickBloxCredentialsError()
  if (step === 'login' && status === 403)
    return new QuickBloxCredentialsError('QuickBlox does not allow this login', 403)
  if (step === 'login' && (status === 400 || status === 422)) {
    return new QuickBloxCredentialsError('QuickBlox refused the credentials as invalid', 400)
  }
  return new QuickBloxResponseError(`QuickBlox answered an unexpected status ${status}`)
}

/** Whether the reply carries QuickBlox's error body, `{"errors": …}` with at least one reason. */
export function isQuickBloxError(reply: Reply): boolean {
  return readErrors(reply.body).length > 0
}

export function header(reply: Reply, name: string): string | undefined {
  const value = reply.headers[name]
  return Array.isArray(value) ? value[0] : value
}

export function mentions(reply: Reply, text: string): boolean {
  return readErrors(reply.body).some((reason) => reason.toLowerCase().includes(text))
}

/**
 * `Retry-After` in whole seconds: delta-seconds (a fraction rounds up, so a client never comes
 * back early) or an HTTP date; `undefined` when negative or unreadable, never a "retry now" guess.
 */
export function retryAfter(value: string | undefined): number | undefined {
  const text = value?.trim()
  if (text === undefined || text.length > 64) return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text))
  // Only a date has letters (a weekday, a month); Date.parse would read "-5" as a year.
  const at = /[a-z]/i.test(text) ? Date.parse(text) : NaN
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - Date.now()) / 1000)) : undefined
}

/**
 * `{"errors": {"field": [...]}}` (or a bare list, as `base`), bounded: ten fields of ten reasons
 * of 200 characters. A reason that quotes a password sent is replaced, so no error holds it.
 */
function fieldErrors(body: unknown, passwords: readonly string[]): Record<string, string[]> {
  const errors = (body as { errors?: unknown } | undefined)?.errors
  const entries = Array.isArray(errors)
    ? [['base', errors] as const]
    : typeof errors === 'object' && errors !== null
      ? Object.entries(errors)
      : []
  const fields: Record<string, string[]> = {}
  for (const [field, value] of entries.slice(0, 10)) {
    if (!/^[a-z_]{1,40}$/.test(field)) continue
    const reasons = (Array.isArray(value) ? (value as unknown[]) : [value])
      .filter((reason): reason is string => typeof reason === 'string')
      .slice(0, 10)
      .map((reason) => (passwords.some((password) => quotes(reason, password)) ? 'is invalid' : reason.slice(0, 200)))
    if (reasons.length > 0) fields[field] = reasons
  }
  return fields
}

/** Whether a reason quotes the password; one shorter than QuickBlox's 8 characters is refused as such. */
function quotes(reason: string, password: string): boolean {
  return password.length >= 8 && reason.includes(password)
}
