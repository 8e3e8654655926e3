// Every QuickBlox fault, on each call of a login, through a real Express 5 app: the answer the
// user gets, how long it takes at most, and that the very next login works again.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { startEmulator, type Emulator, type EmulatorEndpoint, type EmulatorFault } from 'passport-quickblox/emulator'
import { QuickBloxError, QuickBloxStrategy, type QuickBloxStrategyOptions } from '../lib/index.js'
import { startApp, type Answer, type TestApp } from './helpers/app.js'
import { AMY, APP, calls, optionsFor, startTestEmulator } from './helpers/quickblox.js'
import { poolMessage } from './helpers/diagnostics.js'

const TIMEOUT = 1500
// Shared 2-core machines are slow at times: the bound is generous, never tight.
const BOUND = TIMEOUT + 2500
const SESSION: EmulatorEndpoint = 'POST /session.json'
const LOGIN: EmulatorEndpoint = 'POST /login.json'

let emulator: Emulator
let strategy: QuickBloxStrategy
let app: TestApp

const verify = (user: { id: number }, _session: unknown, done: (err: null, user: { id: number }) => void): void =>
  done(null, { id: user.id })

beforeAll(async () => {
  emulator = await startTestEmulator()
  strategy = new QuickBloxStrategy(optionsFor(emulator, { timeout: TIMEOUT }), verify)
  app = await startApp(strategy)
})
afterAll(async () => {
  await app.close()
  await strategy.close()
  await emulator.close()
})
afterEach(() => {
  emulator.clearFaults()
  emulator.setLatency('*', 0)
  emulator.resetLog()
})

const amy = { login: AMY.login, password: AMY.password }

/** A normal login right after a fault: it must simply work. */
async function expectLoginWorks(target: TestApp): Promise<void> {
  const res = await target.postJson(amy)
  expect({ status: res.status, body: res.json }).toEqual({ status: 200, body: { id: emulator.users[0]!.id } })
}

/** The answer matches `expected`, arrived within the bound, and any error behind it is one of ours. */
function expectOutcome(res: Answer, expected: Expected, target: TestApp, errorsBefore: number): void {
  expect(res.ms).toBeLessThan(BOUND)
  if (expected.status === 200) {
    expect(res.json).toEqual({ id: emulator.users[0]!.id })
  } else {
    expect(res.json).toMatchObject({ error: { code: expected.code } })
    const error = target.errors[errorsBefore]
    expect(error).toBeInstanceOf(QuickBloxError)
    expect(error).not.toBeInstanceOf(TypeError)
    expect(error).toMatchObject({ status: expected.status, code: expected.code })
  }
  expect(res.status).toBe(expected.status)
  expect(target.errors).toHaveLength(expected.status === 200 ? errorsBefore : errorsBefore + 1)
}

interface Expected {
  status: number
  code?: string
}
const OK: Expected = { status: 200 }
const TIMED_OUT: Expected = { status: 504, code: 'QB_TIMEOUT' }
const UNAVAILABLE: Expected = { status: 503, code: 'QB_UNAVAILABLE' }
const RATE_LIMITED: Expected = { status: 429, code: 'QB_RATE_LIMITED' }
const UNREADABLE: Expected = { status: 502, code: 'QB_BAD_RESPONSE' }
const MISCONFIGURED: Expected = { status: 500, code: 'QB_CONFIGURATION' }

type Row = [
  name: string,
  endpoint: EmulatorEndpoint,
  fault: EmulatorFault,
  times: number,
  expected: Expected,
  calls: { sessions: number; logins: number },
]

const rows: Row[] = [
  [
    'QuickBlox never answers the session request: 504 within the timeout',
    SESSION,
    'hang',
    1,
    TIMED_OUT,
    { sessions: 1, logins: 0 },
  ],
  [
    "the session request's connection is reset once: retried, the user is signed in",
    SESSION,
    'reset',
    1,
    OK,
    { sessions: 2, logins: 1 },
  ],
  [
    "the session request's connection is reset every time: 503 after two retries",
    SESSION,
    'reset',
    3,
    UNAVAILABLE,
    { sessions: 3, logins: 0 },
  ],
  [
    'QuickBlox answers the session request with 500 once: retried, signed in',
    SESSION,
    { status: 500 },
    1,
    OK,
    { sessions: 2, logins: 1 },
  ],
  [
    'QuickBlox answers the session request with 503 twice: retried twice, signed in',
    SESSION,
    { status: 503 },
    2,
    OK,
    { sessions: 3, logins: 1 },
  ],
  [
    'QuickBlox answers the session request with 500 three times: 503',
    SESSION,
    { status: 500 },
    3,
    UNAVAILABLE,
    { sessions: 3, logins: 0 },
  ],
  [
    'QuickBlox answers the session request with 503 three times: 503',
    SESSION,
    { status: 503 },
    3,
    UNAVAILABLE,
    { sessions: 3, logins: 0 },
  ],
  [
    'QuickBlox rate-limits the session request: 429, not retried',
    SESSION,
    { status: 429, retryAfter: 30 },
    1,
    RATE_LIMITED,
    { sessions: 1, logins: 0 },
  ],
  ['the session reply is an HTML page: 502', SESSION, 'garbage', 1, UNREADABLE, { sessions: 1, logins: 0 }],
  ['the session reply is cut half way: 502', SESSION, 'truncated', 1, UNREADABLE, { sessions: 1, logins: 0 }],
  ['the session reply lacks the session: 502', SESSION, 'wrong-shape', 1, UNREADABLE, { sessions: 1, logins: 0 }],
  // QuickBlox never says this to a session request; a 4xx there reads as refused application credentials.
  [
    'QuickBlox answers the session request "session does not exist": 500 configuration error, not retried',
    SESSION,
    'expire-session',
    1,
    MISCONFIGURED,
    { sessions: 1, logins: 0 },
  ],
  [
    'QuickBlox never answers the login request: 504 within the timeout',
    LOGIN,
    'hang',
    1,
    TIMED_OUT,
    { sessions: 1, logins: 1 },
  ],
  [
    "the login request's connection is reset: 503, not retried",
    LOGIN,
    'reset',
    1,
    UNAVAILABLE,
    { sessions: 1, logins: 1 },
  ],
  [
    'QuickBlox answers the login request with 500: 503, not retried',
    LOGIN,
    { status: 500 },
    1,
    UNAVAILABLE,
    { sessions: 1, logins: 1 },
  ],
  [
    'QuickBlox answers the login request with 503: 503, not retried',
    LOGIN,
    { status: 503 },
    1,
    UNAVAILABLE,
    { sessions: 1, logins: 1 },
  ],
  [
    'QuickBlox rate-limits the login request: 429, not retried',
    LOGIN,
    { status: 429, retryAfter: 30 },
    1,
    RATE_LIMITED,
    { sessions: 1, logins: 1 },
  ],
  ['the login reply is an HTML page: 502', LOGIN, 'garbage', 1, UNREADABLE, { sessions: 1, logins: 1 }],
  ['the login reply is cut half way: 502', LOGIN, 'truncated', 1, UNREADABLE, { sessions: 1, logins: 1 }],
  ['the login reply lacks the user: 502', LOGIN, 'wrong-shape', 1, UNREADABLE, { sessions: 1, logins: 1 }],
  [
    'the application session expired before the login: retried once with a fresh one, signed in',
    LOGIN,
    'expire-session',
    1,
    OK,
    { sessions: 2, logins: 2 },
  ],
  [
    'the fresh application session is refused too: 503 after one retry',
    LOGIN,
    'expire-session',
    2,
    UNAVAILABLE,
    { sessions: 2, logins: 2 },
  ],
]

describe('each fault on each QuickBlox call of a login (one session per login)', () => {
  it.each(rows)('%s', async (_name, endpoint, fault, times, expected, expectedCalls) => {
    emulator.failNext(endpoint, fault, times)
    const errorsBefore = app.errors.length
    const res = await app.postJson(amy)
    expectOutcome(res, expected, app, errorsBefore)
    expect({ sessions: calls(emulator, SESSION), logins: calls(emulator, LOGIN) }).toEqual(expectedCalls)
    if (expected.status === 429) {
      expect(app.errors[errorsBefore]).toMatchObject({ retryAfter: 30 })
      expect(res.json).toMatchObject({ error: { retryAfter: 30 } })
      expect(res.headers['retry-after']).toBe('30')
    }
    emulator.clearFaults()
    await expectLoginWorks(app)
  })
})

describe('each fault with the session pool on', () => {
  // A fresh pool per row: one login fills it, so the faulted login takes a ready session.
  let pooled: QuickBloxStrategy
  let pooledApp: TestApp
  afterEach(async () => {
    await pooledApp.close()
    await pooled.close()
  })

  type PoolRow = [name: string, endpoint: EmulatorEndpoint, fault: EmulatorFault, times: number, expected: Expected]
  const poolRows: PoolRow[] = [
    ['QuickBlox never answers the login request: 504 within the timeout', LOGIN, 'hang', 1, TIMED_OUT],
    ["the login request's connection is reset: 503", LOGIN, 'reset', 1, UNAVAILABLE],
    ['QuickBlox answers the login request with 500: 503', LOGIN, { status: 500 }, 1, UNAVAILABLE],
    ['QuickBlox rate-limits the login request: 429', LOGIN, { status: 429, retryAfter: 30 }, 1, RATE_LIMITED],
    ['the login reply is an HTML page: 502', LOGIN, 'garbage', 1, UNREADABLE],
    ['the login reply is cut half way: 502', LOGIN, 'truncated', 1, UNREADABLE],
    ['the pooled application session expired: retried with a fresh one, signed in', LOGIN, 'expire-session', 1, OK],
    // More faults than a refill and an on-demand session (with their retries) could use up:
    // only the ready session can succeed.
    [
      'QuickBlox fails every session request: the ready pooled session still signs the user in',
      SESSION,
      { status: 500 },
      9,
      OK,
    ],
    [
      'QuickBlox never answers session requests: the ready pooled session still signs the user in',
      SESSION,
      'hang',
      2,
      OK,
    ],
  ]

  it.each(poolRows)('%s', async (_name, endpoint, fault, times, expected) => {
    pooled = new QuickBloxStrategy({ ...optionsFor(emulator, { timeout: TIMEOUT }), pool: {} }, verify)
    pooledApp = await startApp(pooled)
    const filled = poolMessage((message) => message.event === 'refill')
    await expectLoginWorks(pooledApp)
    await filled // the session the first login's take() asked for is ready
    emulator.resetLog()
    emulator.failNext(endpoint, fault, times)
    const res = await pooledApp.postJson(amy)
    expectOutcome(res, expected, pooledApp, 0)
    if (endpoint === LOGIN && fault !== 'expire-session') expect(calls(emulator, LOGIN)).toBe(1)
    emulator.clearFaults()
    await expectLoginWorks(pooledApp)
  })
})

describe('QuickBlox down (connection refused)', () => {
  it('answers 503 within the timeout, and signs users in again once QuickBlox is back', async () => {
    const down = await startEmulator({ applications: [APP], users: [AMY] })
    const { port } = down
    await down.close()
    const refusing = new QuickBloxStrategy({ ...optionsFor(down, { timeout: TIMEOUT }) }, verify)
    const refusingApp = await startApp(refusing)
    try {
      const res = await refusingApp.postJson(amy)
      expectOutcome(res, UNAVAILABLE, refusingApp, 0)
      const back = await startEmulator({ port, applications: [APP], users: [AMY] })
      try {
        const again = await refusingApp.postJson(amy)
        expect(again.status).toBe(200)
      } finally {
        await back.close()
      }
    } finally {
      await refusingApp.close()
      await refusing.close()
    }
  })

  it('answers 503 with the pool on too', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const options: QuickBloxStrategyOptions = {
      ...optionsFor(emulator, { timeout: TIMEOUT }),
      apiEndpoint: `http://127.0.0.1:${port}`,
      pool: {},
    }
    const refusing = new QuickBloxStrategy(options, verify)
    const refusingApp = await startApp(refusing)
    try {
      expectOutcome(await refusingApp.postJson(amy), UNAVAILABLE, refusingApp, 0)
      expectOutcome(await refusingApp.postJson(amy), UNAVAILABLE, refusingApp, 1)
    } finally {
      await refusingApp.close()
      await refusing.close()
    }
  })
})

describe('time bounds', () => {
  it('answers within the timeout when retries and slow replies add up', async () => {
    emulator.setLatency(SESSION, 600)
    emulator.failNext(SESSION, { status: 503 }, 3)
    const res = await app.postJson(amy)
    expect(res.ms).toBeLessThan(BOUND)
    expect([503, 504]).toContain(res.status)
    expect(calls(emulator, LOGIN)).toBe(0)
    emulator.setLatency(SESSION, 0)
    emulator.clearFaults()
    await expectLoginWorks(app)
  })

  it('answers 504 when both calls are slow, within the one timeout for the whole login', async () => {
    emulator.setLatency(SESSION, 900)
    emulator.setLatency(LOGIN, 900)
    const res = await app.postJson(amy)
    expect(res.status).toBe(504)
    expect(res.ms).toBeLessThan(BOUND)
  })

  it('ends a hung login by default after 10 seconds, checked without waiting them out', async () => {
    const { timeout: _timeout, ...defaults } = optionsFor(emulator)
    const patient = new QuickBloxStrategy(defaults, verify)
    const realNow = Date.now.bind(Date)
    try {
      emulator.failNext(LOGIN, 'hang')
      const login = patient.client.login(amy) // its deadline is set now: the default from now
      // The clock then jumps 9.8 s: with a 10 s default the login has 0.2 s left.
      jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 9_800)
      const started = realNow()
      await expect(login).rejects.toMatchObject({
        code: 'QB_TIMEOUT',
        message: 'QuickBlox did not answer within 10000 ms',
      })
      expect(realNow() - started).toBeLessThan(BOUND)
    } finally {
      jest.restoreAllMocks()
      await patient.close()
    }
  })
})
