// Sign-in as users see it: express-session + passport.session(), a cookie-keeping agent,
// redirects, session messages and failWithError.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxStrategy } from '../lib/index.js'
import { startApp, type TestApp } from './helpers/app.js'
import { AMY, optionsFor, startTestEmulator } from './helpers/quickblox.js'

let emulator: Emulator
let strategy: QuickBloxStrategy
let plain: TestApp
let redirecting: TestApp
let throwing: TestApp

beforeAll(async () => {
  emulator = await startTestEmulator()
  strategy = new QuickBloxStrategy(optionsFor(emulator), async (user, session) => ({
    id: user.id,
    login: user.login,
    token: session.token,
  }))
  plain = await startApp(strategy)
  redirecting = await startApp(strategy, {
    authenticate: { successRedirect: '/', failureRedirect: '/login', failureMessage: true },
  })
  throwing = await startApp(strategy, { authenticate: { failWithError: true } })
})
afterAll(async () => {
  await Promise.all([plain, redirecting, throwing].map((a) => a.close()))
  await strategy.close()
  await emulator.close()
})

describe('req.user and the session', () => {
  it('sets req.user on login and keeps it across requests', async () => {
    await plain.agent.get('/me').expect(401)
    const login = await plain.agent.post('/login').send({ login: AMY.login, password: AMY.password })
    expect(login.status).toBe(200)
    expect(login.headers['set-cookie']).toBeDefined()
    const me = await plain.agent.get('/me')
    expect(me.status).toBe(200)
    expect(me.body.user).toMatchObject({ id: login.body.user.id, login: 'amy' })
    const again = await plain.agent.get('/me')
    expect(again.body.user.id).toBe(login.body.user.id)
  })

  it('does not sign in a failed login', async () => {
    // A browser of its own: the shared agent is already signed in, so it could not tell.
    const stranger = request.agent(plain.url)
    const login = await stranger.post('/login').send({ login: AMY.login, password: 'nope' })
    expect(login.status).toBe(401)
    const me = await stranger.get('/me')
    expect(me.status).toBe(401)
    expect(me.body).toEqual({ user: null })
  })
})

describe('redirects and session messages', () => {
  it('redirects to successRedirect', async () => {
    const res = await redirecting.agent.post('/login').type('form').send({ login: AMY.login, password: AMY.password })
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe('/')
    expect((await redirecting.agent.get('/me')).status).toBe(200)
  })

  it('redirects to failureRedirect and stores the message for a wrong password', async () => {
    const res = await redirecting.agent
      .post('/login')
      .type('form')
      .send({ login: AMY.login, password: 'wrong-password' })
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe('/login')
    const { body } = await redirecting.agent.get('/messages')
    expect(body.messages).toEqual([expect.stringMatching(/rejected/i)])
  })

  it('stores the bad-request message for missing credentials', async () => {
    const res = await redirecting.agent.post('/login').type('form').send({ login: AMY.login })
    expect(res.status).toBe(302)
    const { body } = await redirecting.agent.get('/messages')
    expect(body.messages).toContain('Missing credentials')
  })
})

describe('failWithError', () => {
  it('hands a 401 AuthenticationError to the error handler for a wrong password', async () => {
    const res = await throwing.agent.post('/login').send({ login: AMY.login, password: 'wrong-password' })
    expect(res.status).toBe(401)
    expect(res.body.error).toMatchObject({ name: 'AuthenticationError', status: 401 })
  })

  it('hands a 400 AuthenticationError to the error handler for malformed credentials', async () => {
    const res = await throwing.agent.post('/login').send({ login: AMY.login, password: 42 })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ name: 'AuthenticationError', status: 400 })
  })
})
