// An emulator whose application has an API key, and QuickBloxAdmin instances pointing at it.
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { QuickBloxAdmin, type QuickBloxAdminOptions } from '../../lib/quickblox/admin.js'
import { AMY, APP } from './quickblox.js'

export const API_KEY = 'test-api-key-do-not-leak'
/** Seeded with an external id, so it is a user "seen before" from the start. */
export const KNOWN = { id: 300, login: 'known', password: 'known-password', external_user_id: 3000 }

export function startAdminEmulator(): Promise<Emulator> {
  return startEmulator({ applications: [{ ...APP, apiKey: API_KEY }], users: [AMY, KNOWN] })
}

const admins: QuickBloxAdmin[] = []
/** An admin for `emulator`'s first application; closed by {@link closeAdmins}. */
export function adminFor(emulator: Emulator, options: Partial<QuickBloxAdminOptions> = {}): QuickBloxAdmin {
  const admin = new QuickBloxAdmin({ apiKey: API_KEY, apiEndpoint: emulator.url, timeout: 3000, ...options })
  admins.push(admin)
  return admin
}
export async function closeAdmins(): Promise<void> {
  await Promise.all(admins.splice(0).map((admin) => admin.close()))
}

let serial = 0
/** An external id no test has used yet. */
export const newExternalId = (): number => 50_000 + ++serial
