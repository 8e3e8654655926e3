// Prometheus metrics (prom-client) from passport-quickblox's diagnostics channels, served on a
// listener of their own (METRICS_PORT, 127.0.0.1 by default): never on the app's public port.
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { CHANNELS } from 'passport-quickblox'

const noop = () => {}

/** Subscribes to the channels and keeps the metrics in a registry of their own. `close()` unsubscribes. */
export function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const requests = new Counter({
    name: 'quickblox_requests_total',
    registers,
    labelNames: ['endpoint', 'status'],
    help: 'HTTP requests to QuickBlox, by endpoint and answered status (our error code when no reply came)',
  })
  const duration = new Histogram({
    name: 'quickblox_request_duration_seconds',
    registers,
    labelNames: ['endpoint'],
    help: 'Time from sending a request to QuickBlox to its reply (or failure)',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  })
  const logins = new Counter({
    name: 'passport_quickblox_logins_total',
    registers,
    labelNames: ['method', 'outcome'],
    help: 'Sign-ins that reached QuickBlox, by login method and outcome (success, fail, error)',
  })
  const tokenChecks = new Counter({
    name: 'passport_quickblox_token_checks_total',
    registers,
    labelNames: ['cache', 'outcome', 'code'],
    help:
      'Bearer token checks, by cache result (hit, miss, negative, joined; none when no token was read),' +
      ' outcome, and the code of a fail or error (no_token, invalid_request, invalid_token, QB_...)',
  })
  const storeFaults = new Counter({
    name: 'passport_quickblox_token_store_faults_total',
    registers,
    labelNames: ['operation', 'reason'],
    help: 'Calls to the shared token store that failed (error) or ran out of time (timeout): each a cache miss',
  })
  const poolSessions = new Gauge({
    name: 'passport_quickblox_pool_sessions',
    registers,
    help: 'Prefetched QuickBlox application sessions ready for the next sign-ins',
  })
  const refillFailures = new Counter({
    name: 'passport_quickblox_pool_refill_failures_total',
    registers,
    labelNames: ['code'],
    help: 'Failed attempts to prefetch an application session (retried later with backoff)',
  })

  const started = new WeakMap() // request context → start time
  const handlers = {
    [CHANNELS.request]: {
      start: (ctx) => started.set(ctx, performance.now()),
      end: noop,
      asyncStart: noop,
      error: noop,
      asyncEnd(ctx) {
        const endpoint = `${ctx.method} ${ctx.path}`
        requests.inc({ endpoint, status: String(ctx.status ?? ctx.error?.code ?? 'error') })
        const from = started.get(ctx)
        if (from !== undefined) duration.observe({ endpoint }, (performance.now() - from) / 1000)
      },
    },
    [CHANNELS.login]: {
      start: noop,
      end: noop,
      asyncStart: noop,
      error: noop,
      asyncEnd: (ctx) => logins.inc({ method: ctx.method, outcome: ctx.outcome }),
    },
    [CHANNELS.token]: {
      start: noop,
      end: noop,
      asyncStart: noop,
      error: noop,
      asyncEnd: (ctx) => tokenChecks.inc({ cache: ctx.cache ?? 'none', outcome: ctx.outcome, code: ctx.code ?? '' }),
    },
  }
  const onPool = (message) => {
    poolSessions.set(message.size)
    if (message.event === 'refill-failed') refillFailures.inc({ code: message.code })
  }
  const onStore = (message) => storeFaults.inc({ operation: message.operation, reason: message.reason })
  for (const [name, handler] of Object.entries(handlers)) tracingChannel(name).subscribe(handler)
  subscribe(CHANNELS.pool, onPool)
  subscribe(CHANNELS.store, onStore)

  return {
    registry,
    close() {
      for (const [name, handler] of Object.entries(handlers)) tracingChannel(name).unsubscribe(handler)
      unsubscribe(CHANNELS.pool, onPool)
      unsubscribe(CHANNELS.store, onStore)
    },
  }
}

/** Serves `GET /metrics` from `metrics.registry` on `host:port`; resolves once listening. */
export async function startMetricsServer(metrics, { port = 0, host = '127.0.0.1' } = {}) {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') return res.writeHead(404).end()
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    )
  })
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve))
  const address = server.address()
  return {
    url: `http://${address.address}:${address.port}/metrics`,
    async close() {
      metrics.close()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
