// Where a session's `expiresAt` comes from: QuickBlox's `QB-Token-ExpirationDate` header when it
// sends one, else 2 hours from now. The emulator runs on its own clock, far from ours, so the two
// sources give different answers and a client that ignored the header would be caught.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { type Emulator, startEmulator } from 'passport-quickblox/emulator'
import type { QuickBloxClient } from '../lib/quickblox/client.js'
import { AMY, APP, clientFor } from './helpers/quickblox.js'

const HOUR = 60 * 60_000
/** The emulator's clock: stopped, months away from the real one. */
const EMULATOR_NOW = Date.parse('2027-03-01T08:00:00Z')

let qb: Emulator
const clients: QuickBloxClient[] = []
const newClient = (): QuickBloxClient => {
  const client = clientFor(qb, { pool: false })
  clients.push(client)
  return client
}

beforeAll(async () => {
  qb = await startEmulator({ now: () => EMULATOR_NOW, applications: [APP], users: [AMY] })
})
afterEach(async () => {
  qb.clearFaults()
  await Promise.all(clients.splice(0).map((client) => client.close()))
})
afterAll(() => qb.close())

describe('session expiry', () => {
  it("is QuickBlox's QB-Token-ExpirationDate for an application session, not our own clock's guess", async () => {
    const session = await newClient().createApplicationSession()
    expect(session.expiresAt.toISOString()).toBe('2027-03-01T10:00:00.000Z')
  })

  it("is the login reply's QB-Token-ExpirationDate for a user's session", async () => {
    const client = newClient()
    await client.createApplicationSession() // learns the emulator's clock, as any first request does
    qb.advanceTime(45 * 60_000)
    const { session } = await client.login({ login: AMY.login, password: AMY.password })
    expect(session.expiresAt.toISOString()).toBe('2027-03-01T10:45:00.000Z')
  })

  it('is 2 hours from now, on our clock, when QuickBlox sends no readable expiry', async () => {
    const user = { id: 7, login: 'amy', created_at: '2027-03-01T08:00:00Z', updated_at: '2027-03-01T08:00:00Z' }
    qb.failNext('POST /login.json', { status: 202, body: { user } })
    const before = Date.now()
    const { session } = await newClient().login({ login: AMY.login, password: AMY.password })
    expect(session.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 2 * HOUR)
    expect(session.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 2 * HOUR)
  })
})
