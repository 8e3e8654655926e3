// Property: whatever API key and password are used, and whatever QuickBlox answers, neither
// ever appears in an error (message, stack, inspect, JSON), a diagnostics context or the
// emulator's log lines.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { inspect } from 'node:util'
import fc from 'fast-check'
import { startEmulator, type Emulator, type EmulatorFault } from 'passport-quickblox/emulator'
import { QuickBloxAdmin } from '../lib/index.js'
import { recordDiagnostics, type Recorder } from './helpers/diagnostics.js'
import { API_KEY, KNOWN } from './helpers/admin.js'
import { APP } from './helpers/quickblox.js'

let qb: Emulator
let diagnostics: Recorder
const lines: string[] = []
beforeAll(async () => {
  qb = await startEmulator({
    applications: [{ ...APP, apiKey: API_KEY }],
    users: [KNOWN],
    log: (line) => lines.push(line),
  })
  diagnostics = recordDiagnostics()
})
afterAll(async () => {
  diagnostics.stop()
  await qb.close()
})

// Printable, no spaces, long enough to be a secret rather than a word that occurs anyway.
const secret = fc.stringMatching(/^[\x21-\x7e]{12,40}$/).filter((s) => !s.includes('\\'))
const faults: (EmulatorFault | 'none')[] = [
  'none',
  { status: 500 },
  { status: 429, retryAfter: 3 },
  'garbage',
  'reset',
  'hang',
]

function rendered(error: unknown): string {
  const e = error as Error
  return `${String(e)}\n${e.stack}\n${inspect(e, { depth: Infinity, showHidden: true })}\n${JSON.stringify(e)}`
}

describe('QuickBloxAdmin secrets', () => {
  it('never shows the API key or a password', async () => {
    let serial = 0
    await fc.assert(
      fc.asyncProperty(
        secret,
        secret.map((s) => s.slice(0, 40)),
        fc.constantFrom(...faults),
        fc.boolean(),
        async (wrongKey, password, fault, rightKey) => {
          const admin = new QuickBloxAdmin({
            apiKey: rightKey ? API_KEY : wrongKey,
            apiEndpoint: qb.url,
            timeout: 200,
          })
          const seen: string[] = []
          const before = diagnostics.events.length
          const linesBefore = lines.length
          try {
            if (fault !== 'none') qb.failNext('POST /users.json', fault)
            const externalUserId = 70_000 + ++serial
            // A taken login too, half the time, so 422s are among the answers.
            const login = serial % 2 === 0 ? KNOWN.login : `p${externalUserId}`
            const created = await admin.createUser({ login, password, externalUserId }).catch((e: unknown) => e)
            seen.push(created instanceof Error ? rendered(created) : JSON.stringify(created))
            const session = await admin.sessionFor({ externalUserId }).catch((e: unknown) => e)
            seen.push(session instanceof Error ? rendered(session) : inspect((session as { user: unknown }).user))
          } finally {
            qb.clearFaults()
            await admin.close()
          }
          seen.push(...diagnostics.events.slice(before).map((event) => event.rendered))
          seen.push(...lines.slice(linesBefore), JSON.stringify(qb.requests.slice(-4)))
          const all = seen.join('\n')
          for (const value of [wrongKey, password, API_KEY]) expect(all).not.toContain(value)
        },
      ),
      { numRuns: 60 },
    )
  }, 60_000)
})
