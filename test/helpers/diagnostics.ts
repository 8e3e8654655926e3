// Subscribes to every diagnostics channel of the package and records what is published, in order.
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import { inspect } from 'node:util'
import { CHANNELS, type PoolMessage, type RequestContext } from '../../lib/diagnostics.js'

export type TracingEvent = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error'
export type ChannelName = 'login' | 'token' | 'request' | 'pool'

export interface Recorded {
  channel: ChannelName
  /** The tracing event, or `publish` on the plain pool channel. */
  event: TracingEvent | 'publish'
  /** A shallow copy of the context as it was at this event. */
  fields: Record<string, unknown>
  /** The live context object (the same object across one trace's events). */
  context: object
  /** The message rendered at this event, every level and hidden property included. */
  rendered: string
}

export interface Recorder {
  events: Recorded[]
  /** Events of one channel and kind. */
  of(channel: ChannelName, event?: Recorded['event']): Recorded[]
  /** `channel:event` of every event, in order, optionally only of the given events. */
  sequence(events?: Recorded['event'][]): string[]
  /** Resolves with the first event `match` accepts: recorded already, or as soon as it is. */
  waitFor(match: (event: Recorded) => boolean): Promise<Recorded>
  stop(): void
}

const TRACING: Exclude<ChannelName, 'pool'>[] = ['login', 'token', 'request']

export function recordDiagnostics(): Recorder {
  const events: Recorded[] = []
  const waiting = new Set<(event: Recorded) => void>()
  const record = (channel: ChannelName, event: Recorded['event'], message: unknown): void => {
    const context = message as object
    const recorded = {
      channel,
      event,
      context,
      fields: { ...context },
      rendered: `${inspect(message, { depth: Infinity, showHidden: true })}\n${JSON.stringify(message)}`,
    }
    events.push(recorded)
    for (const waiter of waiting) waiter(recorded)
  }
  const handlers = TRACING.map((channel) => {
    const on =
      (event: TracingEvent) =>
      (message: unknown): void =>
        record(channel, event, message)
    const handler = {
      start: on('start'),
      end: on('end'),
      asyncStart: on('asyncStart'),
      asyncEnd: on('asyncEnd'),
      error: on('error'),
    }
    tracingChannel(CHANNELS[channel]).subscribe(handler)
    return [channel, handler] as const
  })
  const onPool = (message: unknown): void => record('pool', 'publish', message)
  subscribe(CHANNELS.pool, onPool)
  return {
    events,
    of: (channel, event) => events.filter((e) => e.channel === channel && (event === undefined || e.event === event)),
    sequence: (only) =>
      events.filter((e) => only === undefined || only.includes(e.event)).map((e) => `${e.channel}:${e.event}`),
    waitFor(match) {
      const found = events.find(match)
      if (found) return Promise.resolve(found)
      return new Promise((resolve) => {
        const waiter = (event: Recorded): void => {
          if (!match(event)) return
          waiting.delete(waiter)
          resolve(event)
        }
        waiting.add(waiter)
      })
    },
    stop() {
      for (const [channel, handler] of handlers) tracingChannel(CHANNELS[channel]).unsubscribe(handler)
      unsubscribe(CHANNELS.pool, onPool)
    },
  }
}

/** Resolves with the context of the next `event` of a trace on `channel` for which `matches` holds. */
function nextTrace<C>(channel: string, event: 'start' | 'asyncEnd', matches: (context: C) => boolean): Promise<C> {
  const tracing = tracingChannel(channel)
  return new Promise((resolve) => {
    const ignore = (_message: unknown): void => {}
    const handler = { start: ignore, end: ignore, asyncStart: ignore, asyncEnd: ignore, error: ignore }
    handler[event] = (message: unknown): void => {
      if (!matches(message as C)) return
      tracing.unsubscribe(handler)
      resolve(message as C)
    }
    tracing.subscribe(handler)
  })
}
const nextRequest = (event: 'start' | 'asyncEnd', matches: (context: RequestContext) => boolean) =>
  nextTrace(CHANNELS.request, event, matches)

/**
 * Resolves once `count` traces on the channel (a login, a token check, a request) have ended, as
 * Node publishes it when the traced promise settles: after the answer, and after the subscribers
 * that were there before (an OpenTelemetry bridge has ended its span).
 */
export async function tracesEnd(channel: Exclude<ChannelName, 'pool'>, count = 1, matches = (_: object) => true) {
  let left = count
  await nextTrace<object>(CHANNELS[channel], 'asyncEnd', (context) => matches(context) && --left === 0)
}

/**
 * Resolves when the next HTTP request to QuickBlox with this method and path template starts: a
 * check or login is then under way (and its look-up registered).
 */
export function requestStarts(method: string, path: string): Promise<RequestContext> {
  return nextRequest('start', (context) => context.method === method && context.path === path)
}

/** Resolves once the reply to the next such request, with this status, has been read. */
export function replyRead(method: string, path: string, status: number): Promise<RequestContext> {
  return nextRequest(
    'asyncEnd',
    (context) => context.method === method && context.path === path && context.status === status,
  )
}

/** Resolves with the next message on the pool channel for which `matches` holds. */
export function poolMessage(matches: (message: PoolMessage) => boolean): Promise<PoolMessage> {
  return new Promise((resolve) => {
    const handler = (message: unknown): void => {
      if (!matches(message as PoolMessage)) return
      unsubscribe(CHANNELS.pool, handler)
      resolve(message as PoolMessage)
    }
    subscribe(CHANNELS.pool, handler)
  })
}

/**
 * Follows every HTTP request to QuickBlox from now on; `settled()` resolves once each one started
 * has ended (its reply read, or failed), pool refills included.
 */
export function trackRequests(): { settled(): Promise<void>; stop(): void } {
  const channel = tracingChannel(CHANNELS.request)
  let open = 0
  let onEnd = (): void => {}
  const ended = (): void => {
    open--
    onEnd()
  }
  const ignore = (): void => {}
  const handler = { start: () => void open++, end: ignore, asyncStart: ignore, asyncEnd: ended, error: ignore }
  channel.subscribe(handler)
  return {
    async settled() {
      await nextTurn() // a refill that a login scheduled has started
      await new Promise<void>((resolve) => {
        onEnd = () => {
          if (open === 0) resolve()
        }
        onEnd()
      })
    },
    stop: () => channel.unsubscribe(handler),
  }
}

/** The next turn of the event loop: every promise continuation queued before it has run. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * Resolves once `condition()` holds, looked at once per event-loop turn (no timer): for state that
 * publishes no event, such as a request's arrival in the emulator's log.
 */
export async function turnsUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await nextTurn()
}
