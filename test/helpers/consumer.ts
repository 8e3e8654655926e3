// Projects of the package's users: the packed package (`npm pack` of the dist/ that
// test/global-setup.js built) unpacked into a fresh directory outside the repository, beside only
// the packages named, taken from the repository's node_modules (no network), and compiled by tsc.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = process.cwd()
// The children must not inherit Jest's --experimental-vm-modules.
const env = { ...process.env, NODE_OPTIONS: '' }

/** The compilers a consumer may have: `npm i typescript` (7), and the 5.9 line many projects still use. */
export const COMPILERS = {
  'TypeScript 7': join(root, 'node_modules/typescript7'),
  'TypeScript 5.9': join(root, 'node_modules/typescript'),
} as const
export type Compiler = keyof typeof COMPILERS

export interface Consumers {
  /** A project with `files` (name → content), `tsconfig.json` and the `packages` named, installed. */
  project(files: Record<string, string>, tsconfig: unknown, packages: string[]): Promise<string>
  /** tsc's diagnostics for the project in `dir` ('' when it compiles). */
  compile(dir: string, compiler?: Compiler): Promise<string>
  /** Removes every project and the tarball. */
  close(): Promise<void>
}

export async function consumers(): Promise<Consumers> {
  const dirs: string[] = []
  const packDir = await mkdtemp(join(tmpdir(), 'pqb-consumer-pack-'))
  dirs.push(packDir)
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: root, env })
  const tarball = join(
    packDir,
    (await readdir(packDir)).find((name) => name.endsWith('.tgz'))!,
  )

  async function install(modules: string, name: string): Promise<void> {
    const target = join(modules, name)
    await mkdir(dirname(target), { recursive: true })
    if (name === 'passport-quickblox') {
      const unpacked = await mkdtemp(join(modules, '.unpack-'))
      await run('tar', ['-xzf', tarball, '-C', unpacked])
      await run('mv', [join(unpacked, 'package'), target])
      await rm(unpacked, { recursive: true })
    } else if (name === 'typescript') {
      await symlink(COMPILERS['TypeScript 7'], target, 'dir')
    } else {
      // The package's own dependencies resolve from where it really is: the repository's node_modules.
      await symlink(join(root, 'node_modules', name), target, 'dir')
    }
  }

  return {
    async project(files, tsconfig, packages) {
      const dir = await mkdtemp(join(tmpdir(), 'pqb-consumer-'))
      dirs.push(dir)
      await mkdir(join(dir, 'node_modules'))
      for (const name of new Set(packages)) await install(join(dir, 'node_modules'), name)
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
      await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig))
      for (const [name, content] of Object.entries(files)) {
        await mkdir(dirname(join(dir, name)), { recursive: true })
        await writeFile(join(dir, name), content)
      }
      return dir
    },
    async compile(dir, compiler = 'TypeScript 7') {
      try {
        await run(process.execPath, [join(COMPILERS[compiler], 'bin/tsc'), '-p', dir, '--noEmit'], { env })
        return ''
      } catch (err) {
        return String((err as { stdout?: string }).stdout || err)
      }
    },
    async close() {
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
    },
  }
}
