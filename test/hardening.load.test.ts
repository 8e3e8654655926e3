// 2,000 logins at concurrency 100 through a real Express 5 app with default strategy options
// (session pool on) against the emulator: every login succeeds, nothing is left open after
// closing, and the heap after the run is within 10% of the heap before it.
//
// The app runs in a child process (test/fixtures/load.js, started with --expose-gc so the heap
// can be measured after a full GC); the emulator runs here, so the child's heap holds only the
// app and the library. The child imports the package by name: dist/, which test/global-setup.js
// built before any test ran.
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'

const root = resolve(import.meta.dirname, '..')
const LOGINS = 2000
const CONCURRENCY = 100
const WARMUP = 2000

interface LoadResults {
  logins: number
  statuses: Record<string, number>
  warmupStatuses: Record<string, number>
  durationMs: number
  loginsPerSec: number
  heapBefore: number
  heapAfter: number
  heapGrowth: number
  leftOver: Record<string, number>
}

let emulator: Emulator
let results: LoadResults
let exit: { code: number | null; signal: NodeJS.Signals | null; wallMs: number }

/** Runs the load script to its natural end (it must exit by itself: nothing may keep it alive). */
function runLoad(): Promise<{ stdout: string; code: number | null; signal: NodeJS.Signals | null; wallMs: number }> {
  const { id, authKey, authSecret } = emulator.application
  const amy = emulator.users.find((user) => user.login === 'amy')!
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PQB_LOAD: JSON.stringify({
      apiEndpoint: emulator.url,
      appId: id,
      authKey,
      authSecret,
      login: amy.login,
      password: amy.password,
    }),
  }
  delete env.NODE_OPTIONS
  const started = Date.now()
  const child = spawn(
    process.execPath,
    ['--expose-gc', 'test/fixtures/load.js', String(LOGINS), String(CONCURRENCY), String(WARMUP)],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  // A safety net only: a child still running after 100 s has failed anyway.
  const killer = setTimeout(() => child.kill('SIGKILL'), 100_000)
  let stdout = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
  return new Promise((done) => {
    child.on('exit', (code, signal) => {
      clearTimeout(killer)
      done({ stdout, code, signal, wallMs: Date.now() - started })
    })
  })
}

beforeAll(async () => {
  emulator = await startEmulator()
  const run = await runLoad()
  exit = { code: run.code, signal: run.signal, wallMs: run.wallMs }
  results = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as LoadResults
}, 240_000)

afterAll(async () => {
  await emulator.close()
})

describe(`${LOGINS} logins at concurrency ${CONCURRENCY}, session pool on`, () => {
  it('signs every user in: every login answers 200, no error', () => {
    expect(results.statuses).toEqual({ 200: LOGINS })
    expect(results.warmupStatuses).toEqual({ 200: WARMUP })
    expect(emulator.counts()['POST /login.json']).toBe(LOGINS + WARMUP)
  })

  it('leaves nothing open after closing: no socket or timer, and the process exits by itself', () => {
    expect(results.leftOver).toEqual({})
    expect(exit).toMatchObject({ code: 0, signal: null })
  })

  it('keeps the heap after the run within 10% of the heap before it', () => {
    expect(Math.abs(results.heapGrowth)).toBeLessThan(0.1)
  })

  it('finishes well within a minute', () => {
    expect(results.durationMs).toBeLessThan(60_000)
    expect(exit.wallMs).toBeLessThan(90_000)
  })
})
