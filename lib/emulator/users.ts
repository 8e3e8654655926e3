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

/** QuickBlox's whole-user fields, checked as it checks them; every problem goes into `errors`. */
interface Checked {
  fields: Partial<Record<keyof typeof MAX_LENGTH, string>>
  externalUserId?: number
}

/**
 * Reads the text fields and `external_user_id` of a `user` object, as `POST /users.json` and
 * `PUT /users/{id}.json` both take them: trailing whitespace trimmed, bounded, and login, email
 * and external_user_id unique among `others`.
 */
function readFields(user: Params, others: EmulatorUser[], fail: (field: string, message: string) => void): Checked {
  const fields: Checked['fields'] = {}
  for (const [field, max] of Object.entries(MAX_LENGTH) as [keyof typeof MAX_LENGTH, number][]) {
    const value = user[field]
    if (value === undefined || value === null) continue
    if (typeof value !== 'string') fail(field, 'is invalid')
    else if (value.trimEnd().length > max) fail(field, `is too long (maximum is ${max} characters)`)
    else if (value.trimEnd() !== '') fields[field] = value.trimEnd()
  }
  const { login, email } = fields
  if (login !== undefined && login.length < LOGIN_MIN)
    fail('login', `is too short (minimum is ${LOGIN_MIN} characters)`)
  if (email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) fail('email', 'is invalid')

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
  if (login !== undefined && others.some((other) => other.login === login)) fail('login', 'has already been taken.')
  if (email !== undefined && others.some((other) => other.email?.toLowerCase() === email.toLowerCase()))
    fail('email', 'has already been taken')
  if (externalUserId !== undefined && others.some((other) => Number(other.external_user_id) === externalUserId))
    fail('external_user_id', 'has already been taken.')
  return { fields, externalUserId }
}

/** A password as QuickBlox takes it: 8 to 40 characters; `undefined` when absent. */
export function readPassword(value: unknown, fail: (field: string, message: string) => void): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') fail('password', 'is invalid')
  else if (value.length < PASSWORD.min) fail('password', `is too short (minimum is ${PASSWORD.min} characters)`)
  else if (value.length > PASSWORD.max) fail('password', `is too long (maximum is ${PASSWORD.max} characters)`)
  else return value
  return undefined
}

/** The seed fields a checked user object sets, in the emulator's names. */
function seedOf({ fields, externalUserId }: Checked): Partial<EmulatorUserSeed> {
  const { tag_list: tags, ...rest } = fields
  return {
    ...rest,
    ...(tags === undefined ? {} : { user_tags: tags }),
    ...(externalUserId === undefined ? {} : { external_user_id: externalUserId }),
  }
}

function errorsCollector(): { errors: FieldErrors; fail: (field: string, message: string) => void } {
  const errors: FieldErrors = {}
  return { errors, fail: (field, message) => void (errors[field] ??= []).push(message) }
}

const userParams = (params: Params): Params => (isParams(params.user) ? params.user : (Object.create(null) as Params))

/**
 * The user a `POST /users.json` body describes, checked as QuickBlox checks it: one of login or
 * email, a password of 8 to 40 characters, login, email and external_user_id unique among the
 * users of `applicationId`. Trailing whitespace is trimmed from everything but the password.
 * Every problem is reported at once, as QuickBlox's `422 {"errors": {"field": [...]}}`.
 */
export function readNewUser(params: Params, applicationId: number, existing: EmulatorUser[]): EmulatorUserSeed {
  const user = userParams(params)
  const { errors, fail } = errorsCollector()
  const checked = readFields(user, existing, fail)
  const { login, email } = checked.fields
  if (login === undefined && email === undefined && !errors.login && !errors.email)
    fail('base', 'Login or email required')
  const password = readPassword(user.password, fail)
  if (password === undefined && !errors.password) fail('password', "can't be blank")
  if (Object.keys(errors).length > 0) throw new Reply(422, { errors })
  return { ...seedOf(checked), password: password!, application_id: applicationId }
}

/**
 * The changes a `PUT /users/{id}.json` body makes to `user`, checked as for a new user against
 * the application's other users. A new password needs `old_password`, the current one, unless
 * `trusted` (the API key); a wrong or missing one is a 422 on `old_password`. Clearing both login
 * and email is refused.
 */
export function readUserUpdate(
  params: Params,
  user: EmulatorUser,
  existing: EmulatorUser[],
  trusted: boolean,
  passwordMatches: (password: string | undefined) => boolean,
): Partial<EmulatorUserSeed> {
  const body = userParams(params)
  const { errors, fail } = errorsCollector()
  const checked = readFields(
    body,
    existing.filter((other) => other.id !== user.id),
    fail,
  )
  const password = readPassword(body.password, fail)
  if (password !== undefined && !trusted) {
    const old = body.old_password
    if (typeof old !== 'string' || old === '') fail('old_password', "can't be blank")
    else if (!passwordMatches(old)) fail('old_password', 'is incorrect')
  }
  if (Object.keys(errors).length > 0) throw new Reply(422, { errors })
  return { ...seedOf(checked), ...(password === undefined ? {} : { password }) }
}

/**
 * The user an identity provider's answer describes (`login`, `email`, `full_name`,
 * `external_user_id`, as the response template maps them), checked as a new user is but without a
 * password: such a user signs in through the provider alone.
 */
export function readLinkedUser(user: Params, applicationId: number, existing: EmulatorUser[]): EmulatorUserSeed {
  const { errors, fail } = errorsCollector()
  const checked = readFields(user, existing, fail)
  if (Object.keys(errors).length > 0) throw new Reply(422, { errors })
  return { ...seedOf(checked), application_id: applicationId }
}
