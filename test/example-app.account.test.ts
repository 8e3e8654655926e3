// The example app's account pages over real HTTP against the emulator: change the name and email,
// change the password (this browser stays, the others are signed out), delete the account; each
// with CSRF, QuickBlox's field errors beside the fields, and a wrong current password counted
// like a wrong sign-in.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { LOG_LINE, csrfFrom, sessionStatus, startExample, testLimits, type ExampleApp } from './helpers/example-app.js'
import { browserOf, newUser, postProfileForm, sidCookie, signedIn, tokensOf } from './helpers/accounts.js'

let emulator: Emulator
let app: ExampleApp
const others: ExampleApp[] = []

beforeAll(async () => {
  emulator = await startEmulator()
  app = await startExample({ emulator, app: { trustProxy: 'loopback', limits: testLimits({}) } })
})
afterAll(async () => {
  await Promise.all([app, ...others].map((a) => a.close()))
  await emulator.close()
})

/** The QuickBlox user as the emulator has it, read with the API key. */
async function quickbloxUser(id: number): Promise<{ status: number; user?: Record<string, unknown> }> {
  const res = await fetch(`${emulator.url}/users/${id}.json`, {
    headers: { authorization: `ApiKey ${emulator.application.apiKey}` },
  })
  return {
    status: res.status,
    user: res.status === 200 ? ((await res.json()) as { user: Record<string, unknown> }).user : undefined,
  }
}

describe('the profile page', () => {
  it('has a form for the name and email, one to change the password and one to delete the account, each with its CSRF token', async () => {
    const user = await newUser(emulator)
    const page = await (await browserOf(app.url, user)).get('/profile')
    expect(page.status).toBe(200)
    for (const action of ['/profile', '/profile/password', '/profile/delete'])
      expect(page.text).toMatch(new RegExp(`action="${action}"[^]*?name="_csrf"`))
    for (const name of ['full_name', 'email', 'current_password', 'new_password', 'password'])
      expect(page.text).toContain(`name="${name}"`)
  })

  it('sends a signed-out visitor to the sign-in page', async () => {
    const res = await request(app.url).get('/profile')
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe('/login')
  })
})

describe('changing the name and email', () => {
  it('saves them at QuickBlox and shows them', async () => {
    const user = await newUser(emulator)
    const browser = await browserOf(app.url, user)
    const res = await postProfileForm(browser, '/profile', { full_name: 'Renamed Person', email: `new-${user.email}` })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/profile?updated=profile')
    const page = await browser.get('/profile?updated=profile')
    expect(page.text).toContain('Your name and email are saved.')
    expect(page.text).toContain('Renamed Person')
    expect((await quickbloxUser(user.id)).user).toMatchObject({
      full_name: 'Renamed Person',
      email: `new-${user.email}`,
    })
    // The form sends the email it shows: saving a new name with the same email is no conflict.
    const again = await postProfileForm(browser, '/profile', { full_name: 'Renamed Again', email: `new-${user.email}` })
    expect(again.status).toBe(303)
  })

  it("shows QuickBlox's refusal beside the field (422), keeping what was typed", async () => {
    const user = await newUser(emulator)
    const browser = await browserOf(app.url, user)
    const res = await postProfileForm(browser, '/profile', { full_name: 'Kept Name', email: 'bob@example.com' })
    expect(res.status).toBe(422)
    expect(res.text).toMatch(/id="email-error">Email has already been taken/)
    expect(res.text).toContain('value="Kept Name"')
    expect((await quickbloxUser(user.id)).user?.email).toBe(user.email)
  })

  it('refuses a form without its CSRF token (403) and changes nothing', async () => {
    const user = await newUser(emulator)
    const browser = await browserOf(app.url, user)
    const res = await browser.post('/profile').type('form').send({ full_name: 'Forged' })
    expect(res.status).toBe(403)
    expect((await quickbloxUser(user.id)).user?.full_name).not.toBe('Forged')
  })

  it('asks to sign in again once QuickBlox has forgotten the session token (no 5xx)', async () => {
    const user = await newUser(emulator)
    const browser = await browserOf(app.url, user)
    const [token] = await tokensOf(app.store, user.id)
    await fetch(`${emulator.url}/session.json`, { method: 'DELETE', headers: { 'QB-Token': token! } })
    const res = await postProfileForm(browser, '/profile', { full_name: 'Too Late' })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/login?expired=1')
    expect(await signedIn(browser)).toBe(false)
    expect((await browser.get('/login?expired=1')).text).toContain('Your session has ended')
  })
})

describe('changing the password', () => {
  it('keeps this browser signed in with a new session id and a new QuickBlox token, and signs every other session out', async () => {
    const user = await newUser(emulator)
    const other = await browserOf(app.url, user, '192.0.2.11')
    const browser = await browserOf(app.url, user)
    const tokensBefore = await tokensOf(app.store, user.id)
    expect(tokensBefore).toHaveLength(2)
    const next = `${user.password}-next`
    const res = await postProfileForm(browser, '/profile/password', {
      current_password: user.password,
      new_password: next,
    })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/profile?updated=password')
    expect(sidCookie(res.headers['set-cookie'])).toBeDefined() // a new session id
    expect((await browser.get('/profile?updated=password')).text).toContain(
      'Every other session of yours has been signed out',
    )
    expect(await signedIn(other)).toBe(false)
    // The QuickBlox sessions of both old app sessions are ended: this browser's at once, the other's when it came back.
    for (const token of tokensBefore) expect(await sessionStatus(emulator, token)).toBe(401)
    const [kept, ...more] = await tokensOf(app.store, user.id)
    expect(more).toEqual([])
    expect(await sessionStatus(emulator, kept!)).toBe(200)
    // The new password signs in; the old one no longer does.
    await expect(browserOf(app.url, { ...user, password: next })).resolves.toBeDefined()
    await expect(browserOf(app.url, user)).rejects.toThrow(/answered 401/)
  })

  it('refuses a wrong current password beside its field (422), changes nothing, and signs nobody out', async () => {
    const user = await newUser(emulator)
    const other = await browserOf(app.url, user, '192.0.2.11')
    const browser = await browserOf(app.url, user)
    const res = await postProfileForm(browser, '/profile/password', {
      current_password: 'not-the-password',
      new_password: 'whatever-new-1',
    })
    expect(res.status).toBe(422)
    expect(res.text).toMatch(/id="current_password-error">Current password is not correct/)
    expect(res.text).not.toContain('not-the-password')
    expect(res.text).not.toContain('whatever-new-1')
    expect(await signedIn(other)).toBe(true)
    expect(await signedIn(browser)).toBe(true)
  })

  it("shows QuickBlox's refusal of the new password beside it (422)", async () => {
    const user = await newUser(emulator)
    const browser = await browserOf(app.url, user)
    const res = await postProfileForm(browser, '/profile/password', {
      current_password: user.password,
      new_password: 'short',
    })
    expect(res.status).toBe(422)
    expect(res.text).toMatch(/id="new_password-error">New password is too short/)
  })

  it('counts wrong current passwords on the account like wrong sign-ins: past the limit, 429, and the sign-in form is closed too', async () => {
    const limited = await startExample({
      emulator,
      app: { trustProxy: 'loopback', limits: testLimits({ accountAddress: 2 }) },
    })
    others.push(limited)
    const user = await newUser(emulator)
    const browser = await browserOf(limited.url, user)
    const wrong = { current_password: 'wrong-password-1', new_password: 'whatever-new-1' }
    expect((await postProfileForm(browser, '/profile/password', wrong)).status).toBe(422)
    expect((await postProfileForm(browser, '/profile/password', wrong)).status).toBe(422)
    const third = await postProfileForm(browser, '/profile/password', { ...wrong, current_password: user.password })
    expect(third.status).toBe(429)
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0)
    await expect(browserOf(limited.url, user)).rejects.toThrow(/answered 429/)
    // A right one does not count: another address, untouched, changes the password.
    const elsewhere = await browserOf(limited.url, user, '192.0.2.99')
    const ok = await postProfileForm(
      elsewhere,
      '/profile/password',
      { current_password: user.password, new_password: 'a-new-password-1' },
      '192.0.2.99',
    )
    expect(ok.status).toBe(303)
  })
})

describe('deleting the account', () => {
  it('checks the password, deletes the QuickBlox user, and ends every session of the user here and at QuickBlox', async () => {
    const user = await newUser(emulator)
    const other = await browserOf(app.url, user, '192.0.2.11')
    const browser = await browserOf(app.url, user)
    const tokens = await tokensOf(app.store, user.id)
    expect(tokens).toHaveLength(2)
    const res = await postProfileForm(browser, '/profile/delete', { password: user.password })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/?deleted=1')
    expect((await browser.get('/?deleted=1')).text).toContain('Your account has been deleted')
    expect(await signedIn(browser)).toBe(false)
    expect(await signedIn(other)).toBe(false)
    for (const token of tokens) expect(await sessionStatus(emulator, token)).toBe(401)
    expect((await quickbloxUser(user.id)).status).toBe(404)
    await expect(browserOf(app.url, user)).rejects.toThrow(/answered 401/)
  })

  it('refuses a wrong password beside its field (422) and deletes nothing', async () => {
    const user = await newUser(emulator)
    const browser = await browserOf(app.url, user)
    const res = await postProfileForm(browser, '/profile/delete', { password: 'not-my-password' })
    expect(res.status).toBe(422)
    expect(res.text).toMatch(/id="password-error">Your password is not correct/)
    expect((await quickbloxUser(user.id)).status).toBe(200)
    expect(await signedIn(browser)).toBe(true)
  })

  it('refuses a form without its CSRF token (403), and a form without the password (400)', async () => {
    const user = await newUser(emulator)
    const browser = await browserOf(app.url, user)
    expect((await browser.post('/profile/delete').type('form').send({ password: user.password })).status).toBe(403)
    expect((await postProfileForm(browser, '/profile/delete', {})).status).toBe(400)
    expect((await quickbloxUser(user.id)).status).toBe(200)
  })
})

describe('deleting an account that signs in with a provider', () => {
  // Its own emulator: the demo users Carol (Facebook) and Dan (Firebase phone) are deleted here.
  let own: Emulator
  let ownApp: ExampleApp
  beforeAll(async () => {
    own = await startEmulator()
    ownApp = await startExample({ emulator: own, app: { trustProxy: 'loopback', limits: testLimits({}) } })
  })
  afterAll(async () => {
    await ownApp.close()
    await own.close()
  })
  const carol = { provider: 'facebook', 'keys[token]': 'demo-facebook-token' }
  const dan = {
    provider: 'firebase_phone',
    'firebase_phone[project_id]': 'demo-firebase-project',
    'firebase_phone[access_token]': 'demo-firebase-token',
  }
  async function signedInWith(fields: Record<string, string>) {
    const agent = request.agent(ownApp.url)
    const _csrf = await csrfFrom(agent)
    const res = await agent
      .post('/login')
      .type('form')
      .send({ ...fields, _csrf })
    expect(res.status).toBe(303)
    return agent
  }

  it('asks for the provider credential again instead of a password, and has no password form', async () => {
    const page = await (await signedInWith(carol)).get('/profile')
    expect(page.text).toContain('name="keys[token]"')
    expect(page.text).not.toContain('action="/profile/password"')
    expect(page.text).not.toContain('name="password"')
  })

  it("refuses another user's credential (422), ends the session it made, and deletes nothing", async () => {
    const browser = await signedInWith(carol)
    const before = own.counts()['DELETE /session.json']
    const res = await postProfileForm(browser, '/profile/delete', dan)
    expect(res.status).toBe(422)
    expect(res.text).toContain('Those credentials do not sign in to this account.')
    expect(own.counts()['DELETE /session.json']).toBe(before + 1)
    expect(await signedIn(browser)).toBe(true)
  })

  it("deletes it with the provider's credential", async () => {
    const browser = await signedInWith(carol)
    const res = await postProfileForm(browser, '/profile/delete', carol)
    expect(res.status).toBe(303)
    expect(await signedIn(browser)).toBe(false)
    const again = request.agent(ownApp.url)
    const _csrf = await csrfFrom(again)
    expect(
      (
        await again
          .post('/login')
          .type('form')
          .send({ ...carol, _csrf })
      ).status,
    ).toBe(401)
  })
})

describe('the request log', () => {
  it('holds no password, email or token of these forms', async () => {
    const user = await newUser(emulator)
    const browser = await browserOf(app.url, user)
    await postProfileForm(browser, '/profile', { email: `log-${user.email}` })
    await postProfileForm(browser, '/profile/password', {
      current_password: user.password,
      new_password: 'Logged-never-1',
    })
    const all = app.lines.join('\n')
    for (const line of app.lines) expect(line).toMatch(LOG_LINE)
    for (const secret of [user.password, 'Logged-never-1', user.email, user.login]) expect(all).not.toContain(secret)
  })
})
