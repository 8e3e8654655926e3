// credentials.ts on its own: request fields in, one LoginCredentials (or a reason) out.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { CREDENTIAL_LIMITS, readCredentials, resolveFields, resolveMethods } from '../lib/credentials.js'
import { LOGIN_METHODS, type LoginMethod } from '../lib/quickblox/types.js'

const fields = resolveFields()
const read = (body: unknown, methods: readonly LoginMethod[] = LOGIN_METHODS) =>
  readCredentials([body], fields, methods)

describe('readCredentials', () => {
  it('reads login + password', () => {
    expect(read({ login: 'amy', password: 'pw' })).toEqual({ credentials: { login: 'amy', password: 'pw' } })
  })

  it('reads email + password', () => {
    expect(read({ email: 'a@b.c', password: 'pw' })).toEqual({ credentials: { email: 'a@b.c', password: 'pw' } })
  })

  it('reads Facebook credentials, nested or bracketed, with an optional secret', () => {
    expect(read({ provider: 'facebook', keys: { token: 't' } })).toEqual({
      credentials: { provider: 'facebook', keys: { token: 't' } },
    })
    expect(read({ provider: 'facebook', 'keys[token]': 't', 'keys[secret]': 's' })).toEqual({
      credentials: { provider: 'facebook', keys: { token: 't', secret: 's' } },
    })
  })

  it('reads Firebase phone credentials', () => {
    expect(read({ provider: 'firebase_phone', firebase_phone: { project_id: 'p', access_token: 'a' } })).toEqual({
      credentials: { provider: 'firebase_phone', firebase_phone: { project_id: 'p', access_token: 'a' } },
    })
  })

  it('lets a provider take precedence over a login in the same body', () => {
    expect(read({ provider: 'facebook', keys: { token: 't' }, login: 'amy', password: 'pw' })).toEqual({
      credentials: { provider: 'facebook', keys: { token: 't' } },
    })
  })

  it('copies only the fields QuickBlox knows, not the rest of the body', () => {
    const result = read({ login: 'amy', password: 'pw', isAdmin: true, keys: { token: 'x' } })
    expect(result).toEqual({ credentials: { login: 'amy', password: 'pw' } })
  })

  it('reads bodies without a prototype', () => {
    const body = Object.assign(Object.create(null) as object, { login: 'amy', password: 'pw' })
    expect(read(body)).toEqual({ credentials: { login: 'amy', password: 'pw' } })
  })

  it('never reads inherited or prototype properties', () => {
    const inherited = Object.create({ login: 'amy', password: 'pw' }) as object
    expect(read(inherited)).toEqual({ message: 'Missing credentials' })
    expect(read(JSON.parse('{"__proto__":{"login":"amy","password":"pw"}}'))).toEqual({
      message: 'Missing credentials',
    })
    expect(read({ login: 'amy', password: 'pw', provider: 'facebook' }.constructor)).toEqual({
      message: 'Missing credentials',
    })
  })

  it('accepts values exactly at the limits', () => {
    const login = 'l'.repeat(CREDENTIAL_LIMITS.login)
    const password = 'p'.repeat(CREDENTIAL_LIMITS.password)
    expect(read({ login, password })).toEqual({ credentials: { login, password } })
  })

  it('keeps passwords exactly as typed (spaces, unicode)', () => {
    expect(read({ login: 'amy', password: ' pässwörd 🔑 ' })).toEqual({
      credentials: { login: 'amy', password: ' pässwörd 🔑 ' },
    })
  })

  it('refuses C1 control characters and DEL too', () => {
    expect(read({ login: 'amy\u0085', password: 'pw' })).toHaveProperty('message')
    expect(read({ login: 'amy', password: 'pw\u007f' })).toHaveProperty('message')
  })

  it('refuses methods the caller does not accept', () => {
    expect(read({ email: 'a@b.c', password: 'pw' }, ['login'])).toEqual({
      message: 'Logging in with email is not accepted here',
    })
    expect(read({ provider: 'firebase_phone' }, ['facebook'])).toEqual({
      message: 'Logging in with firebase_phone is not accepted here',
    })
    expect(read({ login: 'amy', password: 'pw' }, ['email'])).toEqual({
      message: 'Logging in with login is not accepted here',
    })
  })

  it('needs both Firebase fields', () => {
    for (const firebase_phone of [{ access_token: 'a' }, { project_id: 'p' }])
      expect(read({ provider: 'firebase_phone', firebase_phone })).toEqual({ message: 'Missing credentials' })
  })

  it('searches sources in order, field by field', () => {
    expect(readCredentials([{ login: 'amy' }, { login: 'bob', password: 'pw' }], fields, LOGIN_METHODS)).toEqual({
      credentials: { login: 'amy', password: 'pw' },
    })
  })

  it('never throws and only ever returns bounded strings, whatever the body', () => {
    const value = fc.letrec((tie) => ({
      any: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('any'), { maxLength: 3 }),
        fc.dictionary(
          fc.constantFrom(
            'login',
            'email',
            'password',
            'provider',
            'keys',
            'token',
            'firebase_phone',
            'project_id',
            'access_token',
            '__proto__',
            'constructor',
            'keys[token]',
          ),
          tie('any'),
          { maxKeys: 4 },
        ),
      ),
    })).any
    const provider = fc.constantFrom('facebook', 'firebase_phone', 'other')
    fc.assert(
      fc.property(
        fc.oneof(value, fc.record({ provider, keys: value, firebase_phone: value, login: value, password: value })),
        (body) => {
          const result = read(body)
          if ('message' in result) return typeof result.message === 'string'
          const leaves: unknown[] = Object.values(result.credentials).flatMap((v: unknown) =>
            typeof v === 'object' && v !== null ? Object.values(v) : [v],
          )
          return leaves.every((s) => typeof s === 'string' && s.length > 0 && s.length <= 8192 && !/\p{Cc}/u.test(s))
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('resolveFields and resolveMethods', () => {
  it('keeps the QuickBlox names by default', () => {
    expect(resolveFields()).toMatchObject({
      login: 'login',
      facebookToken: 'keys.token',
      firebaseAccessToken: 'firebase_phone.access_token',
    })
  })
  it('overrides only the given names', () => {
    expect(resolveFields({ login: 'username', facebookToken: undefined })).toMatchObject({
      login: 'username',
      facebookToken: 'keys.token',
    })
  })
  it('defaults to every method', () => {
    expect(resolveMethods(undefined)).toEqual(['login', 'email', 'facebook', 'firebase_phone'])
  })
  it('refuses a method list that is not an array', () => {
    expect(() => resolveMethods('login')).toThrow(TypeError)
  })
})
