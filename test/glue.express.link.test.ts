// Keeping the link with quickbloxSession(): the app stores the QuickBlox user id each session
// resolves with and passes it back, as docs/your-users.md shows, so a newcomer who took a freed
// login is never handed to its user. Over HTTP, against the emulator.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import express, { type Request } from 'express'
import request from 'supertest'
import type { Emulator } from 'passport-quickblox/emulator'
import { quickbloxSession, type QuickBloxIdentity } from '../lib/index.js'
import { adminFor, closeAdmins, newExternalId, startAdminEmulator } from './helpers/admin.js'
import { call, sessionParams } from './helpers/emulator.js'
import { APP } from './helpers/quickblox.js'

interface AppUser {
  id: string
  name: string
  quickbloxUserId?: number
}
let qb: Emulator
let app: express.Express
/** The app's own user table. */
const users = new Map<string, AppUser>()
beforeAll(async () => {
  qb = await startAdminEmulator()
  const admin = adminFor(qb)
  app = express()
  // Stands for Passport's deserializeUser: the signed-in user, read from the app's table.
  app.use((req, _res, next) => {
    const id = req.get('x-test-user')
    if (id) (req as { user?: AppUser }).user = { ...users.get(id)! }
    next()
  })
  // The recipe: the user row keeps the QuickBlox user id, and a new one is stored when it changes.
  const linked = {
    sessionFor: async (identity: QuickBloxIdentity) => {
      const session = await admin.sessionFor(identity)
      const user = users.get(String(identity.externalUserId))!
      if (session.userId !== user.quickbloxUserId) users.set(user.id, { ...user, quickbloxUserId: session.userId })
      return session
    },
  }
  app.post(
    '/api/quickblox/session',
    quickbloxSession<Request>({
      admin: linked,
      identity: (req) => {
        const user = req.user as unknown as AppUser
        return { externalUserId: user.id, quickbloxUserId: user.quickbloxUserId, fullName: user.name }
      },
    }),
  )
})
afterAll(async () => {
  await closeAdmins()
  await qb.close()
})

describe('quickbloxSession() with the link kept', () => {
  it("never hands a user the newcomer who took their deleted account's login", async () => {
    const id = `user-${newExternalId()}`
    users.set(id, { id, name: 'Victim' })
    const session = () => request(app).post('/api/quickblox/session').set('x-test-user', id)
    const first = (await session()).body as { token: string; userId: number }
    expect(users.get(id)!.quickbloxUserId).toBe(first.userId)
    const { login } = (await call(`${qb.url}/users/${first.userId}.json`, 'GET', { token: first.token })).json.user
    // She deletes her QuickBlox account with her token; someone who had seen its login takes it.
    expect((await call(`${qb.url}/users/${first.userId}.json`, 'DELETE', { token: first.token })).status).toBe(200)
    const appToken = (await call(`${qb.url}/session.json`, 'POST', { body: sessionParams(APP) })).json.session.token
    const squat = await call(`${qb.url}/users.json`, 'POST', {
      token: appToken,
      body: { user: { login, password: 'squatter-pw' } },
    })
    expect(squat.status).toBe(201)

    const second = (await session()).body as { userId: number }
    expect(second.userId).not.toBe(squat.json.user.id)
    expect(second.userId).not.toBe(first.userId)
    expect(users.get(id)!.quickbloxUserId).toBe(second.userId)
    expect(((await session()).body as { userId: number }).userId).toBe(second.userId)
  })
})
