// `npm start`: the app on http://127.0.0.1:3000. With no QUICKBLOX_API_KEY it starts the QuickBlox
// emulator and uses its public demo API key (and a random identity key), so it runs with no
// QuickBlox account. Against QuickBlox, QUICKBLOX_IDENTITY_KEY (32+ random characters, kept
// for good: it makes each user's QuickBlox login) is required too.
import { randomBytes } from 'node:crypto'
import { QuickBloxAdmin } from 'passport-quickblox'
import { startEmulator } from 'passport-quickblox/emulator'
import { createApp } from './app.js'
import { listen } from './http.js'
import { DEMO_USERS, openUsers } from './users.js'

const port = Number(process.env.PORT ?? 3000)
let apiKey = process.env.QUICKBLOX_API_KEY
let apiEndpoint = process.env.QUICKBLOX_API_ENDPOINT
let identityKey = process.env.QUICKBLOX_IDENTITY_KEY
let emulator
if (!apiKey) {
  emulator = await startEmulator()
  apiKey = emulator.application.apiKey
  apiEndpoint = emulator.url
  // The emulator forgets its users when it stops: a new key each start loses nothing.
  identityKey ??= randomBytes(32).toString('base64url')
  console.log(`QuickBlox emulator on ${emulator.url} (application ${emulator.application.id}, demo API key)`)
}
if (!identityKey) {
  console.error('QUICKBLOX_IDENTITY_KEY is not set: give it 32 or more random characters, and keep it')
  process.exit(1)
}
const admin = new QuickBloxAdmin({ apiKey, apiEndpoint, identityKey })
const users = await openUsers(process.env.DATABASE ?? ':memory:')
const app = createApp({ users, admin, sessionSecret: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex') })
const stopped = () => Promise.all([admin.close(), emulator?.close()]).then(() => users.close())

let server
try {
  server = await listen(app, { port, host: '127.0.0.1' })
} catch (err) {
  if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES') throw err
  const why = err.code === 'EADDRINUSE' ? 'is in use' : 'is not allowed to this user'
  console.error(`Cannot listen: port ${port} ${why}. Set PORT to another one (PORT=0: any free port).`)
  await stopped()
  process.exit(1)
}
console.log(`Own-users example on http://127.0.0.1:${server.address().port}`)
for (const user of DEMO_USERS) console.log(`  demo user ${user.username} / ${user.password}`)

const stop = () => {
  server.close()
  server.closeIdleConnections()
  void stopped()
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
