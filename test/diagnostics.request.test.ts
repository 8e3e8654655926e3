// The `passport-quickblox:request` tracing channel (paths as templates, over real HTTP to the
// emulator) and the `passport-quickblox:pool` channel (takes, refills, refill failures, clears).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { tracingChannel } from 'node:diagnostics_channel'
import { CHANNELS, pathTemplate, publishPool, traceLogin, traceTokenCheck } from '../lib/diagnostics.js'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxStrategy, type VerifyFunction } from '../lib/index.js'
import { Transport } from '../lib/quickblox/http.js'
import { recordDiagnostics, type Recorded, type Recorder } from './helpers/diagnostics.js'
import { startApp, type TestApp } from './helpers/app.js'
import { AMY, clientFor, optionsFor, startTestEmulator } from './helpers/quickblox.js'

let emulator: Emulator
let recorder: Recorder

beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(() => emulator.close())
beforeEach(() => {
  recorder = recordDiagnostics()
})
afterEach(() => {
  recorder.stop()
  emulator.clearFaults()
})

/** Resolves with the first event matching `match`, recorded already or as soon as it is. */
const waitFor = (match: (e: Recorded) => boolean): Promise<Recorded> => recorder.waitFor(match)

describe('with no subscriber', () => {
  it('builds nothing: a login or token check runs on the strategy itself, and no pool message is made', () => {
    recorder.stop()
    expect([CHANNELS.login, CHANNELS.token].map((name) => tracingChannel(name).hasSubscribers)).toEqual([false, false])
    const strategy = { success: () => undefined, fail: () => undefined, error: () => undefined }
    const ranOn: unknown[] = []
    traceLogin(strategy, 'login', (on) => ranOn.push(on))
    traceTokenCheck(strategy, (on) => ranOn.push(on))
    expect(ranOn).toHaveLength(2)
    for (const on of ranOn) expect(on).toBe(strategy) // not a per-request object made for a trace
    let built = false
    publishPool(() => ((built = true), { event: 'take', size: 0, creating: 0 }))
    expect(built).toBe(false)
  })
})

describe('request paths are templates, never an id or a token', () => {
  it.each([
    ['session.json', '/session.json'],
    ['/login.json', '/login.json'],
    ['users/12345.json', '/users/{id}.json'],
    ['users/12345', '/users/{id}'],
    ['users/by_login.json?login=amy', '/users/by_login.json'],
    ['session/0123456789abcdef0123456789abcdef01234567.json', '/session/{param}'],
    ['users/amy%40example.com.json', '/users/{param}'],
  ])('%s is %s', (path, template) => {
    expect(pathTemplate(path)).toBe(template)
  })

  it('GET /users/{id}.json and GET /session.json over HTTP: method, template, status, attempt', async () => {
    const client = clientFor(emulator, { pool: false })
    const transport = new Transport(emulator.url, 64)
    try {
      const { token } = await client.createApplicationSession()
      const id = emulator.users[0]!.id
      const options = { token, timeoutMs: 2000, reportedTimeoutMs: 2000 }
      expect((await transport.send('GET', `users/${id}.json`, options)).status).toBe(200)
      expect((await transport.send('GET', 'session.json', options)).status).toBe(200)
      expect((await transport.send('GET', 'users/999999.json', options)).status).toBe(404)
      const ended = recorder.of('request', 'asyncEnd').map((e) => e.fields)
      expect(ended).toEqual([
        { method: 'POST', path: '/session.json', attempt: 1, status: 201, result: undefined },
        { method: 'GET', path: '/users/{id}.json', attempt: 1, status: 200, result: undefined },
        { method: 'GET', path: '/session.json', attempt: 1, status: 200, result: undefined },
        { method: 'GET', path: '/users/{id}.json', attempt: 1, status: 404, result: undefined },
      ])
      for (const event of recorder.events) {
        expect(event.rendered).not.toContain(token)
        expect(event.rendered).not.toContain(String(id))
      }
    } finally {
      transport.close()
      await client.close()
    }
  })

  it('logout is a DELETE /session.json request', async () => {
    const client = clientFor(emulator, { pool: false })
    try {
      await client.logout((await client.createApplicationSession()).token)
      expect(
        recorder.of('request', 'asyncEnd').map((e) => `${e.fields.method} ${e.fields.path} ${e.fields.status}`),
      ).toEqual(['POST /session.json 201', 'DELETE /session.json 200'])
    } finally {
      await client.close()
    }
  })
})

describe('the session pool channel', () => {
  let strategy: QuickBloxStrategy
  let app: TestApp
  beforeEach(async () => {
    const verify: VerifyFunction = (user, _session, done) => done(null, { id: user.id })
    strategy = new QuickBloxStrategy({ ...optionsFor(emulator), pool: {} }, verify)
    app = await startApp(strategy)
  })
  afterEach(async () => {
    await app.close()
    await strategy.close()
  })
  const amy = { login: AMY.login, password: AMY.password }
  const loginEnds = (): Record<string, unknown>[] => recorder.of('login', 'asyncEnd').map((e) => e.fields)

  it('a take, then a refill; the next login uses the pooled session: one call, pooled', async () => {
    expect((await app.postJson(amy)).status).toBe(200)
    const refill = await waitFor((e) => e.channel === 'pool' && e.fields.event === 'refill')
    expect(refill.fields).toEqual({ event: 'refill', size: 1, creating: 0 })
    expect((await app.postJson(amy)).status).toBe(200)
    const pool = recorder.of('pool').map((e) => e.fields)
    expect(pool[0]).toEqual({ event: 'take', hit: false, size: 0, creating: 0 })
    expect(pool.filter((m) => m.event === 'take').map((m) => m.hit)).toEqual([false, true])
    expect(loginEnds().map(({ calls, pooled }) => ({ calls, pooled }))).toEqual([
      { calls: 2, pooled: false },
      { calls: 1, pooled: true },
    ])
    // The refills' session requests are on the request channel, but not counted as a login's calls.
    const sessions = recorder.of('request', 'asyncEnd').filter((e) => e.fields.path === '/session.json')
    expect(sessions.length).toBeGreaterThanOrEqual(2)
  })

  it('a refill that fails says so with the error code', async () => {
    expect((await app.postJson(amy)).status).toBe(200)
    await waitFor((e) => e.channel === 'pool' && e.fields.event === 'refill')
    emulator.failNext('POST /session.json', { status: 500 }, 20)
    expect((await app.postJson(amy)).status).toBe(200)
    const failed = await waitFor((e) => e.channel === 'pool' && e.fields.event === 'refill-failed')
    expect(failed.fields).toEqual({
      event: 'refill-failed',
      code: 'QB_UNAVAILABLE',
      size: expect.any(Number),
      creating: expect.any(Number),
    })
    // The refill's three tries were attempts 1, 2 and 3 of one request.
    const attempts = recorder
      .of('request', 'asyncEnd')
      .filter((e) => e.fields.status === 500)
      .map((e) => e.fields.attempt)
    expect(attempts.slice(0, 3)).toEqual([1, 2, 3])
  })

  it('QuickBlox forgot a pooled session: the pool is cleared', async () => {
    expect((await app.postJson(amy)).status).toBe(200)
    await waitFor((e) => e.channel === 'pool' && e.fields.event === 'refill')
    emulator.failNext('POST /login.json', 'expire-session')
    expect((await app.postJson(amy)).status).toBe(200)
    expect(recorder.of('pool').map((e) => e.fields.event)).toContain('clear')
    expect(loginEnds()[1]).toMatchObject({ outcome: 'success', pooled: true, calls: 3 })
  })

  it('closing the strategy closes the pool', async () => {
    await strategy.close()
    expect(recorder.of('pool').map((e) => e.fields)).toEqual([{ event: 'close', size: 0, creating: 0 }])
  })
})
