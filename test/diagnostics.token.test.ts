// The `passport-quickblox:token` tracing channel, through the real QuickBloxTokenStrategy in an
// Express 5 app with Passport against the emulator: one trace per token check, the cache's answer,
// the QuickBlox requests inside it, and the fields by its end for each outcome.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxTokenStrategy, QuickBloxUnavailableError } from '../lib/index.js'
import { recordDiagnostics, type Recorder } from './helpers/diagnostics.js'
import { AMY, startTestEmulator } from './helpers/quickblox.js'
import { sdkToken, startTokenApp, type TokenApp } from './helpers/token-app.js'

let emulator: Emulator
let strategy: QuickBloxTokenStrategy
let app: TokenApp
let recorder: Recorder

beforeAll(async () => {
  emulator = await startTestEmulator()
  strategy = new QuickBloxTokenStrategy(
    { appId: emulator.application.id, apiEndpoint: emulator.url, timeout: 3000 },
    async (user) => ({ id: user.id }),
  )
  app = await startTokenApp(strategy)
})
afterAll(async () => {
  await app.close()
  await strategy.close()
  await emulator.close()
})
beforeEach(() => {
  recorder = recordDiagnostics()
})
afterEach(() => {
  recorder.stop()
  emulator.clearFaults()
})

const amyId = (): number => emulator.users.find((u) => u.login === AMY.login)!.id
const amyToken = (): Promise<string> => sdkToken(emulator, { login: AMY.login, password: AMY.password })
const me = (token: string) => request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)
const UNKNOWN = '0123456789abcdef0123456789abcdef01234567'

/** The token traces' contexts as they were when each trace ended, in order. */
const ends = (): Record<string, unknown>[] => recorder.of('token', 'asyncEnd').map((e) => e.fields)

/** `METHOD path status` of every request that ended, in order. */
const requests = (): string[] =>
  recorder.of('request', 'asyncEnd').map(({ fields: f }) => `${f.method} ${f.path} ${Number(f.status)}`)

describe('passport-quickblox:token, through the strategy', () => {
  it('a first request misses the cache and asks QuickBlox twice, inside the trace: success with the user id', async () => {
    const token = await amyToken()
    const res = await me(token)
    expect(res.status).toBe(200)
    expect(res.body.user).toEqual({ id: amyId() })
    expect(recorder.sequence(['start', 'asyncEnd'])).toEqual([
      'token:start',
      'request:start',
      'request:asyncEnd',
      'request:start',
      'request:asyncEnd',
      'token:asyncEnd',
    ])
    expect(requests()).toEqual(['GET /session.json 200', 'GET /users/{id}.json 200'])
    expect(ends()).toEqual([{ cache: 'miss', outcome: 'success', calls: 2, userId: amyId(), result: undefined }])
    // One context from start to end.
    expect(recorder.of('token', 'start')[0]!.context).toBe(recorder.of('token', 'asyncEnd')[0]!.context)
    expect(recorder.events.map((e) => e.rendered).join('\n')).not.toContain(token)
  })

  it('the same token again is a cache hit: no call, no request trace', async () => {
    const token = await amyToken()
    expect((await me(token)).status).toBe(200)
    recorder.events.length = 0
    expect((await me(token)).status).toBe(200)
    expect(recorder.sequence(['start', 'asyncEnd'])).toEqual(['token:start', 'token:asyncEnd'])
    expect(ends()).toEqual([{ cache: 'hit', outcome: 'success', calls: 0, userId: amyId(), result: undefined }])
  })

  it('an unknown token: a miss that asks QuickBlox, then a cached refusal; both fail 401', async () => {
    expect((await me(UNKNOWN)).status).toBe(401)
    expect(requests()).toEqual(['GET /session.json 401'])
    expect((await me(UNKNOWN)).status).toBe(401)
    expect(requests()).toHaveLength(1)
    expect(ends()).toEqual([
      { cache: 'miss', outcome: 'fail', status: 401, code: 'invalid_token', calls: 1, result: undefined },
      { cache: 'negative', outcome: 'fail', status: 401, code: 'invalid_token', calls: 0, result: undefined },
    ])
    expect(recorder.events.map((e) => e.rendered).join('\n')).not.toContain(UNKNOWN)
  })

  it('QuickBlox down: error 503 QB_UNAVAILABLE, with our error on the error event', async () => {
    const token = await amyToken()
    emulator.failNext('GET /session.json', { status: 503 })
    expect((await me(token)).status).toBe(503)
    expect(requests()).toEqual(['GET /session.json 503'])
    expect(recorder.of('token', 'error').map((e) => e.fields.error)).toEqual([expect.any(QuickBloxUnavailableError)])
    expect(ends()).toEqual([
      {
        cache: 'miss',
        outcome: 'error',
        status: 503,
        code: 'QB_UNAVAILABLE',
        calls: 1,
        error: expect.any(QuickBloxUnavailableError),
        result: undefined,
      },
    ])
  })

  it('no token: a trace that fails 401 with the code no_token, and no request', async () => {
    const res = await request(app.url).get('/api/me')
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer realm="QuickBlox"')
    expect(recorder.sequence(['start', 'asyncEnd'])).toEqual(['token:start', 'token:asyncEnd'])
    expect(ends()).toEqual([{ outcome: 'fail', status: 401, code: 'no_token', calls: 0, result: undefined }])
  })

  it('a malformed Bearer credential: a trace that fails 400 with the code invalid_request, and no request', async () => {
    expect((await request(app.url).get('/api/me').set('Authorization', 'Bearer a b')).status).toBe(400)
    expect(ends()).toEqual([{ outcome: 'fail', status: 400, code: 'invalid_request', calls: 0, result: undefined }])
  })

  it('a user verify refuses: fail 401 with no code (the app said no, not QuickBlox)', async () => {
    const refusing = new QuickBloxTokenStrategy(
      { appId: emulator.application.id, apiEndpoint: emulator.url, timeout: 3000 },
      async () => false,
    )
    const refusingApp = await startTokenApp(refusing)
    try {
      const res = await request(refusingApp.url)
        .get('/api/me')
        .set('Authorization', `Bearer ${await amyToken()}`)
      expect(res.status).toBe(401)
      expect(ends()).toEqual([
        { cache: 'miss', outcome: 'fail', status: 401, calls: 2, userId: amyId(), result: undefined },
      ])
    } finally {
      await refusingApp.close()
      await refusing.close()
    }
  })

  it('N concurrent requests with one new token: one miss, the others joined, and one look-up', async () => {
    const token = await amyToken()
    emulator.setLatency('GET /session.json', 100)
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, () => me(token)))
      expect(answers.map((res) => res.status)).toEqual(Array(5).fill(200))
    } finally {
      emulator.setLatency('*', 0)
    }
    const caches = ends().map((end) => end.cache)
    expect(caches.filter((cache) => cache === 'miss')).toHaveLength(1)
    expect(caches.filter((cache) => cache === 'joined')).toHaveLength(4)
    // Amy's user may be cached by the tests above: the token's own look-up is what counts.
    expect(requests().filter((line) => line.includes('/session.json'))).toEqual(['GET /session.json 200'])
  })
})
