// The OpenTelemetry recipe of docs/observability.md (test/fixtures/opentelemetry.ts, quoted
// there verbatim): the contexts suffice to build a login span with its QuickBlox request spans as
// children, for concurrent logins through a real Express app against the emulator.
import { readFile } from 'node:fs/promises'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxStrategy } from '../lib/index.js'
import { traceQuickBlox } from './fixtures/opentelemetry.js'
import { startApp, type TestApp } from './helpers/app.js'
import { tracesEnd } from './helpers/diagnostics.js'
import { AMY, FACEBOOK_USER, optionsFor, startTestEmulator } from './helpers/quickblox.js'

let emulator: Emulator
let strategy: QuickBloxStrategy
let pooledStrategy: QuickBloxStrategy
let app: TestApp
let pooledApp: TestApp
const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
let stop: () => void

beforeAll(async () => {
  emulator = await startTestEmulator()
  const verify = (user: { id: number }, _session: unknown, done: (err: null, user: { id: number }) => void): void =>
    done(null, { id: user.id })
  strategy = new QuickBloxStrategy(optionsFor(emulator, { timeout: 1500 }), verify)
  pooledStrategy = new QuickBloxStrategy({ ...optionsFor(emulator), pool: {} }, verify)
  app = await startApp(strategy)
  pooledApp = await startApp(pooledStrategy)
})
afterAll(async () => {
  await Promise.all([app.close(), pooledApp.close()])
  await Promise.all([strategy.close(), pooledStrategy.close()])
  await emulator.close()
  await provider.shutdown()
})
beforeEach(() => {
  stop = traceQuickBlox(provider.getTracer('passport-quickblox-test'))
})
afterEach(() => {
  stop()
  exporter.reset()
  emulator.clearFaults()
})

const amy = { login: AMY.login, password: AMY.password }
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId
const childrenOf = (parent: ReadableSpan): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((s) => parentOf(s) === parent.spanContext().spanId)
const named = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name)

describe('OpenTelemetry spans from the diagnostics channels', () => {
  it('a login span with its two request spans as children, in order, with their attributes', async () => {
    const ended = tracesEnd('login') // spans end a turn after the answer
    expect((await app.postJson(amy)).status).toBe(200)
    await ended
    const [login] = named('quickblox login')
    expect(login!.attributes).toEqual({
      'quickblox.login.method': 'login',
      'quickblox.login.outcome': 'success',
      'quickblox.calls': 2,
      'quickblox.login.pooled': false,
      'quickblox.user.id': emulator.users.find((u) => u.login === AMY.login)!.id,
    })
    expect(parentOf(login!)).toBeUndefined()
    const started = (s: ReadableSpan): number => s.startTime[0] * 1e9 + s.startTime[1]
    const children = childrenOf(login!).sort((a, b) => started(a) - started(b))
    expect(children.map((s) => s.name)).toEqual(['POST /session.json', 'POST /login.json'])
    const { traceId } = login!.spanContext()
    expect(children.every((s) => s.kind === SpanKind.CLIENT && s.spanContext().traceId === traceId)).toBe(true)
    expect(children[1]!.attributes).toEqual({
      'http.request.method': 'POST',
      'url.template': '/login.json',
      'http.request.resend_count': 0,
      'http.response.status_code': 202,
    })
  })

  it('concurrent logins: each request span is a child of its own login', async () => {
    const facebook = { provider: 'facebook', keys: { token: FACEBOOK_USER.facebook.token } }
    const bodies = [amy, facebook, amy, { ...amy, password: 'wrong' }, amy]
    const ended = tracesEnd('login', bodies.length)
    const answers = await Promise.all(bodies.map((body) => app.postJson(body)))
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 401, 200])
    await ended
    const logins = named('quickblox login')
    expect(logins).toHaveLength(5)
    for (const login of logins) {
      expect(
        childrenOf(login)
          .map((s) => s.name)
          .sort(),
      ).toEqual(['POST /login.json', 'POST /session.json'])
    }
    const orphans = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT && parentOf(s) === undefined)
    expect(orphans).toEqual([])
    expect(logins.map((l) => l.attributes['quickblox.login.outcome']).sort()).toEqual([
      'fail',
      'success',
      'success',
      'success',
      'success',
    ])
    expect(new Set(logins.map((l) => l.attributes['quickblox.login.method']))).toEqual(new Set(['login', 'facebook']))
  })

  it('an error: the login span has the error status, the exception, and the failing request', async () => {
    emulator.failNext('POST /login.json', 'hang')
    const ended = tracesEnd('login')
    expect((await app.postJson(amy)).status).toBe(504)
    await ended
    const [login] = named('quickblox login')
    expect(login!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'QB_TIMEOUT' })
    expect(login!.events.map((e) => e.attributes?.['exception.type'])).toEqual(['QB_TIMEOUT'])
    const failed = childrenOf(login!).find((s) => s.name === 'POST /login.json')!
    expect(failed.status.code).toBe(SpanStatusCode.ERROR)
    expect(failed.attributes).not.toHaveProperty('http.response.status_code')
  })

  it('session pool refills are spans of their own, not children of the login that started them', async () => {
    // The login's own session, then the refill its take() started.
    const sessions = tracesEnd('request', 2, (context) => (context as { path?: string }).path === '/session.json')
    expect((await pooledApp.postJson(amy)).status).toBe(200)
    await sessions
    const [login] = named('quickblox login')
    expect(
      childrenOf(login!)
        .map((s) => s.name)
        .sort(),
    ).toEqual(['POST /login.json', 'POST /session.json'])
    const refills = named('POST /session.json').filter((s) => parentOf(s) === undefined)
    expect(refills.length).toBeGreaterThanOrEqual(1)
  })

  it('is the code docs/observability.md shows', async () => {
    const recipe = await readFile(new URL('fixtures/opentelemetry.ts', import.meta.url), 'utf8')
    const doc = await readFile(new URL('../docs/observability.md', import.meta.url), 'utf8')
    // Line breaks aside (a formatter may rewrap either): if this fails, copy the fixture into the doc again.
    const words = (text: string): string => text.replace(/\s+/g, ' ').trim()
    expect(words(doc)).toContain(words(recipe))
  })
})
