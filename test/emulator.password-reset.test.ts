import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator, type EmulatorApplication } from 'passport-quickblox/emulator'
import { appToken, call, sessionParams, type Params } from './helpers/emulator.js'

// QuickBlox's forgotten-password path on the emulator: the request, the "mail", and the page its
// link opens, walked over plain HTTP as a browser would (form posts).
const app: EmulatorApplication = { id: 71, authKey: 'key-71', authSecret: 'secret-71', apiKey: 'api-key-71' }
const other: EmulatorApplication = { id: 72, authKey: 'key-72', authSecret: 'secret-72' }
const HOUR = 60 * 60 * 1000
let qb: Emulator
const logged: string[] = []
beforeAll(async () => {
  qb = await startEmulator({ applications: [app, other], users: [], log: (line) => logged.push(line) })
})
afterAll(() => qb.close())

let serial = 0
/** A new user of `app`, with an email. */
function newUser(seed: Partial<Params> = {}): { id: number; login: string; email: string; password: string } {
  serial++
  const user = { login: `reset-${serial}`, email: `reset-${serial}@example.com`, password: `old-password-${serial}` }
  const { id } = qb.addUser({ ...user, application_id: app.id, ...seed })
  return { id, ...user, ...(seed as object) }
}
const askReset = async (email: string, token?: string) =>
  call(`${qb.url}/users/password/reset.json?email=${encodeURIComponent(email)}`, 'GET', {
    token: token ?? (await appToken(qb)),
  })
const signIn = (login: string, password: string) =>
  call(`${qb.url}/session.json`, 'POST', { body: sessionParams(app, { user: { login, password } }) })
const submit = (link: string, fields: Record<string, string>) =>
  call(`${qb.url}/password/reset`, 'POST', {
    encoding: 'form',
    body: { token: new URL(link).searchParams.get('token')!, ...fields },
  })
const choose = (link: string, password: string) => submit(link, { password, password_confirmation: password })

describe('GET /users/password/reset.json', () => {
  it('answers 200 with an empty body and "mails" the user a link, kept in mails and printed on the log', async () => {
    const amy = newUser()
    const before = qb.mails.length
    const answer = await askReset(amy.email)
    expect(answer.status).toBe(200)
    expect(answer.text).toBe('')
    expect(qb.mails.length).toBe(before + 1)
    const mail = qb.mails.at(-1)!
    expect(mail).toEqual({
      to: amy.email,
      subject: 'Reset your password',
      link: expect.stringMatching(new RegExp(`^${qb.url}/password/reset\\?token=[A-Za-z0-9_-]{43}$`)),
      sentAt: expect.any(Number),
    })
    expect(Math.abs(mail.sentAt - Date.now())).toBeLessThan(60_000)
    expect(qb.lastResetLink(amy.email)).toBe(mail.link)
    expect(logged).toContain(`mail to ${amy.email}: Reset your password: ${mail.link}`)
  })

  it('finds the address in any letter case, with a user session as well as an application session', async () => {
    const bob = newUser()
    const userSession = await signIn(bob.login, bob.password)
    const answer = await askReset(bob.email.toUpperCase(), userSession.json.session.token)
    expect(answer.status).toBe(200)
    expect(qb.mails.at(-1)!.to).toBe(bob.email)
    expect(qb.lastResetLink(bob.email.toUpperCase())).toBe(qb.mails.at(-1)!.link)
  })

  it('answers 404, as QuickBlox does, for an address no user of the application has, and mails nothing', async () => {
    const before = qb.mails.length
    const answer = await askReset('nobody@example.com')
    expect(answer.status).toBe(404)
    expect(answer.json).toEqual({ errors: ['Not found'] })
    expect(qb.mails.length).toBe(before)
    expect(qb.lastResetLink('nobody@example.com')).toBeUndefined()
  })

  it('answers 404 for the address of another application’s user', async () => {
    const theirs = qb.addUser({ email: 'theirs@example.com', password: 'their-password', application_id: other.id })
    expect(theirs.id).toBeGreaterThan(0)
    expect((await askReset('theirs@example.com')).status).toBe(404)
  })

  it('answers 422 without an email', async () => {
    const answer = await call(`${qb.url}/users/password/reset.json`, 'GET', { token: await appToken(qb) })
    expect(answer.status).toBe(422)
    expect(answer.json).toEqual({ errors: { email: ["can't be blank"] } })
  })

  it('answers 401 without a session token, the API key included', async () => {
    const carol = newUser()
    const url = `${qb.url}/users/password/reset.json?email=${encodeURIComponent(carol.email)}`
    expect((await call(url, 'GET')).status).toBe(401)
    expect((await call(url, 'GET', { headers: { Authorization: `ApiKey ${app.apiKey}` } })).status).toBe(401)
  })

  it('makes a new random secret for every link', async () => {
    const dan = newUser()
    await askReset(dan.email)
    const first = qb.lastResetLink(dan.email)
    await askReset(dan.email)
    expect(qb.lastResetLink(dan.email)).not.toBe(first)
  })
})

describe('the reset page', () => {
  it('shows a form for a new password, naming the account, with headers that keep the secret in it', async () => {
    const erin = newUser()
    await askReset(erin.email)
    const page = await call(qb.lastResetLink(erin.email)!, 'GET')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
    expect(page.headers.get('cache-control')).toBe('no-store')
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(page.text).toContain(erin.email)
    expect(page.text).toContain('<form method="post" action="/password/reset">')
    expect(page.text).toContain('name="password"')
    expect(page.text).toContain('name="password_confirmation"')
  })

  it('sets the new password: the user signs in with it, no longer with the old one', async () => {
    const fay = newUser()
    await askReset(fay.email)
    const done = await choose(qb.lastResetLink(fay.email)!, 'a-brand-new-password')
    expect(done.status).toBe(200)
    expect(done.text).toContain('Password changed')
    expect((await signIn(fay.login, 'a-brand-new-password')).status).toBe(201)
    expect((await signIn(fay.login, fay.password)).status).toBe(401)
  })

  it('works once: the link is dead after the password was set', async () => {
    const gus = newUser()
    await askReset(gus.email)
    const link = qb.lastResetLink(gus.email)!
    expect((await choose(link, 'first-new-password')).status).toBe(200)
    expect((await call(link, 'GET')).status).toBe(404)
    const again = await choose(link, 'second-new-password')
    expect(again.status).toBe(404)
    expect(again.text).toContain('Link not valid')
    expect((await signIn(gus.login, 'first-new-password')).status).toBe(201)
  })

  it('works for an hour on the emulator’s clock', async () => {
    // An emulator of its own: its clock moves an hour on, past every other test's timestamps.
    const own = await startEmulator({
      applications: [app],
      users: [{ id: 5, login: 'hal', email: 'hal@example.com', password: 'hal-old-password' }],
    })
    try {
      const token = (await call(`${own.url}/session.json`, 'POST', { body: sessionParams(app) })).json.session.token
      expect((await call(`${own.url}/users/password/reset.json?email=hal@example.com`, 'GET', { token })).status).toBe(
        200,
      )
      const link = own.lastResetLink('hal@example.com')!
      own.advanceTime(HOUR - 1000)
      expect((await call(link, 'GET')).status).toBe(200)
      own.advanceTime(1000)
      expect((await call(link, 'GET')).status).toBe(404)
      const secret = new URL(link).searchParams.get('token')!
      const late = await call(`${own.url}/password/reset`, 'POST', {
        encoding: 'form',
        body: { token: secret, password: 'too-late-password', password_confirmation: 'too-late-password' },
      })
      expect(late.status).toBe(404)
      const timestamp = Math.floor((Date.now() + HOUR) / 1000)
      const oldPassword = sessionParams(app, { user: { login: 'hal', password: 'hal-old-password' } }, { timestamp })
      expect((await call(`${own.url}/session.json`, 'POST', { body: oldPassword })).status).toBe(201)
    } finally {
      await own.close()
    }
  })

  it('ends an older link when a newer one is mailed', async () => {
    const ida = newUser()
    await askReset(ida.email)
    const older = qb.lastResetLink(ida.email)!
    await askReset(ida.email)
    expect((await call(older, 'GET')).status).toBe(404)
    expect((await call(qb.lastResetLink(ida.email)!, 'GET')).status).toBe(200)
  })

  it('ends the link when the password changes another way', async () => {
    const jo = newUser()
    await askReset(jo.email)
    const link = qb.lastResetLink(jo.email)!
    const changed = await call(`${qb.url}/users/${jo.id}.json`, 'PUT', {
      body: { user: { password: 'changed-by-api-key' } },
      headers: { Authorization: `ApiKey ${app.apiKey}` },
    })
    expect(changed.status).toBe(200)
    expect((await choose(link, 'reset-after-change')).status).toBe(404)
    expect((await signIn(jo.login, 'changed-by-api-key')).status).toBe(201)
  })

  it('ends the link when the user is deleted', async () => {
    const kim = newUser()
    await askReset(kim.email)
    const link = qb.lastResetLink(kim.email)!
    const deleted = await call(`${qb.url}/users/${kim.id}.json`, 'DELETE', {
      headers: { Authorization: `ApiKey ${app.apiKey}` },
    })
    expect(deleted.status).toBe(200)
    expect((await call(link, 'GET')).status).toBe(404)
  })

  it.each([
    [
      'too short',
      { password: 'short', password_confirmation: 'short' },
      'The password is too short (minimum is 8 characters).',
    ],
    [
      'too long',
      { password: 'x'.repeat(41), password_confirmation: 'x'.repeat(41) },
      'The password is too long (maximum is 40 characters).',
    ],
    [
      'not repeated alike',
      { password: 'one-new-password', password_confirmation: 'another-password' },
      'The two passwords differ.',
    ],
    ['missing', {}, 'Enter a new password.'],
  ])('refuses a password %s with 422 and the form again, and the link still works', async (_name, fields, message) => {
    const lee = newUser()
    await askReset(lee.email)
    const link = qb.lastResetLink(lee.email)!
    const refused = await submit(link, fields)
    expect(refused.status).toBe(422)
    expect(refused.text).toContain(message)
    expect(refused.text).toContain('<form')
    expect((await signIn(lee.login, lee.password)).status).toBe(201)
    expect((await choose(link, 'a-good-new-password')).status).toBe(200)
  })

  it.each([
    ['an unknown secret', '?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['no secret', ''],
    ['a secret given twice', '?token=a&token=b'],
  ])('answers 404 to %s', async (_name, query) => {
    const page = await call(`${qb.url}/password/reset${query}`, 'GET')
    expect(page.status).toBe(404)
    expect(page.text).toContain('Link not valid')
  })

  it('escapes what the user wrote on themselves', async () => {
    const email = '"><svg/onload=alert(1)>@example.com'
    const mal = newUser({ email })
    await askReset(mal.email)
    const page = await call(qb.lastResetLink(email)!, 'GET')
    expect(page.status).toBe(200)
    expect(page.text).not.toContain('<svg')
    expect(page.text).toContain('&quot;&gt;&lt;svg/onload=alert(1)&gt;@example.com')
  })

  it('keeps the secret out of the request log and the request lines', async () => {
    const max = newUser()
    await askReset(max.email)
    const link = qb.lastResetLink(max.email)!
    const secret = new URL(link).searchParams.get('token')!
    await call(link, 'GET')
    await submit(link, { password: 'short', password_confirmation: 'short' })
    await choose(link, 'logged-new-password')
    expect(JSON.stringify(qb.requests)).not.toContain(secret)
    expect(JSON.stringify(qb.requests)).not.toContain('logged-new-password')
    expect(logged.filter((line) => !line.startsWith('mail to ')).join('\n')).not.toContain(secret)
    const posts = qb.requests.filter((request) => request.endpoint === 'POST /password/reset')
    expect(posts.at(-1)!.body).toEqual({ token: '***', password: '***', password_confirmation: '***' })
  })
})
