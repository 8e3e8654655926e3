// Checks every relative link in the repository's Markdown: the file it names exists and, when
// it names a heading (`#anchor`), that heading exists. Links to other sites are not fetched.
// Usage: node scripts/check-links.js   (exit code 1 and one line per broken link)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage', 'test-artifacts', '.git'])

function markdownFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP_DIRS.has(entry.name)) return []
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return markdownFiles(full)
    return entry.name.endsWith('.md') ? [full] : []
  })
}

/** Markdown without fenced code blocks and inline code, where brackets are not links. */
const prose = (text) => text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '')

/** GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces to dashes. */
function anchors(file) {
  const seen = new Map()
  const result = new Set()
  for (const [, heading] of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const count = seen.get(slug) ?? 0
    seen.set(slug, count + 1)
    result.add(count === 0 ? slug : `${slug}-${count}`)
  }
  return result
}

const problems = []
for (const file of markdownFiles(root)) {
  const text = prose(readFileSync(file, 'utf8'))
  for (const [, target] of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue // https:, mailto:, ...
    const [rawPath, anchor] = target.split('#')
    const linked = rawPath ? path.resolve(path.dirname(file), decodeURIComponent(rawPath)) : file
    const where = `${path.relative(root, file)}: ${target}`
    if (!existsSync(linked)) {
      problems.push(`${where} (no such file)`)
      continue
    }
    if (anchor && linked.endsWith('.md') && statSync(linked).isFile() && !anchors(linked).has(anchor)) {
      problems.push(`${where} (no such heading)`)
    }
  }
}
for (const problem of problems) console.error(`broken link: ${problem}`)
process.exit(problems.length > 0 ? 1 : 0)
