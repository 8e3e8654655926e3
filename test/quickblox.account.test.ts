import { inspect } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import {
  QuickBloxConfigurationError,
  QuickBloxCredentialsError,
  QuickBloxNotFoundError,
  QuickBloxRateLimitError,
  QuickBloxStrategy,
  QuickBloxTimeoutError,
  QuickBloxUnavailableError,
  QuickBloxValidationError,
  QuickBloxWrongPasswordError,
} from '../lib/index.js'
import type { QuickBloxClient } from '../lib/quickblox/client.js'
import type { QuickBloxUser } from '../lib/quickblox/types.js'
import { recordDiagnostics } from './helpers/diagnostics.js'
import { APP, clientFor } from './helpers/quickblox.js'

// A user's own account through QuickBloxClient, with their own session token, against the
// emulator over real HTTP: each operation, each refusal, and what the errors never hold.
let qb: Emulator
let client: QuickBloxClient
beforeAll(async () => {
  qb = await startEmulator({
    applications: [{ ...APP, apiKey: 'account-test-api-key' }],
    users: [{ login: 'taken', email: 'taken@example.com', password: 'taken-password-1' }],
  })
  client = clientFor(qb, { pool: false, timeout: 2000 })
})
afterAll(async () => {
  await client.close()
  await qb.close()
})
afterEach(() => qb.clearFaults())

let serial = 0
/** A new user, signed in: their id, token and password. */
async function signedUp() {
  serial++
  const login = `account-${serial}`
  const password = `Pa55word-${serial}-secret`
  const created = await fetch(`${qb.url}/users.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'ApiKey account-test-api-key' },
    body: JSON.stringify({ user: { login, password, email: `${login}@example.com` } }),
  })
  expect(created.status).toBe(201)
  const { user, session } = await client.login({ login, password })
  return { id: user.id, token: session.token, login, password }
}

describe('updateUser', () => {
  it("changes the user's full name, email and login, and resolves with the user as QuickBlox has it", async () => {
    const amy = await signedUp()
    const user = await client.updateUser(
      amy.id,
      { fullName: 'Amy Pond', email: `new-${amy.login}@example.com`, login: `${amy.login}-new` },
      amy.token,
    )
    expect(user).toMatchObject({
      id: amy.id,
      full_name: 'Amy Pond',
      email: `new-${amy.login}@example.com`,
      login: `${amy.login}-new`,
    })
    expect(await client.getUser(amy.id, amy.token)).toMatchObject({ full_name: 'Amy Pond' })
    // The new login signs in; the old one no longer does.
    await expect(client.login({ login: `${amy.login}-new`, password: amy.password })).resolves.toBeDefined()
    await expect(client.login({ login: amy.login, password: amy.password })).rejects.toThrow(QuickBloxCredentialsError)
  })

  it("hands QuickBlox's refusal of a taken email or login to the caller as fields", async () => {
    const amy = await signedUp()
    const error = await client
      .updateUser(amy.id, { email: 'taken@example.com', login: 'taken' }, amy.token)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxValidationError)
    expect((error as QuickBloxValidationError).fields).toEqual({
      login: ['has already been taken.'],
      email: ['has already been taken'],
    })
    expect((error as QuickBloxValidationError).status).toBe(422)
  })

  it('refuses a token QuickBlox no longer knows as the credentials error a signed-out user gets', async () => {
    const amy = await signedUp()
    await client.logout(amy.token)
    const error = await client.updateUser(amy.id, { fullName: 'Gone' }, amy.token).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxCredentialsError)
    expect((error as QuickBloxCredentialsError).status).toBe(401)
  })

  it("refuses to change another user's profile with one's own token (403), and changes nothing", async () => {
    const [amy, bob] = [await signedUp(), await signedUp()]
    const error = await client.updateUser(bob.id, { fullName: 'Hijacked' }, amy.token).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxCredentialsError)
    expect((error as QuickBloxCredentialsError).status).toBe(403)
    expect((await client.getUser(bob.id, bob.token)).full_name).not.toBe('Hijacked')
  })

  it('refuses, before any request, no change at all, a field that is not text, and a token that is not one', async () => {
    const amy = await signedUp()
    const before = qb.requests.length
    await expect(client.updateUser(amy.id, {}, amy.token)).rejects.toThrow(TypeError)
    await expect(client.updateUser(amy.id, { fullName: 42 as unknown as string }, amy.token)).rejects.toThrow(TypeError)
    await expect(client.updateUser(amy.id, { fullName: 'x'.repeat(1025) }, amy.token)).rejects.toThrow(TypeError)
    await expect(client.updateUser(0, { fullName: 'Amy' }, amy.token)).rejects.toThrow(TypeError)
    await expect(client.updateUser(amy.id, { fullName: 'Amy' }, 'not a token!')).rejects.toThrow(TypeError)
    expect(qb.requests.length).toBe(before)
  })
})

describe('changePassword', () => {
  it('changes the password: the new one signs in, the old one no longer does', async () => {
    const amy = await signedUp()
    const next = `${amy.password}-next`
    await expect(
      client.changePassword(amy.id, { oldPassword: amy.password, password: next }, amy.token),
    ).resolves.toMatchObject({ id: amy.id })
    await expect(client.login({ login: amy.login, password: next })).resolves.toBeDefined()
    await expect(client.login({ login: amy.login, password: amy.password })).rejects.toThrow(QuickBloxCredentialsError)
  })

  it('rejects a wrong current password with its own error: 422 QB_WRONG_PASSWORD, never a 5xx nor a misconfiguration', async () => {
    const amy = await signedUp()
    const wrong = 'Wrong-current-password-77'
    const next = 'Next-password-never-shown-88'
    const error = await client
      .changePassword(amy.id, { oldPassword: wrong, password: next }, amy.token)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxWrongPasswordError)
    expect(error).not.toBeInstanceOf(QuickBloxConfigurationError)
    expect(error).toMatchObject({ code: 'QB_WRONG_PASSWORD', status: 422, expose: true })
    for (const rendering of [inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error)]) {
      expect(rendering).not.toContain(wrong)
      expect(rendering).not.toContain(next)
      expect(rendering).not.toContain(amy.token)
    }
    // Nothing changed.
    await expect(client.login({ login: amy.login, password: amy.password })).resolves.toBeDefined()
  })

  it("hands QuickBlox's refusal of the new password over as fields, with no password in them", async () => {
    const amy = await signedUp()
    const error = await client
      .changePassword(amy.id, { oldPassword: amy.password, password: 'short' }, amy.token)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxValidationError)
    expect((error as QuickBloxValidationError).fields).toEqual({ password: ['is too short (minimum is 8 characters)'] })
  })

  it('keeps a password that QuickBlox quotes in a refusal out of the fields', async () => {
    const amy = await signedUp()
    const next = 'Quoted-new-password-99'
    qb.failNext('PUT /users/:id.json', {
      status: 422,
      body: { errors: { password: [`"${next}" is too common`], base: [`${amy.password} was used before`] } },
    })
    const error = await client
      .changePassword(amy.id, { oldPassword: amy.password, password: next }, amy.token)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxValidationError)
    expect((error as QuickBloxValidationError).fields).toEqual({ password: ['is invalid'], base: ['is invalid'] })
    expect(inspect(error, { depth: 10, showHidden: true })).not.toMatch(/Quoted-new|Pa55word/)
  })

  it('refuses a missing current or new password before any request', async () => {
    const amy = await signedUp()
    const before = qb.requests.length
    await expect(
      client.changePassword(amy.id, { oldPassword: '', password: 'x'.repeat(9) }, amy.token),
    ).rejects.toThrow(TypeError)
    await expect(client.changePassword(amy.id, { oldPassword: amy.password } as never, amy.token)).rejects.toThrow(
      TypeError,
    )
    expect(qb.requests.length).toBe(before)
  })
})

describe('deleteUser', () => {
  it("deletes the user's own account: their sessions end, they cannot sign in, and the user is gone", async () => {
    const amy = await signedUp()
    const other = await client.login({ login: amy.login, password: amy.password })
    const watcher = await signedUp()
    await client.deleteUser(amy.id, amy.token)
    await expect(client.getSession(other.session.token)).rejects.toThrow(QuickBloxCredentialsError)
    await expect(client.login({ login: amy.login, password: amy.password })).rejects.toThrow(QuickBloxCredentialsError)
    await expect(client.getUser(amy.id, watcher.token)).rejects.toThrow(QuickBloxCredentialsError)
  })

  it("refuses to delete another user with one's own token (403), and deletes nothing", async () => {
    const [amy, bob] = [await signedUp(), await signedUp()]
    await expect(client.deleteUser(bob.id, amy.token)).rejects.toMatchObject({ status: 403 })
    await expect(client.getUser(bob.id, bob.token)).resolves.toMatchObject({ id: bob.id })
  })

  it('refuses a token QuickBlox no longer knows', async () => {
    const amy = await signedUp()
    await client.logout(amy.token)
    await expect(client.deleteUser(amy.id, amy.token)).rejects.toThrow(QuickBloxCredentialsError)
  })
})

describe('sendPasswordResetEmail', () => {
  const resets = () => qb.counts()['GET /users/password/reset.json']

  it('asks QuickBlox, with an application session, to mail the user a link to choose a new password', async () => {
    const amy = await signedUp()
    const sessions = qb.counts()['POST /session.json']
    await client.sendPasswordResetEmail(`${amy.login}@example.com`)
    expect(qb.counts()['POST /session.json']).toBe(sessions + 1) // no pool here: a session of its own
    const link = qb.lastResetLink(`${amy.login}@example.com`)
    expect(link).toMatch(/\/password\/reset\?token=/)
    // The link works: the new password it sets signs in.
    const token = new URL(link!).searchParams.get('token')!
    const set = await fetch(`${qb.url}/password/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, password: 'Reset-by-mail-1', password_confirmation: 'Reset-by-mail-1' }),
    })
    expect(set.status).toBe(200)
    await expect(client.login({ login: amy.login, password: 'Reset-by-mail-1' })).resolves.toBeDefined()
  })

  it('resolves alike for an address QuickBlox does not know (its 404), and mails nothing', async () => {
    const mails = qb.mails.length
    const before = resets()
    await expect(client.sendPasswordResetEmail('nobody-at-all@example.com')).resolves.toBeUndefined()
    expect(resets()).toBe(before + 1)
    expect(qb.mails.length).toBe(mails)
  })

  it('resolves alike when QuickBlox may not mail the address (its 403 for an unconfirmed email)', async () => {
    qb.failNext('GET /users/password/reset.json', {
      status: 403,
      body: { errors: ['User does not have a confirmed email address'] },
    })
    await expect(client.sendPasswordResetEmail('taken@example.com')).resolves.toBeUndefined()
  })

  it('takes a pooled application session, and a fresh one when QuickBlox has forgotten it', async () => {
    const pooled = clientFor(qb, { timeout: 2000 })
    try {
      const amy = await signedUp()
      await pooled.sendPasswordResetEmail(`${amy.login}@example.com`) // starts the pool, makes its own
      const mails = qb.mails.length
      qb.failNext('GET /users/password/reset.json', {
        status: 401,
        body: { errors: ['Required session does not exist'] },
      })
      const before = resets()
      await pooled.sendPasswordResetEmail(`${amy.login}@example.com`)
      expect(resets()).toBe(before + 2)
      expect(qb.mails.length).toBe(mails + 1)
    } finally {
      await pooled.close()
    }
  })

  it('without a pool, asks again with a fresh session when QuickBlox has forgotten the first', async () => {
    const forgotten = { status: 401, body: { errors: ['Required session does not exist'] } }
    qb.failNext('GET /users/password/reset.json', forgotten)
    const before = resets()
    const sessions = qb.counts()['POST /session.json']
    await expect(client.sendPasswordResetEmail('taken@example.com')).resolves.toBeUndefined()
    expect(resets()).toBe(before + 2)
    expect(qb.counts()['POST /session.json']).toBe(sessions + 2)
  })

  it('is unavailable, saying so, when QuickBlox forgets the fresh session too', async () => {
    const forgotten = { status: 401, body: { errors: ['Required session does not exist'] } }
    qb.failNext('GET /users/password/reset.json', forgotten, 2)
    await expect(client.sendPasswordResetEmail('taken@example.com')).rejects.toThrow(
      new QuickBloxUnavailableError('QuickBlox did not accept a fresh application session'),
    )
  })

  it("is QuickBlox's trouble as for any call: 503 unavailable, 422 a validation error", async () => {
    qb.failNext('GET /users/password/reset.json', { status: 503 })
    await expect(client.sendPasswordResetEmail('taken@example.com')).rejects.toThrow(QuickBloxUnavailableError)
    qb.failNext('GET /users/password/reset.json', { status: 422, body: { errors: { email: ['is invalid'] } } })
    await expect(client.sendPasswordResetEmail('taken@example.com')).rejects.toThrow(QuickBloxValidationError)
  })

  it('refuses an email that is not text, before any request', async () => {
    const before = qb.requests.length
    await expect(client.sendPasswordResetEmail('')).rejects.toThrow(TypeError)
    await expect(client.sendPasswordResetEmail(42 as unknown as string)).rejects.toThrow(TypeError)
    expect(qb.requests.length).toBe(before)
  })

  it('traces the request by its path alone: the email is in no trace', async () => {
    const recorder = recordDiagnostics()
    try {
      await client.sendPasswordResetEmail('traced-person@example.com')
    } finally {
      recorder.stop()
    }
    const ends = recorder.of('request', 'asyncEnd').map((e) => `${String(e.fields.method)} ${String(e.fields.path)}`)
    expect(ends).toEqual(['POST /session.json', 'GET /users/password/reset.json'])
    expect(recorder.events.map((e) => e.rendered).join('\n')).not.toContain('traced-person')
  })
})

describe("QuickBlox's trouble during an account call", () => {
  it('is the same error as for a login: 5xx unavailable, 429 rate-limited with Retry-After, no reply in time a timeout', async () => {
    const amy = await signedUp()
    qb.failNext('PUT /users/:id.json', { status: 503 })
    await expect(client.updateUser(amy.id, { fullName: 'A' }, amy.token)).rejects.toThrow(QuickBloxUnavailableError)
    qb.failNext('DELETE /users/:id.json', { status: 429, retryAfter: 7 })
    await expect(client.deleteUser(amy.id, amy.token)).rejects.toMatchObject({
      constructor: QuickBloxRateLimitError,
      retryAfter: 7,
    })
    const quick = clientFor(qb, { pool: false, timeout: 300 })
    qb.failNext('PUT /users/:id.json', 'hang')
    const started = Date.now()
    await expect(
      quick.changePassword(amy.id, { oldPassword: amy.password, password: 'Whatever-123' }, amy.token),
    ).rejects.toThrow(QuickBloxTimeoutError)
    expect(Date.now() - started).toBeLessThan(3000)
    await quick.close()
  })

  it('answers a user that is gone (404) as not found', async () => {
    const amy = await signedUp()
    qb.failNext('PUT /users/:id.json', { status: 404 })
    await expect(client.updateUser(amy.id, { fullName: 'A' }, amy.token)).rejects.toThrow(QuickBloxNotFoundError)
  })
})

describe('diagnostics', () => {
  it('traces each account request by its path template, with no id, token, email or password', async () => {
    const amy = await signedUp()
    const recorder = recordDiagnostics()
    try {
      await client.updateUser(amy.id, { fullName: 'Traced' }, amy.token)
      await client
        .changePassword(amy.id, { oldPassword: 'Wrong-but-traced-1', password: 'Never-traced-22' }, amy.token)
        .catch(() => {})
      await client.deleteUser(amy.id, amy.token)
    } finally {
      recorder.stop()
    }
    const ends = recorder.of('request', 'asyncEnd').map((e) => `${String(e.fields.method)} ${String(e.fields.path)}`)
    expect(ends).toEqual(['PUT /users/{id}.json', 'PUT /users/{id}.json', 'DELETE /users/{id}.json'])
    const everything = recorder.events.map((e) => e.rendered).join('\n')
    for (const secret of [amy.token, 'Wrong-but-traced-1', 'Never-traced-22', String(amy.id), amy.login]) {
      expect(everything).not.toContain(secret)
    }
  })
})

describe('from a strategy', () => {
  it('is reachable as strategy.client, with the credentials the app already gave it', async () => {
    const strategy = new QuickBloxStrategy(
      { appId: APP.id, authKey: APP.authKey, authSecret: APP.authSecret, apiEndpoint: qb.url, pool: false },
      async (user: QuickBloxUser) => user,
    )
    try {
      const amy = await signedUp()
      const user = await strategy.client.updateUser(amy.id, { fullName: 'Via Strategy' }, amy.token)
      expect(user.full_name).toBe('Via Strategy')
    } finally {
      await strategy.close()
    }
  })
})
