import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator, type EmulatorApplication } from 'passport-quickblox/emulator'
import { call, sessionParams, type Params } from './helpers/emulator.js'

// Each user's created_at and updated_at of its own making, and last_request_at following the
// use of their token, all on the emulator's clock.
const app: EmulatorApplication = { id: 91, authKey: 'key-91', authSecret: 'secret-91', apiKey: 'api-key-91' }
const START = Date.parse('2026-06-01T09:00:00Z')
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
let clock = START
let qb: Emulator
beforeAll(async () => {
  qb = await startEmulator({
    applications: [app],
    users: [{ id: 7, login: 'seeded', password: 'seeded-password' }],
    now: () => clock,
  })
})
afterAll(() => qb.close())

const apiKey = { Authorization: `ApiKey ${app.apiKey}` }
/** Moves the emulator's clock (and the timestamps signed for it) `seconds` on. */
const later = (seconds: number): void => void (clock += seconds * 1000)
const session = async (user?: Params): Promise<string> => {
  const answer = await call(`${qb.url}/session.json`, 'POST', {
    body: sessionParams(app, user ? { user } : {}, { timestamp: Math.floor(clock / 1000) }),
  })
  expect(answer.status).toBe(201)
  return answer.json.session.token
}
const userJson = async (id: number) =>
  (await call(`${qb.url}/users/${id}.json`, 'GET', { headers: apiKey })).json.user as Record<string, unknown>
let serial = 0
async function created(): Promise<{ id: number; login: string; password: string }> {
  const login = `stamp-${++serial}`
  const password = 'stamp-password'
  const answer = await call(`${qb.url}/users.json`, 'POST', { body: { user: { login, password } }, headers: apiKey })
  expect(answer.status).toBe(201)
  return { id: answer.json.user.id, login, password }
}

describe('created_at and updated_at', () => {
  it('dates a seeded user at the emulator’s start', async () => {
    expect(await userJson(7)).toMatchObject({ created_at: iso(START), updated_at: iso(START) })
  })

  it('dates a new user at its creation, both fields alike', async () => {
    later(60)
    const at = clock
    const user = await created()
    expect(await userJson(user.id)).toMatchObject({ created_at: iso(at), updated_at: iso(at) })
  })

  it('moves updated_at, and only it, when the user is changed', async () => {
    const user = await created()
    const createdAt = iso(clock)
    later(90)
    const answer = await call(`${qb.url}/users/${user.id}.json`, 'PUT', {
      body: { user: { full_name: 'Changed Name' } },
      headers: apiKey,
    })
    expect(answer.json.user).toMatchObject({ created_at: createdAt, updated_at: iso(clock) })
    expect(await userJson(user.id)).toMatchObject({ created_at: createdAt, updated_at: iso(clock) })
  })

  it('moves updated_at when the password is reset through the emulator’s page', async () => {
    const email = `stamped-${++serial}@example.com`
    const { id } = qb.addUser({ email, password: 'before-reset', application_id: app.id })
    const token = await session()
    expect((await call(`${qb.url}/users/password/reset.json?email=${email}`, 'GET', { token })).status).toBe(200)
    later(30)
    const link = new URL(qb.lastResetLink(email)!)
    const done = await call(`${qb.url}/password/reset`, 'POST', {
      encoding: 'form',
      body: { token: link.searchParams.get('token')!, password: 'after-reset', password_confirmation: 'after-reset' },
    })
    expect(done.status).toBe(200)
    expect((await userJson(id)).updated_at).toBe(iso(clock))
  })
})

describe('last_request_at', () => {
  it('is null until the user has made a request', async () => {
    const user = await created()
    expect((await userJson(user.id)).last_request_at).toBeNull()
  })

  it('is set when the user signs in, and follows each later use of their token', async () => {
    const user = await created()
    later(10)
    const token = await session({ login: user.login, password: user.password })
    expect((await userJson(user.id)).last_request_at).toBe(iso(clock))
    later(120)
    expect((await call(`${qb.url}/session.json`, 'GET', { token })).status).toBe(200)
    expect((await userJson(user.id)).last_request_at).toBe(iso(clock))
  })

  it('follows the user who made the request, not the user looked up', async () => {
    const looker = await created()
    const looked = await created()
    const token = await session({ login: looker.login, password: looker.password })
    later(45)
    expect((await call(`${qb.url}/users/${looked.id}.json`, 'GET', { token })).status).toBe(200)
    expect((await userJson(looker.id)).last_request_at).toBe(iso(clock))
    expect((await userJson(looked.id)).last_request_at).toBeNull()
  })

  it('is not moved by an application session or the API key', async () => {
    const user = await created()
    const appToken = await session()
    later(5)
    expect((await call(`${qb.url}/users/${user.id}.json`, 'GET', { token: appToken })).status).toBe(200)
    expect((await call(`${qb.url}/users/${user.id}.json`, 'GET', { headers: apiKey })).status).toBe(200)
    expect((await userJson(user.id)).last_request_at).toBeNull()
  })

  it('is set by a token the API key issued, once it is used', async () => {
    const user = await created()
    const issued = await call(`${qb.url}/users/${user.id}/tokens`, 'POST', { headers: apiKey })
    expect((await userJson(user.id)).last_request_at).toBeNull()
    later(15)
    expect((await call(`${qb.url}/session.json`, 'GET', { token: issued.json.token })).status).toBe(200)
    expect((await userJson(user.id)).last_request_at).toBe(iso(clock))
  })
})
