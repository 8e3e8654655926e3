// The docs' programs as a newcomer meets them: each recipe of docs/frameworks.md (the files of
// docs/examples/) and the snippet of docs/your-users.md, in a folder of its own outside the
// repository with only what the page shows: its `npm install` lines run as written (from the npm
// registry, the package itself as the packed tarball), its tsconfig.json and its files. Each is
// built by the TypeScript its install lines bring (7) with emit, as `npx tsc` does, and the
// NestJS app is started from the path the page names, on what it prints. Recipes whose install
// lines are the same share one install: each folder links to it.
import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { killLeftovers, portCloses, serve } from './helpers/child.js'
import { installLines, projectFiles, recipes, type Recipe } from './helpers/recipes.js'

const run = promisify(execFile)
const root = process.cwd()
// The children must not inherit Jest's --experimental-vm-modules.
const env = { ...process.env, NODE_OPTIONS: '' }
const dirs: string[] = []
let tarball: string

const PACKAGE_JSON = JSON.stringify({ name: 'newcomer', private: true, type: 'module' })

/** One install per set of install lines: the folder whose node_modules the recipes link to. */
const installs = new Map<string, Promise<string>>()
function install(lines: string[]): Promise<string> {
  const key = lines.join('\n')
  let done = installs.get(key)
  if (!done) {
    done = (async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pqb-newcomer-install-'))
      dirs.push(dir)
      await writeFile(join(dir, 'package.json'), PACKAGE_JSON)
      for (const line of lines) {
        const args = line
          .split(/\s+/)
          .slice(1)
          .map((word) => (word === 'passport-quickblox' ? tarball : word))
        await run('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, env })
      }
      return dir
    })()
    installs.set(key, done)
  }
  return done
}

/** A folder with `files`, `tsconfig`, and the node_modules of `lines`' install. */
async function project(lines: string[], files: Record<string, string>, tsconfig?: unknown): Promise<string> {
  const installed = await install(lines)
  const dir = await mkdtemp(join(tmpdir(), 'pqb-newcomer-'))
  dirs.push(dir)
  await symlink(join(installed, 'node_modules'), join(dir, 'node_modules'), 'dir')
  await writeFile(join(dir, 'package.json'), PACKAGE_JSON)
  if (tsconfig !== undefined) await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2))
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true })
    await writeFile(join(dir, name), content)
  }
  return dir
}

/** `npx tsc` in `dir`: its output ('' when it builds). */
async function tsc(dir: string): Promise<string> {
  try {
    await run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir, env })
    return ''
  } catch (err) {
    return String((err as { stdout?: string }).stdout || err)
  }
}

let all: Recipe[]
beforeAll(async () => {
  const packDir = await mkdtemp(join(tmpdir(), 'pqb-newcomer-pack-'))
  dirs.push(packDir)
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: root, env })
  tarball = join(
    packDir,
    (await readdir(packDir)).find((name) => name.endsWith('.tgz'))!,
  )
  all = await recipes()
}, 60_000)
afterEach(killLeftovers)
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

describe('docs/frameworks.md, each recipe in a folder of its own, as its install lines leave it', () => {
  it.each(readdirSync(join(root, 'docs/examples')).filter((name) => name.endsWith('.ts')))(
    'builds examples/%s with npx tsc, on TypeScript 7',
    async (name) => {
      const recipe = all.find(({ file }) => file === `examples/${name}`)!
      const dir = await project(recipe.installs, await projectFiles(recipe), {
        compilerOptions: recipe.compilerOptions,
      })
      const { version } = JSON.parse(await readFile(join(dir, 'node_modules/typescript/package.json'), 'utf8')) as {
        version: string
      }
      expect(Number(version.split('.')[0])).toBeGreaterThanOrEqual(7)
      expect(await tsc(dir)).toBe('')
    },
    300_000,
  )
})

describe("docs/frameworks.md's NestJS app, built and started as the page says", () => {
  let emulator: Emulator
  beforeAll(async () => {
    emulator = await startEmulator()
  })
  afterAll(() => emulator?.close())

  it('writes dist/main.js, which says where it listens (127.0.0.1), signs amy in, stops on SIGTERM', async () => {
    const recipe = all.find(({ file }) => file === 'examples/nest-main.ts')!
    const files = await projectFiles(recipe)
    expect(Object.keys(files).sort()).toEqual(['src/main.ts', 'src/nest-express.ts'])
    const dir = await project(recipe.installs, files, { compilerOptions: recipe.compilerOptions })
    expect(await tsc(dir)).toBe('')
    const app = await serve(process.execPath, [join(dir, 'dist/main.js')], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        QB_APP_ID: String(emulator.application.id),
        QB_AUTH_KEY: emulator.application.authKey,
        QB_AUTH_SECRET: emulator.application.authSecret,
        QB_API_ENDPOINT: emulator.url,
        SESSION_SECRET: 'newcomer-session-secret',
      },
      listening: /Listening on (http:\/\/127\.0\.0\.1:\d+)/,
    })
    const login = await fetch(`${app.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'amy', password: 'amy-demo-password' }),
    })
    expect(login.status).toBe(200)
    expect(await login.json()).toEqual({ user: { id: expect.any(Number), login: 'amy' } })
    // enableShutdownHooks() closes the app, then raises the signal again: an exit by SIGTERM.
    app.child.kill('SIGTERM')
    expect([0, null]).toContain(await app.exit)
    expect(await portCloses(app.url)).toBe(true)
  }, 300_000)
})

describe("docs/your-users.md's Express snippet", () => {
  it('runs in a folder with only the install line above it', async () => {
    const page = await readFile(join(root, 'docs/your-users.md'), 'utf8')
    const express = page.slice(page.indexOf('\n## Express\n'), page.indexOf('\n## `QuickBloxAdmin`\n'))
    const code = /```js\n([\s\S]*?)```/.exec(express)![1]!
    const dir = await project(installLines(express), { 'app.js': code })
    const { stderr } = await run(process.execPath, [join(dir, 'app.js')], {
      cwd: dir,
      env: { ...env, QB_API_KEY: 'newcomer-api-key', QB_IDENTITY_KEY: 'newcomer-identity-key-0123456789abcdef' },
    })
    expect(stderr).toBe('')
  }, 300_000)
})
