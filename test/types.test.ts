// The published declarations, as users get them: the packed package in fresh projects outside the
// repository (test/helpers/consumer.ts), compiled with `strict`, `skipLibCheck: false` and
// `module: nodenext`, by TypeScript 7 (what `npm i typescript` installs) and by 5.9. The bare
// project has nothing but `@types/node` and names no `types`: since TypeScript 6 that pulls in
// no @types package, so a declaration that needs Node's types must reference them itself, and one
// that needs Express's, Passport's or a framework's types fails there. The framework project
// checks that Express users keep a typed `req` and that PassportStrategy(QuickBloxStrategy)
// type-checks in NestJS; the Nest module project, that an app on `passport-quickblox/nest` alone compiles.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { COMPILERS, consumers, type Compiler, type Consumers } from './helpers/consumer.js'

const fixtures = join(process.cwd(), 'test/fixtures/types')

const COMPILER_OPTIONS = {
  strict: true,
  skipLibCheck: false,
  exactOptionalPropertyTypes: true,
  target: 'ES2022',
  lib: ['ES2023'],
  module: 'nodenext',
}

async function sources(names: string[]): Promise<Record<string, string>> {
  return Object.fromEntries(
    await Promise.all(names.map(async (name) => [name, await readFile(join(fixtures, name), 'utf8')] as const)),
  )
}

let projects: Consumers
beforeAll(async () => {
  projects = await consumers()
}, 60_000)
afterAll(() => projects?.close())

describe.each(Object.keys(COMPILERS) as Compiler[])('the published types, with %s', (compiler) => {
  it('compile in a project with only typescript and @types/node', async () => {
    const dir = await projects.project(await sources(['bare.ts']), { compilerOptions: COMPILER_OPTIONS }, [
      'passport-quickblox',
      '@types/node',
    ])
    expect(await projects.compile(dir, compiler)).toBe('')
  }, 60_000)

  it("keep Express users' req typed, and PassportStrategy(QuickBloxStrategy) type-checks in NestJS", async () => {
    const compilerOptions = { ...COMPILER_OPTIONS, experimentalDecorators: true, emitDecoratorMetadata: true }
    const packages = ['passport-quickblox', '@types/node', 'express', '@types/express', 'passport', '@types/passport']
    packages.push('@nestjs/common', '@nestjs/passport', 'reflect-metadata', 'rxjs')
    const dir = await projects.project(await sources(['express.ts', 'nest.ts']), { compilerOptions }, packages)
    expect(await projects.compile(dir, compiler)).toBe('')
  }, 60_000)

  it('compile a NestJS app that uses only passport-quickblox/nest, with what a Nest app installs', async () => {
    const compilerOptions = { ...COMPILER_OPTIONS, experimentalDecorators: true, emitDecoratorMetadata: true }
    const packages = ['passport-quickblox', '@types/node', 'passport', '@types/passport', 'reflect-metadata', 'rxjs']
    packages.push('@nestjs/common', '@nestjs/core', '@nestjs/passport')
    const dir = await projects.project(await sources(['nest-module.ts']), { compilerOptions }, packages)
    expect(await projects.compile(dir, compiler)).toBe('')
  }, 60_000)
})

describe('the declarations of the main and emulator entries', () => {
  // The strategies extend passport-strategy's class at run time, but their types name only Node's
  // and the package's own: a type of passport-strategy, Passport or Express here would fail the
  // bare project above on a clean machine, and this says which file brought it in.
  it("import nothing but Node's modules and the package's own files", async () => {
    const dist = join(process.cwd(), 'dist')
    const files = (await readdir(dist, { recursive: true })).filter(
      (name) => name.endsWith('.d.ts') && !name.startsWith('nest'),
    )
    expect(files).toContain('passport.d.ts')
    const foreign: string[] = []
    for (const name of files) {
      const text = await readFile(join(dist, name), 'utf8')
      for (const [, from] of text.matchAll(/(?:from|import\(|types=)\s*['"]([^'"]+)['"]/g)) {
        if (!/^(node:|\.\.?\/|node$)/.test(from!)) foreign.push(`${name}: ${from}`)
      }
    }
    expect(foreign).toEqual([])
  })
})
