// Unique secrets planted end to end (a password per request, the auth secret, Facebook and
// Firebase tokens, every session token a login produced): after every fault kind, none of them
// is in the error (message, stack, inspect, JSON), the HTTP answer, or any line written to the
// console, stdout or stderr while the request ran. The app logs each error with console.error,
// as many apps do, so the log lines are real renderings of our errors. A subscriber on every
// diagnostics channel listens during the whole run: no context holds any of those secrets (not
// even 8 characters of one), the auth key, a user's login or email.
import { randomUUID } from 'node:crypto'
import { tracingChannel } from 'node:diagnostics_channel'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { format, inspect } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { startEmulator, type Emulator, type EmulatorEndpoint, type EmulatorFault } from 'passport-quickblox/emulator'
import {
  QuickBloxError,
  QuickBloxStrategy,
  QuickBloxTokenStrategy,
  type QuickBloxStrategyOptions,
} from '../lib/index.js'
import { CHANNELS } from '../lib/diagnostics.js'
import { nextTurn, recordDiagnostics, type Recorder } from './helpers/diagnostics.js'
import { startApp, type Answer, type TestApp } from './helpers/app.js'
import { sdkToken, startTokenApp, type TokenApp } from './helpers/token-app.js'

const planted: string[] = []
/** A unique value that must never be seen again. */
function plant(kind: string): string {
  const secret = `${kind}-${randomUUID()}`
  planted.push(secret)
  return secret
}
// The emulator's session tokens are 40 hex characters, like QuickBlox's own.
const SESSION_TOKEN = /[0-9a-f]{40}/
/** Not secret, but not for diagnostics either: logins, emails, the auth key. */
const identities: string[] = []
/** Session tokens seen by verify: diagnostics must not hold even a part of one. */
const tokens: string[] = []

const AUTH_SECRET = plant('authsecret')
const APP = { id: 5151, authKey: 'hardening-auth-key', authSecret: AUTH_SECRET }
identities.push(APP.authKey)

let emulator: Emulator
const strategies: QuickBloxStrategy[] = []
const apps: TestApp[] = []
let app: TestApp
let diagnostics: Recorder

function options(extra: Partial<QuickBloxStrategyOptions> = {}): QuickBloxStrategyOptions {
  return {
    appId: APP.id,
    authKey: APP.authKey,
    authSecret: AUTH_SECRET,
    apiEndpoint: emulator.url,
    pool: false,
    timeout: 1500,
    ...extra,
  }
}

async function startStrategyApp(extra: Partial<QuickBloxStrategyOptions> = {}): Promise<TestApp> {
  const strategy = new QuickBloxStrategy(options(extra), (user, session, done) => {
    // The user's session token: kept server-side by the app, never to be seen anywhere else.
    planted.push(session.token)
    tokens.push(session.token)
    done(null, { id: user.id })
  })
  strategies.push(strategy)
  const started = await startApp(strategy, { logErrors: true })
  apps.push(started)
  return started
}

// The emulator logs each request's line once its connection is done with it (and sets the
// request's duration then): `emulatorDone()` waits for the lines of every request it has received.
let onLine = (): void => {}
function emulatorLog(line: string): void {
  console.log(`[emulator] ${line}`)
  onLine()
}
async function emulatorDone(): Promise<void> {
  await nextTurn() // a pool refill that a login scheduled is on its way
  await new Promise<void>((resolve) => {
    onLine = () => {
      if (emulator.requests.every((request) => request.durationMs > 0)) resolve()
    }
    onLine()
  })
}

beforeAll(async () => {
  diagnostics = recordDiagnostics()
  emulator = await startEmulator({ applications: [APP], users: [], log: emulatorLog })
  app = await startStrategyApp()
})
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
  await Promise.all(strategies.map((s) => s.close()))
  await emulator.close()
  diagnostics.stop()
})
afterEach(() => emulator.clearFaults())

/** Everything written to console.*, process.stdout and process.stderr until `restore()`. */
function captureOutput(): { lines: string[]; restore(): void } {
  const lines: string[] = []
  const record = (...args: unknown[]): void => void lines.push(format(...args))
  const spies: { mockRestore(): void }[] = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
    jest.spyOn(console, method).mockImplementation(record),
  )
  for (const stream of [process.stdout, process.stderr]) {
    spies.push(
      jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
        lines.push(String(chunk))
        return true
      }),
    )
  }
  return { lines, restore: () => spies.forEach((spy) => spy.mockRestore()) }
}

type Method = 'login' | 'email' | 'facebook' | 'firebase_phone'

/** A new user with planted secrets, and the body that logs them in. */
function newUser(method: Method): object {
  const name = `user-${randomUUID()}`
  identities.push(name, `${name}@example.com`)
  switch (method) {
    case 'login': {
      const password = plant('password')
      emulator.addUser({ login: name, password })
      return { login: name, password }
    }
    case 'email': {
      const password = plant('password')
      emulator.addUser({ email: `${name}@example.com`, password })
      return { email: `${name}@example.com`, password }
    }
    case 'facebook': {
      const token = plant('facebook-token')
      emulator.addUser({ login: name, facebook: { token } })
      return { provider: 'facebook', keys: { token, secret: plant('facebook-secret') } }
    }
    case 'firebase_phone': {
      const access_token = plant('firebase-token')
      emulator.addUser({ login: name, firebase_phone: { project_id: 'hardening-project', access_token } })
      return { provider: 'firebase_phone', firebase_phone: { project_id: 'hardening-project', access_token } }
    }
  }
}

interface Seen {
  res: Answer
  error: unknown
  lines: string[]
  published: string[]
}

/** Sends `body` through `target`, capturing the answer, the error the app handled, and all output. */
async function attempt(body: string | object, target: TestApp = app, type: 'json' | 'form' = 'json'): Promise<Seen> {
  const output = captureOutput()
  const errorsBefore = target.errors.length
  const eventsBefore = diagnostics.events.length
  try {
    const res = await target.post(typeof body === 'string' ? body : JSON.stringify(body), type)
    await emulatorDone() // its late lines land while still captured
    const published = diagnostics.events.slice(eventsBefore).map((e) => e.rendered)
    return { res, error: target.errors[errorsBefore], lines: output.lines, published }
  } finally {
    output.restore()
  }
}

/** Every 8-character piece of a secret's random part (a session token, or what follows `kind-`). */
function pieces(secret: string): string[] {
  const random = secret.replace(/^[a-z-]+-(?=[0-9a-f]{8}-)/, '')
  return Array.from({ length: Math.max(1, random.length - 7) }, (_, i) => random.slice(i, i + 8))
}

/** Diagnostics contexts: no secret or a part of one, no token, login, email or auth key. */
function expectNothingPublished(published: string[]): void {
  const text = published.join('\n')
  expect(text).not.toMatch(SESSION_TOKEN)
  for (const identity of identities) expect(text).not.toContain(identity)
  for (const secret of [...planted, ...tokens]) {
    for (const piece of pieces(secret))
      if (text.includes(piece)) throw new Error(`a diagnostics context holds a piece of a secret: ${piece}`)
  }
}

function expectNothingSecret({ res, error, lines, published }: Seen): void {
  expectNothingPublished(published)
  const texts = [res.text, JSON.stringify(res.headers), ...lines]
  if (error !== undefined) {
    expect(error).toBeInstanceOf(QuickBloxError)
    const err = error as QuickBloxError
    texts.push(
      err.message,
      String(err.stack),
      inspect(err, { depth: Infinity, showHidden: true }),
      JSON.stringify(err),
      String(err),
    )
    // The app's own log line is there, so the scan below read real renderings of the error.
    expect(lines.join('\n')).toContain(err.code)
  }
  for (const text of texts) {
    for (const secret of planted) expect(text).not.toContain(secret)
    expect(text).not.toMatch(SESSION_TOKEN)
  }
}

const FAULTS: [string, EmulatorFault, number][] = [
  ['hangs', 'hang', 1],
  ['resets the connection', 'reset', 1],
  ['resets the connection every time', 'reset', 3],
  ['answers 500', { status: 500 }, 1],
  ['answers 503 every time', { status: 503 }, 3],
  ['rate-limits', { status: 429, retryAfter: 9 }, 1],
  ['answers an HTML page', 'garbage', 1],
  ['cuts its reply half way', 'truncated', 1],
  ['answers JSON of the wrong shape', 'wrong-shape', 1],
  ['expires the session once', 'expire-session', 1],
  ['expires the session twice', 'expire-session', 2],
]
const ENDPOINTS: EmulatorEndpoint[] = ['POST /session.json', 'POST /login.json']
const METHODS: Method[] = ['login', 'email', 'facebook', 'firebase_phone']

describe.each(METHODS)('logging in by %s: no secret anywhere', (method) => {
  it('after a successful login', async () => {
    const seen = await attempt(newUser(method))
    expect(seen.res.status).toBe(200)
    expectNothingSecret(seen)
  })

  for (const endpoint of ENDPOINTS) {
    it.each(FAULTS)(`when ${endpoint} %s`, async (_name, fault, times) => {
      emulator.failNext(endpoint, fault, times)
      const seen = await attempt(newUser(method))
      expect(seen.res.status === 200 || seen.error !== undefined).toBe(true)
      expectNothingSecret(seen)
    })
  }

  it('when QuickBlox rejects the credentials', async () => {
    const body = newUser(method) as Record<string, unknown>
    const wrong =
      method === 'login' || method === 'email'
        ? { ...body, password: plant('wrong-password') }
        : method === 'facebook'
          ? { ...body, keys: { token: plant('wrong-facebook-token') } }
          : {
              ...body,
              firebase_phone: { project_id: 'hardening-project', access_token: plant('wrong-firebase-token') },
            }
    const seen = await attempt(wrong)
    expect(seen.res.status).toBe(401)
    expectNothingSecret(seen)
  })
})

describe('no secret anywhere, whatever else goes wrong', () => {
  it('when the auth secret is wrong', async () => {
    const misconfigured = await startStrategyApp({ authSecret: plant('wrong-authsecret') })
    const seen = await attempt(newUser('login'), misconfigured)
    expect(seen.res.status).toBe(500)
    expectNothingSecret(seen)
  })

  it('when QuickBlox refuses connections', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const refused = await startStrategyApp({ apiEndpoint: `http://127.0.0.1:${port}` })
    const seen = await attempt(newUser('email'), refused)
    expect(seen.res.status).toBe(503)
    expectNothingSecret(seen)
  })

  it('when a pooled login hits a fault', async () => {
    const pooled = await startStrategyApp({ pool: {} })
    expectNothingSecret(await attempt(newUser('login'), pooled))
    emulator.failNext('POST /login.json', 'truncated')
    const seen = await attempt(newUser('login'), pooled)
    expect(seen.res.status).toBe(502)
    expectNothingSecret(seen)
  })

  it('when the password is refused as input (control character)', async () => {
    const seen = await attempt({ login: 'someone', password: `${plant('password')}\u0007` })
    expect(seen.res.status).toBe(400)
    expectNothingSecret(seen)
  })

  it('when the password is refused as input (too long)', async () => {
    const secret = plant('password')
    const seen = await attempt({ login: 'someone', password: secret.repeat(Math.ceil(1100 / secret.length)) })
    expect(seen.res.status).toBe(400)
    expectNothingSecret(seen)
  })

  it('when a form sends the password twice', async () => {
    const seen = await attempt(`login=someone&password=${plant('password')}&password=${plant('password')}`, app, 'form')
    expect(seen.res.status).toBe(400)
    expectNothingSecret(seen)
  })
})

// Tokens that clients send as `Authorization: Bearer`: the token is the secret on this path.
describe.each([
  ['cached', {}],
  ['uncached', false],
] as const)('checking a Bearer token (%s): no token anywhere', (_name, cache) => {
  let tokenApp: TokenApp
  let tokenStrategy: QuickBloxTokenStrategy
  beforeAll(async () => {
    tokenStrategy = new QuickBloxTokenStrategy(
      { appId: APP.id, apiEndpoint: emulator.url, timeout: 1500, cache },
      (user, session, done) => done(null, { id: user.id, expires: session.expiresAt }),
    )
    tokenApp = await startTokenApp(tokenStrategy, { logErrors: true })
  })
  afterAll(async () => {
    await tokenApp.close()
    await tokenStrategy.close()
  })

  /** A new user's token, got as the SDK gets it, planted. */
  async function plantedToken(): Promise<string> {
    const login = `user-${randomUUID()}`
    const password = plant('password')
    emulator.addUser({ login, password })
    const token = await sdkToken(emulator, { login, password }, APP)
    planted.push(token)
    return token
  }

  async function attemptToken(authorization: string): Promise<Seen> {
    const output = captureOutput()
    const errorsBefore = tokenApp.errors.length
    const eventsBefore = diagnostics.events.length
    try {
      const res = await fetch(`${tokenApp.url}/api/me`, { headers: { authorization } })
      const text = await res.text()
      await emulatorDone()
      const answer: Answer = {
        status: res.status,
        headers: Object.fromEntries(res.headers),
        text,
        json: undefined,
        ms: 0,
      }
      const published = diagnostics.events.slice(eventsBefore).map((e) => e.rendered)
      return { res: answer, error: tokenApp.errors[errorsBefore], lines: output.lines, published }
    } finally {
      output.restore()
    }
  }

  it('after a successful check', async () => {
    const seen = await attemptToken(`Bearer ${await plantedToken()}`)
    expect(seen.res.status).toBe(200)
    expectNothingSecret(seen)
  })

  for (const endpoint of ['GET /session.json', 'GET /users/:id.json'] as EmulatorEndpoint[]) {
    it.each(FAULTS)(`when ${endpoint} %s`, async (_name, fault, times) => {
      emulator.failNext(endpoint, fault, times)
      const seen = await attemptToken(`Bearer ${await plantedToken()}`)
      emulator.clearFaults()
      expect([200, 401].includes(seen.res.status) || seen.error !== undefined).toBe(true)
      expectNothingSecret(seen)
    })
  }

  it('when the token is unknown, destroyed, or malformed', async () => {
    const destroyed = await plantedToken()
    await fetch(`${emulator.url}/session.json`, { method: 'DELETE', headers: { 'QB-Token': destroyed } })
    const unknown = plant('unknowntoken')
    for (const [authorization, status] of [
      [`Bearer ${destroyed}`, 401],
      [`Bearer ${unknown}`, 401],
      [`Bearer ${plant('bad')}"`, 400],
      [`Basic ${plant('basic')}`, 401],
    ] as const) {
      const seen = await attemptToken(authorization)
      expect(seen.res.status).toBe(status)
      expectNothingSecret(seen)
    }
  })
})

describe('the scan itself', () => {
  // Runs after every login above: the whole run's diagnostics, background pool refills included.
  it('saw every kind of diagnostics event during the run, and none holds anything secret', () => {
    const seen = new Set(diagnostics.events.map((e) => `${e.channel}:${e.event}`))
    const kinds = [
      'login:start',
      'login:asyncEnd',
      'login:error',
      'token:start',
      'token:asyncEnd',
      'token:error',
      'request:start',
      'request:asyncEnd',
      'request:error',
      'pool:publish',
    ]
    for (const kind of kinds) expect(seen).toContain(kind)
    const outcomes = new Set(diagnostics.of('login', 'asyncEnd').map((e) => e.fields.outcome))
    expect([...outcomes].sort()).toEqual(['error', 'fail', 'success'])
    const tokenOutcomes = new Set(diagnostics.of('token', 'asyncEnd').map((e) => e.fields.outcome))
    expect([...tokenOutcomes].sort()).toEqual(['error', 'fail', 'success'])
    expect(diagnostics.of('pool').map((e) => e.fields.event)).toContain('refill')
    // As published, and as the contexts are now (they are filled in as a trace goes on).
    const now = [...new Set(diagnostics.events.map((e) => e.context))].map((c) =>
      inspect(c, { depth: Infinity, showHidden: true }),
    )
    expectNothingPublished([...diagnostics.events.map((e) => e.rendered), ...now])
  })

  it('would see a part of a secret in a published context', () => {
    const before = diagnostics.events.length
    tracingChannel(CHANNELS.login).start.publish({ method: 'login', code: pieces(planted[0]!)[3] })
    const published = diagnostics.events.splice(before).map((e) => e.rendered)
    expect(published).toHaveLength(1)
    expect(() => expectNothingPublished(published)).toThrow('a piece of a secret')
  })

  it('would see a secret written to the console, stdout or stderr', () => {
    for (const write of [
      (s: string) => console.warn(s),
      (s: string) => process.stdout.write(s),
      (s: string) => process.stderr.write(`${s}\n`),
    ]) {
      const secret = plant('leak')
      const output = captureOutput()
      try {
        write(`oops ${secret}`)
      } finally {
        output.restore()
      }
      const res: Answer = { status: 200, headers: {}, text: '', json: undefined, ms: 0 }
      expect(() => expectNothingSecret({ res, error: undefined, lines: output.lines, published: [] })).toThrow()
    }
  })
})
