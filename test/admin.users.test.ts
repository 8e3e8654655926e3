import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxTokenStrategy } from '../lib/index.js'
import { adminFor, API_KEY, closeAdmins, KNOWN, newExternalId, startAdminEmulator } from './helpers/admin.js'
import { memoryStore } from './helpers/store.js'
import { appToken, call } from './helpers/emulator.js'
import { AMY } from './helpers/quickblox.js'

// QuickBloxAdmin against the emulator: users created and found, tokens issued, calls counted.
let qb: Emulator
beforeAll(async () => {
  qb = await startAdminEmulator()
})
afterAll(() => qb.close())
beforeEach(() => qb.resetLog())
afterEach(closeAdmins)

const calls = (): Record<string, number> => Object.fromEntries(Object.entries(qb.counts()).filter(([, n]) => n > 0))
const lastBody = (): unknown => qb.requests.at(-1)?.body

/** Whose token this is, as an API behind QuickBloxTokenStrategy sees it. */
async function checkToken(token: string): Promise<number | undefined> {
  const strategy = new QuickBloxTokenStrategy({ appId: qb.application.id, apiEndpoint: qb.url }, (user, _s, done) =>
    done(null, user),
  )
  try {
    return (await strategy.check(token))?.user.id
  } finally {
    await strategy.close()
  }
}

describe('createUser', () => {
  it("sends camelCase fields under QuickBlox's names and resolves with the created user", async () => {
    const externalUserId = newExternalId()
    const user = await adminFor(qb).createUser({
      login: 'camel',
      email: 'camel@example.com',
      password: 'camel-password',
      fullName: 'Camel Case',
      externalUserId,
      tags: ['web', 'beta'],
      customData: '{"plan":"free"}',
      phone: '+15555550199',
      website: 'https://example.com',
    })
    expect(lastBody()).toEqual({
      user: {
        login: 'camel',
        email: 'camel@example.com',
        password: '***',
        full_name: 'Camel Case',
        external_user_id: externalUserId,
        tag_list: 'web,beta',
        custom_data: '{"plan":"free"}',
        phone: '+15555550199',
        website: 'https://example.com',
      },
    })
    expect(user).toMatchObject({ login: 'camel', full_name: 'Camel Case', external_user_id: externalUserId })
    expect(qb.requests.at(-1)?.headers.authorization).toBe('***')
  })

  it('makes a strong random password when none is given, a new one each time, and never returns it', async () => {
    const bodies: string[] = []
    const server = createServer((req, res) => {
      let text = ''
      req.on('data', (chunk: Buffer) => (text += chunk.toString()))
      req.on('end', () => {
        bodies.push(text)
        const now = new Date().toISOString()
        res.writeHead(201, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ user: { id: bodies.length, login: 'x', created_at: now, updated_at: now } }))
      })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const admin = adminFor(qb, { apiEndpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
      const user = await admin.createUser({ login: 'random-a' })
      await admin.createUser({ login: 'random-b' })
      const passwords = bodies.map((body) => (JSON.parse(body) as { user: { password: string } }).user.password)
      for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/)
      expect(passwords[0]).not.toBe(passwords[1])
      expect(JSON.stringify(user)).not.toContain(passwords[0])
    } finally {
      server.close()
    }
  })

  it('creates a user whose password signs in, when one is given', async () => {
    await adminFor(qb).createUser({ login: 'with-password', password: 'chosen-password' })
    const body = { login: 'with-password', password: 'chosen-password' }
    const answer = await call(`${qb.url}/login.json`, 'POST', { token: await appToken(qb), body })
    expect(answer.status).toBe(202)
  })
})

describe('getUser and getUserByExternalId', () => {
  it('find a user by id and by external id', async () => {
    const admin = adminFor(qb)
    await expect(admin.getUser(KNOWN.id)).resolves.toMatchObject({ id: KNOWN.id, login: KNOWN.login })
    await expect(admin.getUserByExternalId(KNOWN.external_user_id)).resolves.toMatchObject({ id: KNOWN.id })
    await expect(admin.getUserByExternalId(String(KNOWN.external_user_id))).resolves.toMatchObject({ id: KNOWN.id })
  })

  it('resolve undefined for a user that is not there', async () => {
    const admin = adminFor(qb)
    await expect(admin.getUser(99_999)).resolves.toBeUndefined()
    await expect(admin.getUserByExternalId(newExternalId())).resolves.toBeUndefined()
  })
})

describe('ensureUser', () => {
  it('finds a user seen before with one request (by its login), and creates nothing', async () => {
    const externalUserId = newExternalId()
    const created = await adminFor(qb).ensureUser({ externalUserId })
    qb.resetLog()
    const user = await adminFor(qb).ensureUser({ externalUserId, fullName: 'Ignored' })
    expect(user.id).toBe(created.id)
    expect(user.full_name).toBeNull()
    expect(calls()).toEqual({ 'GET /users/by_login.json': 1 })
  })

  it("creates a new user with the identity's fields and a login made from it, and no external_user_id", async () => {
    const externalUserId = newExternalId()
    const admin = adminFor(qb)
    const user = await admin.ensureUser({
      externalUserId,
      fullName: 'New Face',
      email: `n${externalUserId}@example.com`,
    })
    expect(user).toMatchObject({
      login: admin.loginFor(externalUserId),
      full_name: 'New Face',
      email: `n${externalUserId}@example.com`,
      external_user_id: null,
    })
    expect(user.login).toMatch(/^qb-[0-9a-f]{40}$/)
    expect(calls()).toEqual({ 'GET /users/by_login.json': 1, 'POST /users.json': 1 })
  })

  it('remembers the user: the second call asks QuickBlox nothing', async () => {
    const admin = adminFor(qb)
    const externalUserId = newExternalId()
    const first = await admin.ensureUser({ externalUserId })
    qb.resetLog()
    await expect(admin.ensureUser({ externalUserId })).resolves.toEqual(first)
    expect(calls()).toEqual({})
  })

  it('makes one lookup for ten calls at once in one instance', async () => {
    const admin = adminFor(qb)
    const externalUserId = newExternalId()
    const users = await Promise.all(Array.from({ length: 10 }, () => admin.ensureUser({ externalUserId })))
    expect(new Set(users.map((user) => user.id)).size).toBe(1)
    expect(calls()).toEqual({ 'GET /users/by_login.json': 1, 'POST /users.json': 1 })
  })

  it('makes one QuickBlox user when ten instances race for a new identity, and each gets a token for it', async () => {
    const externalUserId = `race|${newExternalId()}`
    // Every lookup is answered before any creation: all ten see "absent" and try to create.
    qb.setLatency('GET /users/by_login.json', 200)
    try {
      const admins = Array.from({ length: 10 }, () => adminFor(qb))
      const sessions = await Promise.all(
        admins.map((admin) => admin.sessionFor({ externalUserId, fullName: 'Racer', email: 'racer@example.com' })),
      )
      expect(new Set(sessions.map((session) => session.userId)).size).toBe(1)
      expect(new Set(sessions.map((session) => session.token)).size).toBe(10)
      expect(qb.users.filter((user) => user.login === admins[0]!.loginFor(externalUserId))).toHaveLength(1)
      // They raced: more than one tried to create it, and QuickBlox kept one.
      expect(calls()['POST /users.json']).toBeGreaterThan(1)
      expect(qb.requests.filter((r) => r.endpoint === 'POST /users.json' && r.status === 201)).toHaveLength(1)
      for (const session of sessions) await expect(checkToken(session.token)).resolves.toBe(session.userId)
    } finally {
      qb.setLatency('*', 0)
    }
  })

  it('asks QuickBlox every time with cache: false', async () => {
    const admin = adminFor(qb, { cache: false })
    const externalUserId = newExternalId()
    await admin.ensureUser({ externalUserId })
    await admin.ensureUser({ externalUserId })
    expect(calls()).toEqual({ 'GET /users/by_login.json': 2, 'POST /users.json': 1 })
  })
})

describe('updateUser and deleteUser', () => {
  it('leave no stale user in the mapping: a change is read again, a deleted user is made anew', async () => {
    const { store, entries } = memoryStore()
    const admin = adminFor(qb, { cache: { store } })
    const externalUserId = newExternalId()
    const made = await admin.ensureUser({ externalUserId, fullName: 'Before' })
    await admin.updateUser(made.id, { fullName: 'After' })
    await expect(admin.ensureUser({ externalUserId })).resolves.toMatchObject({ id: made.id, full_name: 'After' })
    await admin.deleteUser(made.id)
    await new Promise((resolve) => setImmediate(resolve))
    expect([...entries.keys()].filter((key) => key.endsWith(`:${externalUserId}`))).toEqual([])
    const again = await admin.ensureUser({ externalUserId })
    expect(again.id).not.toBe(made.id)
    expect(again.login).toBe(made.login)
  })
})

describe('issueToken', () => {
  it('issues a user session token that QuickBloxTokenStrategy accepts as that user', async () => {
    const issued = await adminFor(qb).issueToken(KNOWN.id)
    expect(issued.userId).toBe(KNOWN.id)
    expect(issued.token).toMatch(/^[0-9a-f]{40}$/)
    expect(issued.expiresAt.getTime()).toBeGreaterThan(Date.now() + 119 * 60_000)
    await expect(checkToken(issued.token)).resolves.toBe(KNOWN.id)
  })
})

describe('sessionFor', () => {
  it('costs one QuickBlox request for a known user', async () => {
    const admin = adminFor(qb)
    const externalUserId = newExternalId()
    const known = await admin.ensureUser({ externalUserId })
    qb.resetLog()
    const session = await admin.sessionFor({ externalUserId })
    expect(calls()).toEqual({ 'POST /users/:id/tokens': 1 })
    expect(session).toMatchObject({ userId: known.id, user: { id: known.id } })
  })

  it('costs three for a new user, whose token is then accepted', async () => {
    const externalUserId = newExternalId()
    const session = await adminFor(qb).sessionFor({ externalUserId, fullName: 'Brand New' })
    expect(calls()).toEqual({ 'GET /users/by_login.json': 1, 'POST /users.json': 1, 'POST /users/:id/tokens': 1 })
    expect(session.user).toMatchObject({ full_name: 'Brand New' })
    await expect(checkToken(session.token)).resolves.toBe(session.userId)
  })

  it('looks the user up again when QuickBlox no longer has the remembered one', async () => {
    const admin = adminFor(qb)
    const externalUserId = newExternalId()
    const known = await admin.ensureUser({ externalUserId })
    qb.failNext('POST /users/:id/tokens', { status: 404, body: { errors: { base: ['User not found'] } } })
    qb.resetLog()
    await expect(admin.sessionFor({ externalUserId })).resolves.toMatchObject({ userId: known.id })
    expect(calls()).toEqual({ 'POST /users/:id/tokens': 2, 'GET /users/by_login.json': 1 })
  })

  it('looks the user up at QuickBlox again, not in the store, when the shared one is gone', async () => {
    const { entries, store } = memoryStore()
    const externalUserId = newExternalId()
    const first = await adminFor(qb, { cache: { store } }).sessionFor({ externalUserId })
    await new Promise((resolve) => setImmediate(resolve))
    // The user is deleted at QuickBlox and made again (a new id): the store still has the old one.
    qb.destroyUserSessions(first.userId)
    const stale = [...entries.entries()][0]!
    entries.set(stale[0], stale[1].replace(`"id":${first.userId}`, '"id":999999'))
    qb.resetLog()
    const second = await adminFor(qb, { cache: { store } }).sessionFor({ externalUserId })
    expect(second.userId).toBe(first.userId)
    expect(calls()).toEqual({ 'POST /users/:id/tokens': 2, 'GET /users/by_login.json': 1 })
    await new Promise((resolve) => setImmediate(resolve))
    expect([...entries.values()][0]).toContain(`"id":${first.userId}`) // the store holds the live user again
  })

  it('shares users between instances through a store: the second instance spends one request', async () => {
    const { entries, store } = memoryStore()
    const externalUserId = newExternalId()
    await adminFor(qb, { cache: { store } }).sessionFor({ externalUserId })
    await new Promise((resolve) => setImmediate(resolve))
    // Keys hold nothing of a secret: neither key, nor a hash of one, nor the login made with one.
    const keys = [...entries.keys()].join()
    expect(keys).not.toMatch(/test-api-key|test-identity-key|qb-[0-9a-f]{40}/)
    expect(keys).not.toContain(createHash('sha256').update(API_KEY).digest('hex').slice(0, 16))
    qb.resetLog()
    await adminFor(qb, { cache: { store } }).sessionFor({ externalUserId })
    expect(calls()).toEqual({ 'POST /users/:id/tokens': 1 })
  })

  it('goes on without a store that fails or never answers', async () => {
    const down = () => Promise.reject(new Error('down'))
    const failing = { get: down, set: down, delete: down }
    const hanging = { get: () => new Promise<string>(() => {}), set: () => new Promise(() => {}), delete: down }
    const externalUserId = newExternalId()
    const known = await adminFor(qb).ensureUser({ externalUserId })
    for (const store of [failing, hanging]) {
      const session = await adminFor(qb, { cache: { store }, timeout: 400 }).sessionFor({ externalUserId })
      expect(session.userId).toBe(known.id)
    }
  })

  it('gives a store that never answers storeTimeoutMs, not a share of the whole timeout', async () => {
    const never = () => new Promise<never>(() => {})
    const hanging = { get: never, set: never, delete: never }
    const admin = adminFor(qb, { cache: { store: hanging, storeTimeoutMs: 50 }, timeout: 10_000 })
    const started = Date.now()
    await admin.sessionFor({ externalUserId: newExternalId() })
    // A quarter of the 10 s timeout would be 2.5 s; 50 ms plus QuickBlox is far below this bound.
    expect(Date.now() - started).toBeLessThan(2_000)
  })
})

describe('revokeToken and close', () => {
  it('ends a token, and takes a token QuickBlox no longer knows as ended', async () => {
    const admin = adminFor(qb)
    const { token } = await admin.issueToken(amyId())
    await admin.revokeToken(token)
    await expect(checkToken(token)).resolves.toBeUndefined()
    await expect(admin.revokeToken(token)).resolves.toBeUndefined()
  })

  it('refuses calls after close()', async () => {
    const admin = adminFor(qb)
    await admin.close()
    await expect(admin.getUser(KNOWN.id)).rejects.toMatchObject({ code: 'QB_UNAVAILABLE' })
  })
})

function amyId(): number {
  return qb.users.find((user) => user.login === AMY.login)!.id
}
