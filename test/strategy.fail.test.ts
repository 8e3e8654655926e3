// Outcomes that are `fail`: bad input (400, QuickBlox never called), QuickBlox refusing the
// credentials (401), and verify refusing the user.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxStrategy } from '../lib/index.js'
import { startApp, type TestApp } from './helpers/app.js'
import { AMY, optionsFor, startTestEmulator, totalCalls } from './helpers/quickblox.js'

let emulator: Emulator
let strategy: QuickBloxStrategy
let refusing: QuickBloxStrategy
let app: TestApp
let simple: TestApp
let facebookOnly: TestApp
let refusingApp: TestApp
let emailOnly: QuickBloxStrategy
let emailOnlyApp: TestApp

beforeAll(async () => {
  emulator = await startTestEmulator()
  strategy = new QuickBloxStrategy(optionsFor(emulator), (user, _session, done) => done(null, { id: user.id }))
  refusing = new QuickBloxStrategy(optionsFor(emulator, { name: 'refusing' }), (_user, _session, done) =>
    done(null, false, { message: 'Your account is suspended' }),
  )
  app = await startApp(strategy)
  simple = await startApp(strategy, { parsing: 'simple' })
  facebookOnly = await startApp(strategy, { authenticate: { methods: ['facebook'] } })
  refusingApp = await startApp(refusing)
  emailOnly = new QuickBloxStrategy(optionsFor(emulator, { methods: ['email'] }), (user, _session, done) =>
    done(null, { id: user.id }),
  )
  emailOnlyApp = await startApp(emailOnly)
})
afterAll(async () => {
  await Promise.all([app, simple, facebookOnly, refusingApp, emailOnlyApp].map((a) => a.close()))
  await Promise.all([strategy.close(), refusing.close(), emailOnly.close()])
  await emulator.close()
})
beforeEach(() => emulator.resetLog())

/** POSTs `body` as JSON to the outcome route and expects a 400 fail without any QuickBlox call. */
async function expectBadRequest(body: string | object, message: RegExp, target: TestApp = app): Promise<void> {
  const res = await target.agent
    .post('/outcome')
    .type(typeof body === 'string' ? 'form' : 'json')
    .send(body)
  expect(res.status).toBe(400)
  expect(res.body).toEqual({ kind: 'fail', status: 400, info: { message: expect.stringMatching(message) } })
  expect(totalCalls(emulator)).toBe(0)
}

describe('credentials missing, incomplete or malformed: fail 400, QuickBlox not called', () => {
  it('fails when the body is empty', () => expectBadRequest({}, /^Missing credentials$/))
  it('fails when the request has no body at all', async () => {
    const res = await app.agent.post('/outcome')
    expect(res.status).toBe(400)
    expect(res.body.info.message).toBe('Missing credentials')
    expect(totalCalls(emulator)).toBe(0)
  })
  it('fails when the password is missing', () => expectBadRequest({ login: AMY.login }, /^Missing credentials$/))
  it('fails when the login is missing', () => expectBadRequest({ password: AMY.password }, /^Missing credentials$/))
  it('fails when the password is empty', () =>
    expectBadRequest({ login: AMY.login, password: '' }, /^Missing credentials$/))
  it('fails when the Facebook token is missing', () =>
    expectBadRequest({ provider: 'facebook' }, /^Missing credentials$/))
  it('fails when the Firebase access token is missing', () =>
    expectBadRequest({ provider: 'firebase_phone', firebase_phone: { project_id: 'p' } }, /^Missing credentials$/))

  it('fails when the password is an array', () =>
    expectBadRequest({ login: AMY.login, password: [AMY.password, 'x'] }, /^"password" must be text$/))
  it('fails when the password is a repeated form field', () =>
    expectBadRequest(`login=amy&password=${AMY.password}&password=x`, /^"password" must be text$/, simple))
  it('fails when the login is an object', () =>
    expectBadRequest({ login: { $ne: '' }, password: AMY.password }, /^"login" must be text$/))
  it('fails when the password is a number', () =>
    expectBadRequest({ login: AMY.login, password: 12345678 }, /^"password" must be text$/))
  it('fails when the login is null', () =>
    expectBadRequest({ login: null, password: AMY.password }, /^"login" must be text$/))
  it('fails when the login is a boolean', () =>
    expectBadRequest({ login: true, password: AMY.password }, /^"login" must be text$/))
  it('fails when the Facebook token is an object', () =>
    expectBadRequest({ provider: 'facebook', keys: { token: { a: 1 } } }, /^"keys.token" must be text$/))
  it('fails when the provider is an array', () =>
    expectBadRequest({ provider: ['facebook'] }, /^"provider" must be text$/))
  it('fails when the body is a JSON array', () => expectBadRequest([AMY.login, AMY.password], /^Missing credentials$/))

  it('fails when the login is longer than 255 characters', () =>
    expectBadRequest(
      { login: 'a'.repeat(256), password: AMY.password },
      /^"login" must be at most 255 characters long$/,
    ))
  it('fails when the password is longer than 1024 characters', () =>
    expectBadRequest({ login: AMY.login, password: 'p'.repeat(1025) }, /at most 1024/))
  it('fails when a Facebook token is longer than 8192 characters', () =>
    expectBadRequest({ provider: 'facebook', keys: { token: 't'.repeat(8193) } }, /at most 8192/))
  it('fails when a Firebase project id is longer than 255 characters', () =>
    expectBadRequest(
      { provider: 'firebase_phone', firebase_phone: { project_id: 'p'.repeat(256), access_token: 't' } },
      /^"firebase_phone.project_id" must be at most 255 characters long$/,
    ))
  it('fails when a credential contains a control character', () =>
    expectBadRequest({ login: 'amy\u0000', password: AMY.password }, /^"login" must not contain control characters/))
  it('fails when a password contains a newline', () =>
    expectBadRequest(
      { login: AMY.login, password: 'amy\npassword' },
      /^"password" must not contain control characters/,
    ))

  it('fails when both a login and an email are given', () =>
    expectBadRequest({ login: AMY.login, email: AMY.email, password: AMY.password }, /either|not both/))
  it('fails for a provider we do not know', () =>
    expectBadRequest({ provider: 'twitter', keys: { token: 't' } }, /^Unknown login provider$/))
  it('fails for a login method the route does not accept', () =>
    expectBadRequest({ login: AMY.login, password: AMY.password }, /not accepted/, facebookOnly))

  it('never lets a route accept a method the strategy refuses', async () => {
    const widening = await startApp(emailOnly, { authenticate: { methods: ['facebook', 'email'] } })
    try {
      const res = await widening.agent.post('/outcome').send({ provider: 'facebook', keys: { token: 't' } })
      expect(res.body).toEqual({
        kind: 'fail',
        status: 400,
        info: { message: 'Logging in with facebook is not accepted here' },
      })
      expect(totalCalls(emulator)).toBe(0)
      expect((await widening.agent.post('/outcome').send({ email: AMY.email, password: AMY.password })).body.kind).toBe(
        'success',
      )
    } finally {
      await widening.close()
    }
  })

  it('fails with 415 for a body that is neither JSON nor a form, without calling QuickBlox', async () => {
    for (const type of ['text/plain', 'multipart/form-data; boundary=x', 'application/xml']) {
      const res = await app.agent.post('/outcome').set('Content-Type', type).send('login=amy&password=x')
      expect(res.body).toEqual({
        kind: 'fail',
        status: 415,
        info: { message: 'Send the credentials as JSON or as a form' },
      })
    }
    const untyped = await app.agent.post('/outcome').set('Content-Type', '').send(Buffer.from('login=amy'))
    expect(untyped.body.status).toBe(415)
    expect(totalCalls(emulator)).toBe(0)
  })

  it('fails for a login method the strategy does not accept', async () => {
    await expectBadRequest(
      { provider: 'facebook', keys: { token: 't' } },
      /^Logging in with facebook is not accepted here$/,
      emailOnlyApp,
    )
    const res = await emailOnlyApp.agent.post('/outcome').send({ email: AMY.email, password: AMY.password })
    expect(res.body.kind).toBe('success')
  })

  it('ignores credentials hidden behind __proto__ or constructor', async () => {
    const res = await app.agent
      .post('/outcome')
      .type('json')
      .send(`{"__proto__":{"login":"amy","password":"${AMY.password}"},"constructor":{"prototype":{"login":"amy"}}}`)
    expect(res.status).toBe(400)
    expect(res.body.info.message).toBe('Missing credentials')
    expect(totalCalls(emulator)).toBe(0)
  })

  it('never echoes the rejected value in the message', async () => {
    const res = await app.agent.post('/outcome').send({ login: AMY.login, password: 'secret-value\u0007' })
    expect(res.status).toBe(400)
    expect(JSON.stringify(res.body)).not.toContain('secret-value')
  })
})

describe('QuickBlox or verify refusing the user', () => {
  it('fails with 401 when QuickBlox rejects the password', async () => {
    const res = await app.agent.post('/outcome').send({ login: AMY.login, password: 'wrong-password' })
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ kind: 'fail', status: 401, info: { message: expect.any(String) } })
    expect(JSON.stringify(res.body)).not.toContain('wrong-password')
    expect(emulator.counts()['POST /login.json']).toBe(1)
  })

  it('fails with 401 for an unknown Facebook token', async () => {
    const res = await app.agent
      .post('/outcome')
      .send({ provider: 'facebook', keys: { token: 'nobody-has-this-token' } })
    expect(res.status).toBe(401)
    expect(res.body.kind).toBe('fail')
  })

  it("answers Passport's default 401 when the login route has no failure options", async () => {
    const res = await app.agent.post('/login').send({ login: AMY.login, password: 'wrong-password' })
    expect(res.status).toBe(401)
  })

  it("passes verify's info to fail when verify gives false", async () => {
    const res = await refusingApp.agent.post('/outcome').send({ login: AMY.login, password: AMY.password })
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ kind: 'fail', status: 401, info: { message: 'Your account is suspended' } })
    expect(emulator.counts()['POST /login.json']).toBe(1)
  })
})

describe('a request without a body', () => {
  it('fails with 400 Missing credentials, not 415', async () => {
    const res = await app.agent.post('/outcome').set('Content-Length', '0')
    expect(res.body).toEqual({ kind: 'fail', status: 400, info: { message: 'Missing credentials' } })
  })
})

describe('bracketed names in a flat form', () => {
  it('does not take a field named "login[]" for the login', async () => {
    const res = await simple.agent
      .post('/outcome')
      .type('form')
      .send(`login%5B%5D=${AMY.login}&password=${AMY.password}`)
    expect(res.body).toEqual({ kind: 'fail', status: 400, info: { message: 'Missing credentials' } })
    expect(totalCalls(emulator)).toBe(0)
  })
})
