// The HTTP server around the app: timeouts that free the connections of slow clients, and a
// shutdown that lets requests in flight finish, then closes whatever is left.
import { createServer } from 'node:http'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'

export const DEFAULT_TIMEOUTS = {
  headersMs: 10_000, // the request line and headers must arrive within this (else 408 and close)
  requestMs: 30_000, // the whole request, body included (else 408 and close)
  keepAliveMs: 5_000, // an idle keep-alive connection is closed after this
}

/**
 * Listens on `port` and `host`; resolves with the server once it listens.
 * @param {import('node:http').RequestListener} app
 * @param {{ port: number, host: string, timeouts?: Partial<typeof DEFAULT_TIMEOUTS> }} options
 */
export async function listen(app, { port, host, timeouts = {} }) {
  const { requestMs, keepAliveMs, ...rest } = { ...DEFAULT_TIMEOUTS, ...timeouts }
  const headersMs = Math.min(rest.headersMs, requestMs) // Node refuses a headers timeout above the request timeout
  const server = createServer(
    {
      headersTimeout: headersMs,
      requestTimeout: requestMs,
      // How often Node looks for requests past those timeouts: a fraction of the shortest, so a
      // stalled client is cut close to its deadline (Node's default looks every 30 s).
      connectionsCheckingInterval: Math.max(100, Math.min(headersMs, requestMs) / 10),
    },
    app,
  )
  server.keepAliveTimeout = keepAliveMs
  // Requests not yet answered, so shutdown knows when the last one is done.
  const inFlight = new Set()
  server.on('request', (req, res) => {
    inFlight.add(res)
    res.once('close', () => {
      inFlight.delete(res)
      if (inFlight.size === 0) server.emit('drained')
    })
  })
  server.inFlight = inFlight
  server.listen(port, host)
  await once(server, 'listening')
  return server
}

/**
 * Stops accepting connections, gives the requests in flight `graceMs` to finish, then calls
 * `cancel` (which should end work they wait on, such as QuickBlox calls) and closes every
 * connection still open. Resolves once the server is closed.
 * @param {import('node:http').Server & { inFlight: Set<unknown> }} server
 * @param {{ graceMs: number, cancel: () => Promise<void> }} options
 */
export async function closeGracefully(server, { graceMs, cancel }) {
  const closed = new Promise((resolve) => server.close(resolve)) // stops accepting; Node closes idle keep-alive sockets
  server.closeIdleConnections()
  await drained(server, graceMs)
  await cancel()
  // Requests that waited on what `cancel` ended now get their answer (e.g. 503); then the rest,
  // such as a client that stalled half-way through its body, is cut.
  await drained(server, 500)
  server.closeAllConnections()
  await closed
}

async function drained(server, ms) {
  if (server.inFlight.size === 0) return
  const timeout = new AbortController()
  await Promise.race([
    once(server, 'drained', { signal: timeout.signal }),
    sleep(ms, undefined, { signal: timeout.signal }),
  ])
    .catch(() => {})
    .finally(() => timeout.abort())
}
