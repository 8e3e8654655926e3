// The example app's Prometheus metrics (example-app/metrics.js), scraped over HTTP after real
// sign-ins through the app against the emulator; and `node example-app/server.js` with
// METRICS_PORT, which serves them on 127.0.0.1 on a port of their own, never the public one.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import { loadConfig } from '../example-app/config.js'
import { createMetrics, startMetricsServer } from '../example-app/metrics.js'
import { QuickBloxTokenStrategy } from '../lib/index.js'
import { startExample, type ExampleApp } from './helpers/example-app.js'
import { sdkToken } from './helpers/token-app.js'
import { trackRequests } from './helpers/diagnostics.js'

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

const LOGINS = 'passport_quickblox_logins_total{method="login",outcome="success"}'

async function scrape(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(url)
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() }
}

describe('metrics after real sign-ins through the example app', () => {
  let example: ExampleApp
  let metrics: Awaited<ReturnType<typeof startMetricsServer>>
  beforeAll(async () => {
    metrics = await startMetricsServer(createMetrics())
    example = await startExample({ quickblox: { pool: { max: 4 } } })
  })
  afterAll(async () => {
    await example.close()
    await metrics.close()
  })

  it('counts QuickBlox requests, their durations, sign-ins by outcome, and the pool size', async () => {
    const api = request(example.url)
    const requests = trackRequests()
    const [amy, bob] = example.emulator.users
    expect((await api.post('/api/login').send({ login: amy!.login, password: amy!.password })).status).toBe(200)
    expect((await api.post('/api/login').send({ email: bob!.email, password: bob!.password })).status).toBe(200)
    expect((await api.post('/api/login').send({ login: amy!.login, password: 'not-her-password' })).status).toBe(401)
    example.emulator.failNext('POST /login.json', { status: 503 })
    expect((await api.post('/api/login').send({ login: amy!.login, password: amy!.password })).status).toBe(503)
    await requests.settled() // pool refills landed
    requests.stop()

    const { status, type, text } = await scrape(metrics.url)
    expect(status).toBe(200)
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(sample(text, 'passport_quickblox_logins_total{method="login",outcome="success"}')).toBe(1)
    expect(sample(text, 'passport_quickblox_logins_total{method="email",outcome="success"}')).toBe(1)
    expect(sample(text, 'passport_quickblox_logins_total{method="login",outcome="fail"}')).toBe(1)
    expect(sample(text, 'passport_quickblox_logins_total{method="login",outcome="error"}')).toBe(1)
    expect(sample(text, 'quickblox_requests_total{endpoint="POST /login.json",status="202"}')).toBe(2)
    expect(sample(text, 'quickblox_requests_total{endpoint="POST /login.json",status="401"}')).toBe(1)
    expect(sample(text, 'quickblox_requests_total{endpoint="POST /login.json",status="503"}')).toBe(1)
    const sessions = example.emulator.counts()['POST /session.json']
    expect(sample(text, 'quickblox_requests_total{endpoint="POST /session.json",status="201"}')).toBe(sessions)
    expect(sample(text, 'quickblox_request_duration_seconds_count{endpoint="POST /login.json"}')).toBe(4)
    expect(sample(text, 'quickblox_request_duration_seconds_bucket{le="10",endpoint="POST /login.json"}')).toBe(4)
    expect(sample(text, 'quickblox_request_duration_seconds_sum{endpoint="POST /login.json"}')).toBeGreaterThan(0)
    expect(sample(text, 'passport_quickblox_pool_sessions')).toBeGreaterThanOrEqual(1)
    expect(text).toContain('# TYPE passport_quickblox_token_checks_total counter')
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0)
    expect(text).toContain('nodejs_eventloop_lag_seconds')
    // No label holds an id, a login or a password.
    expect(text).not.toContain(amy!.login)
    expect(text).not.toContain(amy!.password)
    expect(text).not.toMatch(/\/users\/\d/)
  })

  it('counts Bearer checks by cache result, outcome and code, and the token store faults', async () => {
    const faulty = {
      get: () => Promise.reject(new Error('store down')),
      set: () => Promise.resolve(),
      delete: () => Promise.resolve(),
    }
    const tokenStrategy = new QuickBloxTokenStrategy(
      { appId: example.emulator.application.id, apiEndpoint: example.emulator.url, cache: { store: faulty } },
      (user) => Promise.resolve({ id: user.id }),
    )
    const app = await startExample({ emulator: example.emulator, app: { tokenStrategy } })
    try {
      const token = await sdkToken(example.emulator, { login: 'amy', password: 'amy-demo-password' })
      const me = (authorization?: string) => {
        const req = request(app.url).get('/api/me')
        return authorization === undefined ? req : req.set('Authorization', authorization)
      }
      expect((await me(`Bearer ${token}`)).status).toBe(200)
      expect((await me(`Bearer ${token}`)).status).toBe(200)
      expect((await me(`Bearer ${'0'.repeat(40)}`)).status).toBe(401)
      expect((await me('Bearer a b')).status).toBe(400)
      const { text } = await scrape(metrics.url)
      const checks = (labels: string) => sample(text, `passport_quickblox_token_checks_total{${labels}}`)
      expect(checks('cache="miss",outcome="success",code=""')).toBe(1)
      expect(checks('cache="hit",outcome="success",code=""')).toBe(1)
      expect(checks('cache="miss",outcome="fail",code="invalid_token"')).toBe(1)
      expect(checks('cache="none",outcome="fail",code="invalid_request"')).toBe(1)
      // The new token's entry and its user's, then the refused token's entry.
      expect(sample(text, 'passport_quickblox_token_store_faults_total{operation="get",reason="error"}')).toBe(3)
      expect(text).not.toContain(token)
    } finally {
      await app.close()
      await tokenStrategy.close()
    }
  })

  it('serves nothing but GET /metrics, and the public app does not serve them at all', async () => {
    expect((await scrape(metrics.url.replace('/metrics', '/'))).status).toBe(404)
    expect((await fetch(metrics.url, { method: 'POST' })).status).toBe(404)
    expect((await request(example.url).get('/metrics')).status).toBe(404)
  })
})

describe('METRICS_PORT', () => {
  it('is off by default, on 127.0.0.1 when set, and never the public port', () => {
    expect(loadConfig({}).metrics).toBeNull()
    expect(loadConfig({ METRICS_PORT: '9464' }).metrics).toEqual({ port: 9464, host: '127.0.0.1' })
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '10.0.0.5' }).metrics).toEqual({
      port: 9464,
      host: '10.0.0.5',
    })
    expect(() => loadConfig({ METRICS_PORT: '3000' })).toThrow('METRICS_PORT must differ from PORT')
    expect(() => loadConfig({ METRICS_PORT: '8080', PORT: '8080' })).toThrow('METRICS_PORT must differ from PORT')
    expect(() => loadConfig({ METRICS_PORT: 'nine' })).toThrow('METRICS_PORT must be a port number')
  })
})

describe('node example-app/server.js with METRICS_PORT', () => {
  let child: ChildProcess | undefined
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })

  it('serves metrics on 127.0.0.1 beside the app, counts a sign-in, and exits 0 on SIGTERM', async () => {
    child = spawn(process.execPath, ['example-app/server.js'], {
      env: { PATH: process.env.PATH ?? '', PORT: '0', METRICS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const listening = new Promise<void>((resolve, reject) => {
      const read = (chunk: Buffer): void => {
        output += chunk
        if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(output)) resolve()
      }
      child!.stdout!.on('data', read)
      child!.stderr!.on('data', read)
      child!.once('exit', () => reject(new Error(`exited before listening: ${output}`)))
    })
    await listening
    const app = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
    const scrapeUrl = /Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(output)?.[1]
    expect({ app, scrapeUrl, output }).toEqual({ app: expect.any(String), scrapeUrl: expect.any(String), output })
    expect(new URL(scrapeUrl!).port).not.toBe(new URL(app!).port)

    const res = await fetch(`${app}/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'amy', password: 'amy-demo-password' }),
    })
    expect(res.status).toBe(200)
    // The server counts a sign-in as its trace ends, a turn after the answer, in its own process:
    // each scrape is answered from that process's event loop, after the turns queued before it, so
    // scrape again until it shows (at most 50 scrapes), with no timer of ours.
    let { text } = await scrape(scrapeUrl!)
    for (let tries = 0; sample(text, LOGINS) === undefined && tries < 50; tries++) ({ text } = await scrape(scrapeUrl!))
    expect(sample(text, LOGINS)).toBe(1)
    expect(sample(text, 'quickblox_requests_total{endpoint="POST /login.json",status="202"}')).toBe(1)
    expect((await fetch(`${app}/metrics`)).status).toBe(404)

    child.kill('SIGTERM')
    const [code] = (await once(child, 'exit')) as [number | null]
    expect(code).toBe(0)
  })
})
