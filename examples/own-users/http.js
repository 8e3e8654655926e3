// The HTTP server around the app, with the timeouts that free the connections of slow clients:
// Node's defaults let a body sent at one byte a second hold a connection open for minutes.
import { once } from 'node:events'
import { createServer } from 'node:http'

export const DEFAULT_TIMEOUTS = {
  headersMs: 10_000, // the request line and headers must arrive within this (else 408 and close)
  requestMs: 30_000, // the whole request, body included (else 408 and close)
  keepAliveMs: 5_000, // an idle keep-alive connection is closed after this
}

/**
 * Listens on `port` and `host`; resolves with the server once it listens, rejects with Node's
 * error (`EADDRINUSE` for a taken port) when it cannot.
 * @param {import('node:http').RequestListener} app
 * @param {{ port: number, host: string, timeouts?: Partial<typeof DEFAULT_TIMEOUTS> }} options
 */
export async function listen(app, { port, host, timeouts = {} }) {
  const { headersMs, requestMs, keepAliveMs } = { ...DEFAULT_TIMEOUTS, ...timeouts }
  const server = createServer(
    {
      headersTimeout: Math.min(headersMs, requestMs), // Node refuses one above the request timeout
      requestTimeout: requestMs,
      // How often Node looks for requests past those timeouts (its default: every 30 s).
      connectionsCheckingInterval: Math.max(100, Math.min(headersMs, requestMs) / 10),
    },
    app,
  )
  server.keepAliveTimeout = keepAliveMs
  server.listen(port, host)
  await once(server, 'listening') // rejects on the server's 'error'
  return server
}
