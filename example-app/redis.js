// Redis for the state that app instances share (sessions, rate-limit counters, token checks),
// and what a Redis fault may cost a request: a bounded wait, then a 503 (app.js), never a hang.
import { setTimeout as sleep } from 'node:timers/promises'
import {
  ClientClosedError,
  ClientOfflineError,
  ErrorReply,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
  createClient,
} from 'redis'

/**
 * Redis answers in about a millisecond, so these are generous. node-redis's own settings cover
 * most faults: while the connection is down a command fails at once instead of queueing
 * (`disableOfflineQueue`), a command not sent within `commandTimeoutMs` fails, at most `maxQueued`
 * commands wait, a connection silent for `socketTimeoutMs` is dropped, and reconnection is tried
 * at least every `reconnectMaxMs`, so the app is back within seconds of Redis. One fault they do
 * not cover: node-redis's command timeout ends once a command is sent, so a Redis that hangs
 * (paused, or a network that drops packets) would hold every request while traffic keeps the
 * socket busy. Hence `replyWithinMs` on each command the app waits on (`withinDeadline`).
 */
const REDIS_SETTINGS = {
  commandTimeoutMs: 500,
  replyWithinMs: 500,
  connectTimeoutMs: 2000,
  socketTimeoutMs: 5000,
  reconnectMaxMs: 1000,
  maxQueued: 1000,
}

/**
 * A connected node-redis client with the settings above.
 * @returns {Promise<import('redis').RedisClientType>}
 */
export async function connectRedis(url, log = console.log, settings = REDIS_SETTINGS) {
  const client = createClient({
    url,
    socket: {
      connectTimeout: settings.connectTimeoutMs,
      socketTimeout: settings.socketTimeoutMs,
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, settings.reconnectMaxMs),
    },
    commandOptions: { timeout: settings.commandTimeoutMs },
    disableOfflineQueue: true,
    commandsQueueMaxLength: settings.maxQueued,
  })
  // Without a listener, a lost connection would crash the process.
  client.on('error', (err) => log(`redis: ${err.code ?? err.name}`))
  await client.connect()
  return /** @type {import('redis').RedisClientType} */ (/** @type {unknown} */ (client))
}

/** `promise`, or node-redis's own TimeoutError once `ms` have passed without an answer. */
export async function withinDeadline(promise, ms = REDIS_SETTINGS.replyWithinMs) {
  const timer = new AbortController()
  try {
    return await Promise.race([
      promise,
      sleep(ms, undefined, { signal: timer.signal }).then(() => Promise.reject(new TimeoutError())),
    ])
  } finally {
    timer.abort()
  }
}

/** The commands connect-redis sends, each within the deadline: give it to connect-redis as its client. */
export function sessionClient(client) {
  const bounded =
    (name) =>
    (...args) =>
      withinDeadline(client[name](...args))
  return {
    get: bounded('get'),
    set: bounded('set'),
    expire: bounded('expire'),
    del: bounded('del'),
    mGet: bounded('mGet'),
    scanIterator: (...args) => client.scanIterator(...args),
  }
}

/** A shared store that failed behind a library call (say, the token store during a sign-out). */
export class StoreFault extends Error {
  constructor(cause) {
    super('The shared store failed', { cause })
  }
}

// What node-redis throws when Redis hangs, is down or is busy, withinDeadline's timeout, and ours.
const FAULTS = [
  StoreFault,
  TimeoutError,
  ClientOfflineError,
  ClientClosedError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  ErrorReply,
]
/** Whether `err` says Redis is out of reach (the app answers 503 and "try again"). */
export const isRedisFault = (err) =>
  FAULTS.some((type) => err instanceof type) || (err instanceof Error && err.message === 'The queue is full')
