import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { type Emulator, startEmulator } from 'passport-quickblox/emulator'
import { QuickBloxClient } from '../lib/quickblox/client.js'
import { QuickBloxCredentialsError } from '../lib/quickblox/errors.js'
import { clientFor } from './helpers/quickblox.js'

let qb: Emulator
let client: QuickBloxClient

/** What QuickBlox says about a token, asked directly (not through the client under test). */
async function sessionOf(token: string): Promise<{ status: number; userId?: number }> {
  const res = await fetch(`${qb.url}/session.json`, { headers: { 'QB-Token': token } })
  const body = (await res.json()) as { session?: { user_id: number } }
  return { status: res.status, userId: body.session?.user_id }
}

beforeAll(async () => {
  qb = await startEmulator()
  client = clientFor(qb, { pool: false })
})

afterAll(async () => {
  await client.close()
  await qb.close()
})

describe('login', () => {
  it('logs in with login and password, returning the user and its upgraded session', async () => {
    const { user, session } = await client.login({ login: 'amy', password: 'amy-demo-password' })
    expect(user).toMatchObject({ id: 100001, login: 'amy', full_name: 'Amy Login', user_tags: 'demo' })
    expect(session).toMatchObject({ userId: 100001, applicationId: qb.application.id })
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now() + 60 * 60_000)
    expect(await sessionOf(session.token)).toEqual({ status: 200, userId: 100001 })
  })

  it('logs in with email and password', async () => {
    const { user } = await client.login({ email: 'bob@example.com', password: 'bob-demo-password' })
    expect(user).toMatchObject({ id: 100002, email: 'bob@example.com' })
  })

  it('logs in with a Facebook access token', async () => {
    const { user } = await client.login({ provider: 'facebook', keys: { token: 'demo-facebook-token' } })
    expect(user).toMatchObject({ id: 100003, facebook_id: '89987878' })
  })

  it('logs in with a Firebase phone token', async () => {
    const { user } = await client.login({
      provider: 'firebase_phone',
      firebase_phone: { project_id: 'demo-firebase-project', access_token: 'demo-firebase-token' },
    })
    expect(user).toMatchObject({ id: 100004, phone: '+15555550100' })
  })

  it('sends the credentials as JSON in QuickBlox shape, and nothing else the caller passed', async () => {
    qb.resetLog()
    const credentials = { login: 'amy', password: 'amy-demo-password', isAdmin: true }
    await client.login(credentials)
    const login = qb.requests.find((r) => r.endpoint === 'POST /login.json')
    expect(login?.headers['content-type']).toMatch(/^application\/json/)
    expect(login?.body).toEqual({ login: 'amy', password: '***' })
  })

  it('rejects a wrong password with a credentials error (401)', async () => {
    const error = await client.login({ login: 'amy', password: 'wrong' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxCredentialsError)
    expect(error).toMatchObject({ status: 401, code: 'QB_INVALID_CREDENTIALS' })
  })

  it('uses a new application session for every login', async () => {
    qb.resetLog()
    await Promise.all([1, 2, 3].map(() => client.login({ login: 'amy', password: 'amy-demo-password' })))
    const tokens = qb.requests.filter((r) => r.endpoint === 'POST /login.json').map((r) => r.token)
    expect(new Set(tokens).size).toBe(3)
    expect(qb.counts()['POST /session.json']).toBe(3)
  })

  it('retries once with a fresh session when QuickBlox no longer knows the application session', async () => {
    qb.resetLog()
    qb.failNext('POST /login.json', 'expire-session')
    const { user } = await client.login({ login: 'amy', password: 'amy-demo-password' })
    expect(user.id).toBe(100001)
    const logins = qb.requests.filter((r) => r.endpoint === 'POST /login.json')
    expect(logins.map((r) => r.status)).toEqual([401, 202])
    expect(logins[0]?.token).not.toBe(logins[1]?.token)
    expect(qb.counts()['POST /session.json']).toBe(2)
  })
})

describe('logout', () => {
  it('refuses a missing or mangled token before calling QuickBlox', async () => {
    qb.resetLog()
    for (const token of [undefined, '', 'has space', 'line\r\nbreak', 'x'.repeat(1025), 42]) {
      await expect(client.logout(token as string)).rejects.toThrow(/logout\(token\) needs the session token/)
    }
    expect(qb.counts()['DELETE /session.json']).toBe(0)
  })

  it('ends the session: the token stops working', async () => {
    const { session } = await client.login({ login: 'amy', password: 'amy-demo-password' })
    await client.logout(session.token)
    expect((await sessionOf(session.token)).status).toBe(401)
  })

  it('treats a token QuickBlox no longer knows as already logged out', async () => {
    const { session } = await client.login({ login: 'amy', password: 'amy-demo-password' })
    await client.logout(session.token)
    await expect(client.logout(session.token)).resolves.toBeUndefined()
  })
})
