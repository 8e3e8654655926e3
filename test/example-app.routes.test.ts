// The example app's routes over real HTTP (supertest against 127.0.0.1) and a real emulator:
// every page and API outcome, CSRF, rate limits, QuickBlox outages, logout of both sessions.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from '@jest/globals'
import request from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { startExample, csrfFrom, sidCookie, tokensInStore, sessionStatus, LOG_LINE, type ExampleApp } from './helpers/example-app.js'

const FORMS = {
  login: { login: 'amy', password: 'amy-demo-password' },
  email: { login: 'bob@example.com', password: 'bob-demo-password' }, // the form's "Login or email" box
  facebook: { provider: 'facebook', 'keys[token]': 'demo-facebook-token' },
  firebase_phone: { provider: 'firebase_phone', 'firebase_phone[project_id]': 'demo-firebase-project', 'firebase_phone[access_token]': 'demo-firebase-token' },
}
const JSON_BODIES = {
  login: { login: 'amy', password: 'amy-demo-password' },
  email: { email: 'bob@example.com', password: 'bob-demo-password' },
  facebook: { provider: 'facebook', keys: { token: 'demo-facebook-token' } },
  firebase_phone: { provider: 'firebase_phone', firebase_phone: { project_id: 'demo-firebase-project', access_token: 'demo-firebase-token' } },
}
const NAMES = { login: 'Amy Login', email: 'Bob Email', facebook: 'Carol Facebook', firebase_phone: 'Dan Phone' }
const METHODS = Object.keys(FORMS) as (keyof typeof FORMS)[]

let emulator: Emulator
let example: ExampleApp
const responses: string[] = [] // every body the app sent in this file, checked for secrets at the end

beforeAll(async () => {
  emulator = await startEmulator()
  example = await startExample({ emulator, app: { limits: { ip: { windowMs: 60_000, limit: 1000 }, account: { windowMs: 60_000, limit: 1000 } } } })
})
afterAll(async () => {
  await example.close()
  await emulator.close()
})
beforeEach(() => emulator.clearFaults())

const agent = () => {
  const a = request.agent(example.url)
  return a
}
async function signInWithForm(a: ReturnType<typeof agent>, form: Record<string, string>) {
  const _csrf = await csrfFrom(a)
  const res = await a.post('/login').type('form').send({ ...form, _csrf })
  responses.push(res.text)
  return res
}

describe('pages', () => {
  it('shows who is signed in on / (nobody yet)', async () => {
    const res = await request(example.url).get('/')
    expect(res.status).toBe(200)
    expect(res.text).toContain('Nobody is signed in')
  })

  it('serves the login page with the three forms, the demo users and security headers', async () => {
    const res = await request(example.url).get('/login')
    expect(res.status).toBe(200)
    expect(res.text).toContain('name="password"')
    expect(res.text).toContain('name="keys[token]"')
    expect(res.text).toContain('name="firebase_phone[project_id]"')
    expect(res.text).toContain('Demo mode')
    expect(res.text).toContain('amy-demo-password')
    expect(res.headers['content-security-policy']).toContain("default-src 'self'")
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['cache-control']).toBe('no-store')
    const cookie = sidCookie(res.headers['set-cookie'])
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    expect(cookie).not.toMatch(/Secure/)
  })

  it('redirects /profile to /login when nobody is signed in', async () => {
    const res = await request(example.url).get('/profile')
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe('/login')
  })

  it('answers unknown paths with a 404 page', async () => {
    expect((await request(example.url).get('/nope')).status).toBe(404)
  })
})

describe('form sign-in', () => {
  it.each(METHODS)('signs in with %s, rotates the session id and shows the profile', async (method) => {
    const a = agent()
    const before = sidCookie((await a.get('/login')).headers['set-cookie'])
    const res = await signInWithForm(a, FORMS[method])
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/profile')
    const after = sidCookie(res.headers['set-cookie'])
    expect(after).toBeDefined()
    expect(after!.split(';')[0]).not.toBe(before!.split(';')[0])
    const profile = await a.get('/profile')
    responses.push(profile.text)
    expect(profile.status).toBe(200)
    expect(profile.text).toContain(NAMES[method])
    expect((await a.get('/')).text).toContain(`Signed in as <strong>${NAMES[method]}</strong>`)
  })

  it('shows why a sign-in failed: wrong password (401), keeping the login but not the password', async () => {
    const res = await signInWithForm(agent(), { login: 'amy', password: 'not-the-password' })
    expect(res.status).toBe(401)
    expect(res.text).toMatch(/role="alert">Sign-in failed: QuickBlox rejected the credentials/)
    expect(res.text).toContain('value="amy"')
    expect(res.text).not.toContain('not-the-password')
  })

  it('shows why a sign-in failed: missing credentials (400)', async () => {
    const res = await signInWithForm(agent(), { login: 'amy' })
    expect(res.status).toBe(400)
    expect(res.text).toContain('Sign-in failed: Missing credentials')
  })

  it('escapes what the user typed', async () => {
    const res = await signInWithForm(agent(), { login: '"><script>x</script>', password: 'p' })
    expect(res.text).not.toContain('<script>x')
    expect(res.text).toContain('&quot;&gt;&lt;script&gt;')
  })
})

describe('CSRF', () => {
  it('refuses a login form POST without the token (403) and never asks QuickBlox', async () => {
    emulator.resetLog()
    const res = await request(example.url).post('/login').type('form').send(FORMS.login)
    expect(res.status).toBe(403)
    expect(emulator.counts()['POST /login.json']).toBe(0)
  })

  it('refuses a login form POST with a token from another session (403)', async () => {
    const other = await csrfFrom(agent())
    const a = agent()
    await a.get('/login')
    expect((await a.post('/login').type('form').send({ ...FORMS.login, _csrf: other })).status).toBe(403)
  })

  it('refuses a sign-out form POST without the token (403): the user stays signed in', async () => {
    const a = agent()
    await signInWithForm(a, FORMS.login)
    expect((await a.post('/logout').type('form').send({})).status).toBe(403)
    expect((await a.get('/profile')).status).toBe(200)
  })
})

describe('sign-out', () => {
  it('ends the Express session and the QuickBlox session (form)', async () => {
    const a = agent()
    const before = new Set(await tokensInStore(example.store))
    await signInWithForm(a, FORMS.login)
    const [token] = (await tokensInStore(example.store)).filter((t) => !before.has(t))
    expect(token).toBeDefined()
    expect(await sessionStatus(emulator, token!)).toBe(200)
    const _csrf = await csrfFrom(a, '/profile')
    const res = await a.post('/logout').type('form').send({ _csrf })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/')
    expect((await a.get('/profile')).status).toBe(302)
    expect(await tokensInStore(example.store)).not.toContain(token)
    expect(await sessionStatus(emulator, token!)).toBe(401)
  })

  it('ends the Express session and the QuickBlox session (API)', async () => {
    const a = agent()
    const before = new Set(await tokensInStore(example.store))
    expect((await a.post('/api/login').send(JSON_BODIES.email)).status).toBe(200)
    const [token] = (await tokensInStore(example.store)).filter((t) => !before.has(t))
    expect(await sessionStatus(emulator, token!)).toBe(200)
    expect((await a.post('/api/logout').send({})).status).toBe(204)
    expect((await a.get('/api/me')).status).toBe(401)
    expect(await sessionStatus(emulator, token!)).toBe(401)
  })
})

describe('JSON API', () => {
  it.each(METHODS)('POST /api/login with %s → 200 { user } without the QuickBlox token; /api/me knows them', async (method) => {
    const a = agent()
    const res = await a.post('/api/login').send(JSON_BODIES[method])
    responses.push(res.text)
    expect(res.status).toBe(200)
    expect(res.body.user.full_name).toBe(NAMES[method])
    expect(res.body.user).not.toHaveProperty('qbToken')
    const me = await a.get('/api/me')
    responses.push(me.text)
    expect(me.status).toBe(200)
    expect(me.body.user.id).toBe(res.body.user.id)
  })

  it('answers 401 JSON for wrong credentials', async () => {
    const res = await request(example.url).post('/api/login').send({ login: 'amy', password: 'wrong' })
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ error: 'QuickBlox rejected the credentials' })
  })

  it('answers 400 JSON for missing credentials and for malformed JSON', async () => {
    const missing = await request(example.url).post('/api/login').send({ login: 'amy' })
    expect(missing.status).toBe(400)
    expect(missing.body.error).toBe('Missing credentials')
    const malformed = await request(example.url).post('/api/login').set('Content-Type', 'application/json').send('{"login":')
    expect(malformed.status).toBe(400)
    expect(malformed.body).toEqual({ error: 'The request could not be read.' })
  })

  it('answers 415 to anything but application/json (a cross-site form), and to an empty POST', async () => {
    const form = await request(example.url).post('/api/login').type('form').send(FORMS.login)
    expect(form.status).toBe(415)
    expect(form.body.error).toMatch(/application\/json/)
    expect((await request(example.url).post('/api/login').set('Content-Type', 'text/plain').send('{}')).status).toBe(415)
    expect((await request(example.url).post('/api/logout')).status).toBe(415)
  })

  it('refuses a non-JSON logout (415): the user stays signed in', async () => {
    const a = agent()
    await a.post('/api/login').send(JSON_BODIES.login)
    expect((await a.post('/api/logout').type('form').send({})).status).toBe(415)
    expect((await a.get('/api/me')).status).toBe(200)
  })

  it('answers 401 on /api/me when nobody is signed in', async () => {
    const res = await request(example.url).get('/api/me')
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ error: 'Not signed in' })
  })
})

describe('QuickBlox trouble', () => {
  it('shows a friendly 503 page with Retry-After when QuickBlox answers 503', async () => {
    emulator.failNext('POST /login.json', { status: 503 })
    const res = await signInWithForm(agent(), FORMS.login)
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBe('5')
    expect(res.text).toContain('QuickBlox is unavailable right now')
    expect(res.text).not.toMatch(/\bat .*\.(js|ts):\d+/) // no stack trace
  })

  it('answers 503 JSON on the API when the connection is reset', async () => {
    emulator.failNext('POST /login.json', 'reset')
    const res = await request(example.url).post('/api/login').send(JSON_BODIES.login)
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBe('5')
    expect(res.body).toEqual({ error: expect.stringContaining('unavailable') })
  })

  it("passes on QuickBlox's 429 with its Retry-After", async () => {
    emulator.failNext('POST /login.json', { status: 429, retryAfter: 7 })
    const res = await request(example.url).post('/api/login').send(JSON_BODIES.login)
    expect(res.status).toBe(429)
    expect(res.headers['retry-after']).toBe('7')
  })

  it('answers 502 when QuickBlox sends an unreadable reply', async () => {
    emulator.failNext('POST /login.json', 'garbage')
    const res = await signInWithForm(agent(), FORMS.login)
    expect(res.status).toBe(502)
    expect(res.text).toContain('could not read')
  })

  it('answers 504 when QuickBlox does not answer in time', async () => {
    const slow = await startExample({ emulator, quickblox: { timeout: 300 } })
    try {
      emulator.failNext('POST /login.json', 'hang')
      const res = await request(slow.url).post('/api/login').send(JSON_BODIES.login)
      expect(res.status).toBe(504)
      expect(res.body.error).toMatch(/did not answer in time/)
    } finally {
      await slow.close()
    }
  })

  it('shows a generic 500 page when the QuickBlox application settings are wrong, naming no secret', async () => {
    const misconfigured = await startExample({ emulator, quickblox: { authSecret: 'wrong-secret-value' } })
    try {
      const res = await signInWithForm(request.agent(misconfigured.url), FORMS.login)
      expect(res.status).toBe(500)
      expect(res.text).toContain('Something went wrong on our side.')
      expect(res.text).not.toContain('wrong-secret-value')
      expect(misconfigured.lines.at(-1)).toMatch(/^POST \/login 500 \d+ms QB_CONFIGURATION$/)
    } finally {
      await misconfigured.close()
    }
  })
})

describe('rate limits', () => {
  it('limits sign-in attempts per IP: 429 with Retry-After (page and API)', async () => {
    const limited = await startExample({ emulator, app: { limits: { ip: { windowMs: 60_000, limit: 2 }, account: { windowMs: 60_000, limit: 100 } } } })
    try {
      const api = () => request(limited.url).post('/api/login').send({ login: 'nobody', password: 'x' })
      expect((await api()).status).toBe(401)
      expect((await api()).status).toBe(401)
      const res = await api()
      expect(res.status).toBe(429)
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
      expect(res.body.error).toMatch(/Too many sign-in attempts/)
      const page = await signInWithForm(request.agent(limited.url), FORMS.login)
      expect(page.status).toBe(429)
      expect(page.text).toContain('Too many sign-in attempts')
    } finally {
      await limited.close()
    }
  })

  it('limits rejected credentials per account (login normalized), leaving other accounts alone', async () => {
    const limited = await startExample({ emulator, app: { limits: { ip: { windowMs: 60_000, limit: 100 }, account: { windowMs: 60_000, limit: 2 } } } })
    try {
      const login = (body: object) => request(limited.url).post('/api/login').send(body)
      expect((await login({ login: 'amy', password: 'wrong-1' })).status).toBe(401)
      expect((await login({ login: ' AMY ', password: 'wrong-2' })).status).toBe(401)
      const blocked = await login(JSON_BODIES.login) // even the right password, for this account
      expect(blocked.status).toBe(429)
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
      expect((await login(JSON_BODIES.email)).status).toBe(200)
    } finally {
      await limited.close()
    }
  })

  it('does not count successful sign-ins against the account', async () => {
    const limited = await startExample({ emulator, app: { limits: { ip: { windowMs: 60_000, limit: 100 }, account: { windowMs: 60_000, limit: 2 } } } })
    try {
      for (let i = 0; i < 4; i++) expect((await request(limited.url).post('/api/login').send(JSON_BODIES.login)).status).toBe(200)
    } finally {
      await limited.close()
    }
  })
})

describe('production settings', () => {
  it('sets Secure cookies behind a trusted TLS proxy and lists no demo users', async () => {
    const prod = await startExample({ emulator, app: { production: true, trustProxy: 'loopback', demoUsers: null } })
    try {
      const res = await request(prod.url).get('/login').set('X-Forwarded-Proto', 'https')
      expect(sidCookie(res.headers['set-cookie'])).toMatch(/; Secure/)
      expect(res.text).not.toContain('Demo mode')
      expect(res.text).not.toContain('amy-demo-password')
    } finally {
      await prod.close()
    }
  })
})

describe('what the app reveals', () => {
  it('never sends the QuickBlox token and logs only method, path, status and duration', async () => {
    const tokens = await tokensInStore(example.store)
    expect(tokens.length).toBeGreaterThan(0)
    for (const body of responses) for (const token of tokens) expect(body).not.toContain(token)
    expect(example.lines.length).toBeGreaterThan(20)
    for (const line of example.lines) expect(line).toMatch(LOG_LINE)
    const logged = example.lines.join('\n')
    for (const secret of ['amy-demo-password', 'bob-demo-password', 'demo-facebook-token', 'demo-firebase-token', ...tokens]) {
      expect(logged).not.toContain(secret)
    }
  })
})
