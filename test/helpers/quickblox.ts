// An emulator seeded with one user per login method, and strategy options pointing at it.
import { jest } from '@jest/globals'
import { startEmulator, type Emulator, type EmulatorEndpoint } from 'passport-quickblox/emulator'
import type { QuickBloxStrategyOptions } from '../../lib/index.js'
import { QuickBloxClient, type QuickBloxClientOptions } from '../../lib/quickblox/client.js'

export const APP = { id: 4242, authKey: 'test-auth-key', authSecret: 'test-auth-secret-do-not-leak' }

export const AMY = { login: 'amy', email: 'amy@example.com', password: 'amy-password-1', full_name: 'Amy Pond' }
export const FACEBOOK_USER = { login: 'fb-fan', full_name: 'Fay Book', facebook: { token: 'facebook-access-token-1' } }
export const FIREBASE_USER = {
  login: 'phone-person',
  full_name: 'Phil Phone',
  firebase_phone: { project_id: 'my-firebase-project', access_token: 'firebase-id-token-1' },
}

export function startTestEmulator(): Promise<Emulator> {
  return startEmulator({ applications: [APP], users: [AMY, FACEBOOK_USER, FIREBASE_USER] })
}

/** Options for a strategy talking to `emulator`; no pool, so every login is exactly two calls. */
export function optionsFor(
  emulator: Emulator,
  extra: Partial<QuickBloxStrategyOptions> = {},
): QuickBloxStrategyOptions {
  return {
    appId: emulator.application.id,
    authKey: emulator.application.authKey,
    authSecret: emulator.application.authSecret,
    apiEndpoint: emulator.url,
    pool: false,
    timeout: 3000,
    ...extra,
  }
}

/** How many requests reached the emulator, all endpoints together. */
export function totalCalls(emulator: Emulator): number {
  return Object.values(emulator.counts()).reduce((sum: number, n: number) => sum + n, 0)
}

export function calls(emulator: Emulator, endpoint: EmulatorEndpoint): number {
  return emulator.counts()[endpoint]
}

/** A protocol client for `emulator`'s first application; pass `pool: false` for exact call counts. */
export function clientFor(emulator: Emulator, options: Partial<QuickBloxClientOptions> = {}): QuickBloxClient {
  const { id, authKey, authSecret } = emulator.application
  return new QuickBloxClient({ appId: id, authKey, authSecret, apiEndpoint: emulator.url, ...options })
}

/** Fakes only `Date` (every timer stays real), so a test moves the clock without waiting. */
export function fakeDateOnly(): void {
  jest.useFakeTimers({
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
    now: Date.now(),
  })
}
