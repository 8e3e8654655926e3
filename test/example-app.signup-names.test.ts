// Sign-up probed as an attacker would, next to the demo user `amy`: case variants, full-width
// letters, a Cyrillic look-alike, an invisible character, and a login that looks like an email
// are refused before QuickBlox is asked; the sign-in limiter counts every such spelling as `amy`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { QuickBloxAdmin } from '../lib/index.js'
import { csrfFrom, startExample, testLimits, type ExampleApp } from './helpers/example-app.js'

let emulator: Emulator
let admin: QuickBloxAdmin
let app: ExampleApp

beforeAll(async () => {
  emulator = await startEmulator()
  admin = new QuickBloxAdmin({ apiKey: emulator.application.apiKey, apiEndpoint: emulator.url })
  app = await startExample({
    emulator,
    app: {
      admin,
      trustProxy: 'loopback',
      limits: { ...testLimits({ accountAddress: 2 }), signups: { windowMs: 60_000, limit: 1000 } },
    },
  })
})
afterAll(async () => {
  await app.close()
  await admin.close()
  await emulator.close()
})

async function signUp(login: string, password = 'a-long-password-1') {
  const agent = request.agent(app.url)
  const _csrf = await csrfFrom(agent, '/signup')
  return agent.post('/signup').set('X-Forwarded-For', '192.0.2.70').type('form').send({ login, password, _csrf })
}
const created = () => emulator.counts()['POST /users.json']

describe('sign-up refuses a login that could pass for another', () => {
  it.each([
    ['a case variant of a taken one', 'Amy', 'must be written in lower case and plain characters: &quot;amy&quot;'],
    ['an upper-case one', 'AMY', 'must be written in lower case and plain characters: &quot;amy&quot;'],
    ['full-width letters', 'ａｍｙ', 'must be written in lower case and plain characters: &quot;amy&quot;'],
    ['Latin mixed with Cyrillic (а is U+0430)', '\u0430my', 'must be written in one alphabet'],
    ['a zero-width space', 'amy\u200b', 'must not contain spaces or invisible characters'],
    ['a right-to-left mark', 'amy\u200f', 'must not contain spaces or invisible characters'],
    ['a space inside', 'amy pond', 'must not contain spaces or invisible characters'],
    ['an @, which the sign-in form would send as an email', 'amy@example.com', 'must not contain @'],
  ])('%s (400, beside the login, QuickBlox not asked)', async (_what, login, message) => {
    const before = created()
    const res = await signUp(login)
    expect(res.status).toBe(400)
    expect(res.text).toContain(`id="login-error">Login ${message}`)
    expect(created()).toBe(before)
  })

  it('refuses the exact taken login through QuickBlox (422)', async () => {
    const res = await signUp('amy')
    expect(res.status).toBe(422)
    expect(res.text).toMatch(/id="login-error">Login has already been taken/)
  })

  it('accepts a new lower-case login, in Latin or in another single alphabet', async () => {
    expect((await signUp('amy-two')).status).toBe(303)
    expect((await signUp('мария')).status).toBe(303)
    expect((await signUp('さくら')).status).toBe(303)
  })
})

describe('the sign-in limiter', () => {
  it('counts wrong passwords for `AMY` and `amy` + a zero-width space against `amy`', async () => {
    const from = '192.0.2.71'
    const post = (login: string, password: string) =>
      request(app.url).post('/api/login').set('X-Forwarded-For', from).send({ login, password })
    expect((await post('AMY', 'wrong-password')).status).toBe(401)
    expect((await post('amy\u200b', 'wrong-password')).status).toBe(401)
    const locked = await post('amy', 'amy-demo-password')
    expect(locked.status).toBe(429)
    // Another account from the same address is not locked.
    const bob = await request(app.url)
      .post('/api/login')
      .set('X-Forwarded-For', from)
      .send({ email: 'bob@example.com', password: 'bob-demo-password' })
    expect(bob.status).toBe(200)
  })
})
