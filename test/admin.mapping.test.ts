// Each of your users gets their own QuickBlox account and nobody else's: what a QuickBlox user can
// write on themselves (external_user_id, login, email), or create up front with the public
// application credentials, never steers, squats or blocks the mapping. Over HTTP, against the emulator.
import { afterEach, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import {
  QuickBloxAdmin,
  QuickBloxClient,
  QuickBloxConfigurationError,
  QuickBloxResponseError,
  QuickBloxStrategy,
  QuickBloxTokenStrategy,
} from '../lib/index.js'
import { adminFor, API_KEY, closeAdmins, IDENTITY_KEY, newExternalId, useAdminEmulator } from './helpers/admin.js'
import { call, sessionParams, type Params } from './helpers/emulator.js'
import { APP } from './helpers/quickblox.js'

let qb: Emulator
useAdminEmulator((started) => (qb = started))
const strategies: QuickBloxTokenStrategy[] = []
afterEach(async () => {
  await Promise.all(strategies.splice(0).map((strategy) => strategy.close()))
})

/** A token strategy of the application, as an API behind it checks tokens. */
function tokenStrategy(store?: ReturnType<typeof memoryStore>['store']): QuickBloxTokenStrategy {
  const strategy = new QuickBloxTokenStrategy(
    { appId: APP.id, apiEndpoint: qb.url, cache: store ? { store } : {} },
    (user, _session, done) => done(null, user),
  )
  strategies.push(strategy)
  return strategy
}

/** A shared store in a Map, as Redis would hold it, counting reads. */
function memoryStore() {
  const entries = new Map<string, string>()
  const reads = { count: 0 }
  const store = {
    get: async (key: string) => (reads.count++, entries.get(key)),
    set: async (key: string, value: string) => void entries.set(key, value),
    delete: async (key: string) => void entries.delete(key),
  }
  return { entries, store, reads }
}

/** What anyone holding the public application credentials can do: an application session. */
async function applicationSession(): Promise<string> {
  const answer = await call(`${qb.url}/session.json`, 'POST', { body: sessionParams(APP) })
  return answer.json.session.token
}

describe('a QuickBlox user rewriting their own fields', () => {
  it("gets nobody else's account by setting their external_user_id to a colleague's id", async () => {
    const attackerId = newExternalId()
    const colleagueId = newExternalId()
    const attacker = await adminFor(qb).sessionFor({ externalUserId: attackerId })
    // The attacker uses the token she was handed, as QuickBlox's own SDK would (QB.users.update).
    const rewrite = await call(`${qb.url}/users/${attacker.userId}.json`, 'PUT', {
      token: attacker.token,
      body: { user: { external_user_id: colleagueId, full_name: 'Colleague' } },
    })
    expect(rewrite.status).toBe(200)
    expect(rewrite.json.user.external_user_id).toBe(colleagueId)

    const colleague = await adminFor(qb).sessionFor({ externalUserId: colleagueId })
    expect(colleague.userId).not.toBe(attacker.userId)
    expect(colleague.user.external_user_id).toBeNull()
    // A new instance, with no cache in common, still tells them apart.
    const again = await adminFor(qb, { cache: false }).sessionFor({ externalUserId: attackerId })
    expect(again.userId).toBe(attacker.userId)
  })

  it('cannot take over an account by renaming their login to a guess of it', async () => {
    const victimId = newExternalId()
    const attacker = await adminFor(qb).sessionFor({ externalUserId: newExternalId() })
    for (const login of [`external-${victimId}`, `qb-${victimId}`, String(victimId)]) {
      const rename = await call(`${qb.url}/users/${attacker.userId}.json`, 'PUT', {
        token: attacker.token,
        body: { user: { login } },
      })
      expect(rename.status).toBe(200)
      const victim = await adminFor(qb, { cache: false }).sessionFor({ externalUserId: victimId })
      expect(victim.userId).not.toBe(attacker.userId)
    }
  })
})

describe('users created up front with the public application credentials', () => {
  it('neither steer nor block an identity: its external id, email and guessable logins taken first', async () => {
    const victimId = newExternalId()
    const email = `victim-${victimId}@corp.example`
    const token = await applicationSession()
    const squatters: number[] = []
    const seeds: Params[] = [
      { login: `external-${victimId}`, external_user_id: victimId },
      { login: `victim-${victimId}`, email },
      { login: String(victimId) },
    ]
    for (const user of seeds) {
      const made = await call(`${qb.url}/users.json`, 'POST', {
        token,
        body: { user: { ...user, password: 'squatter-pw' } },
      })
      expect(made.status).toBe(201)
      squatters.push(made.json.user.id)
    }
    qb.resetLog()
    const victim = await adminFor(qb).sessionFor({ externalUserId: victimId, email, fullName: 'Victim' })
    expect(squatters).not.toContain(victim.userId)
    // The email another user holds is left off, and the user made all the same.
    expect(victim.user).toMatchObject({ full_name: 'Victim', email: null, external_user_id: null })
    expect(qb.counts()['POST /users.json']).toBe(2)
    const check = await tokenStrategy().check(victim.token)
    expect(check?.user.id).toBe(victim.userId)
  })

  it('keeps the email when nobody holds it', async () => {
    const id = newExternalId()
    const user = await adminFor(qb).ensureUser({ externalUserId: id, email: `own-${id}@corp.example` })
    expect(user.email).toBe(`own-${id}@corp.example`)
  })
})

describe('a link the app keeps (quickbloxUserId)', () => {
  it("refuses the newcomer who took a deleted account's login, and makes the user a new account", async () => {
    const victimId = newExternalId()
    const first = await adminFor(qb).sessionFor({ externalUserId: victimId })
    // The victim deletes her own QuickBlox account (any user may, with her token)...
    expect((await call(`${qb.url}/users/${first.userId}.json`, 'DELETE', { token: first.token })).status).toBe(200)
    // ...and someone who had seen its login (it is visible to other users) takes it.
    const squat = await call(`${qb.url}/users.json`, 'POST', {
      token: await applicationSession(),
      body: { user: { login: first.user.login!, password: 'squatter-pw' } },
    })
    expect(squat.status).toBe(201)

    const linked = await adminFor(qb).sessionFor({ externalUserId: victimId, quickbloxUserId: first.userId })
    expect(linked.userId).not.toBe(squat.json.user.id)
    expect(linked.userId).not.toBe(first.userId)
    expect(linked.user.login).not.toBe(first.user.login)
    // The app keeps the new link: the same account from then on, on any instance.
    const again = await adminFor(qb, { cache: false }).sessionFor({
      externalUserId: victimId,
      quickbloxUserId: linked.userId,
    })
    expect(again.userId).toBe(linked.userId)
    const stillLinked = await adminFor(qb).sessionFor({ externalUserId: victimId, quickbloxUserId: first.userId })
    expect(stillLinked.userId).toBe(linked.userId)
  })

  it("never hands over an account made for an identity whose text spells another's and its ended user", async () => {
    const victimId = `user-${newExternalId()}`
    const first = await adminFor(qb).sessionFor({ externalUserId: victimId })
    // An attacker who may choose their own identity's text (a user name, say) picks one that
    // names the victim and her user id (visible to other users), long before she deletes it.
    const attacker = await adminFor(qb).sessionFor({ externalUserId: `${victimId}\0replacing ${first.userId}` })
    expect((await call(`${qb.url}/users/${first.userId}.json`, 'DELETE', { token: first.token })).status).toBe(200)

    const linked = await adminFor(qb).sessionFor({ externalUserId: victimId, quickbloxUserId: first.userId })
    expect(linked.userId).not.toBe(attacker.userId)
    expect(linked.userId).not.toBe(first.userId)
  })

  it('is not overruled by a user this instance remembers from a call without the link', async () => {
    const victimId = newExternalId()
    const admin = adminFor(qb)
    const first = await admin.sessionFor({ externalUserId: victimId })
    expect((await call(`${qb.url}/users/${first.userId}.json`, 'DELETE', { token: first.token })).status).toBe(200)
    const squat = await call(`${qb.url}/users.json`, 'POST', {
      token: await applicationSession(),
      body: { user: { login: first.user.login!, password: 'squatter-pw' } },
    })
    // A route that passes no link meets the newcomer, which this instance then remembers...
    expect((await admin.sessionFor({ externalUserId: victimId })).userId).toBe(squat.json.user.id)
    // ...and a call with the link the app kept still refuses it.
    const linked = await admin.sessionFor({ externalUserId: victimId, quickbloxUserId: first.userId })
    expect(linked.userId).not.toBe(squat.json.user.id)
    expect(linked.userId).not.toBe(first.userId)
  })

  it('keeps the linked account when its owner renamed its login', async () => {
    const id = newExternalId()
    const admin = adminFor(qb)
    const first = await admin.sessionFor({ externalUserId: id })
    const rename = await call(`${qb.url}/users/${first.userId}.json`, 'PUT', {
      token: first.token,
      body: { user: { login: `renamed-${id}` } },
    })
    expect(rename.status).toBe(200)
    // Renaming freed the login, and someone who had seen it takes it.
    const squat = await call(`${qb.url}/users.json`, 'POST', {
      token: await applicationSession(),
      body: { user: { login: first.user.login!, password: 'squatter-pw' } },
    })
    expect(squat.status).toBe(201)
    const linked = await adminFor(qb).sessionFor({ externalUserId: id, quickbloxUserId: first.userId })
    expect(linked.userId).toBe(first.userId)
    // An instance that remembers the linked user answers from memory.
    qb.resetLog()
    const remembered = await admin.ensureUser({ externalUserId: id, quickbloxUserId: first.userId })
    expect(remembered.id).toBe(first.userId)
    expect(qb.requests).toHaveLength(0)
  })

  it('refuses a quickbloxUserId that is not a user id, before asking QuickBlox', async () => {
    qb.resetLog()
    await expect(adminFor(qb).sessionFor({ externalUserId: 1, quickbloxUserId: 0 })).rejects.toThrow(TypeError)
    await expect(adminFor(qb).ensureUser({ externalUserId: 1, quickbloxUserId: '7' as never })).rejects.toThrow(
      TypeError,
    )
    expect(qb.requests).toHaveLength(0)
  })
})

describe('identities as text or numbers', () => {
  it.each([
    ['an Auth0 user_id', 'auth0|65f1c0ffee0123456789abcd'],
    ['a Firebase uid', 'Xk3dQ9bPzRhY2mT7vLw8sN1aB4c2'],
    ['a UUID', '0f8fad5b-d9cb-469f-a165-70867728950e'],
    ['a SAML NameID', 'amy.pond@idp.corp.example'],
    ['text with spaces and accents', 'Amélie Poulain (FR)'],
    ['255 characters', 'x'.repeat(254) + '!'],
  ])('maps %s to one QuickBlox user, across instances and restarts with no shared cache', async (_name, id) => {
    const first = await adminFor(qb).sessionFor({ externalUserId: id })
    // Another instance (or this one after a restart): same key, nothing shared.
    const second = await adminFor(qb, { cache: false }).sessionFor({ externalUserId: id })
    expect(second.userId).toBe(first.userId)
    expect(second.token).not.toBe(first.token)
  })

  it('takes 42 and "42" as one identity, and "042" as another', async () => {
    const id = newExternalId()
    const number = await adminFor(qb).ensureUser({ externalUserId: id })
    const text = await adminFor(qb).ensureUser({ externalUserId: String(id) })
    const padded = await adminFor(qb).ensureUser({ externalUserId: `0${id}` })
    expect(text.id).toBe(number.id)
    expect(padded.id).not.toBe(number.id)
  })

  it('gives another identity key other users: the key is what proves the link', async () => {
    const id = `key-test-${newExternalId()}`
    const one = await adminFor(qb).ensureUser({ externalUserId: id })
    const other = await adminFor(qb, { identityKey: `${IDENTITY_KEY}-rotated` }).ensureUser({ externalUserId: id })
    expect(other.id).not.toBe(one.id)
  })
})

describe('revokeToken', () => {
  it('is refused at once by every token strategy of the process that had accepted it', async () => {
    const { token } = await adminFor(qb).sessionFor({ externalUserId: newExternalId() })
    const [one, two] = [tokenStrategy(), tokenStrategy()]
    expect((await one.check(token))?.user).toBeDefined()
    expect((await two.check(token))?.user).toBeDefined()
    await adminFor(qb).revokeToken(token)
    qb.resetLog()
    await expect(one.check(token)).resolves.toBeUndefined()
    await expect(two.check(token)).resolves.toBeUndefined()
    // Each asked QuickBlox again rather than trusting what it remembered.
    expect(qb.counts()['GET /session.json']).toBe(2)
  })

  it('leaves the shared store, so an instance that had not seen it in memory asks QuickBlox', async () => {
    const { store, entries } = memoryStore()
    const { token } = await adminFor(qb).sessionFor({ externalUserId: newExternalId() })
    const writer = tokenStrategy(store)
    expect((await writer.check(token))?.user).toBeDefined()
    await new Promise((resolve) => setImmediate(resolve))
    expect([...entries.keys()].some((key) => key.startsWith('passport-quickblox:token:'))).toBe(true)
    // The writer stops listening (another process, say): only the store can tell the others.
    await writer.close()
    // Its apiEndpoint written with a trailing slash names the same host in store keys.
    await adminFor(qb, { apiEndpoint: `${qb.url}/`, cache: { store } }).revokeToken(token)
    expect([...entries.keys()].some((key) => key.startsWith('passport-quickblox:token:'))).toBe(false)
    await expect(tokenStrategy(store).check(token)).resolves.toBeUndefined()
  })

  it('no longer reaches a token strategy that was closed (its store may be gone with it)', async () => {
    let closed = false
    const { store } = memoryStore()
    const closing = tokenStrategy({
      ...store,
      delete: (key: string) => (closed ? Promise.reject(new Error('store closed')) : store.delete(key)),
    })
    const { token } = await adminFor(qb).sessionFor({ externalUserId: newExternalId() })
    expect((await closing.check(token))?.user).toBeDefined()
    await closing.close()
    closed = true
    await expect(adminFor(qb).revokeToken(token)).resolves.toBeUndefined()
  })

  it("rejects when a token strategy's own store cannot be told, after QuickBlox ended the token", async () => {
    const { store } = memoryStore()
    let down = false
    const strategy = tokenStrategy({
      ...store,
      delete: (key: string) => (down ? Promise.reject(new Error('store down')) : store.delete(key)),
    })
    const { token } = await adminFor(qb).sessionFor({ externalUserId: newExternalId() })
    expect((await strategy.check(token))?.user).toBeDefined()
    down = true
    await expect(adminFor(qb).revokeToken(token)).rejects.toThrow('store down')
    // The strategy forgot it all the same: it asks QuickBlox, which refuses it.
    await expect(strategy.check(token)).resolves.toBeUndefined()
  })

  it("never takes a user the store holds under a user's key for another user", async () => {
    const { store, entries } = memoryStore()
    const { token, userId } = await adminFor(qb).sessionFor({ externalUserId: newExternalId() })
    const other = await adminFor(qb).ensureUser({ externalUserId: newExternalId() })
    expect((await tokenStrategy(store).check(token))?.user.id).toBe(userId)
    await new Promise((resolve) => setImmediate(resolve))
    const key = [...entries.keys()].find((k) => k.startsWith('passport-quickblox:user:'))!
    const entry = JSON.parse(entries.get(key)!) as { value: object }
    entries.set(key, JSON.stringify({ ...entry, value: { ...entry.value, ...other } }))
    expect((await tokenStrategy(store).check(token))?.user.id).toBe(userId)
  })

  it('rejects when a shared store cannot be told, after QuickBlox ended the token', async () => {
    const down = () => Promise.reject(new Error('store down'))
    const { token } = await adminFor(qb).sessionFor({ externalUserId: newExternalId() })
    const error = await adminFor(qb, { cache: { store: { get: down, set: down, delete: down } } })
      .revokeToken(token)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect(String(error)).not.toContain(token)
    expect((await call(`${qb.url}/session.json`, 'GET', { token })).status).toBe(401)
  })
})

/** What a caller that ignores the readonly types does to a user it was handed. */
const writable = (user: object) => user as Record<string, unknown>

describe('what the caches hand out', () => {
  it('is a copy: changing a returned user changes nothing the next caller gets', async () => {
    const admin = adminFor(qb)
    const id = newExternalId()
    const first = await admin.ensureUser({ externalUserId: id, fullName: 'Original' })
    writable(first).full_name = 'Changed'
    const session = await admin.sessionFor({ externalUserId: id })
    expect(session.user.full_name).toBe('Original')
    writable(session.user).login = 'changed-too'
    expect((await admin.ensureUser({ externalUserId: id })).login).toBe(admin.loginFor(id))

    const strategy = tokenStrategy()
    const checked = await strategy.check(session.token)
    writable(checked!.user).full_name = 'Mallory'
    expect((await strategy.check(session.token))?.user.full_name).toBe('Original')
  })

  it('keeps a user read from the shared store in memory no longer than the entry itself says', async () => {
    const { store, entries, reads } = memoryStore()
    // A clock of the test's, for the memory cache and the store's entry times alike.
    let now = Date.now()
    const clock = () => now
    const id = newExternalId()
    await adminFor(qb, { cache: { store } }).ensureUser({ externalUserId: id })
    await new Promise((resolve) => setImmediate(resolve))
    // The writer's entry has 5 s left; this instance's own ttlMs is an hour.
    const [key, text] = [...entries.entries()].find(([k]) => k.startsWith('passport-quickblox:admin-user:'))!
    entries.set(key, JSON.stringify({ ...JSON.parse(text), until: now + 5000 }))
    const reader = adminFor(qb, { cache: { store, now: clock } })
    qb.resetLog()
    reads.count = 0
    await reader.ensureUser({ externalUserId: id })
    expect(reads.count).toBe(1)
    expect(qb.counts()['GET /users/by_login.json']).toBe(0)
    now += 4000
    await reader.ensureUser({ externalUserId: id })
    expect(reads.count).toBe(1)
    now += 2000
    await reader.ensureUser({ externalUserId: id })
    // Past the entry's own time: memory and store both let it go, and QuickBlox is asked.
    expect(reads.count).toBe(2)
    expect(qb.counts()['GET /users/by_login.json']).toBe(1)
  })

  it("never takes an entry written for another identity, nor another key's user", async () => {
    const { store, entries } = memoryStore()
    const [victim, attacker] = [newExternalId(), newExternalId()]
    const attackers = await adminFor(qb, { cache: { store } }).ensureUser({ externalUserId: attacker })
    await new Promise((resolve) => setImmediate(resolve))
    const [, text] = [...entries.entries()].find(([k]) => k.endsWith(`:${attacker}`))!
    // The attacker's entry copied under the victim's key, key field and all; then fixed up.
    const victimKey = [...entries.keys()][0]!.replace(`:${attacker}`, `:${victim}`)
    entries.set(victimKey, text)
    const victims = await adminFor(qb, { cache: { store } }).ensureUser({ externalUserId: victim })
    expect(victims.id).not.toBe(attackers.id)
    entries.set(victimKey, JSON.stringify({ ...JSON.parse(text), key: victimKey }))
    const again = await adminFor(qb, { cache: { store } }).ensureUser({ externalUserId: victim })
    expect(again.id).toBe(victims.id)
  })
})

describe('two applications sharing one store', () => {
  it('each get their own users when each has its own identity key', async () => {
    const apps = [
      { id: 71, authKey: 'a', authSecret: 'a', apiKey: 'staging-api-key' },
      { id: 72, authKey: 'b', authSecret: 'b', apiKey: 'production-api-key' },
    ]
    const two = await startEmulator({ applications: apps, users: [] })
    try {
      const { store } = memoryStore()
      const admin = (app: number) =>
        adminFor(two, {
          apiKey: apps[app]!.apiKey,
          identityKey: `${IDENTITY_KEY}-${apps[app]!.id}`,
          cache: { store },
        })
      const staging = await admin(0).sessionFor({ externalUserId: 'alice' })
      await new Promise((resolve) => setImmediate(resolve))
      const production = await admin(1).sessionFor({ externalUserId: 'alice' })
      await new Promise((resolve) => setImmediate(resolve))
      expect(production.userId).not.toBe(staging.userId)
      // A new instance of each reads the store its neighbour wrote last, and takes no user of the other's.
      expect((await admin(0).ensureUser({ externalUserId: 'alice' })).id).toBe(staging.userId)
      expect((await admin(1).ensureUser({ externalUserId: 'alice' })).id).toBe(production.userId)
    } finally {
      await closeAdmins()
      await two.close()
    }
  })
})

describe('errors that say what happened', () => {
  it('a wrong apiEndpoint path is a configuration fault, never "no such user"', async () => {
    const admin = adminFor(qb, { apiEndpoint: `${qb.url}/api/v1` })
    for (const run of [
      () => admin.getUserByExternalId(1),
      () => admin.getUser(1),
      () => admin.getUserByLogin('amy'),
      () => admin.sessionFor({ externalUserId: 1 }),
    ]) {
      const error = await run().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(QuickBloxConfigurationError)
      expect(error).toMatchObject({ code: 'QB_CONFIGURATION', message: expect.stringContaining('apiEndpoint') })
    }
  })

  it('a 404 to creating a user is a configuration fault too', async () => {
    qb.failNext('POST /users.json', { status: 404 })
    const error = await adminFor(qb)
      .sessionFor({ externalUserId: newExternalId() })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxConfigurationError)
  })

  it("a lookup by login answered with another login's user is refused, never adopted", async () => {
    const admin = adminFor(qb)
    const other = await admin.ensureUser({ externalUserId: newExternalId() })
    qb.failNext('GET /users/by_login.json', { status: 200, body: { user: other } })
    const error = await admin.ensureUser({ externalUserId: newExternalId() }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(QuickBloxResponseError)
    expect(error).toMatchObject({ code: 'QB_BAD_RESPONSE' })
  })

  it('a taken login during a race is read back before it fails anyone', async () => {
    const id = newExternalId()
    const admin = adminFor(qb)
    const winner = await adminFor(qb).ensureUser({ externalUserId: id })
    // This instance looked before the winner created it; QuickBlox names the login alone.
    qb.failNext('GET /users/by_login.json', { status: 404, body: { errors: ['Not found'] } })
    await expect(admin.ensureUser({ externalUserId: id })).resolves.toMatchObject({ id: winner.id })
  })
})

describe('one rule for every client', () => {
  it.each(['a b', 'tok!en', '"quoted"', 't'.repeat(1025), '', 'ünïcode'])(
    'the admin and the client refuse the token %j alike, before asking QuickBlox',
    async (token) => {
      const client = new QuickBloxClient({
        appId: APP.id,
        apiEndpoint: qb.url,
        authKey: 'k',
        authSecret: 's',
        pool: false,
      })
      qb.resetLog()
      try {
        await expect(client.logout(token)).rejects.toThrow(TypeError)
        await expect(adminFor(qb).revokeToken(token)).rejects.toThrow(TypeError)
        expect(qb.requests).toHaveLength(0)
      } finally {
        await client.close()
      }
    },
  )

  it('the admin and the token strategy check their cache options alike', () => {
    for (const cache of [
      { storeTimeoutMs: 60_001 },
      { max: 1_000_001 },
      { ttlMs: 0 },
      { store: { get() {}, set() {} } },
    ]) {
      const admin = (): unknown => new QuickBloxAdmin({ apiKey: API_KEY, cache: cache as never })
      const tokens = (): unknown => new QuickBloxTokenStrategy({ appId: 1, cache: cache as never }, () => {})
      const message = (make: () => unknown): string => {
        try {
          make()
          return 'accepted'
        } catch (error) {
          return (error as Error).message.replace(/^\w+: /, '')
        }
      }
      expect(message(admin)).toBe(message(tokens))
      expect(message(admin)).not.toBe('accepted')
    }
  })
})

describe('plain http: off this machine', () => {
  const far = 'http://qb.example.com'
  it.each<[string, () => unknown]>([
    ['QuickBloxAdmin', () => new QuickBloxAdmin({ apiKey: API_KEY, apiEndpoint: far })],
    ['QuickBloxClient', () => new QuickBloxClient({ appId: 1, authKey: 'k', authSecret: 's', apiEndpoint: far })],
    [
      'QuickBloxStrategy',
      () => new QuickBloxStrategy({ appId: 1, authKey: 'k', authSecret: 's', apiEndpoint: far }, () => {}),
    ],
    ['QuickBloxTokenStrategy', () => new QuickBloxTokenStrategy({ appId: 1, apiEndpoint: far }, () => {})],
  ])('is refused by %s with a TypeError naming the option, unless allowInsecureHttp', async (_name, make) => {
    expect(make).toThrow(TypeError)
    expect(make).toThrow(/apiEndpoint.*allowInsecureHttp/)
  })

  it.each([
    'http://127.0.0.1.example.com',
    'http://localhost.example.com',
    'http://127.0.0.1:9@qb.example.com',
    // A resolver may ask DNS for it: nothing says it is this machine.
    'http://emulator.localhost:9',
  ])('is refused for %s, a host that only looks like loopback', (apiEndpoint) => {
    expect(() => new QuickBloxAdmin({ apiKey: API_KEY, apiEndpoint })).toThrow(/allowInsecureHttp/)
  })

  it.each([
    'http://127.0.0.1:9',
    'http://127.0.0.2:9',
    'http://127.255.255.254:9',
    'http://localhost:9',
    'http://[::1]:9',
    'https://qb.example.com',
  ])('is allowed for %s', async (apiEndpoint) => {
    const admin = new QuickBloxAdmin({ apiKey: API_KEY, apiEndpoint })
    const tokens = new QuickBloxTokenStrategy({ appId: 1, apiEndpoint }, () => {})
    await Promise.all([admin.close(), tokens.close()])
  })

  it('names allowInsecureHttp when it is not true or false', () => {
    const says = /allowInsecureHttp must be true or false/
    expect(() => new QuickBloxAdmin({ apiKey: API_KEY, allowInsecureHttp: 'true' as unknown as boolean })).toThrow(says)
    const tokens = { appId: 1, allowInsecureHttp: 1 as unknown as boolean }
    expect(() => new QuickBloxTokenStrategy(tokens, () => {})).toThrow(says)
  })

  it('is allowed off loopback with allowInsecureHttp: true, by every client', async () => {
    const allowInsecureHttp = true
    const made = [
      new QuickBloxAdmin({ apiKey: API_KEY, apiEndpoint: far, allowInsecureHttp }),
      new QuickBloxClient({
        appId: 1,
        authKey: 'k',
        authSecret: 's',
        apiEndpoint: far,
        allowInsecureHttp,
        pool: false,
      }),
      new QuickBloxStrategy(
        { appId: 1, authKey: 'k', authSecret: 's', apiEndpoint: far, allowInsecureHttp, pool: false },
        () => {},
      ),
      new QuickBloxTokenStrategy({ appId: 1, apiEndpoint: far, allowInsecureHttp }, () => {}),
    ]
    await Promise.all(made.map((client) => client.close()))
  })
})
