// Entry point (`npm start`): reads the environment, starts the QuickBlox emulator when no
// QuickBlox settings are given, serves the app, and shuts everything down on SIGTERM/SIGINT.
import { QuickBloxAdmin } from 'passport-quickblox'
import { startEmulator } from 'passport-quickblox/emulator'
import { loadConfig } from './config.js'
import { createApp, createStrategy } from './app.js'
import { connectRedis } from './redis.js'
import { closeGracefully, listen } from './http.js'
import { createTokenStrategy } from './token-auth.js'
import { createMetrics, startMetricsServer } from './metrics.js'

let config
try {
  config = loadConfig()
} catch (err) {
  console.error(`Cannot start: ${err.message}`)
  process.exit(1)
}
const log = (line) => console.log(line)

const metrics = config.metrics ? await startMetricsServer(createMetrics(), config.metrics) : null
if (metrics) log(`Prometheus metrics on ${metrics.url}`)

let emulator = null
if (!config.quickblox) {
  // The built-in demo application and users. QuickBlox would mail a password-reset link; the
  // emulator's "mail" is this console line, so the forgotten-password page can be tried.
  emulator = await startEmulator({ mail: (mail) => log(`emulator: mail to ${mail.to}: ${mail.subject}: ${mail.link}`) })
  log(
    `No QB_APP_ID/QB_AUTH_KEY/QB_AUTH_SECRET: started the QuickBlox emulator at ${emulator.url}` +
      ' with the demo users (listed on /login)',
  )
}
const demoUsers = emulator ? Object.freeze(emulator.users.map((user) => Object.freeze({ ...user }))) : null
const { id, authKey, authSecret, apiKey } = emulator?.application ?? {}
const { apiKey: qbApiKey, ...quickblox } = config.quickblox ?? {
  appId: id,
  authKey,
  authSecret,
  apiEndpoint: emulator.url,
}
const strategy = createStrategy(quickblox)
// The sign-up page creates QuickBlox users with the application's API key (QB_API_KEY), server side.
const admin =
  (qbApiKey ?? apiKey) ? new QuickBloxAdmin({ apiKey: qbApiKey ?? apiKey, apiEndpoint: quickblox.apiEndpoint }) : null
if (!admin) log('QB_API_KEY is not set: no sign-up page')

if (config.sessionSecretGenerated) {
  log('SESSION_SECRET is not set: using a random one (sessions end when the server restarts)')
}
const redis = config.redisUrl ? await connectRedis(config.redisUrl, log) : null
if (redis) log('Sessions, rate-limit counters and token checks are shared in Redis (REDIS_URL)')
const tokenStrategy = createTokenStrategy(quickblox, redis)

const app = createApp({
  strategy,
  sessionSecret: config.sessionSecret,
  redis: redis ?? undefined,
  production: config.production,
  trustProxy: config.trustProxy,
  // The seeded demo users, copied now: users signed up later (and their passwords) are never listed.
  demoUsers,
  log,
  tokenStrategy,
  admin: admin ?? undefined,
})
const server = await listen(app, { port: config.port, host: config.host, timeouts: config.timeouts })
const { address, port } = server.address()
log(`passport-quickblox example listening on http://${address}:${port}`)

// Stop accepting, let requests in flight finish for SHUTDOWN_GRACE_MS, cancel the QuickBlox calls
// still waiting, close what is left, exit 0. The grace plus the cleanup stay well under the 10 s
// a process manager usually waits before SIGKILL.
async function shutdown(signal) {
  const started = Date.now()
  log(`${signal}: shutting down`)
  // A last resort, should a step hang: the grace (at most 8 s) and the cleanup end well before.
  setTimeout(() => {
    log('shutdown did not finish within 10 s')
    process.exit(1)
  }, 10_000).unref()
  try {
    const cancel = async () => {
      await Promise.all([strategy.close(), tokenStrategy.close(), admin?.close()])
    }
    await closeGracefully(server, { graceMs: config.shutdownGraceMs, cancel })
    await metrics?.close()
    await redis?.close()
    await emulator?.close()
    log(`shut down in ${Date.now() - started}ms`)
    process.exit(0)
  } catch (err) {
    log(`shutdown failed: ${err.code ?? err.name}`)
    process.exit(1)
  }
}
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => void shutdown(signal))
