// The example app's sign-up page over real HTTP against the emulator: the QuickBlox user is
// created with the application's API key (QuickBloxAdmin), then signed in; QuickBlox's field
// errors are shown beside the fields; CSRF and a per-address limit guard it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { QuickBloxAdmin } from '../lib/index.js'
import { csrfFrom, sidCookie, startExample, testLimits, type ExampleApp } from './helpers/example-app.js'

let emulator: Emulator
const admins: QuickBloxAdmin[] = []
const apps: ExampleApp[] = []

beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()))
  await Promise.all(admins.map((admin) => admin.close()))
  await emulator.close()
})

async function exampleWithSignup(signups = 1000): Promise<ExampleApp> {
  const admin = new QuickBloxAdmin({ apiKey: emulator.application.apiKey, apiEndpoint: emulator.url })
  admins.push(admin)
  const app = await startExample({
    emulator,
    app: {
      admin,
      trustProxy: 'loopback',
      limits: { ...testLimits({}), signups: { windowMs: 60_000, limit: signups } },
    },
  })
  apps.push(app)
  return app
}

/** Posts the sign-up form with a CSRF token of its own, from `from`. */
async function signUp(app: ExampleApp, form: Record<string, string>, from = '192.0.2.60') {
  const agent = request.agent(app.url)
  const _csrf = await csrfFrom(agent, '/signup')
  const res = await agent
    .post('/signup')
    .set('X-Forwarded-For', from)
    .type('form')
    .send({ ...form, _csrf })
  return { res, agent }
}
const users = () => emulator.counts()['POST /users.json']

describe('sign-up', () => {
  it('serves the form, and the login page links to it', async () => {
    const app = await exampleWithSignup()
    const page = await request(app.url).get('/signup')
    expect(page.status).toBe(200)
    for (const name of ['login', 'email', 'full_name', 'password', '_csrf'])
      expect(page.text).toContain(`name="${name}"`)
    expect((await request(app.url).get('/login')).text).toContain('href="/signup"')
  })

  it('creates the QuickBlox user, signs them in, and they can sign in with the password after', async () => {
    const app = await exampleWithSignup()
    const { res, agent } = await signUp(app, { login: 'erin', full_name: 'Erin New', password: 'erin-password-1' })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/profile')
    expect(sidCookie(res.headers['set-cookie'])).toBeDefined()
    const profile = await agent.get('/profile')
    expect(profile.text).toContain('Erin New')
    expect(profile.text).not.toContain('erin-password-1')
    const again = await request(app.url).post('/api/login').send({ login: 'erin', password: 'erin-password-1' })
    expect(again.status).toBe(200)
    expect(again.body.user.full_name).toBe('Erin New')
  })

  it("shows QuickBlox's field errors beside the fields (422), keeping what was typed but the password", async () => {
    const app = await exampleWithSignup()
    const taken = await signUp(app, { login: 'amy', email: 'new-amy@example.com', password: 'a-long-password' })
    expect(taken.res.status).toBe(422)
    expect(taken.res.text).toMatch(/id="login-error">Login has already been taken/)
    expect(taken.res.text).toContain('value="new-amy@example.com"')
    expect(taken.res.text).not.toContain('a-long-password')
    const short = await signUp(app, { login: 'frank', password: 'short' })
    expect(short.res.status).toBe(422)
    expect(short.res.text).toMatch(/id="password-error">Password is too short/)
    expect(sidCookie(short.res.headers['set-cookie'])).toBeUndefined()
  })

  it('refuses what it can tell is wrong before asking QuickBlox (400), and a form without its token (403)', async () => {
    const app = await exampleWithSignup()
    emulator.resetLog()
    const empty = await signUp(app, { full_name: 'Nobody', password: '' })
    expect(empty.res.status).toBe(400)
    expect(empty.res.text).toContain('Login or an email is required')
    expect(empty.res.text).toContain('Password is required')
    const long = await signUp(app, { login: 'x'.repeat(300), password: 'a-long-password' })
    expect(long.res.status).toBe(400)
    expect(long.res.text).toContain('is too long')
    const noToken = await request(app.url)
      .post('/signup')
      .type('form')
      .send({ login: 'gina', password: 'gina-password' })
    expect(noToken.status).toBe(403)
    expect(users()).toBe(0)
  })

  it('limits sign-ups per address: 429 with Retry-After, and only attempts that reached QuickBlox count', async () => {
    const app = await exampleWithSignup(2)
    expect((await signUp(app, { password: 'x' })).res.status).toBe(400) // not counted
    expect((await signUp(app, { login: 'hank', password: 'hank-password' })).res.status).toBe(303)
    expect((await signUp(app, { login: 'amy', password: 'hank-password' })).res.status).toBe(422)
    const third = await signUp(app, { login: 'ivy', password: 'ivy-password' })
    expect(third.res.status).toBe(429)
    expect(Number(third.res.headers['retry-after'])).toBeGreaterThan(0)
    expect(third.res.text).toContain('Too many sign-ups from your address')
    expect((await signUp(app, { login: 'ivy', password: 'ivy-password' }, '192.0.2.61')).res.status).toBe(303)
  })

  it('answers 503 with Retry-After when QuickBlox is unavailable', async () => {
    const app = await exampleWithSignup()
    emulator.failNext('POST /users.json', { status: 503 })
    const { res } = await signUp(app, { login: 'jack', password: 'jack-password' })
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBeDefined()
  })

  it('has no sign-up page without an API key', async () => {
    const app = await startExample({ emulator })
    apps.push(app)
    expect((await request(app.url).get('/signup')).status).toBe(404)
    expect((await request(app.url).get('/login')).text).not.toContain('href="/signup"')
  })
})
