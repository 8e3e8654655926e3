// The example app's routes over real HTTP (supertest against 127.0.0.1) and a real emulator:
// every page and API outcome, CSRF, rate limits, QuickBlox outages, logout of both sessions.
import { once } from 'node:events'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { gzipSync } from 'node:zlib'
import { describe, it, expect, beforeAll, afterAll, beforeEach } from '@jest/globals'
import request from 'supertest'
import session from 'express-session'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import {
  startExample,
  csrfFrom,
  csrfCookie,
  sidCookie,
  sessionCount,
  tokensInStore,
  sessionStatus,
  LOG_LINE,
  testLimits,
  type ExampleApp,
} from './helpers/example-app.js'

const FORMS = {
  login: { login: 'amy', password: 'amy-demo-password' },
  email: { login: 'bob@example.com', password: 'bob-demo-password' }, // the form's "Login or email" box
  facebook: { provider: 'facebook', 'keys[token]': 'demo-facebook-token' },
  firebase_phone: {
    provider: 'firebase_phone',
    'firebase_phone[project_id]': 'demo-firebase-project',
    'firebase_phone[access_token]': 'demo-firebase-token',
  },
}
const JSON_BODIES = {
  login: { login: 'amy', password: 'amy-demo-password' },
  email: { email: 'bob@example.com', password: 'bob-demo-password' },
  facebook: { provider: 'facebook', keys: { token: 'demo-facebook-token' } },
  firebase_phone: {
    provider: 'firebase_phone',
    firebase_phone: { project_id: 'demo-firebase-project', access_token: 'demo-firebase-token' },
  },
}
const ACCEPTED_JSON = 'Send Content-Type: application/json in UTF-8, without Content-Encoding.'
const NAMES = { login: 'Amy Login', email: 'Bob Email', facebook: 'Carol Facebook', firebase_phone: 'Dan Phone' }
const METHODS = Object.keys(FORMS) as (keyof typeof FORMS)[]

let emulator: Emulator
let example: ExampleApp
const responses: string[] = [] // every body the app sent in this file, checked for secrets at the end

beforeAll(async () => {
  emulator = await startEmulator()
  example = await startExample({ emulator, app: { limits: testLimits({}) } })
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
/** A POST with exactly these headers (no Content-Length unless given, when there is no body). */
async function post(path: string, headers: Record<string, string>, body?: string | Buffer) {
  const req = httpRequest(`${example.url}${path}`, { method: 'POST', headers })
  req.end(body)
  const [res] = (await once(req, 'response')) as [IncomingMessage]
  let text = ''
  for await (const chunk of res) text += chunk
  return { status: res.statusCode, text }
}
async function signInWithForm(a: ReturnType<typeof agent>, form: Record<string, string>) {
  const _csrf = await csrfFrom(a)
  const res = await a
    .post('/login')
    .type('form')
    .send({ ...form, _csrf })
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
    expect(sidCookie(res.headers['set-cookie'])).toBeUndefined() // no session before sign-in
    const cookie = csrfCookie(res.headers['set-cookie'])
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    expect(cookie).toMatch(/Path=\//)
    expect(cookie).not.toMatch(/Secure/)
  })

  it('stores no session for anonymous visitors: pages, forms and failed sign-ins', async () => {
    const anonymous = await startExample({ emulator, app: { limits: testLimits({}) } })
    try {
      for (let i = 0; i < 50; i++) expect((await request(anonymous.url).get('/login')).status).toBe(200)
      expect((await request(anonymous.url).get('/')).status).toBe(200)
      expect((await request(anonymous.url).get('/profile')).status).toBe(302)
      const a = request.agent(anonymous.url)
      const _csrf = await csrfFrom(a)
      const failed = await a.post('/login').type('form').send({ login: 'amy', password: 'wrong', _csrf })
      expect(failed.status).toBe(401)
      expect(sidCookie(failed.headers['set-cookie'])).toBeUndefined()
      const wrong = await request(anonymous.url).post('/api/login').send({ login: 'amy', password: 'wrong' })
      expect(wrong.status).toBe(401)
      expect(await sessionCount(anonymous.store)).toBe(0)
      expect((await request(anonymous.url).post('/api/login').send(JSON_BODIES.login)).status).toBe(200)
      expect(await sessionCount(anonymous.store)).toBe(1) // a session is created at sign-in
    } finally {
      await anonymous.close()
    }
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
  it.each(METHODS)('signs in with %s, sets the session cookie then, and shows the profile', async (method) => {
    const a = agent()
    const res = await signInWithForm(a, FORMS[method])
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/profile')
    const cookie = sidCookie(res.headers['set-cookie'])
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    const profile = await a.get('/profile')
    responses.push(profile.text)
    expect(profile.status).toBe(200)
    expect(profile.text).toContain(NAMES[method])
    expect((await a.get('/')).text).toContain(`Signed in as <strong>${NAMES[method]}</strong>`)
  })

  it('gives a new session id at each sign-in, never keeping one the browser brings (session fixation)', async () => {
    const a = agent()
    const first = sidCookie((await signInWithForm(a, FORMS.login)).headers['set-cookie'])!.split(';')[0]
    const second = sidCookie((await signInWithForm(a, FORMS.email)).headers['set-cookie'])!.split(';')[0]
    expect(second).not.toBe(first)
    expect((await request(example.url).get('/api/me').set('Cookie', first!)).status).toBe(401)
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

  it('shows a login that is not text (a nested field) as nothing', async () => {
    const agent = request.agent(example.url)
    const _csrf = await csrfFrom(agent)
    const res = await agent.post('/login').type('form').send(`login[a]=typed&login[b]=more&password=p&_csrf=${_csrf}`)
    expect(res.status).toBe(400)
    expect(res.text).toContain('Sign-in failed: &quot;login&quot; must be text')
    expect(res.text).toContain('autocomplete="username" value=""')
    expect(res.text).not.toContain('[object Object]')
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

  it("refuses a login form POST with another visitor's token (403)", async () => {
    const other = await csrfFrom(agent())
    const a = agent()
    await a.get('/login')
    expect(
      (
        await a
          .post('/login')
          .type('form')
          .send({ ...FORMS.login, _csrf: other })
      ).status,
    ).toBe(403)
  })

  it('refuses a token without its cookie, and a cookie and token that we did not sign (403)', async () => {
    const a = agent()
    const _csrf = await csrfFrom(a)
    emulator.resetLog()
    const noCookie = await request(example.url)
      .post('/login')
      .type('form')
      .send({ ...FORMS.login, _csrf })
    expect(noCookie.status).toBe(403)
    const [nonce, expiry] = _csrf.split('.')
    const mac = _csrf.split('.')[2]
    for (const forged of [`${nonce}.${expiry}.${'A'.repeat(43)}`, `${nonce}.${Number(expiry) + 3600}.${mac}`, 'x']) {
      const res = await request(example.url)
        .post('/login')
        .set('Cookie', `csrf=${forged}`)
        .type('form')
        .send({ ...FORMS.login, _csrf: forged })
      expect(res.status).toBe(403)
    }
    expect(emulator.counts()['POST /login.json']).toBe(0)
    const real = await a
      .post('/login')
      .type('form')
      .send({ ...FORMS.login, _csrf })
    expect(real.status).toBe(303) // the real pair still works
  })

  it("binds the sign-out form's token to the session: an anonymous token does not sign out (403)", async () => {
    const a = agent()
    const anonymous = await csrfFrom(a)
    const signedIn = await a
      .post('/login')
      .type('form')
      .send({ ...FORMS.login, _csrf: anonymous })
    const sid = sidCookie(signedIn.headers['set-cookie'])!.split(';')[0]
    const res = await request(example.url)
      .post('/logout')
      .set('Cookie', `${sid}; csrf=${anonymous}`)
      .type('form')
      .send({ _csrf: anonymous })
    expect(res.status).toBe(403)
    expect((await a.get('/profile')).status).toBe(200)
    const _csrf = await csrfFrom(a, '/profile')
    expect(_csrf).not.toBe(anonymous)
    expect((await a.post('/logout').type('form').send({ _csrf })).status).toBe(303)
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

  it('signing in as someone else in the same browser ends the previous QuickBlox session', async () => {
    const a = agent()
    const before = new Set(await tokensInStore(example.store))
    await signInWithForm(a, FORMS.login)
    const [first] = (await tokensInStore(example.store)).filter((t) => !before.has(t))
    expect(await sessionStatus(emulator, first!)).toBe(200)
    expect((await a.post('/api/login').send(JSON_BODIES.email)).status).toBe(200)
    expect(await sessionStatus(emulator, first!)).toBe(401)
    expect(await tokensInStore(example.store)).not.toContain(first)
    expect((await a.get('/api/me')).body.user.full_name).toBe(NAMES.email)
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
  it.each(METHODS)(
    'POST /api/login with %s → 200 { user } without the QuickBlox token; /api/me knows them',
    async (method) => {
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
    },
  )

  it('answers 401 JSON for wrong credentials', async () => {
    const res = await request(example.url).post('/api/login').send({ login: 'amy', password: 'wrong' })
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ error: 'QuickBlox rejected the credentials' })
  })

  it('answers 400 JSON for missing credentials and for malformed JSON', async () => {
    const missing = await request(example.url).post('/api/login').send({ login: 'amy' })
    expect(missing.status).toBe(400)
    expect(missing.body.error).toBe('Missing credentials')
    const malformed = await request(example.url)
      .post('/api/login')
      .set('Content-Type', 'application/json')
      .send('{"login":')
    expect(malformed.status).toBe(400)
    expect(malformed.body).toEqual({ error: 'The request could not be read.' })
  })

  it.each([
    [{ login: null, password: 'x' }, '"login" must be text'],
    [{ login: ['amy'], password: 'x' }, '"login" must be text'],
    [{ login: 'a'.repeat(256), password: 'x' }, '"login" must be at most 255 characters long'],
    [{ login: 'amy\nadmin', password: 'x' }, '"login" must not contain control characters such as a line break'],
  ])('answers 400 saying what is wrong with a login field: %j', async (body, error) => {
    const res = await request(example.url).post('/api/login').send(body)
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ error })
  })

  it('answers 415 to anything but application/json (a cross-site form), naming what it accepts', async () => {
    const form = await request(example.url).post('/api/login').type('form').send(FORMS.login)
    expect(form.status).toBe(415)
    expect(form.body).toEqual({ error: ACCEPTED_JSON })
    const text = await request(example.url).post('/api/login').set('Content-Type', 'text/plain').send('{}')
    expect(text.status).toBe(415)
    const formLogout = await request(example.url)
      .post('/api/logout')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('')
    expect(formLogout.status).toBe(415)
  })

  it('answers 415 naming the accepted charset and encoding to JSON in another charset or compressed', async () => {
    const json = JSON.stringify(JSON_BODIES.login)
    const latin1 = await post('/api/login', { 'Content-Type': 'application/json; charset=latin1' }, json)
    const gzipped = await post(
      '/api/login',
      { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      gzipSync(json),
    )
    for (const res of [latin1, gzipped]) {
      expect(res.status).toBe(415)
      expect(JSON.parse(res.text)).toEqual({ error: ACCEPTED_JSON })
    }
    const a = agent()
    const _csrf = await csrfFrom(a)
    const page = await a
      .post('/login')
      .set('Content-Type', 'application/x-www-form-urlencoded; charset=koi8-r')
      .send(`_csrf=${_csrf}`)
    expect(page.status).toBe(415)
    expect(page.text).toContain(
      'Send the form as application/x-www-form-urlencoded in UTF-8 or ISO-8859-1, without Content-Encoding.',
    )
  })

  it.each([
    ['an empty JSON body', { 'Content-Type': 'application/json', 'Content-Length': '0' }],
    ['a JSON type and no body at all', { 'Content-Type': 'application/json' }],
    ['no body and no Content-Type', {}],
  ])('signs out with %s (204)', async (_name, headers) => {
    const signedIn = await request(example.url).post('/api/login').send(JSON_BODIES.login)
    const sid = sidCookie(signedIn.headers['set-cookie'])!.split(';')[0]!
    const res = await post('/api/logout', { ...headers, Cookie: sid })
    expect(res.status).toBe(204)
    expect((await request(example.url).get('/api/me').set('Cookie', sid)).status).toBe(401)
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

  // Express matches paths case-insensitively, so every casing of /api is the API, and answers as it does.
  it.each(['/API/me', '/Api/me', '/api/ME'])('answers 401 JSON on %s when nobody is signed in', async (path) => {
    const res = await request(example.url).get(path)
    expect(res.status).toBe(401)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.body).toEqual({ error: 'Not signed in' })
  })

  it.each(['/API/nothing', '/Api', '/API?x=1', '/aPi/'])('answers 404 JSON on %s', async (path) => {
    const res = await request(example.url).get(path)
    expect(res.status).toBe(404)
    expect(res.body).toEqual({ error: 'Not found' })
  })

  it('answers JSON errors on /API/login: malformed JSON (400), a form (415)', async () => {
    const malformed = await request(example.url)
      .post('/API/login')
      .set('Content-Type', 'application/json')
      .send('{"login":')
    expect(malformed.status).toBe(400)
    expect(malformed.body).toEqual({ error: 'The request could not be read.' })
    const form = await request(example.url).post('/API/Login').type('form').send(FORMS.login)
    expect(form.status).toBe(415)
    expect(form.body).toEqual({ error: ACCEPTED_JSON })
  })

  it('still answers pages, not JSON, on paths that only begin like the API', async () => {
    const res = await request(example.url).get('/apiary')
    expect(res.status).toBe(404)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
  })
})

describe('QuickBlox trouble', () => {
  it('shows a friendly 503 page with Retry-After when QuickBlox answers 503', async () => {
    emulator.failNext('POST /login.json', { status: 503 })
    const res = await signInWithForm(agent(), FORMS.login)
    expect(res.status).toBe(503)
    // QuickBlox sent none: the library's default.
    expect(res.headers['retry-after']).toBe('30')
    expect(res.text).toContain('QuickBlox is unavailable right now')
    expect(res.text).not.toMatch(/\bat .*\.(js|ts):\d+/) // no stack trace
  })

  it('answers 503 JSON on the API when the connection is reset', async () => {
    emulator.failNext('POST /login.json', 'reset')
    const res = await request(example.url).post('/api/login').send(JSON_BODIES.login)
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBe('30')
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

describe('production settings', () => {
  it('sets Secure cookies behind a trusted TLS proxy and lists no demo users', async () => {
    const prod = await startExample({ emulator, app: { production: true, trustProxy: 'loopback', demoUsers: null } })
    try {
      const res = await request(prod.url).get('/login').set('X-Forwarded-Proto', 'https')
      expect(res.text).not.toContain('Demo mode')
      expect(res.text).not.toContain('amy-demo-password')
      const csrf = csrfCookie(res.headers['set-cookie'])!
      expect(csrf).toMatch(/^__Host-csrf=[\w-]+\.\d+\.[\w-]+; Max-Age=\d+; Path=\/; Expires=[^;]+; HttpOnly; Secure;/)
      expect(csrf).toMatch(/; SameSite=Lax$/)
      const _csrf = /name="_csrf" value="([^"]+)"/.exec(res.text)![1]
      const signedIn = await request(prod.url)
        .post('/login')
        .set('X-Forwarded-Proto', 'https')
        .set('Cookie', csrf.split(';')[0]!)
        .type('form')
        .send({ ...FORMS.login, _csrf })
      expect(signedIn.status).toBe(303)
      const sid = sidCookie(signedIn.headers['set-cookie'])!
      expect(sid).toMatch(/^__Host-sid=[^;]+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/)
      const out = await request(prod.url)
        .post('/api/logout')
        .set('X-Forwarded-Proto', 'https')
        .set('Cookie', sid.split(';')[0]!)
      expect(out.status).toBe(204)
      expect(sidCookie(out.headers['set-cookie'])).toMatch(
        /^__Host-sid=; Path=\/; Expires=Thu, 01 Jan 1970 [^;]+; HttpOnly; Secure; SameSite=Lax$/,
      )
    } finally {
      await prod.close()
    }
  })

  it('refuses a sign-in over plain HTTP (403): no QuickBlox session, no stored session without its cookie', async () => {
    const store = new session.MemoryStore()
    const prod = await startExample({ emulator, app: { production: true, sessionStore: store, demoUsers: null } })
    try {
      emulator.resetLog()
      const res = await request(prod.url).post('/api/login').send(JSON_BODIES.login)
      expect(res.status).toBe(403)
      expect(res.body).toEqual({ error: 'Sign in over HTTPS.' })
      expect(res.headers['set-cookie']).toBeUndefined()
      expect(await sessionCount(store)).toBe(0)
      expect(emulator.counts()['POST /login.json']).toBe(0)
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
    for (const secret of [
      'amy-demo-password',
      'bob-demo-password',
      'demo-facebook-token',
      'demo-firebase-token',
      ...tokens,
    ]) {
      expect(logged).not.toContain(secret)
    }
  })
})
