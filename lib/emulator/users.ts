import { isParams, Reply, type Params } from './body.js'
import type { EmulatorUser, EmulatorUserSeed } from './types.js'

/**
 * The text fields `POST /users.json` accepts under `user`, each with the most characters the
 * emulator takes. QuickBlox documents login 3 to 50 characters and password 8 to 40; the other
 * bounds are the emulator's own, so that no field is unbounded.
 */
const MAX_LENGTH = {
  login: 50,
  email: 255,
  full_name: 200,
  phone: 50,
  website: 255,
  tag_list: 500,
  custom_data: 16 * 1024,
} as const
const PASSWORD = { min: 8, max: 40 }
const LOGIN_MIN = 3

type FieldErrors = Record<string, string[]>

/**
 * The user a `POST /users.json` body describes, checked as QuickBlox checks it: one of login or
 * email, a password of 8 to 40 characters, login, email and external_user_id unique among the
 * users of `applicationId`. Trailing whitespace is trimmed from everything but the password.
 * Every problem is reported at once, as QuickBlox's `422 {"errors": {"field": [...]}}`.
 */
export function readNewUser(params: Params, applicationId: number, existing: EmulatorUser[]): EmulatorUserSeed {
  const user = isParams(params.user) ? params.user : (Object.create(null) as Params)
  const errors: FieldErrors = {}
  const fail = (field: string, message: string): void => void (errors[field] ??= []).push(message)

  const fields: Partial<Record<keyof typeof MAX_LENGTH, string>> = {}
  for (const [field, max] of Object.entries(MAX_LENGTH) as [keyof typeof MAX_LENGTH, number][]) {
    const value = user[field]
    if (value === undefined || value === null) continue
    if (typeof value !== 'string') fail(field, 'is invalid')
    else if (value.trimEnd().length > max) fail(field, `is too long (maximum is ${max} characters)`)
    else if (value.trimEnd() !== '') fields[field] = value.trimEnd()
  }
  const { login, email } = fields
  if (login === undefined && email === undefined && !errors.login && !errors.email)
    fail('base', 'Login or email required')
  if (login !== undefined && login.length < LOGIN_MIN)
    fail('login', `is too short (minimum is ${LOGIN_MIN} characters)`)
  if (email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) fail('email', 'is invalid')

  const password = user.password
  if (password === undefined || password === null || password === '') fail('password', "can't be blank")
  else if (typeof password !== 'string') fail('password', 'is invalid')
  else if (password.length < PASSWORD.min) fail('password', `is too short (minimum is ${PASSWORD.min} characters)`)
  else if (password.length > PASSWORD.max) fail('password', `is too long (maximum is ${PASSWORD.max} characters)`)

  // QuickBlox keeps external_user_id as an integer; JSON numbers are exact up to 2^53.
  const rawExternal = user.external_user_id
  let externalUserId: number | undefined
  if (rawExternal !== undefined && rawExternal !== null && rawExternal !== '') {
    externalUserId = Number(typeof rawExternal === 'string' ? rawExternal.trimEnd() : rawExternal)
    const valid =
      (typeof rawExternal === 'string' || typeof rawExternal === 'number') && Number.isSafeInteger(externalUserId)
    if (!valid || externalUserId <= 0) fail('external_user_id', 'is not a number')
  }

  // The wording QuickBlox is seen to use, the final full stop included or not.
  if (login !== undefined && existing.some((other) => other.login === login)) fail('login', 'has already been taken.')
  if (email !== undefined && existing.some((other) => other.email?.toLowerCase() === email.toLowerCase()))
    fail('email', 'has already been taken')
  if (externalUserId !== undefined && existing.some((other) => Number(other.external_user_id) === externalUserId))
    fail('external_user_id', 'has already been taken.')

  if (Object.keys(errors).length > 0) throw new Reply(422, { errors })
  const { tag_list: tags, ...rest } = fields
  return {
    ...rest,
    ...(tags === undefined ? {} : { user_tags: tags }),
    ...(externalUserId === undefined ? {} : { external_user_id: externalUserId }),
    password: password as string,
    application_id: applicationId,
  }
}
