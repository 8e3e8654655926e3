import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxTokenStrategy } from '../lib/index.js'
import { adminFor, closeAdmins, KNOWN, newExternalId, startAdminEmulator } from './helpers/admin.js'
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

/** A shared store in a Map, as Redis would hold it. */
function memoryStore() {
  const entries = new Map<string, string>()
  const store = {
    get: async (key: string) => entries.get(key),
    set: async (key: string, value: string) => void entries.set(key, value),
  }
  return { entries, store }
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
    await expect(admin.getUser(KNOWN.id)).resolves.toMatchObject({ id: KNOWN.id, login: 'known' })
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
  it('finds a user seen before with one request, and creates nothing', async () => {
    const user = await adminFor(qb).ensureUser({ externalUserId: KNOWN.external_user_id, fullName: 'Ignored' })
    expect(user.id).toBe(KNOWN.id)
    expect(calls()).toEqual({ 'GET /users/external/:id.json': 1 })
  })

  it('creates a new user with the identity, making a login from the external id when given neither', async () => {
    const externalUserId = newExternalId()
    const user = await adminFor(qb).ensureUser({ externalUserId, fullName: 'New Face' })
    expect(user).toMatchObject({
      login: `external-${externalUserId}`,
      full_name: 'New Face',
      external_user_id: externalUserId,
    })
    expect(calls()).toEqual({ 'GET /users/external/:id.json': 1, 'POST /users.json': 1 })
  })

  it('uses the email alone when one is given', async () => {
    const externalUserId = newExternalId()
    const user = await adminFor(qb).ensureUser({ externalUserId, email: `e${externalUserId}@example.com` })
    expect(user).toMatchObject({ login: null, email: `e${externalUserId}@example.com` })
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
    expect(calls()).toEqual({ 'GET /users/external/:id.json': 1, 'POST /users.json': 1 })
  })

  it('makes one QuickBlox user when ten instances race for a new external id, and all get its id', async () => {
    const externalUserId = newExternalId()
    // Every lookup is answered before any creation: all ten see "absent" and try to create.
    qb.setLatency('GET /users/external/:id.json', 200)
    try {
      const admins = Array.from({ length: 10 }, () => adminFor(qb))
      const users = await Promise.all(admins.map((admin) => admin.ensureUser({ externalUserId, fullName: 'Racer' })))
      expect(new Set(users.map((user) => user.id)).size).toBe(1)
      expect(qb.users.filter((user) => user.external_user_id === externalUserId)).toHaveLength(1)
      // They raced: more than one tried to create it.
      expect(calls()['POST /users.json']).toBeGreaterThan(1)
      expect(qb.requests.filter((r) => r.endpoint === 'POST /users.json' && r.status === 201)).toHaveLength(1)
    } finally {
      qb.setLatency('*', 0)
    }
  })

  it('asks QuickBlox every time with cache: false', async () => {
    const admin = adminFor(qb, { cache: false })
    await admin.ensureUser({ externalUserId: KNOWN.external_user_id })
    await admin.ensureUser({ externalUserId: KNOWN.external_user_id })
    expect(calls()).toEqual({ 'GET /users/external/:id.json': 2 })
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
    await admin.ensureUser({ externalUserId: KNOWN.external_user_id })
    qb.resetLog()
    const session = await admin.sessionFor({ externalUserId: KNOWN.external_user_id })
    expect(calls()).toEqual({ 'POST /users/:id/tokens': 1 })
    expect(session).toMatchObject({ userId: KNOWN.id, user: { id: KNOWN.id } })
  })

  it('costs three for a new user, whose token is then accepted', async () => {
    const externalUserId = newExternalId()
    const session = await adminFor(qb).sessionFor({ externalUserId, fullName: 'Brand New' })
    expect(calls()).toEqual({ 'GET /users/external/:id.json': 1, 'POST /users.json': 1, 'POST /users/:id/tokens': 1 })
    expect(session.user).toMatchObject({ external_user_id: externalUserId, full_name: 'Brand New' })
    await expect(checkToken(session.token)).resolves.toBe(session.userId)
  })

  it('looks the user up again when QuickBlox no longer has the remembered one', async () => {
    const admin = adminFor(qb)
    await admin.ensureUser({ externalUserId: KNOWN.external_user_id })
    qb.failNext('POST /users/:id/tokens', { status: 404, body: { errors: { base: ['User not found'] } } })
    qb.resetLog()
    await expect(admin.sessionFor({ externalUserId: KNOWN.external_user_id })).resolves.toMatchObject({
      userId: KNOWN.id,
    })
    expect(calls()).toEqual({ 'POST /users/:id/tokens': 2, 'GET /users/external/:id.json': 1 })
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
    expect(calls()).toEqual({ 'POST /users/:id/tokens': 2, 'GET /users/external/:id.json': 1 })
    await new Promise((resolve) => setImmediate(resolve))
    expect([...entries.values()][0]).toContain(`"id":${first.userId}`) // the store holds the live user again
  })

  it('shares users between instances through a store: the second instance spends one request', async () => {
    const { entries, store } = memoryStore()
    const externalUserId = newExternalId()
    await adminFor(qb, { cache: { store } }).sessionFor({ externalUserId })
    await new Promise((resolve) => setImmediate(resolve))
    expect([...entries.keys()].join()).not.toContain('test-api-key')
    qb.resetLog()
    await adminFor(qb, { cache: { store } }).sessionFor({ externalUserId })
    expect(calls()).toEqual({ 'POST /users/:id/tokens': 1 })
  })

  it('goes on without a store that fails or never answers', async () => {
    const failing = { get: () => Promise.reject(new Error('down')), set: () => Promise.reject(new Error('down')) }
    const hanging = { get: () => new Promise<string>(() => {}), set: () => new Promise(() => {}) }
    for (const store of [failing, hanging]) {
      const session = await adminFor(qb, { cache: { store }, timeout: 400 }).sessionFor({
        externalUserId: KNOWN.external_user_id,
      })
      expect(session.userId).toBe(KNOWN.id)
    }
  })

  it('gives a store that never answers storeTimeoutMs, not a share of the whole timeout', async () => {
    const hanging = { get: () => new Promise<string>(() => {}), set: () => new Promise(() => {}) }
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
