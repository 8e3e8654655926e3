// The token section of `npm run bench`: API requests that carry a token, on the same Express app.
//   (a) QuickBloxTokenStrategy, cache on (defaults): the first request of each token asks
//       QuickBlox, the rest are answered from memory;
//   (b) QuickBloxTokenStrategy with `cache: false`: two QuickBlox calls per request;
//   (c) passport-jwt verifying an HS256 JWT: a token checked locally, the speed to beat.
// Each contender is a fresh app process (bench/app-child.js) serving `GET /me` behind
// passport.authenticate(..., { session: false }); the load generator is bench/load.js.
import { createHmac, randomBytes, randomInt } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import jwt from 'jsonwebtoken'
import { spawn } from './ipc.js'
import { runTokenLoad } from './load.js'

const here = path.dirname(fileURLToPath(import.meta.url))

const TOKEN_CONTENDERS = [
  { key: 'a', name: 'quickblox-token', label: 'QuickBloxTokenStrategy, cache on (defaults)' },
  { key: 'b', name: 'quickblox-token-nocache', label: 'QuickBloxTokenStrategy, cache: false' },
  { key: 'c', name: 'passport-jwt', label: 'passport-jwt, HS256 JWT checked locally (no network)' },
]
/** The tokens measured: one per user, all new to the app when its measured run starts. */
export const TOKEN_COUNT = 10
const TOKEN_CONCURRENCY = 8
/** Users whose tokens warm up an app's code paths before it is measured (other users, other tokens). */
export const JIT_TOKEN_COUNT = 8

const TOKEN_FULL = { requests: { a: 5000, b: 800, c: 5000 }, jit: 500, maxMs: 20_000 }
const TOKEN_QUICK = { requests: { a: 100, b: 40, c: 100 }, jit: 20, maxMs: 10_000 }
/** Distinct well-formed tokens QuickBlox never issued, sent once each to (a) after its measured run. */
const JUNK_TOKENS = 1000

const cpuMs = (u) => (u.user + u.system) / 1000

/** A user's token as the QuickBlox SDK gets one: `POST /session.json` with the user's credentials, signed too. */
async function sdkToken(url, application, user) {
  const params = {
    application_id: application.id,
    auth_key: application.authKey,
    nonce: randomInt(1, 2 ** 31),
    timestamp: Math.floor(Date.now() / 1000),
    user: { login: user.login, password: user.password },
  }
  const pairs = [
    `application_id=${params.application_id}`,
    `auth_key=${params.auth_key}`,
    `nonce=${params.nonce}`,
    `timestamp=${params.timestamp}`,
    `user[login]=${user.login}`,
    `user[password]=${user.password}`,
  ]
  const signature = createHmac('sha1', application.authSecret).update(pairs.sort().join('&')).digest('hex')
  const res = await fetch(`${url}/session.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...params, signature }),
    signal: AbortSignal.timeout(10_000),
  })
  const body = await res.json()
  if (res.status !== 201) throw new Error(`bench: no token for ${user.login} (HTTP ${res.status})`)
  return body.session.token
}

async function tokensFor(contender, users, { url, application, jwtSecret }) {
  if (contender.name === 'passport-jwt') {
    return users.map((u) => jwt.sign({ sub: String(u.id) }, jwtSecret, { algorithm: 'HS256', expiresIn: '1h' }))
  }
  return Promise.all(users.map((u) => sdkToken(url, application, u)))
}

/** Measures the three token contenders; `users` holds TOKEN_COUNT + JIT_TOKEN_COUNT seeded users. */
export async function measureTokens({ emulator, quickblox, users, quick }) {
  const config = quick ? TOKEN_QUICK : TOKEN_FULL
  const jwtSecret = randomBytes(32).toString('hex')
  const measured = users.slice(0, TOKEN_COUNT)
  const warming = users.slice(TOKEN_COUNT, TOKEN_COUNT + JIT_TOKEN_COUNT)
  const contenders = []
  for (const contender of TOKEN_CONTENDERS) {
    const app = spawn(path.join(here, 'app-child.js'))
    try {
      const { url } = await app.call('start', { contender: contender.name, quickblox: { ...quickblox, jwtSecret } })
      const context = { url: quickblox.url, application: quickblox.application, jwtSecret }
      const jitTokens = await tokensFor(contender, warming, context)
      const tokens = await tokensFor(contender, measured, context)
      const load = { url, concurrency: TOKEN_CONCURRENCY, maxMs: config.maxMs }
      if (config.jit > 0) await runTokenLoad({ ...load, tokens: jitTokens, requests: config.jit })
      await emulator.call('resetLog')
      const app0 = (await app.call('usage')).cpu
      const run = await runTokenLoad({ ...load, tokens, requests: config.requests[contender.key] })
      const app1 = (await app.call('usage')).cpu
      const counts = await emulator.call('counts')
      const calls = counts['GET /session.json'] + counts['GET /users/:id.json']
      const ok = run.samples.filter((s) => s.status === 200).length
      const appCpuMs = cpuMs(app1) - cpuMs(app0)
      const sorted = run.samples.map((s) => s.latencyMs).sort((x, y) => x - y)
      // Junk: what an attacker's stream of made-up tokens costs at QuickBlox (and whether it evicts the valid ones).
      let junk
      if (contender.key === 'a') {
        await emulator.call('resetLog')
        const made = Array.from({ length: JUNK_TOKENS }, () => randomBytes(20).toString('hex'))
        const flood = await runTokenLoad({ ...load, tokens: made, requests: JUNK_TOKENS })
        const after = await emulator.call('counts')
        const valid = await runTokenLoad({ ...load, tokens, requests: tokens.length })
        const again = await emulator.call('counts')
        junk = {
          tokens: JUNK_TOKENS,
          refused: flood.samples.filter((s) => s.status === 401).length,
          quickbloxCalls: after['GET /session.json'] + after['GET /users/:id.json'],
          validAfter: valid.samples.filter((s) => s.status === 200).length,
          validCallsAfter: again['GET /session.json'] - after['GET /session.json'],
        }
      }
      const result = {
        ...contender,
        junk,
        requests: ok,
        errors: run.samples.length - ok,
        timedOut: run.timedOut,
        requestsPerSec: ok / (run.wallMs / 1000),
        p50: sorted[Math.floor(sorted.length / 2)] ?? null,
        appCpuMsPerRequest: ok ? appCpuMs / ok : null,
        quickbloxCalls: calls,
        callsPer1000: ok ? (calls * 1000) / ok : null,
      }
      console.log(
        `  token (${contender.key}) ${contender.name}: ${ok} requests, ` +
          `${result.requestsPerSec.toFixed(0)}/s, ` +
          `${calls} QuickBlox calls${run.timedOut ? ' (stopped at the time limit)' : ''}`,
      )
      if (junk) console.log(`  ${junkLine(junk)}`)
      contenders.push(result)
    } finally {
      await app.close()
    }
  }
  return { concurrency: TOKEN_CONCURRENCY, tokens: TOKEN_COUNT, contenders, goals: judgeTokenGoals(contenders) }
}

function junkLine(junk) {
  return (
    `${junk.tokens} junk tokens: ${junk.quickbloxCalls} QuickBlox calls (${junk.refused} refused); ` +
    `then the ${TOKEN_COUNT} valid tokens: ${junk.validAfter} accepted, ${junk.validCallsAfter} calls`
  )
}

const fmt = (n, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits))

function judgeTokenGoals(contenders) {
  const [a, , c] = ['a', 'b', 'c'].map((key) => contenders.find((x) => x.key === key))
  const speedup = a && c && c.requestsPerSec ? a.requestsPerSec / c.requestsPerSec : null
  const status = (pass) => (pass === null ? 'N/A' : pass ? 'PASS' : 'FAIL')
  // 1,000 requests over 10 tokens within the TTL: each token's first request makes at most two calls.
  const per1000 = a?.callsPer1000 ?? null
  return [
    {
      goal: `(a) at least 1.2x (c)'s requests/s at concurrency ${TOKEN_CONCURRENCY}`,
      status: status(speedup === null ? null : speedup >= 1.2),
      detail: `${fmt(speedup, 2)}x (${fmt(a?.requestsPerSec, 0)} vs ${fmt(c?.requestsPerSec, 0)} requests/s)`,
    },
    {
      goal: `(a) at most 20 QuickBlox calls for 1,000 requests over ${TOKEN_COUNT} tokens within the TTL`,
      status: status(a && a.requests >= 1000 ? a.quickbloxCalls <= 20 : null),
      detail:
        `${a?.quickbloxCalls ?? '-'} calls for ${a?.requests ?? '-'} requests (${fmt(per1000)} per 1,000)` +
        (a && a.requests < 1000 ? '; fewer than 1,000 requests in this run' : ''),
    },
  ]
}

const COLUMNS = [
  ['contender', (c) => `(${c.key}) ${c.name}`],
  ['requests', (c) => `${c.requests}${c.errors ? ` (+${c.errors} err)` : ''}`],
  ['p50 ms', (c) => fmt(c.p50, 2)],
  ['requests/s', (c) => fmt(c.requestsPerSec, 0)],
  ['app CPU ms/request', (c) => fmt(c.appCpuMsPerRequest, 3)],
  ['QB calls / 1,000 req', (c) => fmt(c.callsPer1000, 1)],
]

export function tokenConsoleTable(section) {
  const header = COLUMNS.map(([name]) => name)
  const body = section.contenders.map((c) => COLUMNS.map(([, cell]) => cell(c)))
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)))
  const pad = (cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))
  const line = (cells) => cells.map(pad).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n')
}

export function tokenGoalLines(section) {
  return section.goals.map((g) => `${g.status.padEnd(4)}  ${g.goal}: ${g.detail}`).join('\n')
}

export function tokenMarkdown(section) {
  const header = COLUMNS.map(([name]) => name)
  return `
## Tokens: API requests with \`Authorization: Bearer\`

Contenders: ${section.contenders.map((c) => `**(${c.key})** ${c.label}`).join('; ')}.
Concurrency ${section.concurrency};
the measured requests cycle over ${section.tokens} tokens of ${section.tokens} users, all new to the app when the
measured run starts (its code paths were warmed with other tokens), so (a)'s first request per token is a miss.
QuickBlox latency L as above, on every call.

| ${header.join(' | ')} |
|---|${header
    .slice(1)
    .map(() => '---:')
    .join('|')}|
${section.contenders.map((c) => `| ${COLUMNS.map(([, cell]) => cell(c)).join(' | ')} |`).join('\n')}

${section.contenders
  .filter((c) => c.junk)
  .map((c) => `(${c.key}), after its measured run: ${junkLine(c.junk)}.`)
  .join('\n')}

### Goals (reported, not enforced)

${section.goals.map((g) => `- **${g.status}** ${g.goal}: ${g.detail}`).join('\n')}

- App CPU per request is the app process's \`process.cpuUsage()\` delta over the measured run, divided by the
  successful requests.
- QuickBlox calls are the emulator's \`GET /session.json\` and \`GET /users/{id}.json\` counts over the measured run.
`
}
