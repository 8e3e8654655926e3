// Constructor validation: a TypeError naming the option, never its value. No network needed.
import { describe, expect, it } from '@jest/globals'
import { QuickBloxStrategy, type QuickBloxStrategyOptions, type VerifyFunction } from '../lib/index.js'

const valid: QuickBloxStrategyOptions = {
  appId: 76730,
  authKey: 'key-value-1',
  authSecret: 'secret-value-1',
  pool: false,
}
const verify: VerifyFunction = (user, _session, done) => done(null, user)

/** Builds a strategy from untyped options, as JavaScript callers can. */
const build = (options: unknown, fn: unknown = verify) =>
  new QuickBloxStrategy(options as QuickBloxStrategyOptions, fn as VerifyFunction)

function expectTypeError(options: unknown, name: RegExp, fn: unknown = verify): void {
  let thrown: unknown
  try {
    build(options, fn)
  } catch (err) {
    thrown = err
  }
  expect(thrown).toBeInstanceOf(TypeError)
  const message = (thrown as Error).message
  expect(message).toMatch(name)
  for (const secret of ['key-value-1', 'secret-value-1', 'sneaky-value']) expect(message).not.toContain(secret)
}

describe('options', () => {
  it('is named quickblox by default', async () => {
    const strategy = build(valid)
    expect(strategy.name).toBe('quickblox')
    await strategy.close()
  })

  it('takes another name', async () => {
    const strategy = build({ ...valid, name: 'qb-admin' })
    expect(strategy.name).toBe('qb-admin')
    await strategy.close()
  })

  it('accepts the appId as a numeric string and every documented option', async () => {
    const strategy = build({
      ...valid,
      appId: '76730',
      apiEndpoint: 'http://127.0.0.1:1',
      timeout: 5000,
      signatureAlgorithm: 'sha256',
      pool: { max: 2 },
      methods: ['login', 'email'],
      allowQuery: false,
      passReqToCallback: false,
      fields: { login: 'username', password: 'user.pass' },
    })
    expect(strategy.client).toBeDefined()
    await strategy.close()
  })

  it('requires options', () => expectTypeError(undefined, /options/))
  it('says options are required when they are null', () => expectTypeError(null, /options are required/))
  it('requires appId', () => expectTypeError({ ...valid, appId: undefined }, /appId/))
  it('requires authKey', () => expectTypeError({ ...valid, authKey: '' }, /authKey/))
  it('requires authSecret', () => expectTypeError({ ...valid, authSecret: undefined }, /authSecret/))
  it('refuses an authSecret that is not a string', () =>
    expectTypeError({ ...valid, authSecret: { value: 'sneaky-value' } }, /authSecret/))
  it('refuses an appId that is not a positive integer', () =>
    expectTypeError({ ...valid, appId: 'sneaky-value' }, /appId/))
  it('requires a verify function', () => expectTypeError(valid, /verify/, 'sneaky-value'))
  it('refuses an empty name', () => expectTypeError({ ...valid, name: '' }, /name/))
  it('refuses an unknown login method', () => expectTypeError({ ...valid, methods: ['twitter'] }, /methods/))
  it('refuses an empty methods list', () => expectTypeError({ ...valid, methods: [] }, /methods/))
  it('refuses an unknown field', () => expectTypeError({ ...valid, fields: { username: 'u' } }, /fields\.username/))
  it('refuses a field path into prototypes', () =>
    expectTypeError({ ...valid, fields: { login: 'user.__proto__' } }, /fields\.login/))
  it('refuses a field path that is not a string', () =>
    expectTypeError({ ...valid, fields: { password: 7 } }, /fields\.password/))
  it('refuses an empty field path segment', () =>
    expectTypeError({ ...valid, fields: { password: 'a..b' } }, /fields\.password/))
  it('refuses a non-positive timeout', () => expectTypeError({ ...valid, timeout: -1 }, /timeout/))
  it('refuses a timeout longer than a Node timer can hold', () =>
    expectTypeError({ ...valid, timeout: 2 ** 31 }, /timeout/))
  it('refuses an apiEndpoint that is not an http(s) URL', () => {
    for (const apiEndpoint of ['not a url', 'ftp://example.com', 123])
      expectTypeError({ ...valid, apiEndpoint }, /apiEndpoint/)
  })
  it('refuses fields that are not an object', () => expectTypeError({ ...valid, fields: null }, /fields/))
  it('refuses a pool that is neither false nor an object', () => expectTypeError({ ...valid, pool: null }, /pool/))
  it('refuses allowQuery and passReqToCallback that are not booleans', () => {
    expectTypeError({ ...valid, allowQuery: 'yes' }, /allowQuery/)
    expectTypeError({ ...valid, passReqToCallback: 'true' }, /passReqToCallback/)
  })
})

describe('option messages', () => {
  it('lists the login methods it knows when methods is wrong', () => {
    expect(() => build({ ...valid, methods: ['twitter'] })).toThrow(
      new TypeError(
        'QuickBloxStrategy: option methods must be a non-empty array of login, email, facebook, firebase_phone',
      ),
    )
  })

  it('refuses a name that is not a string', () => {
    expect(() => build({ ...valid, name: 42 })).toThrow(
      new TypeError('QuickBloxStrategy: option name must be a non-empty string'),
    )
  })
})
