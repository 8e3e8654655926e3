import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'

// The benchmark is plain JavaScript that imports the package by name, which resolves to dist/:
// test/global-setup.js built it before any test ran, as `npm run bench:ci` does. Tiny counts; no
// assertion about speed.
const run = promisify(execFile)
const root = resolve(import.meta.dirname, '..')
let out: string
let stdout: string

interface Level {
  concurrency: number
  ok: number
  errors: number
  p50: number
  loginsPerSec: number
  criticalCalls: number | null
  appCpuMsPerLogin: number | null
}
interface Contender {
  key: string
  name: string
  peakRssMb: number
  levels: Level[]
}
interface TokenContender {
  key: string
  name: string
  requests: number
  errors: number
  requestsPerSec: number
  appCpuMsPerRequest: number
  quickbloxCalls: number
}
interface Results {
  quick: boolean
  latencyMs: number
  contenders: Contender[]
  goals: { goal: string; status: string }[]
  tokens: { contenders: TokenContender[]; goals: { goal: string; status: string }[] }
}

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'pqb-bench-'))
  const args = [
    'bench/run.js',
    '--quick',
    '--latency',
    '5',
    '--logins',
    '4',
    '--warmup',
    '1',
    '--concurrency',
    '1,3',
    '--out',
    out,
  ]
  ;({ stdout } = await run(process.execPath, args, { cwd: root, timeout: 90_000 }))
}, 240_000)

afterAll(async () => {
  await rm(out, { recursive: true, force: true })
})

describe('npm run bench --quick', () => {
  it('writes results JSON with all three contenders at every concurrency, every login answered', async () => {
    const results = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as Results
    expect(results.quick).toBe(true)
    expect(results.latencyMs).toBe(5)
    expect(results.contenders.map((c) => `${c.key} ${c.name}`)).toEqual([
      'a passport-quickblox',
      'b hand-rolled',
      'c passport-local',
    ])
    for (const contender of results.contenders) {
      expect(contender.peakRssMb).toBeGreaterThan(0)
      expect(contender.levels.map((l) => l.concurrency)).toEqual([1, 3])
      for (const level of contender.levels) {
        expect(level).toMatchObject({ ok: 4, errors: 0 })
        expect(level.p50).toBeGreaterThan(0)
        expect(level.loginsPerSec).toBeGreaterThan(0)
        expect(level.appCpuMsPerLogin).toBeGreaterThan(0)
      }
    }
  })

  it('attributes QuickBlox calls to logins: two for the hand-rolled strategy, none for passport-local', async () => {
    const results = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as Results
    const calls = (key: string) => results.contenders.find((c) => c.key === key)!.levels.map((l) => l.criticalCalls)
    expect(calls('b')).toEqual([2, 2])
    expect(calls('c')).toEqual([0, 0])
    // The pool may or may not be warm after so few logins: one or two calls, never unattributed.
    for (const n of calls('a')) {
      expect(n).not.toBeNull()
      expect(n!).toBeGreaterThanOrEqual(1)
      expect(n!).toBeLessThanOrEqual(2)
    }
  })

  it('reports every goal and writes the Markdown table and the SVG chart', async () => {
    const results = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as Results
    expect(results.goals).toHaveLength(5)
    for (const goal of results.goals) expect(['PASS', 'FAIL', 'N/A']).toContain(goal.status)
    expect(stdout).toMatch(/Goals \(reported, not enforced\)/)
    const md = await readFile(join(out, 'latest.md'), 'utf8')
    expect(md).toMatch(/\| \(a\) passport-quickblox \| 1 \|/)
    const svg = await readFile(join(out, 'chart.svg'), 'utf8')
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toContain('(c) passport-local')
  })

  it('measures the token section: cached, uncached and passport-jwt on the same app, QuickBlox calls counted', async () => {
    const { tokens } = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as Results
    expect(tokens.contenders.map((c) => `${c.key} ${c.name}`)).toEqual([
      'a quickblox-token',
      'b quickblox-token-nocache',
      'c passport-jwt',
    ])
    for (const contender of tokens.contenders) {
      expect(contender.errors).toBe(0)
      expect(contender.requests).toBeGreaterThan(0)
      expect(contender.requestsPerSec).toBeGreaterThan(0)
      expect(contender.appCpuMsPerRequest).toBeGreaterThan(0)
    }
    const [a, b, c] = tokens.contenders as [TokenContender, TokenContender, TokenContender]
    // Ten tokens of ten users: two calls each on the first request, then none; uncached, two per request.
    expect(a.quickbloxCalls).toBe(20)
    expect(b.quickbloxCalls).toBe(2 * b.requests)
    expect(c.quickbloxCalls).toBe(0)
    expect(tokens.goals).toHaveLength(2)
    expect(stdout).toMatch(/Token goals \(reported, not enforced\)/)
    expect(await readFile(join(out, 'latest.md'), 'utf8')).toMatch(/\| \(c\) passport-jwt \|/)
  })
})
