/*
 * A user's own account, changed with their own session token (the one `verify` receives):
 * QuickBlox's `PUT /users/{id}.json` and `DELETE /users/{id}.json`, which it allows a user token
 * on its own user only, and the password-reset mail, asked for with an application session.
 * The client (client.ts) sends; this file builds the requests and reads the replies.
 */
import { QuickBloxResponseError } from './errors.js'
import type { Method, Reply } from './http.js'
import { errorFor, isQuickBloxError, mentions } from './replies.js'
import type { QuickBloxUser } from './types.js'
import { isSessionToken, readUser } from './validate.js'

/**
 * What a user may change of their own profile with `QuickBloxClient.updateUser()`; QuickBlox's
 * names go on the wire.
 */
export interface QuickBloxProfileChanges {
  /** QuickBlox's `full_name`. */
  fullName?: string
  /** A new email: QuickBlox refuses one that another user has (422, `fields.email`). */
  email?: string
  /** A new login: QuickBlox refuses one that another user has (422, `fields.login`). */
  login?: string
}

/** `QuickBloxClient.changePassword()`'s argument: the password the user has now, and the new one. */
export interface QuickBloxPasswordChange {
  /**
   * The current password (QuickBlox's `old_password`); a wrong one rejects with
   * {@link QuickBloxWrongPasswordError}.
   */
  oldPassword: string
  /** The new password: QuickBlox wants 8 to 40 characters (else 422, `fields.password`). */
  password: string
}

/** How the client sends: its deadline, its closing check and its transport. */
export type Send = (
  method: Method,
  path: string,
  deadline: number,
  options: { token: string; json?: Record<string, unknown>; searchParams?: Record<string, string> },
) => Promise<Reply>

/** The longest text sent; QuickBlox's own limits are shorter, and it says so in a 422. */
const MAX_FIELD = 1024
const PROFILE_FIELDS = { fullName: 'full_name', email: 'email', login: 'login' } as const

/** `PUT /users/{id}.json` with the user's token: the profile fields given, and no others. */
export async function updateProfile(
  send: Send,
  id: number,
  changes: QuickBloxProfileChanges,
  token: string,
  deadline: number,
): Promise<QuickBloxUser> {
  checkOwn('updateUser', id, token)
  if (typeof changes !== 'object' || changes === null) throw new TypeError('QuickBlox: updateUser needs the changes')
  const user: Record<string, string> = {}
  for (const [field, wire] of Object.entries(PROFILE_FIELDS) as [keyof QuickBloxProfileChanges, string][]) {
    const value = changes[field]
    if (value === undefined) continue
    if (typeof value !== 'string' || value.length > MAX_FIELD) {
      throw new TypeError(`QuickBlox: updateUser's ${field} must be text of at most ${MAX_FIELD} characters`)
    }
    user[wire] = value
  }
  if (Object.keys(user).length === 0) {
    throw new TypeError('QuickBlox: updateUser needs fullName, email or login')
  }
  return userOf(await send('PUT', `users/${id}.json`, deadline, { token, json: { user } }), [])
}

/** `PUT /users/{id}.json` with `old_password` and `password`. */
export async function changePassword(
  send: Send,
  id: number,
  change: QuickBloxPasswordChange,
  token: string,
  deadline: number,
): Promise<QuickBloxUser> {
  checkOwn('changePassword', id, token)
  const { oldPassword, password } = typeof change === 'object' && change !== null ? change : ({} as never)
  for (const value of [oldPassword, password]) {
    if (typeof value !== 'string' || value === '' || value.length > MAX_FIELD) {
      throw new TypeError(
        `QuickBlox: changePassword needs oldPassword and password, text of 1 to ${MAX_FIELD} characters`,
      )
    }
  }
  const reply = await send('PUT', `users/${id}.json`, deadline, {
    token,
    json: { user: { old_password: oldPassword, password } },
  })
  return userOf(reply, [oldPassword, password])
}

/** `DELETE /users/{id}.json` with the user's token: 200, empty. */
export async function deleteOwnUser(send: Send, id: number, token: string, deadline: number): Promise<void> {
  checkOwn('deleteUser', id, token)
  const reply = await send('DELETE', `users/${id}.json`, deadline, { token })
  if (reply.status < 200 || reply.status >= 300) throw errorFor(reply, 'account')
}

/**
 * `GET /users/password/reset.json?email=` with an application session. `true` once asked,
 * whether or not QuickBlox has a user with that address: it answers 404 for an unknown one, and
 * 403 "User does not have a confirmed email address" for one whose address it may not mail;
 * `false` when QuickBlox no longer knows the application session (the caller retries once).
 */
export async function requestPasswordReset(
  send: Send,
  email: string,
  applicationToken: string,
  deadline: number,
): Promise<boolean> {
  const reply = await send('GET', 'users/password/reset.json', deadline, {
    token: applicationToken,
    searchParams: { email },
  })
  if (reply.status === 401 && mentions(reply, 'session does not exist')) return false
  // QuickBlox's own "not found" (its error body; a proxy's 404 page is a misconfiguration), and
  // its refusal to mail an address it has not confirmed, read like a mail sent.
  const unknown = reply.status === 404 && isQuickBloxError(reply)
  const unmailable = reply.status === 403 && mentions(reply, 'email')
  if ((reply.status >= 200 && reply.status < 300) || unknown || unmailable) return true
  throw errorFor(reply, 'account')
}

/** The email `sendPasswordResetEmail()` was given, checked as text (QuickBlox checks the address). */
export function checkEmail(email: unknown): asserts email is string {
  if (typeof email !== 'string' || email === '' || email.length > MAX_FIELD) {
    throw new TypeError(`QuickBlox: sendPasswordResetEmail needs an email, text of 1 to ${MAX_FIELD} characters`)
  }
}

function checkOwn(method: string, id: number, token: string): void {
  if (!Number.isSafeInteger(id) || id <= 0) throw new TypeError(`QuickBlox: ${method} needs a positive integer id`)
  // The token verify received (session.token): an update is allowed on one's own user only.
  if (!isSessionToken(token)) throw new TypeError(`QuickBlox: ${method} needs the user's session token`)
}

function userOf(reply: Reply, secrets: readonly string[]): QuickBloxUser {
  if (reply.status !== 200) throw errorFor(reply, 'account', secrets)
  const user = readUser(reply.body)
  if (!user) throw new QuickBloxResponseError('QuickBlox answered a user update without a readable user')
  return user
}
