// docs/frameworks.md shows the apps in docs/examples/, which `npm run typecheck` compiles and
// test/frameworks.*.test.ts run: the page must show each file exactly, and every file.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'

const docs = join(process.cwd(), 'docs')

/** The code blocks marked `<!-- example: examples/<file> -->`, by file. */
async function shownExamples(): Promise<Map<string, string>> {
  const page = await readFile(join(docs, 'frameworks.md'), 'utf8')
  const shown = new Map<string, string>()
  for (const match of page.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)\n```\n/g)) {
    shown.set(match[1]!, match[2]!)
  }
  return shown
}

describe('docs/frameworks.md', () => {
  it('shows every example in docs/examples/', async () => {
    const files = (await readdir(join(docs, 'examples'))).filter((name) => name.endsWith('.ts'))
    expect([...(await shownExamples()).keys()].sort()).toEqual(files.map((name) => `examples/${name}`).sort())
  })

  it('shows each example exactly as the file the tests run', async () => {
    for (const [file, code] of await shownExamples()) {
      expect({ file, code: `${code}\n` }).toEqual({ file, code: await readFile(join(docs, file), 'utf8') })
    }
  })
})
