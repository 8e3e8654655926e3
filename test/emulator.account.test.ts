import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator, type EmulatorApplication } from 'passport-quickblox/emulator'
import { call, sessionParams, type Params } from './helpers/emulator.js'

// What a QuickBlox user can do to their own account with their own token, and what the API key
// can do to any user: the endpoints an attacker would use against a backend's mapping, too.
const app: EmulatorApplication = { id: 61, authKey: 'key-61', authSecret: 'secret-61', apiKey: 'api-key-61' }
const closed: EmulatorApplication = {
  id: 62,
  authKey: 'key-62',
  authSecret: 'secret-62',
  apiKey: 'api-key-62',
  allowUserCreation: false,
}
let qb: Emulator
beforeAll(async () => {
  qb = await startEmulator({ applications: [app, closed], users: [] })
})
afterAll(() => qb.close())

const apiKey = (key = app.apiKey!) => ({ Authorization: `ApiKey ${key}` })
let serial = 0
/** A new user of `app`, created with the API key, and a session token of theirs from a real login. */
async function signedUp(): Promise<{ id: number; token: string; login: string; password: string; email: string }> {
  serial++
  const login = `person-${serial}`
  const password = `password-${serial}`
  const email = `person-${serial}@example.com`
  const created = await call(`${qb.url}/users.json`, 'POST', {
    body: { user: { login, password, email } },
    headers: apiKey(),
  })
  expect(created.status).toBe(201)
  const session = await call(`${qb.url}/session.json`, 'POST', {
    body: sessionParams(app, { user: { login, password } }),
  })
  expect(session.status).toBe(201)
  return { id: created.json.user.id, token: session.json.session.token, login, password, email }
}
const put = (id: number, user: Params, auth: { token?: string; headers?: Record<string, string> }) =>
  call(`${qb.url}/users/${id}.json`, 'PUT', { body: { user }, ...auth })
const signIn = (app_: EmulatorApplication, login: string, password: string) =>
  call(`${qb.url}/session.json`, 'POST', { body: sessionParams(app_, { user: { login, password } }) })

describe('PUT /users/{id}.json', () => {
  it('lets a user change their own fields, external_user_id included, with their own token', async () => {
    const amy = await signedUp()
    const answer = await put(
      amy.id,
      { full_name: 'Amy Pond', external_user_id: 424242, login: `${amy.login}-new`, custom_data: '{"role":"admin"}' },
      { token: amy.token },
    )
    expect(answer.status).toBe(200)
    expect(answer.json.user).toMatchObject({
      id: amy.id,
      full_name: 'Amy Pond',
      external_user_id: 424242,
      login: `${amy.login}-new`,
      custom_data: '{"role":"admin"}',
    })
    const external = await call(`${qb.url}/users/external/424242.json`, 'GET', { headers: apiKey() })
    expect(external.json.user.id).toBe(amy.id)
  })

  it("refuses another user's id with a user token (403), and an application session (403)", async () => {
    const amy = await signedUp()
    const bob = await signedUp()
    expect((await put(bob.id, { full_name: 'Mallory' }, { token: amy.token })).status).toBe(403)
    const appSession = await call(`${qb.url}/session.json`, 'POST', { body: sessionParams(app) })
    expect((await put(bob.id, { full_name: 'Mallory' }, { token: appSession.json.session.token })).status).toBe(403)
    const read = await call(`${qb.url}/users/${bob.id}.json`, 'GET', { headers: apiKey() })
    expect(read.json.user.full_name).toBeNull()
  })

  it('needs the current password to set a new one; the new one then signs in, the old one no longer', async () => {
    const amy = await signedUp()
    const missing = await put(amy.id, { password: 'brand-new-password' }, { token: amy.token })
    expect(missing.status).toBe(422)
    expect(missing.json.errors).toEqual({ old_password: ["can't be blank"] })
    const wrong = await put(
      amy.id,
      { password: 'brand-new-password', old_password: 'not-it-at-all' },
      { token: amy.token },
    )
    expect(wrong.status).toBe(422)
    expect(wrong.json.errors).toEqual({ old_password: ['is incorrect'] })
    expect((await signIn(app, amy.login, amy.password)).status).toBe(201)

    const changed = await put(
      amy.id,
      { password: 'brand-new-password', old_password: amy.password },
      { token: amy.token },
    )
    expect(changed.status).toBe(200)
    expect((await signIn(app, amy.login, 'brand-new-password')).status).toBe(201)
    expect((await signIn(app, amy.login, amy.password)).status).toBe(401)
  })

  it('lets the API key set a password without the current one', async () => {
    const amy = await signedUp()
    expect((await put(amy.id, { password: 'set-by-the-backend' }, { headers: apiKey() })).status).toBe(200)
    expect((await signIn(app, amy.login, 'set-by-the-backend')).status).toBe(201)
  })

  it('answers 422 field errors: a taken login or email, a short password, a malformed email', async () => {
    const amy = await signedUp()
    const bob = await signedUp()
    const answer = await put(
      amy.id,
      { login: bob.login, email: 'not-an-email', password: 'short', old_password: amy.password },
      { token: amy.token },
    )
    expect(answer.status).toBe(422)
    expect(answer.json.errors).toEqual({
      login: ['has already been taken.'],
      email: ['is invalid'],
      password: ['is too short (minimum is 8 characters)'],
    })
    const taken = await put(amy.id, { email: bob.email.toUpperCase() }, { token: amy.token })
    expect(taken.status).toBe(422)
    expect(taken.json.errors).toEqual({ email: ['has already been taken'] })
  })

  it('keeps its own login and email when they are sent unchanged', async () => {
    const amy = await signedUp()
    const answer = await put(amy.id, { login: amy.login, full_name: 'Same' }, { token: amy.token })
    expect(answer.status).toBe(200)
    expect(answer.json.user.login).toBe(amy.login)
  })

  it('answers 404 for a user it does not have, with the API key', async () => {
    expect((await put(99999999, { full_name: 'x' }, { headers: apiKey() })).status).toBe(404)
  })

  it('never logs the passwords sent', async () => {
    const amy = await signedUp()
    await put(amy.id, { password: 'logged-nowhere-1', old_password: amy.password }, { token: amy.token })
    const entry = qb.requests.findLast((request) => request.method === 'PUT')
    expect(JSON.stringify(entry)).not.toContain('logged-nowhere-1')
    expect(JSON.stringify(entry)).not.toContain(amy.password)
  })
})

describe('DELETE /users/{id}.json', () => {
  it("deletes the user's own account with their token, ends its sessions, and frees its login", async () => {
    const amy = await signedUp()
    const answer = await call(`${qb.url}/users/${amy.id}.json`, 'DELETE', { token: amy.token })
    expect(answer.status).toBe(200)
    expect(answer.text).toBe('')
    expect((await call(`${qb.url}/session.json`, 'GET', { token: amy.token })).status).toBe(401)
    expect((await call(`${qb.url}/users/${amy.id}.json`, 'GET', { headers: apiKey() })).status).toBe(404)
    const again = await call(`${qb.url}/users.json`, 'POST', {
      body: { user: { login: amy.login, password: 'someone-else-1' } },
      headers: apiKey(),
    })
    expect(again.status).toBe(201)
    expect(again.json.user.id).not.toBe(amy.id)
  })

  it("refuses another user's account (403) and lets the API key delete any", async () => {
    const amy = await signedUp()
    const bob = await signedUp()
    expect((await call(`${qb.url}/users/${bob.id}.json`, 'DELETE', { token: amy.token })).status).toBe(403)
    expect((await call(`${qb.url}/users/${bob.id}.json`, 'DELETE', { headers: apiKey() })).status).toBe(200)
    expect((await call(`${qb.url}/users/${bob.id}.json`, 'DELETE', { headers: apiKey() })).status).toBe(404)
  })
})

describe('GET /users/by_login.json and /users/by_email.json', () => {
  it('finds a user by login (exactly) and by email (any case), with the API key or a token', async () => {
    const amy = await signedUp()
    const byLogin = await call(`${qb.url}/users/by_login.json?login=${amy.login}`, 'GET', { headers: apiKey() })
    expect(byLogin.status).toBe(200)
    expect(byLogin.json.user.id).toBe(amy.id)
    const email = encodeURIComponent(amy.email.toUpperCase())
    const byEmail = await call(`${qb.url}/users/by_email.json?email=${email}`, 'GET', {
      token: amy.token,
    })
    expect(byEmail.status).toBe(200)
    expect(byEmail.json.user.id).toBe(amy.id)
    const mixed = await call(`${qb.url}/users.json`, 'POST', {
      body: { user: { login: `mixed-${amy.login}`, email: `Mixed.${amy.email}`, password: 'mixed-password' } },
      headers: apiKey(),
    })
    const lower = await call(`${qb.url}/users/by_email.json?email=mixed.${amy.email}`, 'GET', { headers: apiKey() })
    expect(lower.json.user.id).toBe(mixed.json.user.id)
  })

  it('answers 404 when nobody has it, or when it is not asked for', async () => {
    const none = await call(`${qb.url}/users/by_login.json?login=nobody-here`, 'GET', { headers: apiKey() })
    expect(none.status).toBe(404)
    expect((await call(`${qb.url}/users/by_email.json`, 'GET', { headers: apiKey() })).status).toBe(404)
    expect((await call(`${qb.url}/users/by_login.json?login=x`, 'GET', { headers: apiKey('wrong') })).status).toBe(401)
  })
})

describe('POST /users.json with an application session', () => {
  it('creates users with any free login, email and external_user_id, as QuickBlox allows by default', async () => {
    const appSession = await call(`${qb.url}/session.json`, 'POST', { body: sessionParams(app) })
    const answer = await call(`${qb.url}/users.json`, 'POST', {
      body: {
        user: { login: 'made-by-anyone', email: 'anyone@example.com', external_user_id: 5151, password: 'p4ssword!' },
      },
      token: appSession.json.session.token,
    })
    expect(answer.status).toBe(201)
    expect(answer.json.user.external_user_id).toBe(5151)
  })

  it('is refused (403) where the application turned it off; the API key still creates users', async () => {
    const appSession = await call(`${qb.url}/session.json`, 'POST', { body: sessionParams(closed) })
    const user = { login: 'closed-app-user', password: 'p4ssword!' }
    const refused = await call(`${qb.url}/users.json`, 'POST', { body: { user }, token: appSession.json.session.token })
    expect(refused.status).toBe(403)
    const byKey = await call(`${qb.url}/users.json`, 'POST', { body: { user }, headers: apiKey(closed.apiKey) })
    expect(byKey.status).toBe(201)
  })
})
