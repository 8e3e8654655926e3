import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { inspect } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { type Emulator, type EmulatorFault, startEmulator } from 'passport-quickblox/emulator'
import { QuickBloxClient } from '../lib/quickblox/client.js'
import { QuickBloxError } from '../lib/quickblox/errors.js'
import type { LoginCredentials } from '../lib/quickblox/types.js'

// Unique values planted where secrets live; none may surface in any rendering of an error.
const AUTH_SECRET = 'AUTHSECRET-c0ffee-4815162342'
const WRONG_SECRET = 'WRONGSECRET-feed-1123581321'
const PASSWORD = 'PASSWORD-d00d-3141592653'
const FACEBOOK_TOKEN = 'FBTOKEN-beef-2718281828'
const FACEBOOK_SECRET = 'FBSECRET-cafe-1414213562'
const FIREBASE_TOKEN = 'FIREBASE-babe-1732050807'
const USER_TOKEN = 'USERTOKEN-face-2236067977'
const secrets = [AUTH_SECRET, WRONG_SECRET, PASSWORD, FACEBOOK_TOKEN, FACEBOOK_SECRET, FIREBASE_TOKEN, USER_TOKEN]
// The emulator's session tokens are 40 hex characters, like QuickBlox's own.
const SESSION_TOKEN = /[0-9a-f]{40}/

const credentials: Record<string, LoginCredentials> = {
  login: { login: 'sam', password: PASSWORD },
  email: { email: 'sam@example.com', password: PASSWORD },
  facebook: { provider: 'facebook', keys: { token: FACEBOOK_TOKEN, secret: FACEBOOK_SECRET } },
  firebase_phone: { provider: 'firebase_phone', firebase_phone: { project_id: 'p1', access_token: FIREBASE_TOKEN } },
}

let qb: Emulator
let client: QuickBloxClient
const closeLater: QuickBloxClient[] = []

function clientWith(authSecret: string, apiEndpoint = qb.url): QuickBloxClient {
  const created = new QuickBloxClient({
    appId: 4242,
    authKey: 'auth-key-not-secret',
    authSecret,
    apiEndpoint,
    pool: false,
    timeout: 400,
  })
  closeLater.push(created)
  return created
}

function expectNothingSecret(error: unknown): void {
  expect(error).toBeInstanceOf(QuickBloxError)
  const err = error as QuickBloxError
  expect(err.cause).toBeUndefined()
  const renderings = [
    err.message,
    String(err.stack),
    inspect(err, { depth: Infinity, showHidden: true }),
    JSON.stringify(err),
    String(err),
  ]
  for (const text of renderings) {
    for (const secret of secrets) expect(text).not.toContain(secret)
    expect(text).not.toMatch(SESSION_TOKEN)
  }
}

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => 'resolved',
    (error: unknown) => error,
  )

beforeAll(async () => {
  qb = await startEmulator({
    applications: [{ id: 4242, authKey: 'auth-key-not-secret', authSecret: AUTH_SECRET }],
    users: [
      {
        login: 'sam',
        email: 'sam@example.com',
        password: PASSWORD,
        facebook: { token: FACEBOOK_TOKEN },
        firebase_phone: { project_id: 'p1', access_token: FIREBASE_TOKEN },
      },
    ],
  })
  client = clientWith(AUTH_SECRET)
})

afterEach(() => qb.clearFaults())

afterAll(async () => {
  await Promise.all(closeLater.map((c) => c.close()))
  await qb.close()
})

const loginFaults: EmulatorFault[] = [
  { status: 401 },
  { status: 403 },
  { status: 422 },
  { status: 429, retryAfter: 3 },
  { status: 500 },
  { status: 503 },
  'reset',
  'hang',
  'garbage',
  'truncated',
  'wrong-shape',
  'expire-session',
]
const sessionFaults: EmulatorFault[] = [
  { status: 422 },
  { status: 429 },
  { status: 500 },
  'reset',
  'hang',
  'garbage',
  'truncated',
  'wrong-shape',
]
const name = (fault: EmulatorFault): string => (typeof fault === 'string' ? fault : String(fault.status))

describe('no secret in any error', () => {
  for (const [method, credential] of Object.entries(credentials)) {
    it.each(loginFaults.map((fault) => [name(fault), fault] as const))(
      `login by ${method}: POST /login.json %s`,
      async (_n, fault) => {
        qb.failNext('POST /login.json', fault, 2)
        expectNothingSecret(await failure(client.login(credential)))
      },
    )

    it.each(sessionFaults.map((fault) => [name(fault), fault] as const))(
      `login by ${method}: POST /session.json %s`,
      async (_n, fault) => {
        qb.failNext('POST /session.json', fault, 3)
        expectNothingSecret(await failure(client.login(credential)))
      },
    )
  }

  it('a wrong password', async () => {
    expectNothingSecret(await failure(client.login({ login: 'sam', password: `${PASSWORD}-wrong` })))
  })

  it('a wrong auth secret', async () => {
    expectNothingSecret(await failure(clientWith(WRONG_SECRET).login(credentials.login!)))
  })

  it.each<[string, EmulatorFault]>([
    ['500', { status: 500 }],
    ['hang', 'hang'],
    ['reset', 'reset'],
    ['429', { status: 429 }],
  ])('logout: DELETE /session.json %s', async (_n, fault) => {
    qb.failNext('DELETE /session.json', fault)
    expectNothingSecret(await failure(client.logout(USER_TOKEN)))
  })

  it('a refused connection', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const refused = clientWith(AUTH_SECRET, `http://127.0.0.1:${port}`)
    expectNothingSecret(await failure(refused.login(credentials.login!)))
    expectNothingSecret(await failure(refused.logout(USER_TOKEN)))
  })
})
