// Contender (d) of `npm run bench -- --subscriber`: a subscriber on every diagnostics channel of
// passport-quickblox doing what a metrics exporter does (counts by label, sums durations), so the
// benchmark shows the cost of being observed. The counts are returned with the app's usage.
import { subscribe, tracingChannel } from 'node:diagnostics_channel'
import { performance } from 'node:perf_hooks'
import { CHANNELS } from 'passport-quickblox'

export function subscribeAll() {
  const counts = {}
  const count = (key) => {
    counts[key] = (counts[key] ?? 0) + 1
  }
  const started = new WeakMap()
  let requestSeconds = 0
  const noop = () => {}
  tracingChannel(CHANNELS.login).subscribe({
    start: noop,
    end: noop,
    asyncStart: noop,
    error: noop,
    asyncEnd: (ctx) => count(`login ${ctx.method} ${ctx.outcome} ${ctx.pooled ? 'pooled' : 'fresh'}`),
  })
  tracingChannel(CHANNELS.token).subscribe({
    start: noop,
    end: noop,
    asyncStart: noop,
    error: noop,
    asyncEnd: (ctx) => count(`token ${ctx.cache} ${ctx.outcome}`),
  })
  tracingChannel(CHANNELS.request).subscribe({
    start: (ctx) => started.set(ctx, performance.now()),
    end: noop,
    asyncStart: noop,
    error: noop,
    asyncEnd: (ctx) => {
      count(`request ${ctx.method} ${ctx.path} ${ctx.status ?? ctx.error?.code}`)
      requestSeconds += (performance.now() - started.get(ctx)) / 1000
    },
  })
  subscribe(CHANNELS.pool, (message) => count(`pool ${message.event}`))
  return () => ({ counts, requestSeconds })
}
