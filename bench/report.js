// Goals, the console table and the Markdown report, all from the results object run.js builds.

/** A Node process runs JavaScript on one core: 1000 ms of CPU per second is its ceiling. */
export const APP_CPU_BOUND_MS_PER_S = 800
/** All three processes (app, emulator, load generator) share the machine's cores. */
export const machineCpuBound = (cores) => 800 * cores

/** What limited a level: CPU (the app's core, or the whole machine) or QuickBlox round trips. */
export function boundBy(level, latencyMs, cores) {
  if (level.appCpuMsPerSec >= APP_CPU_BOUND_MS_PER_S) return 'CPU: app core'
  if (level.machineCpuMsPerSec >= machineCpuBound(cores)) return 'CPU: machine'
  if (level.criticalCalls === 0) return 'no round trips'
  if (level.p50 <= 1.25 * latencyMs * (level.criticalCalls ?? 1) + 5) return 'round trips'
  return 'queueing'
}

const level = (contender, concurrency) => contender?.levels.find((l) => l.concurrency === concurrency)
const fmt = (n, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits))
const ratio = (a, b) => (a === null || b === null || a === undefined || b === undefined || b === 0 ? null : a / b)

function cpuPerLogin(contender) {
  const ok = contender.levels.reduce((n, l) => n + l.ok, 0)
  const cpu = contender.levels.reduce((n, l) => n + l.appCpuMs, 0)
  return ok ? cpu / ok : null
}

/** The issue's goals for contender (a), judged against (b). Reported, never enforced. */
export function judgeGoals(results) {
  const [a, b] = ['a', 'b'].map((key) => results.contenders.find((c) => c.key === key))
  const L = results.latencyMs
  const goals = []
  const add = (goal, pass, detail) =>
    goals.push({ goal, status: pass === null ? 'N/A' : pass ? 'PASS' : 'FAIL', detail })

  for (const c of [1, 8]) {
    const l = level(a, c)
    add(
      `one QuickBlox round trip on the critical path at concurrency ${c}${c > 1 ? ' (steady state)' : ''}`,
      l?.criticalCalls == null ? null : l.criticalCalls <= 1.05,
      l
        ? `mean ${fmt(l.criticalCalls, 2)} calls per login, ${fmt(100 * (l.share1 ?? 0), 0)}% of logins exactly 1`
        : 'level not run',
    )
  }
  const a1 = level(a, 1)
  add(
    `p50 at concurrency 1 within L + 5 ms (${L + 5} ms)`,
    a1 ? a1.p50 <= L + 5 : null,
    a1
      ? `p50 ${fmt(a1.p50)} ms; the emulator itself answered POST /login.json in ${fmt(a1.emulatorLoginP50Ms)} ms (p50)`
      : 'level not run',
  )
  const a8 = level(a, 8)
  const b8 = level(b, 8)
  const speedup = ratio(a8?.loginsPerSec, b8?.loginsPerSec)
  add(
    'at L = 50 ms and concurrency 8, at least 1.8x the logins/s of (b)',
    speedup === null || L !== 50 ? null : speedup >= 1.8,
    `${fmt(speedup, 2)}x (${fmt(a8?.loginsPerSec)} vs ${fmt(b8?.loginsPerSec)} logins/s)${L !== 50 ? `; this run used L = ${L} ms` : ''}`,
  )
  const cpuA = a && cpuPerLogin(a)
  const cpuB = b && cpuPerLogin(b)
  add(
    "CPU per login no more than (b)'s",
    cpuA == null || cpuB == null ? null : cpuA <= cpuB,
    `${fmt(cpuA, 2)} vs ${fmt(cpuB, 2)} app CPU ms per login over all levels`,
  )
  return goals
}

const COLUMNS = [
  ['contender', (c) => `(${c.key}) ${c.name}`],
  ['conc', (_c, l) => String(l.concurrency)],
  ['logins', (_c, l) => `${l.ok}${l.errors ? ` (+${l.errors} err)` : ''}`],
  ['p50 ms', (_c, l) => fmt(l.p50)],
  ['p99 ms', (_c, l) => fmt(l.p99)],
  ['logins/s', (_c, l) => fmt(l.loginsPerSec)],
  ['x (b)', (_c, l, b) => fmt(ratio(l.loginsPerSec, b?.loginsPerSec), 2)],
  ['QB calls on path', (_c, l) => fmt(l.criticalCalls, 2)],
  ['QB calls total', (_c, l) => fmt(l.totalCallsPerLogin, 2)],
  ['app CPU ms/login', (_c, l) => fmt(l.appCpuMsPerLogin, 2)],
  ['x (b) ', (_c, l, b) => fmt(ratio(l.appCpuMsPerLogin, b?.appCpuMsPerLogin), 2)],
  ['peak RSS MB', (c) => fmt(c.peakRssMb, 0)],
  ['bound by', (_c, l) => l.bound],
]

function rows(results) {
  const b = results.contenders.find((c) => c.key === 'b')
  return results.contenders.flatMap((c) =>
    c.levels.map((l) => COLUMNS.map(([, cell]) => cell(c, l, level(b, l.concurrency)))),
  )
}

export function consoleTable(results) {
  const header = COLUMNS.map(([name]) => name.trim())
  const body = rows(results)
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)))
  const line = (cells) =>
    cells
      .map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n')
}

export function goalLines(results) {
  return results.goals.map((g) => `${g.status.padEnd(4)}  ${g.goal}: ${g.detail}`).join('\n')
}

export function markdown(results) {
  const header = COLUMNS.map(([name]) => name.trim())
  const table = [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i === 0 || i === header.length - 1 ? '---' : '---:')).join('|')}|`,
    ...rows(results).map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')
  const m = results.machine
  return `# Benchmark results

${results.quick ? '**Quick mode** (small counts, for CI): the numbers are indicative only.\n\n' : ''}\
Run ${results.generatedAt} on ${m.cpus} × ${m.cpuModel}, Node ${m.node}, ${m.platform};
load average ${m.loadBefore} before the run, ${m.loadAfter} after (other work on the machine skews the numbers).
Emulated QuickBlox latency L = **${results.latencyMs} ms** per response. Each app first serves
${results.jitWarmup} logins at concurrency 8 to warm up; then, per level:
${results.levels.map((l) => `${l.logins} at concurrency ${l.concurrency} (after ${l.warmup} warm-up)`).join(', ')}.

Contenders: ${results.contenders.map((c) => `**(${c.key})** ${c.label}`).join('; ')}.

${table}

"x (b)" columns are ratios to the hand-rolled strategy (b) at the same concurrency.

## Goals (reported, not enforced)

${results.goals.map((g) => `- **${g.status}** ${g.goal}: ${g.detail}`).join('\n')}

## How it is measured

${Object.values(results.method)
  .map((text) => `- ${text}`)
  .join('\n')}
`
}
