// What reaches QuickBlox: the credentials a user posts to the app arrive at `POST /login.json`
// in QuickBlox's shape, all of them and nothing else, as the emulator's request log shows.
// The log masks secrets as '***', which still shows that one was sent.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxStrategy } from '../lib/index.js'
import { startApp, type TestApp } from './helpers/app.js'
import { AMY, FACEBOOK_USER, FIREBASE_USER, optionsFor, startTestEmulator } from './helpers/quickblox.js'

let emulator: Emulator
let strategy: QuickBloxStrategy
let app: TestApp

beforeAll(async () => {
  emulator = await startTestEmulator()
  strategy = new QuickBloxStrategy(optionsFor(emulator), (user, _session, done) => done(null, { id: user.id }))
  app = await startApp(strategy)
})
beforeEach(() => emulator.resetLog())
afterAll(async () => {
  await app.close()
  await strategy.close()
  await emulator.close()
})

/** The body of the one `POST /login.json` the emulator received, as its log keeps it. */
function loginBody(): unknown {
  const logins = emulator.requests.filter((r) => r.endpoint === 'POST /login.json')
  expect(logins).toHaveLength(1)
  return logins[0]!.body
}

describe('credentials forwarded to QuickBlox', () => {
  it('sends the Facebook secret along with the token when the user gives one', async () => {
    await app.agent
      .post('/login')
      .send({ provider: 'facebook', keys: { token: FACEBOOK_USER.facebook.token, secret: 'fb-app-secret-proof' } })
      .expect(200)
    expect(loginBody()).toEqual({ provider: 'facebook', keys: { token: '***', secret: '***' } })
  })

  it('sends the Facebook secret from a bracketed form field too', async () => {
    await app.agent
      .post('/login')
      .type('form')
      .send(`provider=facebook&keys%5Btoken%5D=${FACEBOOK_USER.facebook.token}&keys%5Bsecret%5D=fb-app-secret-proof`)
      .expect(200)
    expect(loginBody()).toEqual({ provider: 'facebook', keys: { token: '***', secret: '***' } })
  })

  it('sends no secret key at all when the user gives none', async () => {
    await app.agent
      .post('/login')
      .send({ provider: 'facebook', keys: { token: FACEBOOK_USER.facebook.token } })
      .expect(200)
    expect(loginBody()).toEqual({ provider: 'facebook', keys: { token: '***' } })
  })

  it('sends the Firebase project id and token, and only those', async () => {
    await app.agent
      .post('/login')
      .send({
        provider: 'firebase_phone',
        firebase_phone: { ...FIREBASE_USER.firebase_phone, extra: 'x' },
        login: 'ignored',
      })
      .expect(200)
    expect(loginBody()).toEqual({
      provider: 'firebase_phone',
      firebase_phone: { project_id: FIREBASE_USER.firebase_phone.project_id, access_token: '***' },
    })
  })

  it('sends an email and password as QuickBlox names them, and nothing else the user posted', async () => {
    await app.agent.post('/login').send({ email: AMY.email, password: AMY.password, isAdmin: true }).expect(200)
    expect(loginBody()).toEqual({ email: AMY.email, password: '***' })
  })
})
