// The published package, as users get it: `npm pack` (of the dist/ that test/global-setup.js
// built; --ignore-scripts, so `prepack` does not build it again), install the tarball into a fresh
// project (dependencies from the npm cache first, the registry only for what it lacks), with no
// install-time script to approve, then import it as ESM and require it from CommonJS, and log a
// user in against the emulator from the CommonJS side.
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'

const run = promisify(execFile)
const root = process.cwd()
let dir: string
let installOutput: string

// The child processes must not inherit Jest's --experimental-vm-modules.
const env = { ...process.env, NODE_OPTIONS: '' }
const node = async (args: string[]): Promise<string> =>
  (await run(process.execPath, args, { cwd: dir, env })).stdout.trim()

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pqb-package-'))
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root, env })
  const tarball = (await readdir(dir)).find((name) => name.endsWith('.tgz'))!
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'package-proof', private: true }))
  const installed = await run(
    'npm',
    ['install', `./${tarball}`, 'passport', 'express', '--prefer-offline', '--no-audit', '--no-fund'],
    { cwd: dir, env },
  )
  installOutput = installed.stdout + installed.stderr
}, 120_000)

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

const ESM = `
import { QuickBloxStrategy, QuickBloxClient, QuickBloxCredentialsError } from 'passport-quickblox'
import { startEmulator } from 'passport-quickblox/emulator'
const exported = [QuickBloxStrategy, QuickBloxClient, QuickBloxCredentialsError, startEmulator]
console.log(JSON.stringify(exported.map((value) => typeof value)))
`

const CJS = `
const { QuickBloxStrategy, QuickBloxTokenStrategy } = require('passport-quickblox')
const { startEmulator } = require('passport-quickblox/emulator')
const passport = require('passport')
const express = require('express')

async function main() {
  const application = { id: 7, authKey: 'package-key', authSecret: 'package-secret' }
  const users = [{ login: 'amy', password: 'amy-password' }]
  const emulator = await startEmulator({ applications: [application], users })
  const { id: appId, authKey, authSecret } = application
  const strategy = new QuickBloxStrategy(
    { appId, authKey, authSecret, apiEndpoint: emulator.url, pool: false },
    async (user, session) => ({ id: user.id, login: user.login, hasToken: session.token.length > 0 }),
  )
  passport.use(strategy)
  const tokens = new QuickBloxTokenStrategy({ appId, apiEndpoint: emulator.url }, async (user) => user)
  // Passport's own base class (passport-strategy), as Passport's strategies extend it.
  const extendsPassport = [strategy, tokens].map((made) => made instanceof passport.Strategy)
  await tokens.close()
  const app = express()
  app.use(express.json())
  app.post('/login', passport.authenticate('quickblox', { session: false }), (req, res) => res.json(req.user))
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const login = (password) => fetch('http://127.0.0.1:' + server.address().port + '/login', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'amy', password }),
  })
  const ok = await login('amy-password')
  const refused = await login('wrong-password')
  const seeded = emulator.users[0].id
  console.log(JSON.stringify({ status: ok.status, user: await ok.json(), refused: refused.status, seeded, extendsPassport }))
  server.closeAllConnections()
  server.close()
  await strategy.close()
  await emulator.close()
}
main().catch((err) => { console.error(err); process.exit(1) })
`

describe('the packed package', () => {
  it('installs without an install-time script, so npm has nothing to warn about', async () => {
    const { scripts = {} } = JSON.parse(
      await readFile(join(dir, 'node_modules/passport-quickblox/package.json'), 'utf8'),
    ) as { scripts?: Record<string, string> }
    const installTime = ['preinstall', 'install', 'postinstall', 'prepare'].filter((name) => name in scripts)
    expect(installTime).toEqual([])
    expect(installOutput).not.toMatch(/install-scripts|install script/i)
  })

  it('imports as ESM, main entry and emulator entry', async () => {
    const out = await node(['--input-type=module', '-e', ESM])
    expect(JSON.parse(out)).toEqual(['function', 'function', 'function', 'function'])
  }, 120_000)

  it('is required from CommonJS, its strategies are instances of passport.Strategy, and logs a user in against the emulator', async () => {
    const out = await node(['--no-warnings', '-e', CJS])
    const result = JSON.parse(out.split('\n').pop()!)
    expect(result).toEqual({
      status: 200,
      user: { id: result.seeded, login: 'amy', hasToken: true },
      refused: 401,
      seeded: expect.any(Number),
      extendsPassport: [true, true],
    })
  }, 120_000)
})
