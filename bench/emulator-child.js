// The QuickBlox emulator in a process of its own, so that the CPU the benchmark charges to an
// app is the app's alone. The parent talks to it over IPC (see bench/ipc.js).
//
// One measurement needs more than the emulator's log gives: the log records the fingerprint of
// the token a request *sends*, but `POST /session.json` sends none, it *creates* one. So this
// process watches its own HTTP server through Node's documented `http.server.request.start`
// diagnostics channel (no proxy, no extra hop): it numbers every request with an
// `x-bench-call` header before the emulator sees it (the emulator logs headers), and reads the
// token out of each 201 reply to `POST /session.json`, fingerprinted the way the emulator does
// (first 12 hex of SHA-256). That links "this login used token T" to "T was created by that
// call, at that time": a session created for a login is on its critical path, one prefetched
// by the pool is not.
import { subscribe } from 'node:diagnostics_channel'
import { createHash } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { startEmulator } from 'passport-quickblox/emulator'
import { serve } from './ipc.js'

const fingerprint = (token) => createHash('sha256').update(token).digest('hex').slice(0, 12)

// The emulator waits out its latency on timers that listen to one abort signal (to end them on
// close()); at concurrency 32 that is more than Node's default of 10 listeners, legitimately.
setMaxListeners(1000)

let emulator
/** `x-bench-call` id → fingerprint of the token that call created. */
const created = new Map()
let seq = 0

subscribe('http.server.request.start', ({ request, response }) => {
  const id = String(++seq)
  request.headers['x-bench-call'] = id
  if (request.method !== 'POST' || request.url.split('?')[0] !== '/session.json') return
  const end = response.end
  response.end = function (body, ...rest) {
    if (response.statusCode === 201 && body) {
      try {
        const token = JSON.parse(String(body))?.session?.token
        if (typeof token === 'string') created.set(id, fingerprint(token))
      } catch {
        // An unreadable reply created no usable token: nothing to link.
      }
    }
    return end.call(this, body, ...rest)
  }
})

/** The log entry reduced to what the analysis needs (the body's `login` only, never a password). */
function compact(entry) {
  const call = entry.headers['x-bench-call']
  const login = typeof entry.body === 'object' && entry.body !== null ? entry.body.login : undefined
  return {
    endpoint: entry.endpoint,
    status: entry.status,
    token: entry.token ?? null,
    createdToken: (call && created.get(call)) ?? null,
    login: typeof login === 'string' ? login : null,
    startedAt: entry.startedAt,
    durationMs: entry.durationMs,
  }
}

serve({
  async start({ applications, users, latencyMs }) {
    emulator = await startEmulator({ applications, users })
    emulator.setLatency('*', latencyMs)
    return { url: emulator.url, ids: emulator.users.map((u) => u.id) }
  },
  setLatency({ ms }) {
    emulator.setLatency('*', ms)
  },
  log() {
    return emulator.requests.map(compact)
  },
  counts() {
    return emulator.counts()
  },
  resetLog() {
    emulator.resetLog()
    created.clear()
  },
  usage() {
    return { cpu: process.cpuUsage() }
  },
  async close() {
    await emulator?.close()
  },
})
