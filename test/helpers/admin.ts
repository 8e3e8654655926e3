// An emulator whose application has an API key, and QuickBloxAdmin instances pointing at it.
import { afterAll, afterEach, beforeAll } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { QuickBloxAdmin, type QuickBloxAdminOptions } from '../../lib/quickblox/admin.js'
import { AMY, APP } from './quickblox.js'

export const API_KEY = 'test-api-key-do-not-leak'
/** The backend's identity key: what makes each identity's QuickBlox login. */
export const IDENTITY_KEY = 'test-identity-key-0123456789abcdef-do-not-leak'
/** The QuickBlox login an admin with {@link IDENTITY_KEY} makes for an identity. */
export function loginOf(externalUserId: number | string): string {
  const admin = new QuickBloxAdmin({ apiKey: API_KEY, identityKey: IDENTITY_KEY })
  void admin.close()
  return admin.loginFor(externalUserId)
}
/**
 * Seeded with the login made for identity 3000, so it is a user "seen before" from the start.
 * Its external_user_id is 3000 too: a label, which the mapping never reads.
 */
export const KNOWN = { id: 300, login: loginOf(3000), password: 'known-password', external_user_id: 3000 }

export function startAdminEmulator(): Promise<Emulator> {
  return startEmulator({ applications: [{ ...APP, apiKey: API_KEY }], users: [AMY, KNOWN] })
}

const admins: QuickBloxAdmin[] = []
/** An admin for `emulator`'s first application; closed by {@link closeAdmins}. */
export function adminFor(emulator: Emulator, options: Partial<QuickBloxAdminOptions> = {}): QuickBloxAdmin {
  const admin = new QuickBloxAdmin({
    apiKey: API_KEY,
    identityKey: IDENTITY_KEY,
    apiEndpoint: emulator.url,
    timeout: 3000,
    ...options,
  })
  admins.push(admin)
  return admin
}
export async function closeAdmins(): Promise<void> {
  await Promise.all(admins.splice(0).map((admin) => admin.close()))
}

let serial = 0
/** An external id no test has used yet. */
export const newExternalId = (): number => 50_000 + ++serial

/**
 * A suite's admin emulator: started before its tests (handed to `use`), its faults cleared and the
 * admins made with {@link adminFor} closed after each test, closed after them all.
 */
export function useAdminEmulator(use: (emulator: Emulator) => void): void {
  let emulator: Emulator | undefined
  beforeAll(async () => {
    emulator = await startAdminEmulator()
    use(emulator)
  })
  afterEach(async () => {
    emulator?.clearFaults()
    await closeAdmins()
  })
  afterAll(() => emulator?.close())
}
