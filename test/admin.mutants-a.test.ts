import { describe, expect, it } from '@jest/globals'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxNotFoundError, QuickBloxResponseError, QuickBloxValidationError } from '../lib/index.js'
import { QuickBloxAdmin } from '../lib/index.js'
import { adminFor, API_KEY, IDENTITY_KEY, KNOWN, loginOf, newExternalId, useAdminEmulator } from './helpers/admin.js'
import { memoryStore } from './helpers/store.js'

// The admin client's less travelled paths: deletions, changes of remembered users, refusals in
// the middle of a creation, and answers QuickBlox should never give.
let qb: Emulator
useAdminEmulator((started) => (qb = started))

describe('deleting a user', () => {
  it('deletes them at QuickBlox, so they are no longer found', async () => {
    const admin = adminFor(qb)
    const user = await admin.createUser({ login: `gone-${newExternalId()}` })
    await expect(admin.deleteUser(user.id)).resolves.toBeUndefined()
    await expect(admin.getUser(user.id)).resolves.toBeUndefined()
  })

  it('rejects as not found for a user the application does not have', async () => {
    await expect(adminFor(qb).deleteUser(987_654)).rejects.toBeInstanceOf(QuickBloxNotFoundError)
  })

  it('rejects when QuickBlox answers with a redirect instead', async () => {
    qb.failNext('DELETE /users/:id.json', { status: 300 })
    await expect(adminFor(qb).deleteUser(KNOWN.id)).rejects.toBeInstanceOf(Error)
    await expect(adminFor(qb).getUser(KNOWN.id)).resolves.toMatchObject({ id: KNOWN.id })
  })

  it('works without a cache', async () => {
    const admin = adminFor(qb, { cache: false })
    const user = await admin.createUser({ login: `gone-${newExternalId()}` })
    await expect(admin.deleteUser(user.id)).resolves.toBeUndefined()
  })
})

describe('changing a user', () => {
  it('changes only the given fields, never sending a password', async () => {
    qb.resetLog()
    await adminFor(qb).updateUser(KNOWN.id, { fullName: 'Known Again' })
    const put = qb.requests.find((request) => request.endpoint === 'PUT /users/:id.json')
    expect(put?.body).toEqual({ user: { full_name: 'Known Again' } })
  })

  it('works without a cache', async () => {
    await expect(adminFor(qb, { cache: false }).updateUser(KNOWN.id, { fullName: 'Uncached' })).resolves.toMatchObject({
      full_name: 'Uncached',
    })
  })

  it('makes the next ensureUser of that identity see the change', async () => {
    const admin = adminFor(qb)
    const identity = { externalUserId: newExternalId(), fullName: 'Before' }
    const user = await admin.ensureUser(identity)
    await admin.updateUser(user.id, { fullName: 'After' })
    await expect(admin.ensureUser(identity)).resolves.toMatchObject({ id: user.id, full_name: 'After' })
  })

  it('keeps every other remembered user remembered', async () => {
    const admin = adminFor(qb)
    const changed = await admin.ensureUser({ externalUserId: newExternalId() })
    const other = { externalUserId: newExternalId() }
    await admin.ensureUser(other)
    await admin.updateUser(changed.id, { fullName: 'Changed' })
    qb.resetLog()
    await admin.ensureUser(other)
    expect(qb.requests).toHaveLength(0)
  })

  it('takes the user out of the shared store', async () => {
    const { store, entries } = memoryStore()
    const admin = adminFor(qb, { cache: { store } })
    const user = await admin.ensureUser({ externalUserId: newExternalId() })
    expect(entries.size).toBe(1)
    await admin.updateUser(user.id, { fullName: 'Stored' })
    expect(entries.size).toBe(0)
  })
})

describe('ensureUser with the user id the app kept', () => {
  it('answers from memory when the remembered user is the linked one', async () => {
    const admin = adminFor(qb)
    const externalUserId = newExternalId()
    const user = await admin.ensureUser({ externalUserId })
    qb.resetLog()
    await expect(admin.ensureUser({ externalUserId, quickbloxUserId: user.id })).resolves.toMatchObject({ id: user.id })
    expect(qb.requests).toHaveLength(0)
  })

  it('never answers with a remembered user other than the linked one', async () => {
    const admin = adminFor(qb)
    const externalUserId = newExternalId()
    await admin.ensureUser({ externalUserId })
    await expect(admin.ensureUser({ externalUserId, quickbloxUserId: KNOWN.id })).resolves.toMatchObject({
      id: KNOWN.id,
    })
  })
})

describe('creating the user of an identity', () => {
  it('reads back the user another instance created at the same moment, whatever else QuickBlox says of the login', async () => {
    const externalUserId = newExternalId()
    const theirs = await adminFor(qb).ensureUser({ externalUserId })
    // We looked before they created it, and QuickBlox refuses ours with more than one reason.
    qb.failNext('GET /users/by_login.json', { status: 404, body: { errors: ['Not found'] } })
    qb.failNext('POST /users.json', {
      status: 422,
      body: { errors: { login: ['has already been taken.', 'is too long (maximum is 50 characters)'] } },
    })
    await expect(adminFor(qb).ensureUser({ externalUserId })).resolves.toMatchObject({ id: theirs.id })
  })

  it('rejects with the refusal when QuickBlox refuses something other than a taken email', async () => {
    qb.failNext('POST /users.json', { status: 422, body: { errors: { base: ['Something is wrong'] } } })
    const error = await adminFor(qb, { timeout: 1000 })
      .ensureUser({ externalUserId: newExternalId(), email: `e${newExternalId()}@example.com` })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxValidationError)
    expect(error).toMatchObject({ fields: { base: ['Something is wrong'] } })
  })

  it('rejects when a lookup by login answers with another login’s user', async () => {
    qb.failNext('POST /users.json', { status: 422, body: { errors: { login: ['has already been taken.'] } } })
    qb.failNext('GET /users/by_login.json', { status: 404, body: { errors: ['Not found'] } })
    const other = await adminFor(qb).getUser(KNOWN.id)
    qb.failNext('GET /users/by_login.json', { status: 200, body: { user: other } })
    const error = await adminFor(qb)
      .ensureUser({ externalUserId: newExternalId() })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxResponseError)
    expect(error).toMatchObject({ message: "QuickBlox answered a lookup by login with another login's user" })
  })

  it('gives the user made in place of a deleted linked one a login of its own for each deleted user', async () => {
    const admin = adminFor(qb)
    const externalUserId = newExternalId()
    const replacing = (id: number) => admin.loginFor(externalUserId, id)
    expect(new Set([admin.loginFor(externalUserId), replacing(7), replacing(8)]).size).toBe(3)
    // Over HTTP: the linked user is gone, and its replacement is made under the login for it.
    const gone = await admin.createUser({ login: `linked-${newExternalId()}` })
    await admin.deleteUser(gone.id)
    await expect(admin.ensureUser({ externalUserId, quickbloxUserId: gone.id })).resolves.toMatchObject({
      login: replacing(gone.id),
    })
    expect(() => admin.loginFor(externalUserId, 0)).toThrow('loginFor needs a positive integer user id')
  })
})

describe('sessionFor', () => {
  it('returns the new user with the session when the remembered one was deleted at QuickBlox', async () => {
    const admin = adminFor(qb)
    const externalUserId = newExternalId()
    const first = await admin.sessionFor({ externalUserId })
    await adminFor(qb).deleteUser(first.userId)
    const again = await admin.sessionFor({ externalUserId })
    expect(again.userId).not.toBe(first.userId)
    expect(again.user).toMatchObject({ id: again.userId, login: loginOf(externalUserId) })
  })

  it('skips a shared store that never answers, leaving QuickBlox most of the time', async () => {
    const never = () => new Promise<never>(() => {})
    const admin = adminFor(qb, {
      timeout: 1500,
      cache: { store: { get: never, set: async () => {}, delete: async () => {} }, storeTimeoutMs: 60_000 },
    })
    await expect(admin.sessionFor({ externalUserId: newExternalId() })).resolves.toMatchObject({
      userId: expect.any(Number),
    })
  })

  it('takes a user from QuickBlox when the shared store holds something unreadable', async () => {
    const { store, entries } = memoryStore()
    const admin = adminFor(qb, { cache: { store } })
    const externalUserId = newExternalId()
    await adminFor(qb, { cache: { store } }).ensureUser({ externalUserId })
    for (const key of entries.keys())
      entries.set(key, JSON.stringify({ value: 'nonsense', expiresAt: Date.now() + 60_000 }))
    await expect(admin.ensureUser({ externalUserId })).resolves.toMatchObject({ login: loginOf(externalUserId) })
  })
})

describe('issuing a token', () => {
  it('rejects a token answer without a readable expiry', async () => {
    qb.failNext('POST /users/:id/tokens', { status: 201, body: { token: 'abcdef0123456789', expires_at: 'never' } })
    const error = await adminFor(qb)
      .issueToken(KNOWN.id)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxResponseError)
    expect(error).toMatchObject({ message: 'QuickBlox answered a token request without a readable token' })
  })
})

describe('revoking a token', () => {
  it.each([500, 300])('rejects when QuickBlox answers %i', async (status) => {
    const { token } = await adminFor(qb).issueToken(KNOWN.id)
    qb.failNext('DELETE /session.json', { status })
    await expect(adminFor(qb).revokeToken(token)).rejects.toBeInstanceOf(Error)
  })
})

describe('a shared store that never answers a deletion', () => {
  it('is named in the rejection of revokeToken, after QuickBlox ended the token', async () => {
    const { store } = memoryStore()
    const admin = adminFor(qb, {
      cache: { store: { ...store, delete: () => new Promise<never>(() => {}) }, storeTimeoutMs: 20 },
    })
    const { token } = await admin.issueToken(KNOWN.id)
    await expect(admin.revokeToken(token)).rejects.toThrow('QuickBloxAdmin: the user store did not answer delete')
  })
})

describe('what a misuse is told', () => {
  const make = (options: Record<string, unknown>) => () =>
    new QuickBloxAdmin({ apiKey: API_KEY, identityKey: IDENTITY_KEY, ...options })
  it.each<[string, Record<string, unknown>, string]>([
    ['an unprintable API key', { apiKey: 'a b' }, 'option apiKey must be the API key'],
    ['a short identity key', { identityKey: 'short' }, 'option identityKey must be a random secret'],
    ['a zero timeout', { timeout: 0 }, 'option timeout must be a number of milliseconds'],
    ['a cache that is not an object', { cache: 'yes' }, 'option cache must be false or an object'],
  ])('names the option on %s', (_name, options, message) => {
    expect(make(options)).toThrow(message)
  })

  it.each<[string, (admin: QuickBloxAdmin) => Promise<unknown>, string]>([
    ['getUser', (admin) => admin.getUser(0), 'getUser needs a positive integer user id'],
    ['updateUser', (admin) => admin.updateUser(0, {}), 'updateUser needs a positive integer user id'],
    ['deleteUser', (admin) => admin.deleteUser(0), 'deleteUser needs a positive integer user id'],
    ['issueToken', (admin) => admin.issueToken(0), 'issueToken needs a positive integer user id'],
    ['getUserByLogin', (admin) => admin.getUserByLogin(''), 'login must be text'],
    ['getUserByEmail', (admin) => admin.getUserByEmail(''), 'email must be text'],
    ['revokeToken', (admin) => admin.revokeToken('not a token'), 'revokeToken needs a session token'],
    ['createUser', (admin) => admin.createUser(null as never), 'a user object is required'],
    ['ensureUser', (admin) => admin.ensureUser(null as never), 'an identity is required'],
    [
      'ensureUser with a login',
      (admin) => admin.ensureUser({ externalUserId: 1, login: 'x' } as never),
      'an identity has no login or password',
    ],
    [
      'ensureUser with a bad link',
      (admin) => admin.ensureUser({ externalUserId: 1, quickbloxUserId: -1 }),
      'an identity with quickbloxUserId needs',
    ],
    ['createUser with tags as text', (admin) => admin.createUser({ login: 'x', tags: 'a' as never }), 'tags must be'],
  ])('says what is wrong with a call to %s', async (_name, run, message) => {
    await expect(run(adminFor(qb))).rejects.toThrow(message)
  })

  it('says the identity key is required to map identities', () => {
    expect(() => new QuickBloxAdmin({ apiKey: API_KEY }).loginFor(1)).toThrow('option identityKey is required')
  })

  it('says the client is closed after close()', async () => {
    const admin = adminFor(qb)
    await admin.close()
    await expect(admin.getUser(KNOWN.id)).rejects.toThrow('The QuickBlox admin client is closed')
  })
})
