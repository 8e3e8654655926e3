// The JS SDK program of docs/emulator.md, taken from the Markdown as it is shown and run as it
// says: `quickblox-emulator --https --cert-out` (from the dist/ test/global-setup.js built), then
// `NODE_EXTRA_CA_CERTS=<that file> node sdk.mjs`, on a free port in place of 3443.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { killLeftovers, serve } from './helpers/child.js'

const root = process.cwd()
let dir: string
let markdown: string
beforeAll(async () => {
  markdown = await readFile(join(root, 'docs/emulator.md'), 'utf8')
  // Inside the repository, so `quickblox` resolves from its node_modules.
  await mkdir(join(root, 'test-artifacts'), { recursive: true })
  dir = await mkdtemp(join(root, 'test-artifacts', 'docs-sdk-'))
})
afterEach(killLeftovers)
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('the JS SDK program of docs/emulator.md', () => {
  it('signs in and lists the demo users over the emulator’s HTTPS, as the page says it prints', async () => {
    const blocks = [...markdown.matchAll(/```(sh|js)\n([\s\S]*?)\n```/g)].map((match) => match[2]!)
    const program = blocks.find((code) => code.includes('QB.init('))
    const commands = blocks.find((code) => code.includes('NODE_EXTRA_CA_CERTS=./emulator-cert.pem node sdk.mjs'))
    expect(program).toContain("endpoints: { api: '127.0.0.1:3443'")
    expect(commands).toContain('npx quickblox-emulator --https --port 3443 --cert-out ./emulator-cert.pem')

    const emulator = await serve(
      process.execPath,
      [join(root, 'dist/emulator/cli.js'), '--https', '--port', '0', '--cert-out', './emulator-cert.pem'],
      { cwd: dir, env: { PATH: process.env.PATH ?? '' }, listening: /listening on (https:\/\/\S+)/ },
    )
    await writeFile(join(dir, 'sdk.mjs'), program!.replace('127.0.0.1:3443', new URL(emulator.url).host))
    const { stdout } = await promisify(execFile)(process.execPath, ['sdk.mjs'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: './emulator-cert.pem' },
      timeout: 20_000,
    })
    expect(stdout).toContain('signed in as user 100001; 4 users:')
    expect(stdout).toMatch(/ {2}100001 amy\n {2}100002 bob@example\.com\n/)
    expect(emulator.output()).not.toContain('PRIVATE KEY')
  })
})
