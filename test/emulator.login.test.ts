import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { appToken, call, type Encoding, type Params } from './helpers/emulator.js'

let qb: Emulator
beforeAll(async () => {
  qb = await startEmulator({
    applications: [{ id: 42, authKey: 'key-42', authSecret: 'secret-42' }],
    users: [
      {
        id: 7,
        login: 'amy',
        password: 'amy-password',
        full_name: 'Amy Lee',
        phone: '+100',
        website: 'https://amy.example',
        custom_data: '{"a":1}',
        user_tags: 'admin,design',
        external_user_id: 55,
      },
      { id: 8, email: 'Bob@Example.com', password: 'bob-password' },
      { id: 9, facebook: { token: 'fb-token', id: '1234' } },
      { id: 10, firebase_phone: { project_id: 'proj', access_token: 'fire-token' } },
    ],
  })
})
afterAll(() => qb.close())

const login = (token: string, body: Params, encoding: Encoding = 'json') =>
  call(`${qb.url}/login.json`, 'POST', { token, body, encoding })
const sessionOf = async (token: string) => (await call(`${qb.url}/session.json`, 'GET', { token })).json.session

describe.each<Encoding>(['json', 'form'])('POST /login.json (%s body)', (encoding) => {
  it('answers 202 with every user field QuickBlox lists, and upgrades that very token', async () => {
    const token = await appToken(qb)
    const answer = await login(token, { login: 'amy', password: 'amy-password' }, encoding)
    expect(answer.status).toBe(202)
    expect(answer.headers.get('qb-token-expirationdate')).toMatch(/ UTC$/)
    expect(answer.json.user).toEqual({
      id: 7,
      full_name: 'Amy Lee',
      email: null,
      login: 'amy',
      phone: '+100',
      website: 'https://amy.example',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      updated_at: expect.stringMatching(/Z$/),
      last_request_at: expect.stringMatching(/Z$/),
      external_user_id: 55,
      facebook_id: null,
      blob_id: null,
      custom_data: '{"a":1}',
      age_over16: false,
      allow_statistics_analysis: false,
      allow_sales_activities: false,
      parents_contacts: '',
      user_tags: 'admin,design',
    })
    expect((await sessionOf(token)).user_id).toBe(7)
  })

  it.each([
    ['email + password (email case-insensitive)', { email: 'bob@example.COM', password: 'bob-password' }, 8],
    ['facebook token', { provider: 'facebook', keys: { token: 'fb-token' } }, 9],
    [
      'firebase phone',
      { provider: 'firebase_phone', firebase_phone: { project_id: 'proj', access_token: 'fire-token' } },
      10,
    ],
  ])('logs in with %s', async (_name, body, id) => {
    const token = await appToken(qb)
    const answer = await login(token, body, encoding)
    expect(answer.status).toBe(202)
    expect(answer.json.user.id).toBe(id)
    expect((await sessionOf(token)).user_id).toBe(id)
  })

  it.each([
    ['a wrong password', { login: 'amy', password: 'wrong-password' }],
    ['an unknown login', { login: 'nobody', password: 'amy-password' }],
    ['a wrong facebook token', { provider: 'facebook', keys: { token: 'other' } }],
    [
      'a firebase token of another project',
      { provider: 'firebase_phone', firebase_phone: { project_id: 'other', access_token: 'fire-token' } },
    ],
  ])('refuses %s with 401 Unauthorized and leaves the application session as it was', async (_name, body) => {
    const token = await appToken(qb)
    const answer = await login(token, body, encoding)
    expect(answer.status).toBe(401)
    expect(answer.json).toEqual({ errors: ['Unauthorized'] })
    expect((await sessionOf(token)).user_id).toBe(0)
  })
})

describe('a token serves one login', () => {
  it('answers 202 again when the same user logs in again on their token', async () => {
    const token = await appToken(qb)
    await login(token, { login: 'amy', password: 'amy-password' })
    expect((await login(token, { login: 'amy', password: 'amy-password' })).status).toBe(202)
  })

  it('refuses (422) another user logging in on an upgraded token', async () => {
    const token = await appToken(qb)
    await login(token, { login: 'amy', password: 'amy-password' })
    const answer = await login(token, { email: 'bob@example.com', password: 'bob-password' })
    expect(answer.status).toBe(422)
    expect(answer.json.errors.base[0]).toMatch(/already logged in/)
    expect((await sessionOf(token)).user_id).toBe(7)
  })

  it('needs a session token (401 without one)', async () => {
    const answer = await call(`${qb.url}/login.json`, 'POST', { body: { login: 'amy', password: 'amy-password' } })
    expect(answer.status).toBe(401)
    expect(answer.json).toEqual({ errors: ['Required session does not exist'] })
  })
})

describe('DELETE /login.json', () => {
  it('downgrades the user session back to an application session', async () => {
    const token = await appToken(qb)
    await login(token, { login: 'amy', password: 'amy-password' })
    const answer = await call(`${qb.url}/login.json`, 'DELETE', { token })
    expect(answer.status).toBe(200)
    expect((await sessionOf(token)).user_id).toBe(0)
  })

  it('is forbidden (403) on an application session', async () => {
    const answer = await call(`${qb.url}/login.json`, 'DELETE', { token: await appToken(qb) })
    expect(answer.status).toBe(403)
    expect(answer.json).toEqual({ errors: { base: ['Forbidden. Need user.'] } })
  })
})

describe('GET /users/{id}.json', () => {
  it('returns the user with every listed field', async () => {
    const token = await appToken(qb)
    const answer = await call(`${qb.url}/users/9.json`, 'GET', { token })
    expect(answer.status).toBe(200)
    expect(answer.json.user).toMatchObject({ id: 9, facebook_id: '1234', login: null, email: null, blob_id: null })
    expect(Object.keys(answer.json.user)).toHaveLength(18)
  })

  it('shows a user added while running: an assigned id, a derived facebook_id, no last request yet', async () => {
    const added = qb.addUser({ login: 'zoe', facebook: { token: 'zoe-fb' } })
    expect(added.id).toBeGreaterThan(10)
    const answer = await call(`${qb.url}/users/${added.id}.json`, 'GET', { token: await appToken(qb) })
    expect(answer.json.user).toMatchObject({
      id: added.id,
      login: 'zoe',
      facebook_id: expect.stringMatching(/^\d+$/),
      last_request_at: null,
    })
  })

  it('answers 404 for an unknown user and 401 without a session', async () => {
    const token = await appToken(qb)
    const missing = await call(`${qb.url}/users/999.json`, 'GET', { token })
    expect(missing.status).toBe(404)
    expect(missing.json).toEqual({ errors: ['Not found'] })
    expect((await call(`${qb.url}/users/7.json`, 'GET')).status).toBe(401)
  })
})
