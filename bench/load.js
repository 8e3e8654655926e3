// The load generator: `concurrency` closed-loop workers, each logging in as its own demo user
// over a keep-alive connection, until `logins` are done or `maxMs` has passed.
import http from 'node:http'
import { performance } from 'node:perf_hooks'

const REQUEST_TIMEOUT_MS = 15_000

function login(agent, url, body) {
  return new Promise((resolve) => {
    const req = http.request(
      `${url}/login`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
        res.on('error', () => resolve(0))
      },
    )
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy())
    req.on('error', () => resolve(0))
    req.end(body)
  })
}

/**
 * Runs logins and returns one sample per login: the worker's user, the wall-clock window
 * (`sentAt`/`answeredAt`, Date.now() ms, the clock the emulator logs with), the latency
 * (high resolution) and the HTTP status.
 */
export async function runLoad({ url, users, concurrency, logins, maxMs }) {
  if (users.length < concurrency) throw new Error('one demo user per worker is needed to attribute QuickBlox calls')
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const samples = []
  let issued = 0
  const started = performance.now()
  const deadline = started + maxMs

  async function worker(i) {
    const user = users[i]
    const body = JSON.stringify({ login: user.login, password: user.password })
    while (issued < logins && performance.now() < deadline) {
      issued++
      const sentAt = Date.now()
      const t0 = performance.now()
      const status = await login(agent, url, body)
      samples.push({ login: user.login, sentAt, answeredAt: Date.now(), latencyMs: performance.now() - t0, status })
    }
  }

  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)))
  const wallMs = performance.now() - started
  agent.destroy()
  return { samples, wallMs, timedOut: issued < logins }
}

/**
 * `GET /me` with `Authorization: Bearer <token>`: `concurrency` closed-loop workers, the i-th
 * request using token i mod tokens.length, until `requests` are done or `maxMs` has passed.
 */
export async function runTokenLoad({ url, tokens, concurrency, requests, maxMs }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const samples = []
  let issued = 0
  const started = performance.now()
  const deadline = started + maxMs
  const get = (token) =>
    new Promise((resolve) => {
      const req = http.get(`${url}/me`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
        res.on('error', () => resolve(0))
      })
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy())
      req.on('error', () => resolve(0))
    })
  async function worker() {
    while (issued < requests && performance.now() < deadline) {
      const token = tokens[issued++ % tokens.length]
      const t0 = performance.now()
      const status = await get(token)
      samples.push({ latencyMs: performance.now() - t0, status })
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()))
  const wallMs = performance.now() - started
  agent.destroy()
  return { samples, wallMs, timedOut: issued < requests }
}
