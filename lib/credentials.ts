import { LOGIN_METHODS, type LoginCredentials, type LoginMethod } from './quickblox/types.js'

/**
 * Where each credential is read from in `req.body` (and in `req.query` with `allowQuery`).
 * A dotted path names a nested field: `'keys.token'` matches `{ keys: { token } }` (JSON, or
 * `express.urlencoded({ extended: true })`) and the flat `{ 'keys[token]': … }` that
 * `express.urlencoded({ extended: false })` produces. The defaults are QuickBlox's own
 * `POST /login.json` names.
 */
export interface CredentialFields {
  /** Default `'login'`. */
  login?: string
  /** Default `'email'`. */
  email?: string
  /** Default `'password'`. */
  password?: string
  /** Default `'provider'`; its value is `'facebook'` or `'firebase_phone'`. */
  provider?: string
  /** Default `'keys.token'`. */
  facebookToken?: string
  /** Default `'keys.secret'` (optional in a request). */
  facebookSecret?: string
  /** Default `'firebase_phone.project_id'`. */
  firebaseProjectId?: string
  /** Default `'firebase_phone.access_token'`. */
  firebaseAccessToken?: string
}

type Field = keyof CredentialFields

/** The longest value accepted for each credential, in UTF-16 code units. Longer is a 400. */
export const CREDENTIAL_LIMITS: Readonly<Record<Field, number>> = {
  login: 255,
  email: 255,
  password: 1024,
  provider: 32,
  facebookToken: 8192,
  facebookSecret: 8192,
  firebaseProjectId: 255,
  firebaseAccessToken: 8192,
}

const DEFAULT_FIELDS: Readonly<Required<CredentialFields>> = {
  login: 'login',
  email: 'email',
  password: 'password',
  provider: 'provider',
  facebookToken: 'keys.token',
  facebookSecret: 'keys.secret',
  firebaseProjectId: 'firebase_phone.project_id',
  firebaseAccessToken: 'firebase_phone.access_token',
}

// A path segment is a plain name; names that reach into prototypes are refused outright.
const SEGMENT = /^[A-Za-z0-9_-]+$/
const PROTOTYPE_NAMES = new Set(['__proto__', 'constructor', 'prototype'])

/** The default field names overridden by `fields`; throws a TypeError for a malformed one. */
export function resolveFields(fields: CredentialFields = {}): Readonly<Required<CredentialFields>> {
  if (typeof fields !== 'object' || fields === null)
    throw new TypeError('QuickBloxStrategy: option fields must be an object')
  const resolved = { ...DEFAULT_FIELDS }
  for (const [key, path] of Object.entries(fields) as [string, unknown][]) {
    if (!Object.hasOwn(DEFAULT_FIELDS, key)) throw new TypeError(`QuickBloxStrategy: unknown option fields.${key}`)
    if (path === undefined) continue
    const segments = typeof path === 'string' ? path.split('.') : []
    if (segments.length === 0 || !segments.every((s) => SEGMENT.test(s) && !PROTOTYPE_NAMES.has(s))) {
      throw new TypeError(`QuickBloxStrategy: option fields.${key} must be a field name or a dotted path`)
    }
    resolved[key as Field] = path as string
  }
  return resolved
}

const isLoginMethod = (value: unknown): value is LoginMethod => LOGIN_METHODS.includes(value as LoginMethod)

/** `methods` checked: a non-empty array of known login methods; throws a TypeError otherwise. */
export function resolveMethods(methods: unknown): readonly LoginMethod[] {
  if (methods === undefined) return LOGIN_METHODS
  if (!Array.isArray(methods) || methods.length === 0 || !methods.every(isLoginMethod)) {
    throw new TypeError(`QuickBloxStrategy: option methods must be a non-empty array of ${LOGIN_METHODS.join(', ')}`)
  }
  return methods
}

/** Own properties only, so `__proto__`, `constructor` and inherited names never resolve. */
function own(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined
}

/** `'keys.token'` read as `source.keys.token`, else as the flat name `source['keys[token]']`. */
function lookup(source: unknown, path: string): unknown {
  const segments = path.split('.')
  const nested = segments.reduce<unknown>(own, source)
  if (nested !== undefined || segments.length === 1) return nested
  const [first, ...rest] = segments
  return own(source, `${first}[${rest.join('][')}]`)
}

class Rejected extends Error {}

/**
 * Turns a request's fields into one `LoginCredentials`, or the reason (safe to show the user,
 * never containing a value) why not. `sources` are searched in order, field by field.
 * A `provider` takes precedence over login/email; giving both a login and an email is ambiguous.
 */
export function readCredentials(
  sources: readonly unknown[],
  fields: Readonly<Required<CredentialFields>>,
  methods: readonly LoginMethod[],
): { credentials: LoginCredentials } | { message: string } {
  const text = (field: Field, required: boolean): string | undefined => {
    const value = sources.map((source) => lookup(source, fields[field])).find((v) => v !== undefined)
    if (value === undefined || value === '') {
      if (required) throw new Rejected('Missing credentials')
      return undefined
    }
    const name = `"${fields[field]}"`
    if (typeof value !== 'string') throw new Rejected(`${name} must be text`)
    const limit = CREDENTIAL_LIMITS[field]
    if (value.length > limit) throw new Rejected(`${name} must be at most ${limit} characters long`)
    if (/\p{Cc}/u.test(value)) throw new Rejected(`${name} must not contain control characters such as a line break`)
    return value
  }
  const accept = (method: LoginMethod): void => {
    if (!methods.includes(method)) throw new Rejected(`Logging in with ${method} is not accepted here`)
  }
  try {
    const provider = text('provider', false)
    if (provider === 'facebook') {
      accept(provider)
      const token = text('facebookToken', true)!
      const secret = text('facebookSecret', false)
      return { credentials: { provider, keys: secret === undefined ? { token } : { token, secret } } }
    }
    if (provider === 'firebase_phone') {
      accept(provider)
      const project_id = text('firebaseProjectId', true)!
      const access_token = text('firebaseAccessToken', true)!
      return { credentials: { provider, firebase_phone: { project_id, access_token } } }
    }
    if (provider !== undefined) throw new Rejected('Unknown login provider')
    const login = text('login', false)
    const email = text('email', false)
    if (login !== undefined && email !== undefined) throw new Rejected('Give a login or an email, not both')
    if (login === undefined && email === undefined) throw new Rejected('Missing credentials')
    accept(login !== undefined ? 'login' : 'email')
    const password = text('password', true)!
    return { credentials: login !== undefined ? { login, password } : { email: email!, password } }
  } catch (err) {
    if (err instanceof Rejected) return { message: err.message }
    throw err
  }
}
