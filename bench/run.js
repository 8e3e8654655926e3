// `npm run bench`: passport-quickblox against a hand-rolled QuickBlox strategy and passport-local,
// on one machine, against the local QuickBlox emulator with an injected latency; then the token
// section (bench/tokens.js): QuickBloxTokenStrategy with and without its cache, and passport-jwt.
//
//   node bench/run.js [--latency 50] [--quick] [--out DIR] [--logins N] [--warmup N]
//                     [--concurrency 1,8,32] [--subscriber]
//
// --subscriber adds contender (d): (a) with a subscriber on every diagnostics channel.
//
// Three kinds of process: this one (the load generator), the emulator (bench/emulator-child.js)
// and one Express app per contender (bench/app-child.js), all on 127.0.0.1. Every loop is
// bounded by a count and a deadline. Missing a goal is reported, never an exit code.
import { mkdir, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { spawn } from './ipc.js'
import { runLoad } from './load.js'
import { criticalPath, callsBetween, latencyStats, CRITICAL_PATH_METHOD } from './analyze.js'
import {
  boundBy,
  judgeGoals,
  consoleTable,
  goalLines,
  markdown,
  APP_CPU_BOUND_MS_PER_S,
  machineCpuBound,
} from './report.js'
import { renderChart } from './chart.js'
import {
  JIT_TOKEN_COUNT,
  TOKEN_COUNT,
  measureTokens,
  tokenConsoleTable,
  tokenGoalLines,
  tokenMarkdown,
} from './tokens.js'

const here = path.dirname(fileURLToPath(import.meta.url))

export const CONTENDERS = [
  { key: 'a', name: 'passport-quickblox', label: 'this strategy, defaults (session pool on)' },
  {
    key: 'b',
    name: 'hand-rolled',
    label: 'passport-custom: create a session, then log in, per request (bench/hand-rolled.js)',
  },
  { key: 'c', name: 'passport-local', label: "in-memory user, no network: Passport's own floor" },
]
const SUBSCRIBED = {
  key: 'd',
  name: 'passport-quickblox+subscriber',
  label: '(a) with a subscriber on every diagnostics channel (bench/subscriber.js)',
}

// `jit`: logins at concurrency 8 when a contender's app starts, so that the first level does not
// pay for compiling the code paths; `warmup`: logins at each level's own concurrency before it
// is measured (the pool sizes itself to the recent login rate).
const FULL = {
  latencyMs: 50,
  jit: 300,
  logins: { 1: 150, 8: 800, 32: 1600 },
  warmup: { 1: 20, 8: 120, 32: 200 },
  maxMs: 20_000,
  warmupMaxMs: 8_000,
}
const QUICK = {
  latencyMs: 20,
  jit: 10,
  logins: { 1: 20, 8: 20, 32: 20 },
  warmup: { 1: 5, 8: 5, 32: 5 },
  maxMs: 10_000,
  warmupMaxMs: 3_000,
}

function options(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      latency: { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      logins: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      subscriber: { type: 'boolean', default: false },
    },
  })
  const base = values.quick ? QUICK : FULL
  const int = (text, name, min, max) => {
    const n = Number(text)
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${name} must be an integer from ${min} to ${max}`)
    return n
  }
  const concurrency =
    values.concurrency === undefined
      ? [1, 8, 32]
      : values.concurrency.split(',').map((c) => int(c, 'concurrency', 1, 64))
  return {
    quick: values.quick,
    contenders: values.subscriber ? [...CONTENDERS, SUBSCRIBED] : CONTENDERS,
    latencyMs: values.latency === undefined ? base.latencyMs : int(values.latency, 'latency', 0, 10_000),
    // Quick runs write beside the committed results, in a git-ignored folder.
    out: path.resolve(values.out ?? path.join(here, 'results', values.quick ? 'tmp' : '')),
    levels: concurrency.map((c) => ({
      concurrency: c,
      logins:
        values.logins === undefined ? (base.logins[c] ?? base.logins[8]) : int(values.logins, 'logins', 1, 100_000),
      warmup:
        values.warmup === undefined ? (base.warmup[c] ?? base.warmup[8]) : int(values.warmup, 'warmup', 0, 100_000),
    })),
    jit: values.warmup === undefined ? base.jit : int(values.warmup, 'warmup', 0, 100_000),
    maxMs: base.maxMs,
    warmupMaxMs: base.warmupMaxMs,
  }
}

const cpuMs = (u) => (u.user + u.system) / 1000
const secret = () => randomBytes(12).toString('hex')

async function measureContender(contender, { emulator, quickblox, config, users }) {
  await emulator.call('resetLog')
  const app = spawn(path.join(here, 'app-child.js'))
  try {
    const { url } = await app.call('start', { contender: contender.name, quickblox })
    const jitConcurrency = Math.min(8, users.length)
    if (config.jit > 0)
      await runLoad({ url, users, concurrency: jitConcurrency, logins: config.jit, maxMs: config.warmupMaxMs })
    const levels = []
    for (const { concurrency, logins, warmup } of config.levels) {
      if (warmup > 0) await runLoad({ url, users, concurrency, logins: warmup, maxMs: config.warmupMaxMs })
      const [app0, emu0, load0] = [
        (await app.call('usage')).cpu,
        (await emulator.call('usage')).cpu,
        process.cpuUsage(),
      ]
      const from = Date.now()
      const run = await runLoad({ url, users, concurrency, logins, maxMs: config.maxMs })
      const to = Date.now()
      const [app1, emu1, load1] = [
        (await app.call('usage')).cpu,
        (await emulator.call('usage')).cpu,
        process.cpuUsage(),
      ]
      const log = await emulator.call('log')

      const ok = run.samples.filter((s) => s.status === 200)
      const seconds = run.wallMs / 1000
      const appCpuMs = cpuMs(app1) - cpuMs(app0)
      const path_ = criticalPath(ok, log)
      const result = {
        concurrency,
        ok: ok.length,
        errors: run.samples.length - ok.length,
        timedOut: run.timedOut,
        wallMs: run.wallMs,
        loginsPerSec: ok.length / seconds,
        ...latencyStats(ok),
        criticalCalls: contender.name === 'passport-local' ? 0 : path_.mean,
        share1: path_.share1,
        emulatorLoginP50Ms: path_.loginCallP50Ms,
        attributed: path_.linked,
        totalCallsPerLogin: ok.length ? callsBetween(log, from, to) / ok.length : null,
        appCpuMs,
        appCpuMsPerLogin: ok.length ? appCpuMs / ok.length : null,
        appCpuMsPerSec: appCpuMs / seconds,
        emulatorCpuMsPerSec: (cpuMs(emu1) - cpuMs(emu0)) / seconds,
        loadCpuMsPerSec: (cpuMs(load1) - cpuMs(load0)) / seconds,
      }
      result.machineCpuMsPerSec = result.appCpuMsPerSec + result.emulatorCpuMsPerSec + result.loadCpuMsPerSec
      result.bound = boundBy(result, config.latencyMs, os.cpus().length)
      levels.push(result)
      console.log(
        `  (${contender.key}) ${contender.name} c=${concurrency}: ${ok.length} logins, p50 ${result.p50?.toFixed(1)} ms, ` +
          `${result.loginsPerSec.toFixed(1)}/s, ${result.bound}${run.timedOut ? ' (stopped at the time limit)' : ''}`,
      )
    }
    const { maxRssKb, observed } = await app.call('usage')
    if (observed) console.log(`  (${contender.key}) the subscriber saw: ${JSON.stringify(observed.counts)}`)
    return { ...contender, peakRssMb: maxRssKb / 1024, levels }
  } finally {
    await app.close()
  }
}

export async function runBenchmark(argv = process.argv.slice(2)) {
  const config = options(argv)
  const loadBefore = os.loadavg()[0].toFixed(2)
  const started = performance.now()
  const maxConcurrency = Math.max(...config.levels.map((l) => l.concurrency))
  // Fresh credentials each run; one demo user per load worker.
  const application = { id: 4242, authKey: secret(), authSecret: secret() }
  const users = Array.from({ length: maxConcurrency }, (_, i) => ({
    login: `bench-user-${String(i + 1).padStart(2, '0')}`,
    password: secret(),
    full_name: `Bench User ${i + 1}`,
  }))
  // The token section's users: tokens of their own, so no login above touches them.
  const tokenUsers = Array.from({ length: TOKEN_COUNT + JIT_TOKEN_COUNT }, (_, i) => ({
    login: `bench-token-user-${String(i + 1).padStart(2, '0')}`,
    password: secret(),
    full_name: `Token User ${i + 1}`,
  }))

  console.log(
    `QuickBlox emulator latency L = ${config.latencyMs} ms; concurrency ${config.levels.map((l) => l.concurrency).join(', ')}` +
      `${config.quick ? ' (quick mode)' : ''}`,
  )
  const emulator = spawn(path.join(here, 'emulator-child.js'))
  const contenders = []
  let tokens
  try {
    const { url, ids } = await emulator.call('start', {
      applications: [application],
      users: [...users, ...tokenUsers],
      latencyMs: config.latencyMs,
    })
    const seeded = users.map((u, i) => ({ ...u, id: ids[i] }))
    for (const contender of config.contenders) {
      contenders.push(
        await measureContender(contender, {
          emulator,
          config,
          users: seeded,
          quickblox: { url, application, users: seeded },
        }),
      )
    }
    const tokenSeeded = tokenUsers.map((u, i) => ({ ...u, id: ids[users.length + i] }))
    const quickblox = { url, application, users: tokenSeeded }
    tokens = await measureTokens({ emulator, quickblox, users: tokenSeeded, quick: config.quick })
  } finally {
    await emulator.close()
  }

  const cpus = os.cpus()
  const results = {
    generatedAt: new Date().toISOString(),
    quick: config.quick,
    latencyMs: config.latencyMs,
    durationS: (performance.now() - started) / 1000,
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      loadBefore,
      loadAfter: os.loadavg()[0].toFixed(2),
    },
    jitWarmup: config.jit,
    levels: config.levels,
    contenders,
    tokens,
    method: {
      setup:
        'Each contender is an Express 5 app (express.json + passport.authenticate(..., { session: false })) in its own process on 127.0.0.1; ' +
        'the load generator (node:http, keep-alive agent) runs in the benchmark process and the emulator in a third one. ' +
        'Each worker logs in repeatedly as its own demo user (closed loop); a warm-up at the same concurrency precedes every measured level.',
      latency:
        'Latency is measured at the load generator, from sending the request to the end of the answer; logins/s counts successful logins over the measured wall time.',
      criticalPath: CRITICAL_PATH_METHOD,
      totalCalls:
        '"QB calls total" counts every emulator request that arrived during the measured level (pool refills included) per login.',
      cpu: "CPU per login is the app process's process.cpuUsage() delta over the measured level (user + system, background pool refills included) divided by the successful logins; the emulator and the load generator are separate processes and not counted.",
      rss: "Peak RSS is the app process's maxRSS over its whole life (all levels).",
      bound:
        `"bound by": "CPU: app core" when the app used ≥ ${APP_CPU_BOUND_MS_PER_S} CPU ms per second (one Node process runs on one core); ` +
        `"CPU: machine" when app + emulator + load generator used ≥ ${machineCpuBound(cpus.length)} ms/s of the ${cpus.length} cores; ` +
        '"round trips" when p50 ≤ 1.25 × L × calls on the path + 5 ms; "queueing" otherwise; "no round trips" for passport-local.',
    },
  }
  results.goals = judgeGoals(results)

  await mkdir(config.out, { recursive: true })
  await writeFile(path.join(config.out, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`)
  await writeFile(path.join(config.out, 'latest.md'), markdown(results) + tokenMarkdown(tokens))
  await writeFile(path.join(config.out, 'chart.svg'), renderChart(results))

  console.log(`\n${consoleTable(results)}\n\n"x (b)": ratio to the hand-rolled strategy at the same concurrency.\n`)
  const quickNote = config.quick
    ? ' Quick mode: too few logins for the pool to reach steady state, so these are indicative only.'
    : ''
  console.log(`Goals (reported, not enforced).${quickNote}\n${goalLines(results)}\n`)
  console.log(`Tokens, concurrency ${tokens.concurrency}, ${tokens.tokens} tokens:\n${tokenConsoleTable(tokens)}\n`)
  const tokenNote = config.quick ? ' Quick mode: indicative only.' : ''
  console.log(`Token goals (reported, not enforced).${tokenNote}\n${tokenGoalLines(tokens)}\n`)
  console.log(`Method: ${CRITICAL_PATH_METHOD}\n`)
  console.log(
    `Load average (1 min): ${results.machine.loadBefore} before, ${results.machine.loadAfter} after, on ${cpus.length} cores.`,
  )
  console.log(
    `Wrote ${path.relative(process.cwd(), config.out) || '.'}/latest.json, latest.md, chart.svg in ${results.durationS.toFixed(0)} s.`,
  )
  return results
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runBenchmark().catch((err) => {
    console.error(err instanceof Error ? err.message : err)
    process.exitCode = 1
  })
}
