// Every recipe of docs/frameworks.md (the files of docs/examples/ it shows), and the example of
// docs/typescript.md, compiles in a project of its own that has only what the page says to
// install for it (its section's `npm install` lines, and those of the section it belongs to) and
// the `tsconfig.json` docs/frameworks.md gives, with the packed package: a missing install line,
// setting or declaration that only this repository has fails here.
import { readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { consumers, type Consumers } from './helpers/consumer.js'
import { baseTsconfig, installed, projectFiles, recipes } from './helpers/recipes.js'

const docs = join(process.cwd(), 'docs')

let projects: Consumers
beforeAll(async () => {
  projects = await consumers()
}, 60_000)
afterAll(() => projects?.close())

describe("docs/typescript.md's example", () => {
  it("compiles with what the README's Install and the page install", async () => {
    const readme = await readFile(join(docs, '../README.md'), 'utf8')
    const install = readme.slice(readme.indexOf('\n## Install\n'), readme.indexOf('\n## Using the strategy\n'))
    const section = await readFile(join(docs, 'typescript.md'), 'utf8')
    const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!
    const devInstall = /`(npm install --save-dev [^`]+)`/.exec(section.replace(/\n/g, ' '))![1]!
    const packages = [...installed(install), ...installed(devInstall)]
    const dir = await projects.project({ 'app.ts': code }, await baseTsconfig(), packages)
    expect(await projects.compile(dir)).toBe('')
  }, 60_000)
})

describe('docs/frameworks.md, each recipe in a project of its own', () => {
  it('gives every recipe an install line and TypeScript', async () => {
    const all = await recipes()
    expect(all.length).toBeGreaterThanOrEqual(6)
    for (const { file, packages } of all) {
      expect({ file, packages }).toEqual({
        file,
        packages: expect.arrayContaining(['passport-quickblox', 'typescript', '@types/node']),
      })
    }
  })

  // Every file of docs/examples/ (test/docs.frameworks.test.ts checks the page shows each one).
  it.each(readdirSync(join(docs, 'examples')).filter((name) => name.endsWith('.ts')))(
    'compiles examples/%s with what its section installs',
    async (name) => {
      const recipe = (await recipes()).find(({ file }) => file === `examples/${name}`)
      expect(recipe).toBeDefined()
      const { packages, compilerOptions } = recipe!
      const dir = await projects.project(await projectFiles(recipe!), { compilerOptions }, packages)
      expect(await projects.compile(dir)).toBe('')
      // Nest's recipes use the package's `passport-quickblox/nest` declarations: the 5.9 line too.
      if (name.startsWith('nest-')) expect(await projects.compile(dir, 'TypeScript 5.9')).toBe('')
    },
    60_000,
  )
})
