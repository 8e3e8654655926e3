import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { appToken, call, createSession, type Encoding } from './helpers/emulator.js'

let qb: Emulator
beforeAll(async () => {
  qb = await startEmulator({
    applications: [{ id: 42, authKey: 'key-42', authSecret: 'secret-42' }],
    users: [
      { id: 7, login: 'amy', password: 'amy-password', full_name: 'Amy' },
      { id: 8, email: 'bob@example.com', password: 'bob-password' },
      { id: 9, facebook: { token: 'fb-token' } },
      { id: 10, firebase_phone: { project_id: 'proj', access_token: 'fire-token' } },
    ],
  })
})
afterAll(() => qb.close())

describe.each<Encoding>(['json', 'form'])('POST /session.json (%s body)', (encoding) => {
  it('creates an application session (user_id 0) with a 40-hex token and its expiry header', async () => {
    const answer = await createSession(qb, {}, encoding)
    expect(answer.status).toBe(201)
    const session = answer.json.session
    expect(Object.keys(session).sort()).toEqual([
      '_id',
      'application_id',
      'created_at',
      'device_id',
      'id',
      'nonce',
      'token',
      'ts',
      'updated_at',
      'user_id',
    ])
    expect(session).toMatchObject({ application_id: 42, user_id: 0 })
    expect(session.token).toMatch(/^[0-9a-f]{40}$/)
    const expires = answer.headers.get('qb-token-expirationdate')!
    expect(expires).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/)
    const ms = Date.parse(expires.replace(' UTC', 'Z').replace(' ', 'T')) - Date.now()
    expect(ms).toBeGreaterThan(2 * 3600_000 - 60_000)
    expect(ms).toBeLessThanOrEqual(2 * 3600_000 + 1000)
  })

  it.each([
    ['login + password', { user: { login: 'amy', password: 'amy-password' } }, 7],
    ['email + password', { user: { email: 'bob@example.com', password: 'bob-password' } }, 8],
    ['facebook token', { provider: 'facebook', keys: { token: 'fb-token' } }, 9],
    [
      'firebase phone',
      { provider: 'firebase_phone', firebase_phone: { project_id: 'proj', access_token: 'fire-token' } },
      10,
    ],
  ])('creates a user session with %s', async (_name, extra, userId) => {
    const answer = await createSession(qb, extra, encoding)
    expect(answer.status).toBe(201)
    expect(answer.json.session.user_id).toBe(userId)
  })

  it('refuses a wrong password with 401 Unauthorized', async () => {
    const answer = await createSession(qb, { user: { login: 'amy', password: 'nope' } }, encoding)
    expect(answer.status).toBe(401)
    expect(answer.json).toEqual({ errors: ['Unauthorized'] })
  })
})

describe('GET and DELETE /session.json', () => {
  it('returns the session of the token sent', async () => {
    const created = (await createSession(qb)).json.session
    const answer = await call(`${qb.url}/session.json`, 'GET', { token: created.token })
    expect(answer.status).toBe(200)
    expect(answer.json.session).toEqual(created)
    expect(answer.headers.get('qb-token-expirationdate')).toMatch(/ UTC$/)
  })

  it('destroys the session so its token stops working', async () => {
    const token = await appToken(qb)
    expect((await call(`${qb.url}/session.json`, 'DELETE', { token })).status).toBe(200)
    const after = await call(`${qb.url}/session.json`, 'GET', { token })
    expect(after.status).toBe(401)
    expect(after.json).toEqual({ errors: { base: ['Required session does not exist'] } })
  })

  it.each([
    ['no token', undefined],
    ['an unknown token', 'a'.repeat(40)],
  ])('answers 401 to %s', async (_name, token) => {
    const answer = await call(`${qb.url}/session.json`, 'GET', token ? { token } : {})
    expect(answer.status).toBe(401)
    expect(answer.json).toEqual({ errors: { base: ['Required session does not exist'] } })
  })

  it('hands out a different token for every session', async () => {
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => appToken(qb)))
    expect(new Set(tokens).size).toBe(5)
  })
})
