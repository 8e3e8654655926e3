import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator, type EmulatorApplication } from 'passport-quickblox/emulator'
import { call, sessionParams, type Encoding, type Params } from './helpers/emulator.js'

// What a backend sees when it checks a token a mobile or browser client already holds.
let qb: Emulator
const app42: EmulatorApplication = { id: 42, authKey: 'key-42', authSecret: 'secret-42' }
const app43: EmulatorApplication = { id: 43, authKey: 'key-43', authSecret: 'secret-43' }
beforeAll(async () => {
  qb = await startEmulator({
    applications: [app42, app43],
    users: [
      { id: 7, login: 'amy', password: 'amy-password', full_name: 'Amy' },
      { id: 8, email: 'bob@example.com', password: 'bob-password' },
    ],
  })
})
afterAll(() => qb.close())

/** A session created as the SDK does: `POST /session.json` with the user's credentials, signed including them. */
type Session = Record<string, unknown>
async function sdkSession(app: EmulatorApplication, user: Params, encoding: Encoding = 'form'): Promise<Session> {
  const answer = await call(`${qb.url}/session.json`, 'POST', { body: sessionParams(app, { user }), encoding })
  expect(answer.status).toBe(201)
  return answer.json.session
}
const getSession = (token: string) => call(`${qb.url}/session.json`, 'GET', { token })
const NO_SESSION = { errors: { base: ['Required session does not exist'] } }

describe('checking a token with GET /session.json and GET /users/{id}.json', () => {
  it.each<[string, Params, number]>([
    ['login', { login: 'amy', password: 'amy-password' }, 7],
    ['email', { email: 'bob@example.com', password: 'bob-password' }, 8],
  ])('shows the user session an SDK created with %s + password', async (_name, user, id) => {
    const created = await sdkSession(app42, user)
    const answer = await getSession(created.token as string)
    expect(answer.status).toBe(200)
    expect(answer.json.session).toEqual(created)
    expect(answer.json.session).toMatchObject({ user_id: id, application_id: 42 })
    expect(answer.headers.get('qb-token-expirationdate')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/)
  })

  it("names the application that issued the token, so another application's token is told apart", async () => {
    const created = await sdkSession(app43, { login: 'amy', password: 'amy-password' }, 'json')
    expect((await getSession(created.token as string)).json.session).toMatchObject({ application_id: 43, user_id: 7 })
  })

  it('refuses a session signed without the user credentials it carries', async () => {
    const params = sessionParams(app42)
    const body = { ...params, user: { login: 'amy', password: 'amy-password' } }
    const answer = await call(`${qb.url}/session.json`, 'POST', { body, encoding: 'form' })
    expect(answer.status).toBe(422)
    expect(answer.json).toEqual({ errors: { base: ['Unexpected signature'] } })
  })

  it('returns the user by id with every field QuickBlox lists', async () => {
    const { token } = await sdkSession(app42, { login: 'amy', password: 'amy-password' })
    const answer = await call(`${qb.url}/users/7.json`, 'GET', { token: token as string })
    expect(answer.status).toBe(200)
    expect(Object.keys(answer.json.user).sort()).toEqual([
      'age_over16',
      'allow_sales_activities',
      'allow_statistics_analysis',
      'blob_id',
      'created_at',
      'custom_data',
      'email',
      'external_user_id',
      'facebook_id',
      'full_name',
      'id',
      'last_request_at',
      'login',
      'parents_contacts',
      'phone',
      'updated_at',
      'user_tags',
      'website',
    ])
    expect(answer.json.user).toMatchObject({ id: 7, login: 'amy', full_name: 'Amy' })
    expect(answer.headers.get('qb-token-expirationdate')).toMatch(/ UTC$/)
  })

  it.each([
    ['no token', undefined],
    ['an unknown token', 'f'.repeat(40)],
  ])('answers 401 Required session does not exist to %s, on both endpoints', async (_name, token) => {
    for (const path of ['session.json', 'users/7.json']) {
      const answer = await call(`${qb.url}/${path}`, 'GET', token ? { token } : {})
      expect(answer.status).toBe(401)
      expect(answer.json).toEqual(NO_SESSION)
    }
  })

  it('answers 404 for a user that does not exist', async () => {
    const { token } = await sdkSession(app42, { login: 'amy', password: 'amy-password' })
    expect((await call(`${qb.url}/users/999999.json`, 'GET', { token: token as string })).status).toBe(404)
  })

  it('counts each endpoint', async () => {
    const { token } = await sdkSession(app42, { login: 'amy', password: 'amy-password' })
    qb.resetLog()
    await getSession(token as string)
    await call(`${qb.url}/users/7.json`, 'GET', { token: token as string })
    await call(`${qb.url}/users/8.json`, 'GET', { token: token as string })
    expect(qb.counts()).toMatchObject({ 'GET /session.json': 1, 'GET /users/:id.json': 2 })
  })
})

describe.each([
  ['destroyUserSessions', (userId: number) => qb.destroyUserSessions(userId)],
  ['expireUserSessions', (userId: number) => qb.expireUserSessions(userId)],
])('%s(userId)', (_name, end) => {
  it("ends every token of that user, and only that user's", async () => {
    const amyLogin = { login: 'amy', password: 'amy-password' }
    const amy = await Promise.all([app42, app43].map((app) => sdkSession(app, amyLogin)))
    const bob = await sdkSession(app42, { email: 'bob@example.com', password: 'bob-password' })
    expect(end(7)).toBeGreaterThanOrEqual(2)
    for (const session of amy) {
      const answer = await getSession(session.token as string)
      expect(answer.status).toBe(401)
      expect(answer.json).toEqual(NO_SESSION)
    }
    expect((await getSession(bob.token as string)).status).toBe(200)
  })
})
