// `node bench/admin.js`: QuickBloxAdmin#sessionFor against the local emulator, for a user seen
// before, a new one, and a new one whose email another QuickBlox user already holds: QuickBlox
// requests per token, and the time of each call compared with one round trip
// (GET /users/{id}.json with the API key).
import { QuickBloxAdmin } from 'passport-quickblox'
import { startEmulator } from 'passport-quickblox/emulator'

const RUNS = Number(process.env.RUNS ?? 500)
const qb = await startEmulator()
const identityKey = 'bench-identity-key-0123456789abcdef'
const admin = new QuickBloxAdmin({ apiKey: qb.application.apiKey, apiEndpoint: qb.url, identityKey })
const total = () => Object.values(qb.counts()).reduce((sum, n) => sum + n, 0)
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]

async function measure(run) {
  const times = []
  qb.resetLog()
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now()
    await run(i)
    times.push(performance.now() - started)
  }
  return { calls: total() / RUNS, medianMs: median(times) }
}

await admin.sessionFor({ externalUserId: 'auth0|1' }) // warm: connections open, this user known
const roundTrip = await measure(() =>
  fetch(`${qb.url}/users/100001.json`, { headers: { Authorization: `ApiKey ${qb.application.apiKey}` } }).then((r) =>
    r.text(),
  ),
)
const known = await measure(() => admin.sessionFor({ externalUserId: 'auth0|1' }))
const fresh = await measure((i) => admin.sessionFor({ externalUserId: `auth0|${1000 + i}` }))
// Someone else signed up with the email first: the user is created again, without it.
for (let i = 0; i < RUNS; i++) await admin.createUser({ email: `taken-${i}@example.com` })
const taken = await measure((i) =>
  admin.sessionFor({ externalUserId: `auth0|taken-${i}`, email: `taken-${i}@example.com` }),
)
await admin.close()
await qb.close()
const row = (name, m) =>
  `| ${name} | ${m.calls.toFixed(2)} | ${m.medianMs.toFixed(2)} | ${(m.medianMs / roundTrip.medianMs).toFixed(1)} |`
console.log(`${RUNS} calls each, Node ${process.version}, emulator on 127.0.0.1\n`)
console.log('| sessionFor | QuickBlox requests per token | median ms | round trips |\n| --- | ---: | ---: | ---: |')
console.log(row('known user', known))
console.log(row('new user', fresh))
console.log(row('new user, email taken', taken))
console.log(`| (one round trip, fetch) | 1 | ${roundTrip.medianMs.toFixed(2)} | 1.0 |`)
