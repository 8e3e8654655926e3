import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Emulator } from 'passport-quickblox/emulator'
import { adminFor, closeAdmins, newExternalId, startAdminEmulator } from './helpers/admin.js'
import { recordDiagnostics } from './helpers/diagnostics.js'

let qb: Emulator
beforeAll(async () => {
  qb = await startAdminEmulator()
})
afterAll(async () => {
  await closeAdmins()
  await qb.close()
})

describe('passport-quickblox:request traces of QuickBloxAdmin', () => {
  it('name the templated paths, never an id, and the status of each request', async () => {
    const diagnostics = recordDiagnostics()
    try {
      const externalUserId = `auth0|${newExternalId()}`
      const admin = adminFor(qb)
      const { token } = await admin.sessionFor({ externalUserId })
      await adminFor(qb).revokeToken(token)
      const ends = diagnostics.of('request', 'asyncEnd').map((e) => [e.fields.method, e.fields.path, e.fields.status])
      expect(ends).toEqual([
        ['GET', '/users/by_login.json', 404],
        ['POST', '/users.json', 201],
        ['POST', '/users/{id}/tokens', 201],
        ['DELETE', '/session.json', 200],
      ])
      const rendered = diagnostics.events.map((e) => e.rendered).join('\n')
      expect(rendered).not.toContain(String(externalUserId))
      expect(rendered).not.toContain(admin.loginFor(externalUserId))
      expect(rendered).not.toContain(token)
    } finally {
      diagnostics.stop()
    }
  })
})
