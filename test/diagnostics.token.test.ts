// `traceTokenCheck()`, the helper a token strategy publishes `passport-quickblox:token` traces
// with: run here as a strategy runs it (Passport's success/fail/error on a per-request object),
// checking a real session token against the emulator on a cache miss.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { noteCache, noteFailure, noteUser, traceTokenCheck, type TokenCache } from '../lib/diagnostics.js'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxCredentialsError, QuickBloxUnavailableError, type QuickBloxClient } from '../lib/index.js'
import { Transport } from '../lib/quickblox/http.js'
import { recordDiagnostics, type Recorder } from './helpers/diagnostics.js'
import { clientFor, startTestEmulator } from './helpers/quickblox.js'

let emulator: Emulator
let client: QuickBloxClient
let transport: Transport
let recorder: Recorder

beforeAll(async () => {
  emulator = await startTestEmulator()
  client = clientFor(emulator, { pool: false })
  transport = new Transport(emulator.url)
})
afterAll(async () => {
  transport.close()
  await client.close()
  await emulator.close()
})
beforeEach(() => {
  recorder = recordDiagnostics()
})
afterEach(() => recorder.stop())

/** Passport's per-request strategy object: records which outcome was called, once. */
interface PassportActions {
  success(u: unknown): void
  fail(c?: unknown, s?: number): void
  error(e: Error): void
}

function passportRequest(): { strategy: PassportActions; outcome: Promise<string> } {
  let settle: (outcome: string) => void = () => {}
  const outcome = new Promise<string>((resolve) => (settle = resolve))
  return {
    outcome,
    strategy: {
      success: (user) => settle(`success ${JSON.stringify(user)}`),
      fail: (_challenge, status) => settle(`fail ${status}`),
      error: (err) => settle(`error ${err.message}`),
    },
  }
}

/** A token check as a token strategy does it: a cache answer, or QuickBlox's `GET /session.json`. */
function check(token: string, cached: TokenCache | undefined): { outcome: Promise<string> } {
  const { strategy, outcome } = passportRequest()
  traceTokenCheck(strategy, (self) => {
    if (cached === 'hit') {
      noteCache('hit')
      noteUser(7)
      return self.success({ id: 7 })
    }
    if (cached === 'negative') {
      noteCache('negative')
      return self.fail({ message: 'invalid token' }, 401)
    }
    noteCache('miss')
    transport.send('GET', 'session.json', { token, timeoutMs: 2000, reportedTimeoutMs: 2000 }).then(
      (reply) => {
        const session = (reply.body as { session?: { user_id?: number } } | undefined)?.session
        if (reply.status === 200 && session) {
          noteUser(session.user_id ?? 0)
          return self.success({ id: session.user_id })
        }
        if (reply.status === 401) {
          const refused = new QuickBloxCredentialsError('QuickBlox does not know this token')
          noteFailure(refused)
          return self.fail({ message: refused.message }, refused.status)
        }
        self.error(new QuickBloxUnavailableError(`QuickBlox answered ${reply.status}`))
      },
      (err: Error) => self.error(err),
    )
  })
  // Node publishes the trace's end once the outcome's promise has settled: a turn later.
  return {
    outcome: outcome.then(async (o) => {
      await new Promise(setImmediate)
      return o
    }),
  }
}

const end = (): Record<string, unknown> => {
  const ends = recorder.of('token', 'asyncEnd')
  expect(ends).toHaveLength(1)
  return ends[0]!.fields
}

describe('passport-quickblox:token', () => {
  it('a cache miss asks QuickBlox: the request inside the trace, one call, the user id, success', async () => {
    const { token, userId } = await client.createApplicationSession()
    recorder.events.length = 0
    expect(await check(token, undefined).outcome).toBe(`success {"id":${userId}}`)
    expect(recorder.sequence(['start', 'asyncEnd'])).toEqual([
      'token:start',
      'request:start',
      'request:asyncEnd',
      'token:asyncEnd',
    ])
    expect(end()).toEqual({ cache: 'miss', outcome: 'success', calls: 1, userId, result: undefined })
    expect(recorder.events.map((e) => e.rendered).join('\n')).not.toContain(token)
  })

  it('a cache hit: no call', async () => {
    expect(await check('unused', 'hit').outcome).toBe('success {"id":7}')
    expect(end()).toEqual({ cache: 'hit', outcome: 'success', calls: 0, userId: 7, result: undefined })
  })

  it('a cached refusal: negative, fail 401', async () => {
    expect(await check('unused', 'negative').outcome).toBe('fail 401')
    expect(end()).toEqual({ cache: 'negative', outcome: 'fail', status: 401, calls: 0, result: undefined })
  })

  it('a token QuickBlox does not know: fail 401 with the error code', async () => {
    expect(await check('0'.repeat(40), undefined).outcome).toBe('fail 401')
    expect(end()).toEqual({
      cache: 'miss',
      outcome: 'fail',
      status: 401,
      code: 'QB_INVALID_CREDENTIALS',
      calls: 1,
      result: undefined,
    })
  })

  it('QuickBlox down: error, with our error on the error event', async () => {
    emulator.failNext('GET /session.json', { status: 503 })
    expect(await check('0'.repeat(40), undefined).outcome).toBe('error QuickBlox answered 503')
    expect(recorder.of('token', 'error')[0]!.fields.error).toBeInstanceOf(QuickBloxUnavailableError)
    expect(end()).toMatchObject({ cache: 'miss', outcome: 'error', status: 503, code: 'QB_UNAVAILABLE', calls: 1 })
  })

  it('with no subscriber: the check runs on the strategy itself, and nothing is published', async () => {
    recorder.stop()
    const { strategy, outcome } = passportRequest()
    let received: unknown
    traceTokenCheck(strategy, (self) => {
      received = self
      self.success({ id: 1 })
    })
    expect(await outcome).toBe('success {"id":1}')
    expect(received).toBe(strategy)
    expect(recorder.events).toEqual([])
  })
})
