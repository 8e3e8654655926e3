import { USER_FIELDS, type QuickBloxUser } from './types.js'

/*
 * Runtime checks of QuickBlox's replies. A reply that does not have the shape we rely on is
 * reported as `undefined`, which the client turns into a QuickBloxResponseError (502).
 */

type Json = Record<string, unknown>

/** The longest session token accepted, `=` padding included: QuickBlox's are 40 characters. */
const MAX_TOKEN_LENGTH = 1024
/** RFC 6750's b64token: what a Bearer credential may hold, and all a QuickBlox token is made of. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

/**
 * Whether `value` can be a session token: a b64token of 1 to {@link MAX_TOKEN_LENGTH} characters.
 * The one grammar of tokens: the token strategy reads headers with it, the client checks its arguments.
 */
export function isSessionToken(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TOKEN_LENGTH && B64TOKEN.test(value)
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The `session` of a `POST /session.json` reply. */
export function readSession(body: unknown): { token: string; userId: number; applicationId: number } | undefined {
  const session = isObject(body) ? body.session : undefined
  if (!isObject(session)) return undefined
  const { token, user_id: userId, application_id: applicationId } = session
  if (!isSessionToken(token)) return undefined
  if (!Number.isSafeInteger(userId) || !Number.isSafeInteger(applicationId)) return undefined
  return { token, userId: userId as number, applicationId: applicationId as number }
}

/** Whether a field's value has its kind's type, and what an absent one becomes. */
const KINDS = {
  text: { valid: (value: unknown) => value === null || typeof value === 'string', absent: null },
  flag: { valid: (value: unknown) => typeof value === 'boolean', absent: false },
  id: {
    valid: (value: unknown) => value === null || typeof value === 'string' || typeof value === 'number',
    absent: null,
  },
} as const

/**
 * The `user` of a `POST /login.json` reply. `id`, `created_at` and `updated_at` must be there;
 * other fields may be absent (they become `null` / `false`) but never of the wrong type.
 */
export function readUser(body: unknown): QuickBloxUser | undefined {
  const user = isObject(body) ? body.user : undefined
  if (!isObject(user)) return undefined
  const { id, created_at: createdAt, updated_at: updatedAt } = user
  if (!Number.isSafeInteger(id) || (id as number) <= 0) return undefined
  if (typeof createdAt !== 'string' || typeof updatedAt !== 'string') return undefined
  const fields: Record<string, unknown> = {}
  for (const [field, kind] of Object.entries(USER_FIELDS)) {
    const value = user[field] ?? KINDS[kind].absent
    if (!KINDS[kind].valid(value)) return undefined
    fields[field] = value
  }
  return { id: id as number, created_at: createdAt, updated_at: updatedAt, ...fields } as QuickBloxUser
}

/**
 * The reasons in an error reply, `{"errors": [...]}` or `{"errors": {"field": [...]}}`, as
 * short lines (`base` reasons bare, others prefixed with their field). Empty when unreadable.
 */
export function readErrors(body: unknown): string[] {
  const errors = isObject(body) ? body.errors : undefined
  const reasons: string[] = []
  const add = (prefix: string, value: unknown): void => {
    if (typeof value === 'string') reasons.push(`${prefix}${value}`.slice(0, 200))
    else if (Array.isArray(value)) for (const item of value.slice(0, 10)) add(prefix, item)
  }
  if (isObject(errors)) {
    for (const [field, value] of Object.entries(errors).slice(0, 10)) add(field === 'base' ? '' : `${field} `, value)
  } else {
    add('', errors)
  }
  return reasons
}
