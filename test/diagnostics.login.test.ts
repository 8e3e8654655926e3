// The `passport-quickblox:login` tracing channel, through a real Express 5 app with Passport
// against the emulator: one trace per authentication that reaches QuickBlox, its requests inside
// it, and the fields by its end for each outcome.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import type { Emulator } from 'passport-quickblox/emulator'
import {
  QuickBloxStrategy,
  QuickBloxTimeoutError,
  QuickBloxUnavailableError,
  type VerifyFunction,
} from '../lib/index.js'
import { recordDiagnostics, type Recorder } from './helpers/diagnostics.js'
import { startApp, type TestApp } from './helpers/app.js'
import { AMY, FACEBOOK_USER, FIREBASE_USER, optionsFor, startTestEmulator } from './helpers/quickblox.js'

let emulator: Emulator
const strategies: QuickBloxStrategy[] = []
let app: TestApp
let refusingApp: TestApp
let failingApp: TestApp
let recorder: Recorder

async function appWith(verify: VerifyFunction): Promise<TestApp> {
  const strategy = new QuickBloxStrategy(optionsFor(emulator, { timeout: 1500 }), verify)
  strategies.push(strategy)
  return startApp(strategy)
}

beforeAll(async () => {
  emulator = await startTestEmulator()
  app = await appWith((user, _session, done) => done(null, { id: user.id }))
  refusingApp = await appWith((_user, _session, done) => done(null, false))
  failingApp = await appWith(() => Promise.reject(new Error('the app database is down')))
})
afterAll(async () => {
  await Promise.all([app, refusingApp, failingApp].map((a) => a.close()))
  await Promise.all(strategies.map((s) => s.close()))
  await emulator.close()
})
beforeEach(() => {
  recorder = recordDiagnostics()
})
afterEach(() => {
  recorder.stop()
  emulator.clearFaults()
})

const amy = { login: AMY.login, password: AMY.password }
const amyId = (): number => emulator.users.find((u) => u.login === AMY.login)!.id

/** The one login trace's context as it was when the trace ended. */
function loginEnd(): Record<string, unknown> {
  const ends = recorder.of('login', 'asyncEnd')
  expect(ends).toHaveLength(1)
  return ends[0]!.fields
}

/** `METHOD path attempt status` of every request that ended, in order. */
function requests(): string[] {
  return recorder
    .of('request', 'asyncEnd')
    .map(
      ({ fields: f }) =>
        `${f.method} ${f.path} ${f.attempt} ${f.status === undefined ? (f.error as Error).name : Number(f.status)}`,
    )
}

describe('a successful login', () => {
  it('publishes login start, then its QuickBlox requests, then login end, all on one context', async () => {
    const res = await app.postJson(amy)
    expect(res.status).toBe(200)
    expect(recorder.sequence(['start', 'asyncEnd'])).toEqual([
      'login:start',
      'request:start',
      'request:asyncEnd',
      'request:start',
      'request:asyncEnd',
      'login:asyncEnd',
    ])
    // Node's own order for a promise: `end` when the traced function returned, `asyncEnd` when it settled.
    expect(recorder.sequence().filter((s) => s.startsWith('login'))).toEqual([
      'login:start',
      'login:end',
      'login:asyncStart',
      'login:asyncEnd',
    ])
    const contexts = new Set(recorder.of('login').map((e) => e.context))
    expect(contexts.size).toBe(1)
  })

  it('says how, with which outcome, how many calls, whether pooled, and the QuickBlox user id', async () => {
    await app.postJson(amy)
    expect(recorder.of('login', 'start')[0]!.fields).toEqual({ method: 'login', calls: 0, pooled: false })
    expect(loginEnd()).toEqual({
      method: 'login',
      outcome: 'success',
      calls: 2,
      pooled: false,
      userId: amyId(),
      result: undefined,
    })
    expect(requests()).toEqual(['POST /session.json 1 201', 'POST /login.json 1 202'])
  })

  it.each([
    ['email', { email: AMY.email, password: AMY.password }, AMY.login],
    ['facebook', { provider: 'facebook', keys: { token: FACEBOOK_USER.facebook.token } }, FACEBOOK_USER.login],
    [
      'firebase_phone',
      { provider: 'firebase_phone', firebase_phone: FIREBASE_USER.firebase_phone },
      FIREBASE_USER.login,
    ],
  ])('names the method %s', async (method, body, login) => {
    expect((await app.postJson(body)).status).toBe(200)
    const userId = emulator.users.find((u) => u.login === login)!.id
    expect(loginEnd()).toMatchObject({ method, outcome: 'success', userId })
  })
})

describe('a login that fails', () => {
  it('QuickBlox rejects the password: fail, 401, the error code, no user id and no error event', async () => {
    const res = await app.postJson({ ...amy, password: 'not-her-password' })
    expect(res.status).toBe(401)
    expect(loginEnd()).toEqual({
      method: 'login',
      outcome: 'fail',
      status: 401,
      code: 'QB_INVALID_CREDENTIALS',
      calls: 2,
      pooled: false,
      result: undefined,
    })
    expect(recorder.of('login', 'error')).toHaveLength(0)
    expect(requests()).toEqual(['POST /session.json 1 201', 'POST /login.json 1 401'])
  })

  it('QuickBlox does not allow the login: fail, with its status, 403, and the error code', async () => {
    emulator.failNext('POST /login.json', { status: 403 })
    expect((await app.postJson(amy)).status).toBe(403)
    expect(loginEnd()).toMatchObject({ outcome: 'fail', status: 403, code: 'QB_INVALID_CREDENTIALS' })
  })

  it('verify refuses the user QuickBlox accepted: fail, 401, with the QuickBlox user id and no code', async () => {
    const res = await refusingApp.postJson(amy)
    expect(res.status).toBe(401)
    expect(loginEnd()).toEqual({
      method: 'login',
      outcome: 'fail',
      status: 401,
      calls: 2,
      pooled: false,
      userId: amyId(),
      result: undefined,
    })
  })

  it('bad input never reaches QuickBlox: no login trace, no request', async () => {
    const res = await app.postJson({ login: 'amy' })
    expect(res.status).toBe(400)
    expect(recorder.events).toEqual([])
  })
})

describe('a login that errs', () => {
  it('QuickBlox answers the login with 503: error, with our error on the error event', async () => {
    emulator.failNext('POST /login.json', { status: 503 })
    const res = await app.postJson(amy)
    expect(res.status).toBe(503)
    const [error] = recorder.of('login', 'error')
    expect(error!.fields.error).toBeInstanceOf(QuickBloxUnavailableError)
    expect(loginEnd()).toMatchObject({
      method: 'login',
      outcome: 'error',
      status: 503,
      code: 'QB_UNAVAILABLE',
      calls: 2,
      pooled: false,
    })
    expect(loginEnd()).not.toHaveProperty('userId')
    // A reply is not a request error: the request says what QuickBlox answered.
    expect(requests()).toEqual(['POST /session.json 1 201', 'POST /login.json 1 503'])
    expect(recorder.of('request', 'error')).toHaveLength(0)
    expect(recorder.sequence(['start', 'error', 'asyncEnd']).at(-2)).toBe('login:error')
  })

  it('QuickBlox never answers the login: the request errs with a timeout, and so does the login', async () => {
    emulator.failNext('POST /login.json', 'hang')
    const res = await app.postJson(amy)
    expect(res.status).toBe(504)
    expect(requests()).toEqual(['POST /session.json 1 201', 'POST /login.json 1 QuickBloxTimeoutError'])
    const [failed] = recorder.of('request', 'error')
    expect(failed!.fields).toMatchObject({ method: 'POST', path: '/login.json', attempt: 1 })
    expect(failed!.fields).not.toHaveProperty('status')
    expect(recorder.of('login', 'error')[0]!.fields.error).toBeInstanceOf(QuickBloxTimeoutError)
    expect(loginEnd()).toMatchObject({ outcome: 'error', status: 504, code: 'QB_TIMEOUT', calls: 2 })
  })

  it('session creation is retried: every attempt is a request, numbered, and counted in calls', async () => {
    emulator.failNext('POST /session.json', { status: 500 }, 2)
    const res = await app.postJson(amy)
    expect(res.status).toBe(200)
    expect(requests()).toEqual([
      'POST /session.json 1 500',
      'POST /session.json 2 500',
      'POST /session.json 3 201',
      'POST /login.json 1 202',
    ])
    expect(loginEnd()).toMatchObject({ outcome: 'success', calls: 4 })
  })

  it('an expired application session: the login is tried again (attempt 2) with a fresh one', async () => {
    emulator.failNext('POST /login.json', 'expire-session')
    expect((await app.postJson(amy)).status).toBe(200)
    expect(requests()).toEqual([
      'POST /session.json 1 201',
      'POST /login.json 1 401',
      'POST /session.json 1 201',
      'POST /login.json 2 202',
    ])
    expect(loginEnd()).toMatchObject({ outcome: 'success', calls: 4 })
  })

  it("verify fails: error, but the app's own error is never put in the context", async () => {
    const res = await failingApp.postJson(amy)
    expect(res.status).toBe(500)
    expect(loginEnd()).toEqual({
      method: 'login',
      outcome: 'error',
      calls: 2,
      pooled: false,
      userId: amyId(),
      result: undefined,
    })
    expect(recorder.of('login', 'error')).toHaveLength(0)
  })
})
