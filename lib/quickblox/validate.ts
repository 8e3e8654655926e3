import type { QuickBloxUser } from './types.js'

/*
 * Runtime checks of QuickBlox's replies. A reply that does not have the shape we rely on is
 * reported as `undefined`, which the client turns into a QuickBloxResponseError (502).
 */

type Json = Record<string, unknown>

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The `session` of a `POST /session.json` reply. */
export function readSession(body: unknown): { token: string; userId: number; applicationId: number } | undefined {
  const session = isObject(body) ? body.session : undefined
  if (!isObject(session)) return undefined
  const { token, user_id: userId, application_id: applicationId } = session
  if (typeof token !== 'string' || token === '' || token.length > 1024) return undefined
  if (!Number.isSafeInteger(userId) || !Number.isSafeInteger(applicationId)) return undefined
  return { token, userId: userId as number, applicationId: applicationId as number }
}

const textFields = [
  'full_name', 'email', 'login', 'phone', 'website', 'last_request_at', 'facebook_id',
  'custom_data', 'parents_contacts', 'user_tags',
] as const
const flagFields = ['age_over16', 'allow_statistics_analysis', 'allow_sales_activities'] as const
const idFields = ['external_user_id', 'blob_id'] as const

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
  const text: Partial<Record<(typeof textFields)[number], string | null>> = {}
  for (const field of textFields) {
    const value = user[field] ?? null
    if (value !== null && typeof value !== 'string') return undefined
    text[field] = value
  }
  const flags: Partial<Record<(typeof flagFields)[number], boolean>> = {}
  for (const field of flagFields) {
    const value = user[field] ?? false
    if (typeof value !== 'boolean') return undefined
    flags[field] = value
  }
  const ids: Partial<Record<(typeof idFields)[number], string | number | null>> = {}
  for (const field of idFields) {
    const value = user[field] ?? null
    if (value !== null && typeof value !== 'string' && typeof value !== 'number') return undefined
    ids[field] = value
  }
  return { id: id as number, created_at: createdAt, updated_at: updatedAt, ...text, ...flags, ...ids } as QuickBloxUser
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
