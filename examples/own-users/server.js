// `npm start`: the app on http://127.0.0.1:3000. With no QUICKBLOX_API_KEY it starts the QuickBlox
// emulator and uses its public demo API key (and a random identity key), so it runs with no
// QuickBlox account. Against QuickBlox, QUICKBLOX_IDENTITY_KEY (32+ random characters, kept
// for good: it makes each user's QuickBlox login) is required too.
// QUICKBLOX_CHAT=identity-provider picks the second way (identity-provider.js): no API key, the
// emulator (or QuickBlox, configured in its Dashboard) asks this app who a chat client is.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { QuickBloxAdmin } from 'passport-quickblox'
import { startEmulator } from 'passport-quickblox/emulator'
import { createApp } from './app.js'
import { identityProviderRoutes } from './identity-provider.js'
import { listen } from './http.js'
import { DEMO_USERS, openUsers } from './users.js'

const port = Number(process.env.PORT ?? 3000)
const viaIdentityProvider = process.env.QUICKBLOX_CHAT === 'identity-provider'
let apiKey = process.env.QUICKBLOX_API_KEY
let apiEndpoint = process.env.QUICKBLOX_API_ENDPOINT
let identityKey = process.env.QUICKBLOX_IDENTITY_KEY
let emulator
if (!apiKey && !viaIdentityProvider) {
  emulator = await startEmulator()
  apiKey = emulator.application.apiKey
  apiEndpoint = emulator.url
  // The emulator forgets its users when it stops: a new key each start loses nothing.
  identityKey ??= randomBytes(32).toString('base64url')
  console.log(`QuickBlox emulator on ${emulator.url} (application ${emulator.application.id}, demo API key)`)
}
if (!identityKey && !viaIdentityProvider) {
  console.error('QUICKBLOX_IDENTITY_KEY is not set: give it 32 or more random characters, and keep it')
  process.exit(1)
}
const admin = viaIdentityProvider ? undefined : new QuickBloxAdmin({ apiKey, apiEndpoint, identityKey })
const users = await openUsers(process.env.DATABASE ?? ':memory:')
// The secret QuickBlox sends (its Dashboard's headers template) and the key tokens are signed with.
const idpSecret = process.env.QUICKBLOX_IDP_SECRET ?? randomBytes(32).toString('hex')
const identityProvider = viaIdentityProvider
  ? identityProviderRoutes({
      users,
      secret: idpSecret,
      tokenKey: process.env.QUICKBLOX_IDP_TOKEN_KEY ?? randomBytes(32).toString('hex'),
    })
  : undefined
const app = createApp({
  users,
  admin,
  identityProvider,
  sessionSecret: process.env.SESSION_SECRET ?? randomBytes(32).toString('hex'),
})
let certificateDir
const stopped = () =>
  Promise.all([admin?.close(), emulator?.close()])
    .then(() => certificateDir && rm(certificateDir, { recursive: true, force: true }))
    .then(() => users.close())

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
const url = `http://127.0.0.1:${server.address().port}`
console.log(`Own-users example on ${url}`)
for (const user of DEMO_USERS) console.log(`  demo user ${user.username} / ${user.password}`)
if (viaIdentityProvider && !process.env.QUICKBLOX_IDP_SECRET) {
  // No secret given: the emulator plays QuickBlox, with this app as its identity provider and a
  // secret made for this run, which never leaves the process. Over HTTPS, as the QuickBlox SDK
  // speaks nothing else: its certificate (public; the key stays here) goes to a file to trust.
  emulator = await startEmulator({
    tls: true,
    identityProvider: { url: `${url}/quickblox/identity`, secret: idpSecret },
  })
  certificateDir = await mkdtemp(join(tmpdir(), 'own-users-'))
  const certificate = join(certificateDir, 'emulator-certificate.pem')
  await writeFile(certificate, emulator.certificate)
  const { id, authKey, authSecret } = emulator.application
  console.log(`QuickBlox emulator on ${emulator.url}, asking ${url}/quickblox/identity`)
  console.log(`  chat clients: application ${id}, public demo auth key ${authKey} and auth secret ${authSecret}`)
  console.log(`  its certificate: ${certificate} (a Node client trusts it with NODE_EXTRA_CA_CERTS=${certificate})`)
}

const stop = () => {
  server.close()
  server.closeIdleConnections()
  void stopped()
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
