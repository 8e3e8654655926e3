import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { demoData, startEmulator, type Emulator, type EmulatorApplication } from 'passport-quickblox/emulator'
import { call, sessionParams, type Encoding, type Params } from './helpers/emulator.js'

// A backend with the application's API key: users created and looked up, user tokens issued.
const appA: EmulatorApplication = { id: 51, authKey: 'key-a', authSecret: 'secret-a', apiKey: 'api-key-a-do-not-leak' }
const appB: EmulatorApplication = { id: 52, authKey: 'key-b', authSecret: 'secret-b', apiKey: 'api-key-b' }
const appC: EmulatorApplication = { id: 53, authKey: 'key-c', authSecret: 'secret-c' }
const clock = Date.parse('2026-03-01T08:00:00Z')
/** How far advanceTime() has moved the emulator's clock. */
let advanced = 0
const advance = (ms: number): void => {
  advanced += ms
  qb.advanceTime(ms)
}
let qb: Emulator
beforeAll(async () => {
  qb = await startEmulator({
    now: () => clock,
    applications: [appA, appB, appC],
    users: [
      { id: 7, login: 'amy', password: 'amy-password', external_user_id: 700 },
      { id: 8, login: 'only-b', password: 'only-b-password', application_id: 52 },
    ],
  })
})
afterAll(() => qb.close())
beforeEach(() => qb.clearFaults())

const withKey = (key = appA.apiKey!) => ({ Authorization: `ApiKey ${key}` })
let serial = 0
/** A fresh login and external id for each test, so tests never collide on uniqueness. */
const fresh = (): { login: string; external_user_id: number } => {
  serial++
  return { login: `user-${serial}`, external_user_id: 9000 + serial }
}
const createUser = (user: Params, options: { key?: string; token?: string; encoding?: Encoding } = {}) =>
  call(`${qb.url}/users.json`, 'POST', {
    body: { user },
    encoding: options.encoding,
    token: options.token,
    headers: options.token === undefined ? withKey(options.key) : {},
  })
const issueToken = (id: number, headers: Record<string, string> = withKey(), token?: string) =>
  call(`${qb.url}/users/${id}/tokens`, 'POST', { headers, token })
async function newUser(user: Params = {}, key?: string): Promise<Record<string, unknown> & { id: number }> {
  const answer = await createUser({ ...fresh(), password: 'a-good-password', ...user }, { key })
  expect(answer.status).toBe(201)
  return answer.json.user
}
async function session(app: EmulatorApplication, user?: Params): Promise<string> {
  const answer = await call(`${qb.url}/session.json`, 'POST', {
    body: sessionParams(app, user ? { user } : {}, { timestamp: Math.floor((clock + advanced) / 1000) }),
  })
  expect(answer.status).toBe(201)
  return answer.json.session.token
}

describe('API keys', () => {
  it('gives the demo application its public demo key', async () => {
    const demo = await startEmulator()
    try {
      expect(demo.application.apiKey).toBe('demo-api-key')
      const answer = await call(`${demo.url}/users/100001.json`, 'GET', { headers: withKey('demo-api-key') })
      expect([answer.status, answer.json.user.login]).toEqual([200, 'amy'])
      expect(demoData.applications[0]!.apiKey).toBe('demo-api-key')
    } finally {
      await demo.close()
    }
  })

  it('makes up a random key for an application given none, and serves it', async () => {
    const key = qb.applications.find((app) => app.id === appC.id)!.apiKey
    expect(key).toMatch(/^[0-9a-f]{40}$/)
    const answer = await createUser({ ...fresh(), password: 'a-good-password' }, { key })
    expect(answer.status).toBe(201)
  })

  it.each([
    ['POST /users.json', 'POST', '/users.json'],
    ['GET /users/{id}.json', 'GET', '/users/7.json'],
    ['GET /users/external/{id}.json', 'GET', '/users/external/700.json'],
    ['POST /users/{id}/tokens', 'POST', '/users/7/tokens'],
  ])('refuses a wrong key on %s with 401', async (_name, method, path) => {
    const body = method === 'POST' ? { user: {} } : undefined
    const answer = await call(`${qb.url}${path}`, method, { headers: withKey('not-the-key'), body })
    expect(answer.status).toBe(401)
    expect(answer.json).toEqual({ errors: { base: ['Unauthorized'] } })
  })

  it('refuses a key with a session token beside it when the key is wrong: the key decides', async () => {
    const token = await session(appA)
    const answer = await call(`${qb.url}/users/7.json`, 'GET', { token, headers: withKey('wrong') })
    expect(answer.status).toBe(401)
  })

  it('issues tokens for the key only: a QB-Token on POST /users/{id}/tokens is ignored', async () => {
    const token = await session(appA, { login: 'amy', password: 'amy-password' })
    expect((await issueToken(7, {}, token)).status).toBe(401)
    expect((await issueToken(7, { Authorization: 'Bearer x' }, token)).json).toEqual({
      errors: { base: ['Unauthorized'] },
    })
    expect((await issueToken(7, withKey(), token)).status).toBe(201)
  })

  it('keeps the key and the new user’s password out of the request log', async () => {
    qb.resetLog()
    await createUser({ ...fresh(), password: 'logged-password-1' })
    const logged = JSON.stringify(qb.requests)
    expect(logged).not.toContain(appA.apiKey)
    expect(logged).not.toContain('logged-password-1')
    expect(qb.requests.at(-1)).toMatchObject({ endpoint: 'POST /users.json', status: 201 })
  })
})

describe('POST /users.json', () => {
  it("creates a user from QuickBlox's field names and answers 201 with every user field", async () => {
    const { login, external_user_id } = fresh()
    const answer = await createUser({
      login,
      email: `${login}@example.com`,
      password: 'a-good-password',
      full_name: 'New Person',
      external_user_id,
      tag_list: 'web,beta',
      custom_data: '{"plan":"free"}',
      phone: '+15555550123',
      website: 'https://example.com',
    })
    expect(answer.status).toBe(201)
    expect(answer.json.user).toMatchObject({
      login,
      email: `${login}@example.com`,
      full_name: 'New Person',
      external_user_id,
      user_tags: 'web,beta',
      custom_data: '{"plan":"free"}',
      phone: '+15555550123',
      website: 'https://example.com',
    })
    expect(answer.json.user.id).toBeGreaterThan(0)
    expect(answer.json.user).not.toHaveProperty('password')
  })

  it('reads a form body as it reads JSON', async () => {
    const user = { ...fresh(), password: 'a-good-password' }
    const answer = await createUser(user, { encoding: 'form' })
    expect([answer.status, answer.json.user.login, answer.json.user.external_user_id]).toEqual([
      201,
      user.login,
      user.external_user_id,
    ])
  })

  it('takes an external_user_id sent as text, and answers it as an integer', async () => {
    const { login, external_user_id } = fresh()
    const answer = await createUser({ login, password: 'a-good-password', external_user_id: String(external_user_id) })
    expect(answer.json.user.external_user_id).toBe(external_user_id)
  })

  it('trims trailing whitespace from every field but the password', async () => {
    const { login } = fresh()
    const answer = await createUser({ login: `${login}  `, full_name: 'Trim Me \t', password: 'spaced-password ' })
    expect(answer.json.user).toMatchObject({ login, full_name: 'Trim Me' })
    const token = await session(appA)
    const ok = await call(`${qb.url}/login.json`, 'POST', { token, body: { login, password: 'spaced-password ' } })
    expect(ok.status).toBe(202)
  })

  it('lets an application session create users, as clients do', async () => {
    const token = await session(appA)
    const answer = await createUser({ ...fresh(), password: 'a-good-password' }, { token })
    expect(answer.status).toBe(201)
  })

  it('refuses a request with neither a key nor a session token (401)', async () => {
    const answer = await call(`${qb.url}/users.json`, 'POST', { body: { user: { ...fresh(), password: 'x' } } })
    expect(answer.status).toBe(401)
  })

  it.each<[string, Params, Record<string, string[]>]>([
    ['no login or email', { password: 'a-good-password' }, { base: ['Login or email required'] }],
    ['no password', { login: 'no-password' }, { password: ["can't be blank"] }],
    [
      'a short password',
      { login: 'short-pw', password: 'short' },
      { password: ['is too short (minimum is 8 characters)'] },
    ],
    [
      'a long password',
      { login: 'long-pw', password: 'x'.repeat(41) },
      { password: ['is too long (maximum is 40 characters)'] },
    ],
    [
      'a short login',
      { login: 'ab', password: 'a-good-password' },
      { login: ['is too short (minimum is 3 characters)'] },
    ],
    [
      'a long login',
      { login: 'l'.repeat(51), password: 'a-good-password' },
      { login: ['is too long (maximum is 50 characters)'] },
    ],
    ['a malformed email', { email: 'not-an-email', password: 'a-good-password' }, { email: ['is invalid'] }],
    [
      'an external_user_id that is not a number',
      { login: 'ext-text', password: 'a-good-password', external_user_id: 'abc' },
      { external_user_id: ['is not a number'] },
    ],
    ['a taken login', { login: 'amy', password: 'a-good-password' }, { login: ['has already been taken.'] }],
    [
      'a taken email, in other letters',
      { email: 'TAKEN@example.com', password: 'a-good-password' },
      { email: ['has already been taken'] },
    ],
    [
      'a taken external_user_id',
      { login: 'ext-taken', password: 'a-good-password', external_user_id: 700 },
      { external_user_id: ['has already been taken.'] },
    ],
    [
      'several problems at once',
      { login: 'amy', password: 'short', external_user_id: 700 },
      {
        login: ['has already been taken.'],
        password: ['is too short (minimum is 8 characters)'],
        external_user_id: ['has already been taken.'],
      },
    ],
  ])('answers 422 with field errors for %s', async (_name, user, errors) => {
    await createUser({ login: 'taken-email', email: 'taken@example.com', password: 'a-good-password' })
    const answer = await createUser(user)
    expect(answer.status).toBe(422)
    expect(answer.json).toEqual({ errors })
  })
})

describe('GET /users/external/{id}.json and GET /users/{id}.json', () => {
  it('finds a user by external id, with the key or a session token', async () => {
    const user = await newUser()
    const path = `${qb.url}/users/external/${String(user.external_user_id)}.json`
    const byKey = await call(path, 'GET', { headers: withKey() })
    expect([byKey.status, byKey.json.user.id]).toEqual([200, user.id])
    const byToken = await call(path, 'GET', { token: await session(appA) })
    expect([byToken.status, byToken.json.user.id]).toEqual([200, user.id])
  })

  it('answers 404 for an external id nobody has', async () => {
    const answer = await call(`${qb.url}/users/external/123456789.json`, 'GET', { headers: withKey() })
    expect(answer.status).toBe(404)
  })

  it('finds a user by id with the key', async () => {
    const user = await newUser()
    const answer = await call(`${qb.url}/users/${user.id}.json`, 'GET', { headers: withKey() })
    expect(answer.json.user).toEqual(user)
  })
})

describe('users belong to the application that created them', () => {
  it('hides a user of application A from application B, by id, by external id and for tokens', async () => {
    const user = await newUser()
    const key = withKey(appB.apiKey)
    expect((await call(`${qb.url}/users/${user.id}.json`, 'GET', { headers: key })).status).toBe(404)
    const external = `${qb.url}/users/external/${String(user.external_user_id)}.json`
    expect((await call(external, 'GET', { headers: key })).status).toBe(404)
    expect((await call(`${qb.url}/users/${user.id}.json`, 'GET', { token: await session(appB) })).status).toBe(404)
    expect((await issueToken(user.id, key)).json).toEqual({ errors: { base: ['User not found'] } })
  })

  it('signs a user in through its own application only', async () => {
    const { login } = await newUser({ password: 'own-app-password' })
    const credentials = { login: login as string, password: 'own-app-password' }
    const refused = await call(`${qb.url}/login.json`, 'POST', { token: await session(appB), body: credentials })
    expect(refused.status).toBe(401)
    const ok = await call(`${qb.url}/login.json`, 'POST', { token: await session(appA), body: credentials })
    expect(ok.status).toBe(202)
  })

  it('checks uniqueness within the application: B may reuse a login and external id of A', async () => {
    const user = await newUser()
    const again = await createUser(
      { login: user.login as string, external_user_id: user.external_user_id as number, password: 'a-good-password' },
      { key: appB.apiKey },
    )
    expect(again.status).toBe(201)
    expect(again.json.user.id).not.toBe(user.id)
  })

  it('keeps a seeded user with an application_id to that application', async () => {
    expect((await call(`${qb.url}/users/8.json`, 'GET', { headers: withKey() })).status).toBe(404)
    expect((await call(`${qb.url}/users/8.json`, 'GET', { headers: withKey(appB.apiKey) })).status).toBe(200)
  })
})

describe('POST /users/{id}/tokens', () => {
  it("answers 201 with a token and its expiry, two hours away on the emulator's clock", async () => {
    const answer = await issueToken(7)
    expect(answer.status).toBe(201)
    expect(answer.json.token).toMatch(/^[0-9a-f]{40}$/)
    expect(answer.json.expires_at).toBe(
      new Date(clock + advanced + 2 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    )
  })

  it('answers 404 for a user nobody has', async () => {
    const answer = await issueToken(99999)
    expect(answer.status).toBe(404)
    expect(answer.json).toEqual({ errors: { base: ['User not found'] } })
  })

  it('can be made to fail like any endpoint', async () => {
    qb.failNext('POST /users/:id/tokens', { status: 503 })
    expect((await issueToken(7)).status).toBe(503)
    expect((await issueToken(7)).status).toBe(201)
  })
})

describe('an issued token is a user session', () => {
  const issued = async (id: number): Promise<string> => (await issueToken(id)).json.token
  it('is shown by GET /session.json with its user and application', async () => {
    const user = await newUser()
    const answer = await call(`${qb.url}/session.json`, 'GET', { token: await issued(user.id) })
    expect(answer.json.session).toMatchObject({ user_id: user.id, application_id: appA.id })
  })

  it('reads users, creates users and logs in again as its own user', async () => {
    const user = await newUser({ password: 'relogin-password' })
    const token = await issued(user.id)
    expect((await call(`${qb.url}/users/${user.id}.json`, 'GET', { token })).status).toBe(200)
    expect((await createUser({ ...fresh(), password: 'a-good-password' }, { token })).status).toBe(201)
    const body = { login: user.login as string, password: 'relogin-password' }
    expect((await call(`${qb.url}/login.json`, 'POST', { token, body })).status).toBe(202)
    const other = { login: 'amy', password: 'amy-password' }
    expect((await call(`${qb.url}/login.json`, 'POST', { token, body: other })).status).toBe(422)
  })

  it('is downgraded by DELETE /login.json and ended by DELETE /session.json', async () => {
    const token = await issued(7)
    expect((await call(`${qb.url}/login.json`, 'DELETE', { token })).status).toBe(200)
    expect((await call(`${qb.url}/session.json`, 'GET', { token })).json.session.user_id).toBe(0)
    expect((await call(`${qb.url}/session.json`, 'DELETE', { token })).status).toBe(200)
    expect((await call(`${qb.url}/session.json`, 'GET', { token })).status).toBe(401)
  })

  it('expires two hours after its last use, each use renewing it', async () => {
    const token = await issued(7)
    advance(119 * 60_000)
    expect((await call(`${qb.url}/session.json`, 'GET', { token })).status).toBe(200)
    advance(119 * 60_000)
    expect((await call(`${qb.url}/session.json`, 'GET', { token })).status).toBe(200)
    advance(120 * 60_000)
    expect((await call(`${qb.url}/session.json`, 'GET', { token })).status).toBe(401)
  })

  it('ends with the rest of its user’s sessions', async () => {
    const user = await newUser()
    const token = await issued(user.id)
    expect(qb.destroyUserSessions(user.id)).toBe(1)
    expect((await call(`${qb.url}/session.json`, 'GET', { token })).status).toBe(401)
  })
})
