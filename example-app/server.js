// Entry point (`npm start`): reads the environment, starts the QuickBlox emulator when no
// QuickBlox settings are given, serves the app, and shuts everything down on SIGTERM/SIGINT.
import { startEmulator } from 'passport-quickblox/emulator'
import { loadConfig } from './config.js'
import { createApp, createRedisStore, createStrategy } from './app.js'

let config
try {
  config = loadConfig()
} catch (err) {
  console.error(`Cannot start: ${err.message}`)
  process.exit(1)
}
const log = (line) => console.log(line)

let emulator = null
if (!config.quickblox) {
  emulator = await startEmulator() // the built-in demo application and users
  log(`No QB_APP_ID/QB_AUTH_KEY/QB_AUTH_SECRET: started the QuickBlox emulator at ${emulator.url} with the demo users (listed on /login)`)
}
const { id, authKey, authSecret } = emulator?.application ?? {}
const strategy = createStrategy(config.quickblox ?? { appId: id, authKey, authSecret, apiEndpoint: emulator.url })

if (config.sessionSecretGenerated) log('SESSION_SECRET is not set: using a random one (sessions end when the server restarts)')
const redis = config.redisUrl ? await createRedisStore(config.redisUrl, log) : null
if (redis) log('Sessions are stored in Redis (REDIS_URL)')

const app = createApp({
  strategy, sessionSecret: config.sessionSecret, sessionStore: redis?.store, production: config.production,
  trustProxy: config.trustProxy, demoUsers: emulator?.users ?? null, log,
})
const server = app.listen(config.port, config.host, (err) => {
  if (err) throw err
  const { address, port } = server.address()
  log(`passport-quickblox example listening on http://${address}:${port}`)
})

async function shutdown(signal) {
  log(`${signal}: shutting down`)
  setTimeout(() => process.exit(1), 10_000).unref() // a last resort if something hangs
  await new Promise((resolve) => server.close(resolve)) // stops accepting, closes idle keep-alive sockets
  await strategy.close()
  await redis?.client.close()
  await emulator?.close()
}
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => void shutdown(signal))
