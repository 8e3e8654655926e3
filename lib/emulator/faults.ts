import { Reply } from './body.js'
import { ENDPOINTS, type EmulatorEndpoint, type EmulatorFault } from './types.js'

/** Faults queued per endpoint, in the order they were queued, each for its number of requests. */
export class Faults {
  private readonly queues = new Map<EmulatorEndpoint, { fault: EmulatorFault; remaining: number }[]>()

  add(endpoint: EmulatorEndpoint, fault: EmulatorFault, times = 1): void {
    if (!Object.hasOwn(ENDPOINTS, endpoint)) throw new TypeError(`Unknown emulator endpoint: ${endpoint}`)
    if (!Number.isInteger(times) || times < 1) throw new TypeError('times must be a positive integer')
    const queue = this.queues.get(endpoint) ?? []
    queue.push({ fault, remaining: times })
    this.queues.set(endpoint, queue)
  }

  take(endpoint: EmulatorEndpoint): EmulatorFault | undefined {
    const queue = this.queues.get(endpoint)
    const next = queue?.[0]
    if (!next) return undefined
    if (--next.remaining === 0) queue.shift()
    return next.fault
  }

  clear(): void {
    this.queues.clear()
  }
}

const REASONS: Record<number, string> = {
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** The canned answer of a fault that needs neither the socket nor the request's own answer. */
export function cannedReply(fault: EmulatorFault, endpoint: EmulatorEndpoint): Reply | undefined {
  if (typeof fault === 'object') {
    const headers: Record<string, string> =
      fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) }
    return new Reply(
      fault.status,
      fault.body ?? { errors: [REASONS[fault.status] ?? `Error ${fault.status}`] },
      headers,
    )
  }
  // A proxy's error page where JSON was expected.
  if (fault === 'garbage')
    return new Reply(ENDPOINTS[endpoint], '<html><body><h1>Bad Gateway</h1></body></html>', {
      'Content-Type': 'text/html',
    })
  if (fault === 'wrong-shape') return new Reply(ENDPOINTS[endpoint], { result: 'ok' })
  return undefined
}
