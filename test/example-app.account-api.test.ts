// The example app's JSON API for the signed-in user's own account, over real HTTP against the
// emulator: PATCH /api/me, PUT /api/me/password, DELETE /api/me, with the same rules as the pages.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import request, { type Agent } from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { sessionStatus, startExample, testLimits, type ExampleApp } from './helpers/example-app.js'
import { newUser, sidCookie, tokensOf, type TestUser } from './helpers/accounts.js'
import { createTokenStrategy } from '../example-app/token-auth.js'
import { sessionParams } from './helpers/emulator.js'

let emulator: Emulator
let app: ExampleApp
const from = '192.0.2.20'

beforeAll(async () => {
  emulator = await startEmulator()
  const { id: appId } = emulator.application
  app = await startExample({
    emulator,
    app: {
      trustProxy: 'loopback',
      limits: testLimits({ accountAddress: 3 }),
      tokenStrategy: createTokenStrategy({ appId, apiEndpoint: emulator.url }),
    },
  })
})
afterAll(async () => {
  await app.close()
  await emulator.close()
})

/** A JSON client signed in as `user` through POST /api/login (a session cookie). */
async function apiClient(user: TestUser, address = from): Promise<Agent> {
  const agent = request.agent(app.url)
  const res = await agent
    .post('/api/login')
    .set('X-Forwarded-For', address)
    .send({ login: user.login, password: user.password })
  expect(res.status).toBe(200)
  return agent
}
const me = (agent: Agent) => agent.get('/api/me').set('X-Forwarded-For', from)

describe('PATCH /api/me', () => {
  it('changes the full name and email and answers the user', async () => {
    const user = await newUser(emulator)
    const agent = await apiClient(user)
    const res = await agent
      .patch('/api/me')
      .set('X-Forwarded-For', from)
      .send({ full_name: 'Api Name', email: `api-${user.email}` })
    expect(res.status).toBe(200)
    expect(res.body.user).toMatchObject({ id: user.id, full_name: 'Api Name', email: `api-${user.email}` })
    expect(res.body.user.qbToken).toBeUndefined()
    expect((await me(agent)).body.user.full_name).toBe('Api Name')
  })

  it("answers QuickBlox's field errors as 422 {error, fields}, and its own checks as 400", async () => {
    const user = await newUser(emulator)
    const agent = await apiClient(user)
    const taken = await agent.patch('/api/me').set('X-Forwarded-For', from).send({ email: 'bob@example.com' })
    expect(taken.status).toBe(422)
    expect(taken.body.fields).toEqual({ email: 'has already been taken' })
    const empty = await agent.patch('/api/me').set('X-Forwarded-For', from).send({})
    expect(empty.status).toBe(400)
    const notText = await agent
      .patch('/api/me')
      .set('X-Forwarded-For', from)
      .send({ full_name: ['x'] })
    expect(notText.status).toBe(400)
    expect(notText.body.fields).toEqual({ full_name: 'must be text' })
  })

  it('is 401 for nobody signed in, and 415 for a body that is not JSON (no CSRF token needed, none possible cross-site)', async () => {
    expect((await request(app.url).patch('/api/me').send({ full_name: 'x' })).status).toBe(401)
    const user = await newUser(emulator)
    const agent = await apiClient(user)
    const form = await agent
      .patch('/api/me')
      .set('X-Forwarded-For', from)
      .type('form')
      .send({ full_name: 'Cross Site' })
    expect(form.status).toBe(415)
    expect((await me(agent)).body.user.full_name).not.toBe('Cross Site')
  })

  it("works with a client's Bearer token too, for that request only", async () => {
    const user = await newUser(emulator)
    const login = await fetch(`${emulator.url}/session.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        sessionParams(emulator.application, { user: { login: user.login, password: user.password } }),
      ),
    })
    const { session } = (await login.json()) as { session: { token: string } }
    const res = await request(app.url)
      .patch('/api/me')
      .set('Authorization', `Bearer ${session.token}`)
      .send({ full_name: 'Bearer Name' })
    expect(res.status).toBe(200)
    expect(res.body.user.full_name).toBe('Bearer Name')
    expect(sidCookie(res.headers['set-cookie'])).toBeUndefined()
  })
})

describe('PUT /api/me/password', () => {
  it('changes the password (204): this client keeps a new session, every other session of the user ends', async () => {
    const user = await newUser(emulator)
    const other = await apiClient(user, '192.0.2.21')
    const agent = await apiClient(user)
    const before = await tokensOf(app.store, user.id)
    const next = `${user.password}-api`
    const res = await agent
      .put('/api/me/password')
      .set('X-Forwarded-For', from)
      .send({ current_password: user.password, new_password: next })
    expect(res.status).toBe(204)
    expect(sidCookie(res.headers['set-cookie'])).toBeDefined()
    expect((await me(agent)).status).toBe(200)
    expect((await me(other)).status).toBe(401)
    for (const token of before) expect(await sessionStatus(emulator, token)).toBe(401)
    await apiClient({ ...user, password: next })
  })

  it('answers a wrong current password 422 with fields.current_password, and counts it on the account', async () => {
    const user = await newUser(emulator)
    const agent = await apiClient(user)
    const wrong = { current_password: 'not-it-at-all', new_password: 'a-new-password-1' }
    for (let i = 0; i < 3; i++) {
      const res = await agent.put('/api/me/password').set('X-Forwarded-For', from).send(wrong)
      expect(res.status).toBe(422)
      expect(res.body.fields).toEqual({ current_password: 'is not correct' })
      expect(JSON.stringify(res.body)).not.toContain('not-it-at-all')
    }
    const limited = await agent.put('/api/me/password').set('X-Forwarded-For', from).send(wrong)
    expect(limited.status).toBe(429)
    const signIn = await request(app.url)
      .post('/api/login')
      .set('X-Forwarded-For', from)
      .send({ login: user.login, password: user.password })
    expect(signIn.status).toBe(429)
  })

  it('answers 400 when a field is missing, before asking QuickBlox', async () => {
    const user = await newUser(emulator)
    const agent = await apiClient(user)
    const calls = emulator.counts()['PUT /users/:id.json']
    const res = await agent
      .put('/api/me/password')
      .set('X-Forwarded-For', from)
      .send({ current_password: user.password })
    expect(res.status).toBe(400)
    expect(res.body.fields).toEqual({ new_password: 'is required' })
    expect(emulator.counts()['PUT /users/:id.json']).toBe(calls)
  })
})

describe('DELETE /api/me', () => {
  it('deletes the account (204) after checking the password, and every session of the user ends', async () => {
    const user = await newUser(emulator)
    const other = await apiClient(user, '192.0.2.21')
    const agent = await apiClient(user)
    const res = await agent.delete('/api/me').set('X-Forwarded-For', from).send({ password: user.password })
    expect(res.status).toBe(204)
    expect((await me(agent)).status).toBe(401)
    expect((await me(other)).status).toBe(401)
    expect(await tokensOf(app.store, user.id)).toEqual([])
    const signIn = await request(app.url)
      .post('/api/login')
      .set('X-Forwarded-For', '192.0.2.22')
      .send({ login: user.login, password: user.password })
    expect(signIn.status).toBe(401)
  })

  it('answers a wrong password 422 with fields.password and deletes nothing', async () => {
    const user = await newUser(emulator)
    const agent = await apiClient(user)
    const res = await agent.delete('/api/me').set('X-Forwarded-For', from).send({ password: 'wrong-password' })
    expect(res.status).toBe(422)
    expect(res.body.fields).toEqual({ password: 'is not correct' })
    expect((await me(agent)).status).toBe(200)
  })

  it('is 401 for nobody signed in', async () => {
    expect((await request(app.url).delete('/api/me').send({ password: 'x' })).status).toBe(401)
  })

  it("deletes a provider's user with that provider's credential in place of a password", async () => {
    const dan = {
      provider: 'firebase_phone',
      firebase_phone: { project_id: 'demo-firebase-project', access_token: 'demo-firebase-token' },
    }
    const agent = request.agent(app.url)
    expect((await agent.post('/api/login').set('X-Forwarded-For', from).send(dan)).status).toBe(200)
    const wrong = { provider: 'facebook', keys: { token: 'demo-facebook-token' } } // Carol's, not Dan's
    const refused = await agent.delete('/api/me').set('X-Forwarded-For', from).send(wrong)
    expect(refused.status).toBe(422)
    expect(refused.body.fields).toEqual({ base: 'Those credentials do not sign in to this account.' })
    expect((await agent.delete('/api/me').set('X-Forwarded-For', from).send(dan)).status).toBe(204)
    expect((await request(app.url).post('/api/login').set('X-Forwarded-For', '192.0.2.23').send(dan)).status).toBe(401)
  })
})
