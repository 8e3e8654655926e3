// Several QuickBloxAdmin instances sharing the identity → user mapping through a real Redis (the
// example app's store adapter over node-redis), counted at the emulator.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createClient } from 'redis'
import type { Emulator } from 'passport-quickblox/emulator'
import type { QuickBloxAdmin } from '../lib/index.js'
import { redisTokenStore } from '../example-app/token-auth.js'
import { adminFor, API_KEY, closeAdmins, IDENTITY_KEY, newExternalId, startAdminEmulator } from './helpers/admin.js'
import { startRedis, type RedisServer } from './helpers/redis.js'

type Client = ReturnType<typeof createClient>
let redis: RedisServer
let qb: Emulator
const clients: Client[] = []

/** An instance of the backend: its own admin and its own Redis connection. */
async function instance(ttlMs = 60_000): Promise<{ admin: QuickBloxAdmin; client: Client }> {
  const client: Client = createClient({ url: redis.url })
  client.on('error', () => {})
  await client.connect()
  clients.push(client)
  return { admin: adminFor(qb, { cache: { ttlMs, store: redisTokenStore(client) } }), client }
}

/** Waits until Redis holds `count` keys of the admin: its writes are not awaited by the calls. */
async function adminKeys(client: Client, count: number): Promise<string[]> {
  for (;;) {
    const keys = await client.keys('passport-quickblox:admin-user:*')
    if (keys.length >= count) return keys
    await new Promise((resolve) => setImmediate(resolve))
  }
}

beforeAll(async () => {
  redis = await startRedis()
  qb = await startAdminEmulator()
})
afterAll(async () => {
  await closeAdmins()
  for (const client of clients) if (client.isOpen) client.destroy()
  await qb.close()
  await redis.close()
})

describe('QuickBloxAdmin instances sharing one Redis', () => {
  it('a user one instance made costs another no lookup: one QuickBlox request per token', async () => {
    const a = await instance()
    const b = await instance()
    const externalUserId = `auth0|${newExternalId()}`
    const first = await a.admin.sessionFor({ externalUserId })
    await adminKeys(a.client, 1)
    qb.resetLog()
    const second = await b.admin.sessionFor({ externalUserId })
    expect(second.userId).toBe(first.userId)
    expect(qb.requests.map((r) => r.endpoint)).toEqual(['POST /users/:id/tokens'])
  })

  it('keeps nothing made from the API key or the identity key in a key, and no entry past ttlMs', async () => {
    const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')
    const { client } = await instance()
    await client.flushAll()
    const { admin } = await instance(30_000)
    const externalUserId = newExternalId()
    await admin.ensureUser({ externalUserId })
    const [key] = await adminKeys(client, 1)
    const host = sha256(new URL(qb.url).href.replace(/\/+$/, '')).slice(0, 16)
    expect(key).toBe(`passport-quickblox:admin-user:${host}:${externalUserId}`)
    for (const secret of [API_KEY, IDENTITY_KEY]) {
      expect(key).not.toContain(secret)
      expect(key).not.toContain(sha256(secret).slice(0, 8))
      expect(await client.get(key!)).not.toContain(secret)
    }
    const ttl = await client.pTTL(key!)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(30_000)
  })
})
