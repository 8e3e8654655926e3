import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { demoData } from 'passport-quickblox/emulator'
import { call, sessionParams } from './helpers/emulator.js'

// The CLI is built as it ships (tsconfig.build.json settings) but only the emulator, into a
// temporary directory, so this test neither depends on nor disturbs the rest of dist/.
const root = resolve(import.meta.dirname, '..')
let dir: string
let cli: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qb-emulator-cli-'))
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(root, 'tsconfig.build.json'),
      compilerOptions: {
        outDir: join(dir, 'out'),
        rootDir: join(root, 'lib'),
        declaration: false,
        typeRoots: [join(root, 'node_modules/@types')],
      },
      include: [join(root, 'lib/emulator')],
    }),
  )
  await promisify(execFile)(
    process.execPath,
    [join(root, 'node_modules/typescript7/bin/tsc'), '-p', join(dir, 'tsconfig.json')],
    { cwd: root },
  )
  cli = join(dir, 'out/emulator/cli.js')
}, 60_000)
afterAll(() => rm(dir, { recursive: true, force: true }))

interface Run {
  child: ChildProcess
  output: () => string
  exit: Promise<number | null>
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
  return { child, output: () => output, exit }
}

/** The URL of the CLI's "listening on" line, as soon as it prints it. */
async function urlOf(cliRun: Run): Promise<string> {
  const listening = /listening on (http:\/\/\S+)/
  return new Promise((resolve, reject) => {
    const read = (): void => {
      const match = listening.exec(cliRun.output())
      if (match) resolve(match[1]!)
    }
    cliRun.child.stdout!.on('data', read)
    read()
    void cliRun.exit.then(() => reject(new Error(`CLI exited before listening: ${cliRun.output()}`)))
  })
}

describe('quickblox-emulator CLI', () => {
  it('starts with a node shebang', async () => {
    expect((await readFile(cli, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  it('serves the demo data, prints its URL and demo logins, and exits cleanly on SIGTERM', async () => {
    const cliRun = run(['--port', '0'])
    const url = await urlOf(cliRun)
    const answer = await call(`${url}/session.json`, 'POST', {
      body: sessionParams(demoData.applications[0]!, { user: { login: 'amy', password: 'amy-demo-password' } }),
    })
    expect(answer.status).toBe(201)
    for (const user of demoData.users) expect(cliRun.output()).toContain(`user ${user.id}`)
    expect(cliRun.output()).toMatch(/login amy \/ password amy-demo-password/)
    expect(cliRun.output()).toContain('API key demo-api-key')
    expect(cliRun.output()).toMatch(/facebook token/)
    expect(cliRun.output()).toMatch(/firebase_phone project/)
    cliRun.child.kill('SIGTERM')
    expect(await cliRun.exit).toBe(0)
  })

  it('serves a --data file, never printing its passwords or secret, and exits cleanly on SIGINT', async () => {
    const file = join(dir, 'emulator.json')
    await writeFile(
      file,
      JSON.stringify({
        applications: [{ id: 31, authKey: 'file-key', authSecret: 'file-secret', apiKey: 'file-api-key' }],
        users: [{ id: 5, login: 'zed', password: 'zed-secret-password' }],
      }),
    )
    const cliRun = run(['--port', '0', '--data', file, '--verbose'])
    const url = await urlOf(cliRun)
    const answer = await call(`${url}/session.json`, 'POST', {
      body: sessionParams(
        { id: 31, authKey: 'file-key', authSecret: 'file-secret' },
        { user: { login: 'zed', password: 'zed-secret-password' } },
      ),
    })
    expect(answer.status).toBe(201)
    cliRun.child.kill('SIGINT')
    expect(await cliRun.exit).toBe(0)
    expect(cliRun.output()).toMatch(/user 5: zed/)
    expect(cliRun.output()).toMatch(/POST \/session\.json 201/)
    expect(cliRun.output()).not.toContain('zed-secret-password')
    expect(cliRun.output()).not.toContain('file-secret')
    expect(cliRun.output()).not.toContain('file-api-key')
  })

  it.each([
    ['a bad port', ['--port', 'abc']],
    ['an unknown option', ['--nope']],
    ['a missing data file', ['--data', '/nonexistent/qb.json']],
  ])('exits 1 with usage on %s', async (_name, args) => {
    const cliRun = run(args)
    expect(await cliRun.exit).toBe(1)
    expect(cliRun.output()).toMatch(/Usage: quickblox-emulator/)
  })

  it('exits 1 on a data file that is not JSON, naming the file and never quoting it', async () => {
    const file = join(dir, 'broken.json')
    // Broken where JSON.parse's own message would quote the text around it: the secret.
    await writeFile(file, '{"applications":[{"id":1,"authKey":"k","authSecret":TOPSECRET-do-not-print}]}')
    const cliRun = run(['--port', '0', '--data', file])
    expect(await cliRun.exit).toBe(1)
    expect(cliRun.output()).toContain(`${file}: not valid JSON`)
    expect(cliRun.output()).not.toContain('TOPSECRET')
  })

  it('prints usage on --help', async () => {
    const cliRun = run(['--help'])
    expect(await cliRun.exit).toBe(0)
    expect(cliRun.output()).toMatch(/^Usage: quickblox-emulator/)
  })
})
