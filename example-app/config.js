// Settings from the environment, checked once at start-up (see README.md beside this file).
import { randomBytes } from 'node:crypto'
import { DEFAULT_TIMEOUTS } from './http.js'

export function loadConfig(env = process.env) {
  const production = env.NODE_ENV === 'production'
  const qb = [env.QB_APP_ID, env.QB_AUTH_KEY, env.QB_AUTH_SECRET]
  if (qb.some(Boolean) && !qb.every(Boolean)) {
    throw new Error('Set all of QB_APP_ID, QB_AUTH_KEY and QB_AUTH_SECRET, or none of them to use the emulator')
  }
  // The emulator signs in anyone with the public demo passwords: never in production.
  if (production && !qb.every(Boolean)) {
    throw new Error('QB_APP_ID, QB_AUTH_KEY and QB_AUTH_SECRET are required when NODE_ENV=production')
  }
  if (production && !env.SESSION_SECRET) throw new Error('SESSION_SECRET is required when NODE_ENV=production')
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be a port number')
  const ms = (name, fallback, max) => {
    if (env[name] === undefined || env[name] === '') return fallback
    const value = Number(env[name])
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new Error(`${name} must be a whole number of milliseconds from 1 to ${max}`)
    }
    return value
  }
  // Prometheus metrics: only when METRICS_PORT is set, on a listener of their own (see metrics.js).
  const metricsPort = env.METRICS_PORT ? Number(env.METRICS_PORT) : undefined
  if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65535)) {
    throw new Error('METRICS_PORT must be a port number')
  }
  if (metricsPort && metricsPort === port)
    throw new Error('METRICS_PORT must differ from PORT: metrics are never on the public port')
  return {
    port,
    host: env.HOST || '127.0.0.1',
    production,
    sessionSecret: env.SESSION_SECRET || randomBytes(32).toString('hex'),
    sessionSecretGenerated: !env.SESSION_SECRET,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    redisUrl: env.REDIS_URL || undefined,
    timeouts: {
      headersMs: ms('HEADERS_TIMEOUT_MS', DEFAULT_TIMEOUTS.headersMs, 30_000),
      requestMs: ms('REQUEST_TIMEOUT_MS', DEFAULT_TIMEOUTS.requestMs, 30_000),
      keepAliveMs: ms('KEEP_ALIVE_TIMEOUT_MS', DEFAULT_TIMEOUTS.keepAliveMs, 30_000),
    },
    shutdownGraceMs: ms('SHUTDOWN_GRACE_MS', 5_000, 8_000),
    metrics: metricsPort === undefined ? null : { port: metricsPort, host: env.METRICS_HOST || '127.0.0.1' },
    quickblox: qb.every(Boolean)
      ? {
          appId: env.QB_APP_ID,
          authKey: env.QB_AUTH_KEY,
          authSecret: env.QB_AUTH_SECRET,
          apiEndpoint: env.QB_API_ENDPOINT || undefined,
          apiKey: env.QB_API_KEY || undefined, // optional: turns on the sign-up page
        }
      : null,
  }
}

// Express's `trust proxy`: a hop count ("1"), or addresses/subnets ("loopback, 10.0.0.0/8").
// "true" trusts any X-Forwarded-For, which lets clients pick their IP for the rate limiter.
function parseTrustProxy(value) {
  if (!value || value === 'false') return false
  if (value === 'true') return true
  return /^\d+$/.test(value) ? Number(value) : value
}
