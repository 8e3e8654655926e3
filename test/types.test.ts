// The published declarations, as users get them: `npm pack` (of the dist/ that
// test/global-setup.js built), unpacked into fresh projects, compiled by tsc with `strict` and
// `skipLibCheck: false`. The bare project has nothing but `@types/node`, so a declaration that
// needs Express's, Passport's or a framework's types fails there. The framework project (inside
// the repository, so Express, Passport and NestJS resolve from its node_modules) checks that
// Express users keep a typed `req` and that PassportStrategy(QuickBloxStrategy) type-checks.
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

const run = promisify(execFile)
const root = process.cwd()
const env = { ...process.env, NODE_OPTIONS: '' }
const fixtures = join(root, 'test/fixtures/types')
const dirs: string[] = []
let tarball: string

const COMPILER_OPTIONS = {
  strict: true,
  skipLibCheck: false,
  exactOptionalPropertyTypes: true,
  target: 'ES2022',
  lib: ['ES2023'],
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  types: ['node'],
  noEmit: true,
}

/** A project in `parent` with the packed package unpacked into its node_modules, and `files` from the fixtures. */
async function project(parent: string, files: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const dir = await mkdtemp(join(parent, 'pqb-types-'))
  dirs.push(dir)
  const modules = join(dir, 'node_modules')
  await mkdir(modules)
  await run('tar', ['-xzf', tarball, '-C', modules])
  await run('mv', [join(modules, 'package'), join(modules, 'passport-quickblox')])
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'types-proof', private: true, type: 'module' }))
  const tsconfig = { compilerOptions: { ...COMPILER_OPTIONS, ...extra }, files }
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig))
  for (const file of files) await copyFile(join(fixtures, file), join(dir, file))
  return dir
}

/** tsc's diagnostics for `dir` ('' when it compiles). */
async function compile(dir: string): Promise<string> {
  try {
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', dir], { env })
    return ''
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? err)
  }
}

beforeAll(async () => {
  const packDir = await mkdtemp(join(tmpdir(), 'pqb-types-pack-'))
  dirs.push(packDir)
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: root, env })
  tarball = join(
    packDir,
    (await readdir(packDir)).find((name) => name.endsWith('.tgz'))!,
  )
}, 60_000)

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
})

describe('the published types', () => {
  it('compile in a project with only typescript and @types/node', async () => {
    const dir = await project(tmpdir(), ['bare.ts'])
    // @types/node and its one dependency, and nothing else, beside the package.
    for (const name of ['@types/node', 'undici-types']) {
      await mkdir(join(dir, 'node_modules', name, '..'), { recursive: true })
      await symlink(join(root, 'node_modules', name), join(dir, 'node_modules', name), 'dir')
    }
    expect(await compile(dir)).toBe('')
  }, 120_000)

  it("keep Express users' req typed, and PassportStrategy(QuickBloxStrategy) type-checks in NestJS", async () => {
    const artifacts = join(root, 'test-artifacts')
    await mkdir(artifacts, { recursive: true })
    const decorators = { experimentalDecorators: true, emitDecoratorMetadata: true }
    const dir = await project(artifacts, ['express.ts', 'nest.ts'], decorators)
    expect(await compile(dir)).toBe('')
  }, 120_000)
})
