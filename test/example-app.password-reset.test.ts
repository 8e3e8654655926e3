// The example app's forgotten-password page and POST /api/password-reset over real HTTP against
// the emulator: a known and an unknown address get the same answer, and requests are limited per
// client address and per email.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { csrfFrom, LOG_LINE, startExample, testLimits, type ExampleApp } from './helpers/example-app.js'
import { newUser } from './helpers/accounts.js'

let emulator: Emulator
let app: ExampleApp
let serial = 0
const address = () => `192.0.2.${100 + ++serial}`

beforeAll(async () => {
  emulator = await startEmulator()
  app = await startExample({ emulator, app: { trustProxy: 'loopback', limits: testLimits({}) } })
})
afterAll(async () => {
  await app.close()
  await emulator.close()
})

async function askForm(target: ExampleApp, email: string, from = address()) {
  const agent = request.agent(target.url)
  const _csrf = await csrfFrom(agent, '/password-reset')
  return agent.post('/password-reset').set('X-Forwarded-For', from).type('form').send({ email, _csrf })
}
const askApi = (target: ExampleApp, email: unknown, from = address()) =>
  request(target.url).post('/api/password-reset').set('X-Forwarded-For', from).send({ email })
const resetCalls = () => emulator.requests.filter((r) => r.path === '/users/password/reset.json').length

describe('the forgotten-password page', () => {
  it('is linked from /login and has one email field', async () => {
    expect((await request(app.url).get('/login')).text).toContain('href="/password-reset"')
    const page = await request(app.url).get('/password-reset')
    expect(page.status).toBe(200)
    expect(page.text.match(/<input name="(?!_csrf)/g)).toHaveLength(1)
    expect(page.text).toContain('name="email"')
  })

  it('answers a known and an unknown address alike, and asks QuickBlox for both', async () => {
    const before = resetCalls()
    const known = await askForm(app, 'bob@example.com')
    const unknown = await askForm(app, 'nobody-here@example.com')
    expect(known.status).toBe(200)
    expect(unknown.status).toBe(known.status)
    expect(unknown.text).toBe(known.text)
    expect(known.text).toContain('If an account uses this email address')
    expect(resetCalls()).toBe(before + 2)
    // Only the known address got a mail, and only the mail holds the link's secret.
    expect(emulator.lastResetLink('bob@example.com')).toBeDefined()
    expect(emulator.lastResetLink('nobody-here@example.com')).toBeUndefined()
    const secret = new URL(emulator.lastResetLink('bob@example.com')!).searchParams.get('token')!
    expect(known.text).not.toContain(secret)
    expect(app.lines.join('\n')).not.toContain(secret)
  })

  it("ends with the user's new password: the link from the mail, the emulator's page, then sign-in", async () => {
    const user = await newUser(emulator, 'reset')
    expect((await askForm(app, user.email)).status).toBe(200)
    const link = emulator.lastResetLink(user.email)!
    const page = await fetch(link)
    expect(page.status).toBe(200)
    const token = new URL(link).searchParams.get('token')!
    const set = await fetch(new URL('/password/reset', link), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token,
        password: 'Chosen-after-reset-1',
        password_confirmation: 'Chosen-after-reset-1',
      }),
    })
    expect(set.status).toBe(200)
    const signIn = await request(app.url)
      .post('/api/login')
      .send({ login: user.login, password: 'Chosen-after-reset-1' })
    expect(signIn.status).toBe(200)
  })

  it('refuses a form without its CSRF token (403) and text that is not an email (400), before QuickBlox', async () => {
    const before = resetCalls()
    const forged = await request(app.url).post('/password-reset').type('form').send({ email: 'bob@example.com' })
    expect(forged.status).toBe(403)
    expect((await askForm(app, 'not an email')).status).toBe(400)
    expect(resetCalls()).toBe(before)
  })
})

describe('POST /api/password-reset', () => {
  it('answers 202 for a known and an unknown address, with the same body', async () => {
    const known = await askApi(app, 'bob@example.com')
    const unknown = await askApi(app, 'nobody-here@example.com')
    expect(known.status).toBe(202)
    expect(unknown.status).toBe(202)
    expect(unknown.body).toEqual(known.body)
  })

  it('answers 400 for no email, and 415 for a body that is not JSON', async () => {
    expect((await askApi(app, ['bob@example.com'])).status).toBe(400)
    const form = await request(app.url).post('/api/password-reset').type('form').send({ email: 'bob@example.com' })
    expect(form.status).toBe(415)
  })

  it('answers 503 when QuickBlox is unavailable, whichever the address', async () => {
    // No session pool: each request makes its application session, which fails here.
    const unpooled = await startExample({ emulator, quickblox: { pool: false }, app: { trustProxy: 'loopback' } })
    try {
      emulator.failNext('POST /session.json', { status: 503 }, 6)
      const known = await askApi(unpooled, 'bob@example.com')
      const unknown = await askApi(unpooled, 'nobody-here@example.com')
      expect(known.status).toBe(503)
      expect(unknown.status).toBe(503)
      expect(unknown.body).toEqual(known.body)
    } finally {
      emulator.clearFaults()
      await unpooled.close()
    }
  })
})

describe('limits', () => {
  it('per email: past the limit, 429 with Retry-After, from any address, known or not', async () => {
    const limited = await startExample({
      emulator,
      app: { trustProxy: 'loopback', limits: { ...testLimits({}), resetEmail: { windowMs: 60_000, limit: 2 } } },
    })
    try {
      for (const email of ['bob@example.com', 'nobody-here@example.com']) {
        expect((await askApi(limited, email)).status).toBe(202)
        expect((await askApi(limited, email.toUpperCase())).status).toBe(202)
        const third = await askApi(limited, email)
        expect(third.status).toBe(429)
        expect(Number(third.headers['retry-after'])).toBeGreaterThan(0)
      }
      expect((await askApi(limited, 'someone-else@example.com')).status).toBe(202)
    } finally {
      await limited.close()
    }
  })

  it('per client address: past the limit, 429, whatever the email', async () => {
    const limited = await startExample({
      emulator,
      app: { trustProxy: 'loopback', limits: { ...testLimits({}), resets: { windowMs: 60_000, limit: 2 } } },
    })
    try {
      const from = address()
      expect((await askApi(limited, 'a1@example.com', from)).status).toBe(202)
      expect((await askForm(limited, 'a2@example.com', from)).status).toBe(200)
      expect((await askApi(limited, 'a3@example.com', from)).status).toBe(429)
      expect((await askApi(limited, 'a3@example.com')).status).toBe(202)
    } finally {
      await limited.close()
    }
  })
})

describe('the request log', () => {
  it('holds no email address', () => {
    for (const line of app.lines) expect(line).toMatch(LOG_LINE)
    expect(app.lines.join('\n')).not.toContain('example.com')
  })
})
