// Outcomes that are `error`: a server mistake (no body parser, wrong application credentials)
// or QuickBlox being unreachable, slow, overloaded or unreadable. Never a 401.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxStrategy, type QuickBloxStrategyOptions } from '../lib/index.js'
import { startApp, type BodyParsing, type TestApp } from './helpers/app.js'
import { AMY, APP, optionsFor, startTestEmulator, totalCalls } from './helpers/quickblox.js'

let emulator: Emulator
const strategies: QuickBloxStrategy[] = []
const apps: TestApp[] = []
let app: TestApp

async function appFor(options: QuickBloxStrategyOptions, parsing?: BodyParsing): Promise<TestApp> {
  const strategy = new QuickBloxStrategy(options, (user, _session, done) => done(null, { id: user.id }))
  strategies.push(strategy)
  const started = await startApp(strategy, { parsing })
  apps.push(started)
  return started
}

beforeAll(async () => {
  emulator = await startTestEmulator()
  app = await appFor(optionsFor(emulator, { timeout: 1500 }))
})
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
  await Promise.all(strategies.map((s) => s.close()))
  await emulator.close()
})
beforeEach(() => {
  emulator.clearFaults()
  emulator.resetLog()
})

const login = (target: TestApp = app) =>
  target.agent.post('/outcome').send({ login: AMY.login, password: AMY.password })

/** The response is an error of ours with `status`, and carries neither the password nor the auth secret. */
function expectErrorWithout(
  res: { status: number; body: { error?: Record<string, unknown> }; text: string },
  status: number,
  code: string,
): void {
  expect(res.status).toBe(status)
  expect(res.body.error).toMatchObject({ code, status })
  expect(res.text).not.toContain(AMY.password)
  expect(res.text).not.toContain(APP.authSecret)
}

describe('server misconfiguration', () => {
  it('errors, saying to mount a body parser, when req.body is undefined', async () => {
    const bare = await appFor(optionsFor(emulator), 'none')
    const res = await bare.agent.post('/outcome').type('form').send({ login: AMY.login, password: AMY.password })
    expect(res.status).toBe(500)
    expect(res.body.error.message).toMatch(/express\.urlencoded\(\).*express\.json\(\).*before passport\.authenticate/)
    expect(totalCalls(emulator)).toBe(0)
  })

  it('errors when a JSON body arrives at a route that only parses forms', async () => {
    const formsOnly = await appFor(optionsFor(emulator), 'simple')
    const res = await formsOnly.agent.post('/outcome').type('json').send({ login: AMY.login, password: AMY.password })
    expect(res.status).toBe(500)
    expect(res.body.error.message).toMatch(/express\.json\(\)/)
    expect(totalCalls(emulator)).toBe(0)
  })

  it('errors when a route accepts only methods the strategy refuses', async () => {
    const strict = new QuickBloxStrategy(optionsFor(emulator, { methods: ['email'] }), (user, _session, done) =>
      done(null, user),
    )
    const route = await startApp(strict, { authenticate: { methods: ['facebook'] } })
    try {
      const res = await route.agent.post('/outcome').send({ provider: 'facebook', keys: { token: 't' } })
      expect(res.status).toBe(500)
      expect(res.body.error.message).toMatch(/none of the route's methods/)
      expect(totalCalls(emulator)).toBe(0)
    } finally {
      await route.close()
      await strict.close()
    }
  })

  it('errors, naming the misconfiguration and not the secret, when the authSecret is wrong', async () => {
    const wrong = await appFor(optionsFor(emulator, { authSecret: 'not-the-right-secret' }))
    const res = await login(wrong)
    expectErrorWithout(res, 500, 'QB_CONFIGURATION')
    expect(res.body.error.message).toMatch(/appId\/authKey\/authSecret/)
    expect(res.text).not.toContain('not-the-right-secret')
    expect(emulator.counts()['POST /login.json']).toBe(0)
  })

  it('errors when a route lists a login method that does not exist', async () => {
    const strategy = new QuickBloxStrategy(optionsFor(emulator), (user, _session, done) => done(null, { id: user.id }))
    strategies.push(strategy)
    const misrouted = await startApp(strategy, { authenticate: { methods: ['twitter' as 'login'] } })
    apps.push(misrouted)
    const res = await login(misrouted)
    expect(res.status).toBe(500)
    expect(res.body.error.message).toMatch(/option methods/)
    expect(totalCalls(emulator)).toBe(0)
  })

  it('errors the same way when the appId is unknown', async () => {
    const wrong = await appFor(optionsFor(emulator, { appId: 999999 }))
    expectErrorWithout(await login(wrong), 500, 'QB_CONFIGURATION')
  })
})

describe('QuickBlox in trouble: errors with a status, never a 401', () => {
  // Every fault on every call, with its status and code, is the matrix of
  // hardening.faults.test.ts; here, what Passport sees: one outcome, an `error`, never `fail`.
  it('is an error outcome, not a failed login, when QuickBlox answers 503', async () => {
    emulator.failNext('POST /login.json', { status: 503 })
    const res = await login()
    expectErrorWithout(res, 503, 'QB_UNAVAILABLE')
    expect(app.outcomes.at(-1)).toMatchObject({ kind: 'error' })
  })

  it('passes on the rate limit and its retryAfter when QuickBlox answers 429', async () => {
    emulator.failNext('POST /login.json', { status: 429, retryAfter: 30 })
    const res = await login()
    expectErrorWithout(res, 429, 'QB_RATE_LIMITED')
    expect(res.body.error.retryAfter).toBe(30)
    expect(res.headers['retry-after']).toBe('30')
  })

  it('turns a verify that throws into an error', async () => {
    const strategy = new QuickBloxStrategy(optionsFor(emulator), () => {
      throw new Error('database is down')
    })
    strategies.push(strategy)
    const throwing = await startApp(strategy)
    apps.push(throwing)
    const res = await login(throwing)
    expect(res.status).toBe(500)
    expect(res.body.error.message).toBe('database is down')
    expect(throwing.outcomes.map((o) => o.kind)).toEqual(['error'])
  })
})

describe('a body sent in chunks', () => {
  it('errors, saying to mount a body parser, when a chunked form arrives unparsed', async () => {
    const bare = await appFor(optionsFor(emulator), 'none')
    const { request } = await import('node:http')
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      // No Content-Length: Node sends the body with Transfer-Encoding: chunked.
      const req = request(
        `${bare.url}/outcome`,
        { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
        (res) => {
          let text = ''
          res
            .setEncoding('utf8')
            .on('data', (chunk: string) => {
              text += chunk
            })
            .on('end', () => resolve({ status: res.statusCode ?? 0, text }))
        },
      )
      req.on('error', reject)
      req.write(`login=${AMY.login}&`)
      req.end(`password=${AMY.password}`)
    })
    expect(answer.status).toBe(500)
    expect(JSON.parse(answer.text).error.message).toMatch(/express\.urlencoded\(\).*before passport\.authenticate/)
    expect(totalCalls(emulator)).toBe(0)
  })
})
