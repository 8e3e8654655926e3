// Every login method, in every body encoding, through a real Express 5 app and the emulator.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxStrategy, type QuickBloxSession, type QuickBloxUser } from '../lib/index.js'
import { startApp, type TestApp } from './helpers/app.js'
import { AMY, FACEBOOK_USER, FIREBASE_USER, calls, optionsFor, startTestEmulator } from './helpers/quickblox.js'

let emulator: Emulator
let strategy: QuickBloxStrategy
const apps: TestApp[] = []
const seen: { user: QuickBloxUser; session: QuickBloxSession }[] = []

beforeAll(async () => {
  emulator = await startTestEmulator()
  strategy = new QuickBloxStrategy(optionsFor(emulator), (user, session, done) => {
    seen.push({ user, session })
    done(null, { id: user.id, login: user.login })
  })
  for (const parsing of ['json', 'extended', 'simple'] as const) apps.push(await startApp(strategy, { parsing }))
})
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()))
  await strategy.close()
  await emulator.close()
})

const userId = (login: string): number => emulator.users.find((u) => u.login === login)!.id

describe('logging in with each method', () => {
  it('logs in with login + password (JSON body)', async () => {
    const res = await apps[0]!.agent.post('/login').send({ login: AMY.login, password: AMY.password })
    expect(res.status).toBe(200)
    expect(res.body.user).toEqual({ id: userId('amy'), login: 'amy' })
  })

  it('logs in with email + password', async () => {
    const res = await apps[0]!.agent.post('/login').send({ email: AMY.email, password: AMY.password })
    expect(res.status).toBe(200)
    expect(res.body.user.id).toBe(userId('amy'))
  })

  it('logs in with a Facebook token', async () => {
    const res = await apps[0]!.agent
      .post('/login')
      .send({ provider: 'facebook', keys: { token: FACEBOOK_USER.facebook.token } })
    expect(res.status).toBe(200)
    expect(res.body.user.id).toBe(userId('fb-fan'))
  })

  it('logs in with a Facebook token and secret', async () => {
    const res = await apps[0]!.agent
      .post('/login')
      .send({ provider: 'facebook', keys: { token: FACEBOOK_USER.facebook.token, secret: 'fb-secret' } })
    expect(res.status).toBe(200)
    expect(res.body.user.id).toBe(userId('fb-fan'))
  })

  it('logs in with a Firebase phone token', async () => {
    const res = await apps[0]!.agent
      .post('/login')
      .send({ provider: 'firebase_phone', firebase_phone: FIREBASE_USER.firebase_phone })
    expect(res.status).toBe(200)
    expect(res.body.user.id).toBe(userId('phone-person'))
  })

  it('hands verify the QuickBlox user and their session', async () => {
    seen.length = 0
    await apps[0]!.agent.post('/login').send({ login: AMY.login, password: AMY.password }).expect(200)
    expect(seen).toHaveLength(1)
    const { user, session } = seen[0]!
    expect(user).toMatchObject({ id: userId('amy'), login: 'amy', email: AMY.email, full_name: AMY.full_name })
    expect(session.userId).toBe(user.id)
    expect(session.applicationId).toBe(emulator.application.id)
    expect(typeof session.token).toBe('string')
    expect(session.expiresAt).toBeInstanceOf(Date)
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now())
  })

  it('makes one session call and one login call per login (no pool)', async () => {
    emulator.resetLog()
    await apps[0]!.agent.post('/login').send({ login: AMY.login, password: AMY.password }).expect(200)
    expect(calls(emulator, 'POST /session.json')).toBe(1)
    expect(calls(emulator, 'POST /login.json')).toBe(1)
  })
})

describe('body encodings', () => {
  it('reads urlencoded bodies parsed with extended: true (nested keys)', async () => {
    const res = await apps[1]!.agent
      .post('/login')
      .type('form')
      .send('provider=facebook&keys%5Btoken%5D=' + FACEBOOK_USER.facebook.token)
    expect(res.status).toBe(200)
    expect(res.body.user.id).toBe(userId('fb-fan'))
  })

  it('reads urlencoded bodies parsed with extended: false (bracketed names)', async () => {
    const res = await apps[2]!.agent
      .post('/login')
      .type('form')
      .send(
        'provider=firebase_phone&firebase_phone%5Bproject_id%5D=my-firebase-project' +
          '&firebase_phone%5Baccess_token%5D=firebase-id-token-1',
      )
    expect(res.status).toBe(200)
    expect(res.body.user.id).toBe(userId('phone-person'))
  })

  it('reads login + password from a flat urlencoded form', async () => {
    const res = await apps[2]!.agent.post('/login').type('form').send({ login: AMY.login, password: AMY.password })
    expect(res.status).toBe(200)
    expect(res.body.user.id).toBe(userId('amy'))
  })
})
