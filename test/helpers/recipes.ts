// The recipes of docs/frameworks.md as a reader meets them: each example file the page shows,
// with the packages its `npm install` lines name (its section's and those of the section it
// belongs to), the compiler options in force where it is shown, and where its files go.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

const docs = join(process.cwd(), 'docs')

export interface Recipe {
  /** `examples/<name>.ts`, as the page marks it. */
  file: string
  /** The `npm install` lines in force, as written. */
  installs: string[]
  /** The packages those lines name. */
  packages: string[]
  /** The page's tsconfig.json, with the section's options over it. */
  compilerOptions: Record<string, unknown>
}

/** The packages that the `npm install` lines of `markdown` name. */
export function installed(markdown: string): string[] {
  return installLines(markdown).flatMap((line) =>
    line
      .split(/\s+/)
      .slice(2)
      .filter((word) => !word.startsWith('-')),
  )
}

/** The `npm install …` lines of `markdown`. */
export function installLines(markdown: string): string[] {
  return [...markdown.matchAll(/^npm install .+$/gm)].map(([line]) => line.trim())
}

/** Each example the page shows, with the install lines and compiler options in force where it is shown. */
export async function recipes(): Promise<Recipe[]> {
  const page = await readFile(join(docs, 'frameworks.md'), 'utf8')
  const found: Recipe[] = []
  let base: Record<string, unknown> = {}
  let heading = ''
  let section = { installs: [] as string[], options: {} as Record<string, unknown> }
  let scope = section
  const parts = /^(#{2,3}) (.+)$|^```sh\n([\s\S]*?)^```$|^```json\n([\s\S]*?)^```$|^<!-- example: (\S+) -->$/gm
  for (const [, level, title, sh, json, example] of page.matchAll(parts)) {
    if (level === '##') {
      heading = title!
      scope = section = { installs: [], options: {} }
    } else if (level === '###') {
      scope = { installs: [...section.installs], options: { ...section.options } }
    } else if (sh !== undefined) {
      scope.installs.push(...installLines(sh))
    } else if (json !== undefined) {
      const { compilerOptions } = JSON.parse(json) as { compilerOptions: Record<string, unknown> }
      if (heading === 'TypeScript') base = compilerOptions
      else Object.assign(scope.options, compilerOptions)
    } else if (example !== undefined) {
      const installs = [...scope.installs]
      found.push({
        file: example,
        installs,
        packages: installed(installs.join('\n')),
        compilerOptions: { ...base, ...scope.options },
      })
    }
  }
  return found
}

/**
 * The files of a recipe's project: `file` and the example files it imports (`./x.js`), by their
 * path in the project. An entry file goes where its first line puts it (`(`src/main.ts`)`), the
 * files it imports beside it; any other recipe under `rootDir` when it sets one.
 */
export async function projectFiles(recipe: Pick<Recipe, 'file' | 'compilerOptions'>): Promise<Record<string, string>> {
  const name = recipe.file.replace(/^examples\//, '')
  const code = await readFile(join(docs, 'examples', name), 'utf8')
  const named = /^\/\/.*\(`((?:[\w-]+\/)*)([\w-]+\.ts)`\)/.exec(code)
  const { rootDir } = recipe.compilerOptions
  const dir = named ? named[1]! : typeof rootDir === 'string' ? `${rootDir}/` : ''
  const files: Record<string, string> = { [`${dir}${named?.[2] ?? name}`]: code }
  const add = async (imported: string): Promise<void> => {
    if (files[`${dir}${imported}`] !== undefined) return
    const text = await readFile(join(docs, 'examples', imported), 'utf8')
    files[`${dir}${imported}`] = text
    for (const [, next] of text.matchAll(/from '\.\/([\w-]+)\.js'/g)) await add(`${next}.ts`)
  }
  for (const [, imported] of code.matchAll(/from '\.\/([\w-]+)\.js'/g)) await add(`${imported}.ts`)
  return files
}

/** The tsconfig.json the page gives for every recipe (the first in its TypeScript section). */
export async function baseTsconfig(): Promise<{ compilerOptions: Record<string, unknown> }> {
  const page = await readFile(join(docs, 'frameworks.md'), 'utf8')
  const typescript = page.slice(page.indexOf('\n## TypeScript\n'))
  return JSON.parse(/```json\n([\s\S]*?)```/.exec(typescript)![1]!) as { compilerOptions: Record<string, unknown> }
}
