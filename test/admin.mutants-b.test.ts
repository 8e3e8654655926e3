import { describe, expect, it } from '@jest/globals'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxAdmin, QuickBloxValidationError, type QuickBloxAdminOptions } from '../lib/index.js'
import { adminFor, API_KEY, IDENTITY_KEY, KNOWN, newExternalId, useAdminEmulator } from './helpers/admin.js'
import { clientFor, totalCalls } from './helpers/quickblox.js'

// The limits of what the admin client sends to QuickBlox, checked at their exact edges.
let qb: Emulator
useAdminEmulator((started) => (qb = started))

const login = (): string => `user${newExternalId()}`

describe('an external user id given to QuickBlox', () => {
  it('is stored as a number when given as its decimal text', async () => {
    const user = await adminFor(qb).createUser({ login: login(), externalUserId: '4321' })
    expect(user.external_user_id).toBe(4321)
  })

  it.each([['1e3'], [' 12'], ['12 '], ['0x10'], [0], [-1], [1.5]])('refuses %p before asking QuickBlox', async (id) => {
    const before = totalCalls(qb)
    await expect(adminFor(qb).createUser({ login: login(), externalUserId: id })).rejects.toThrow(
      new TypeError('QuickBloxAdmin: externalUserId must be a positive integer (or its decimal text)'),
    )
    expect(totalCalls(qb)).toBe(before)
  })
})

describe("an identity's login", () => {
  it('stays the same from one version to the next, so known users are found again', () => {
    const admin = adminFor(qb)
    expect(admin.loginFor(3000)).toBe('qb-05e88b36ea9e0277971053d34d7646fded4a91aa')
    expect(admin.loginFor('3000')).toBe(admin.loginFor(3000))
  })

  it.each([[0], [-1], [1.5], ['x'.repeat(256)], ['\uD800'], [''], [null]])('is refused for the identity %p', (id) => {
    expect(() => adminFor(qb).loginFor(id as string)).toThrow(
      new TypeError('QuickBloxAdmin: externalUserId must be text of 1 to 255 characters or a positive integer'),
    )
  })

  it('is made for an identity of exactly 255 characters', () => {
    expect(adminFor(qb).loginFor('x'.repeat(255))).toMatch(/^qb-[0-9a-f]{40}$/)
  })
})

describe('an identity given to ensureUser', () => {
  it('is required', async () => {
    await expect(adminFor(qb).ensureUser(null as never)).rejects.toThrow(
      new TypeError('QuickBloxAdmin: an identity is required'),
    )
  })

  it.each([['login'], ['password']])('may not choose its own %s', async (key) => {
    const before = totalCalls(qb)
    await expect(adminFor(qb).ensureUser({ externalUserId: newExternalId(), [key]: 'chosen' })).rejects.toThrow(
      new TypeError('QuickBloxAdmin: an identity has no login or password: they are made from externalUserId'),
    )
    expect(totalCalls(qb)).toBe(before)
  })

  it("follows the app's link when the identity is remembered with another user", async () => {
    const admin = adminFor(qb)
    const externalUserId = newExternalId()
    const first = await admin.ensureUser({ externalUserId })
    const linked = await admin.createUser({ login: login() })
    const user = await admin.ensureUser({ externalUserId, quickbloxUserId: linked.id })
    expect(first.id).not.toBe(linked.id)
    expect(user.id).toBe(linked.id)
  })
})

describe('two calls for one identity at once', () => {
  it("both succeed when the app's link arrives while the first is still looking the identity up", async () => {
    const admin = adminFor(qb)
    const externalUserId = newExternalId()
    const linked = await admin.createUser({ login: login() })
    qb.setLatency('GET /users/by_login.json', 300)
    try {
      const first = admin.ensureUser({ externalUserId })
      // The linked user is read and remembered while the first call still waits for its lookup.
      await expect(admin.ensureUser({ externalUserId, quickbloxUserId: linked.id })).resolves.toMatchObject({
        id: linked.id,
      })
      await expect(first).resolves.toMatchObject({ login: admin.loginFor(externalUserId) })
    } finally {
      qb.setLatency('*', 0)
    }
  })
})

describe('a user id', () => {
  it.each([[0], [-3], [1.5]])('is refused when it is %p, naming the method', async (id) => {
    await expect(adminFor(qb).getUser(id)).rejects.toThrow(
      new TypeError('QuickBloxAdmin: getUser needs a positive integer user id'),
    )
  })
})

describe('a login or email looked up', () => {
  it('is refused when empty', async () => {
    await expect(adminFor(qb).getUserByLogin('')).rejects.toThrow(
      new TypeError('QuickBloxAdmin: login must be text of 1 to 1024 characters'),
    )
  })

  it('may be 1024 characters long, but not 1025', async () => {
    const admin = adminFor(qb)
    await expect(admin.getUserByLogin('x'.repeat(1024))).resolves.toBeUndefined()
    await expect(admin.getUserByLogin('x'.repeat(1025))).rejects.toThrow(TypeError)
  })
})

describe('a user sent to QuickBlox', () => {
  it('is required', async () => {
    await expect(adminFor(qb).createUser(null as never)).rejects.toThrow(
      new TypeError('QuickBloxAdmin: a user object is required'),
    )
  })

  it('may carry custom data longer than the other fields', async () => {
    const customData = 'd'.repeat(2000)
    const user = await adminFor(qb).createUser({ login: login(), customData })
    expect(user.custom_data).toBe(customData)
  })

  it('refuses custom data longer than 64 KiB', async () => {
    await expect(adminFor(qb).createUser({ login: login(), customData: 'd'.repeat(64 * 1024 + 1) })).rejects.toThrow(
      new TypeError('QuickBloxAdmin: customData must be text of at most 65536 characters'),
    )
  })

  it('leaves a full name of exactly 1024 characters for QuickBlox to judge', async () => {
    const fullName = 'n'.repeat(1024)
    await expect(adminFor(qb).createUser({ login: login(), fullName })).rejects.toBeInstanceOf(QuickBloxValidationError)
  })

  it.each([[['a', 'b,c']], [['b,c', 'a']], [[1]], [['a'.repeat(512), 'b'.repeat(512)]]])(
    'refuses the tags %p',
    async (tags) => {
      await expect(adminFor(qb).createUser({ login: login(), tags: tags as string[] })).rejects.toThrow(
        new TypeError('QuickBloxAdmin: tags must be an array of text without commas, at most 1024 in all'),
      )
    },
  )

  it('leaves tags of exactly 1024 characters in all for QuickBlox to judge', async () => {
    const tags = ['a'.repeat(511), 'b'.repeat(512)]
    await expect(adminFor(qb).createUser({ login: login(), tags })).rejects.toBeInstanceOf(QuickBloxValidationError)
  })

  it('refuses a password longer than 1024 characters', async () => {
    await expect(adminFor(qb).createUser({ login: login(), password: 'p'.repeat(1025) })).rejects.toThrow(
      new TypeError('QuickBloxAdmin: password must be text of at most 1024 characters'),
    )
  })

  it('leaves a password of exactly 1024 characters for QuickBlox to judge', async () => {
    await expect(adminFor(qb).createUser({ login: login(), password: 'p'.repeat(1024) })).rejects.toBeInstanceOf(
      QuickBloxValidationError,
    )
  })

  it("keeps the user's password when other fields change", async () => {
    await adminFor(qb).updateUser(KNOWN.id, { fullName: 'Still Known' })
    const client = clientFor(qb)
    try {
      await expect(client.login({ login: KNOWN.login, password: KNOWN.password })).resolves.toBeDefined()
    } finally {
      await client.close()
    }
  })
})

describe('the admin options', () => {
  const make = (options: Partial<QuickBloxAdminOptions>) => () =>
    void new QuickBloxAdmin({ apiKey: API_KEY, apiEndpoint: qb.url, ...options }).close()

  it('accept an identity key of exactly 32 characters', () => {
    expect(make({ identityKey: IDENTITY_KEY.slice(0, 32) })).not.toThrow()
  })

  it('accept the longest timeout a timer can hold, and no longer', () => {
    expect(make({ timeout: 2 ** 31 - 1 })).not.toThrow()
    expect(make({ timeout: 2 ** 31 })).toThrow(
      new TypeError('QuickBloxAdmin: option timeout must be a number of milliseconds from 1 to 2147483647'),
    )
  })

  it.each([[0], ['100'], [-1]])('refuse the timeout %p', (timeout) => {
    expect(make({ timeout: timeout as number })).toThrow(/option timeout/)
  })

  it.each([[null], [5], [true]])('refuse the cache %p', (cache) => {
    expect(make({ cache: cache as never })).toThrow(/option cache must be false or an object/)
  })

  it('refuse a cache clock that is not a function', () => {
    expect(make({ cache: { now: 5 as never } })).toThrow(new TypeError('QuickBloxAdmin: cache now must be a function'))
  })

  it('refuse a missing API key', () => {
    expect(make({ apiKey: undefined })).toThrow(/option apiKey must be the API key/)
  })

  it('are required', () => {
    expect(() => new QuickBloxAdmin(undefined as never)).toThrow(new TypeError('QuickBloxAdmin: options are required'))
  })
})
