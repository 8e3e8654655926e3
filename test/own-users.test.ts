// examples/own-users from the library's side: the chat token it hands out is one the token
// strategy accepts, until sign-out ends it; and which Node it runs on. Its routes, limits and
// server are tested by its own suite (`npm test -w examples/own-users`, examples/own-users/test/).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import request from 'supertest'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxAdmin, QuickBloxTokenStrategy } from 'passport-quickblox'
import { startEmulator } from 'passport-quickblox/emulator'
import { createApp } from '../examples/own-users/app.js'
import { DEMO_USERS, openUsers } from '../examples/own-users/users.js'

const ROOT = join(import.meta.dirname, '..')
const EXAMPLE = join(ROOT, 'examples/own-users')

describe('own users, QuickBlox chat', () => {
  let qb: Emulator
  let admin: QuickBloxAdmin
  let users: Awaited<ReturnType<typeof openUsers>>
  let tokens: QuickBloxTokenStrategy
  const [alice] = DEMO_USERS
  beforeAll(async () => {
    qb = await startEmulator()
    admin = new QuickBloxAdmin({
      apiKey: qb.application.apiKey,
      identityKey: 'own-users-test-identity-key-0123456789',
      apiEndpoint: qb.url,
      timeout: 3000,
    })
    users = await openUsers()
    tokens = new QuickBloxTokenStrategy({ appId: qb.application.id, apiEndpoint: qb.url }, (user, _s, done) =>
      done(null, user),
    )
  })
  afterAll(async () => {
    await tokens.close()
    await admin.close()
    await qb.close()
    users.close()
  })

  it("keeps the link: a newcomer who took the login of a user's deleted QuickBlox account is never theirs", async () => {
    const app = createApp({ users, admin, sessionSecret: 'own-users-test-secret', log: () => {} })
    const agent = request.agent(app)
    expect((await agent.post('/login').send({ username: 'bob', password: 'bob-demo-password' })).status).toBe(200)
    const first = (await agent.post('/api/quickblox/session').send({})).body as { token: string; userId: number }
    const { login } = qb.users.find((user) => user.id === first.userId)!
    // Bob deletes his QuickBlox account with his token; someone who had seen its login takes it.
    const gone = await fetch(`${qb.url}/users/${first.userId}.json`, {
      method: 'DELETE',
      headers: { 'QB-Token': first.token },
    })
    expect(gone.status).toBe(200)
    const squatter = await admin.createUser({ login: login! })
    const second = (await agent.post('/api/quickblox/session').send({})).body as { userId: number }
    expect(second.userId).not.toBe(squatter.id)
    expect(second.userId).not.toBe(first.userId)
    expect(((await agent.post('/api/quickblox/session').send({})).body as { userId: number }).userId).toBe(
      second.userId,
    )
  })

  it('hands out a token QuickBloxTokenStrategy accepts as the user it created, and sign-out ends it', async () => {
    const app = createApp({ users, admin, sessionSecret: 'own-users-test-secret', log: () => {} })
    const agent = request.agent(app)
    const login = await agent.post('/login').send({ username: alice!.username, password: alice!.password })
    expect(login.status).toBe(200)
    const res = await agent.post('/api/quickblox/session').send({})
    expect(res.status).toBe(200)
    const created = qb.users.find((user) => user.login === admin.loginFor(login.body.user.id))
    await expect(tokens.check(res.body.token)).resolves.toMatchObject({ user: { id: created!.id } })

    expect((await agent.post('/logout').send({})).status).toBe(200)
    await tokens.forget(res.body.token) // drop the cached check, so QuickBlox is asked again
    await expect(tokens.check(res.body.token)).resolves.toBeUndefined()
  })
})

describe('the Node it needs', () => {
  const run = promisify(execFile)
  const pretending = (version: string) => ({
    ...process.env,
    // Every Node that npm starts for the scripts reports this version.
    NODE_OPTIONS: `--import=data:text/javascript,Object.defineProperty(process.versions,'node',{value:'${version}'})`,
  })
  const engines = (JSON.parse(readFileSync(join(EXAMPLE, 'package.json'), 'utf8')) as { engines: { node: string } })
    .engines.node

  it('declares what node:sqlite needs: 22.13 on the 22 line, 24 and later', () => {
    expect(engines).toBe('^22.13.0 || >=24.0.0')
  })

  // As engines reads: 22.13 and later 22.x, 24 and later.
  it.each([
    ['20.20.2', 1],
    ['22.12.0', 1],
    ['22.13.0', 0],
    ['22.22.1', 0],
    ['23.11.0', 1],
    ['24.0.0', 0],
    ['26.1.0', 0],
  ])('on Node %s the check exits with %i', async (version, code) => {
    const outcome = await run(process.execPath, [join(EXAMPLE, 'check-node.js')], { env: pretending(version) }).then(
      () => 0,
      (err: { code: number; stderr: string }) => {
        expect(err.stderr).toContain(
          `needs Node 22.13 or later 22.x, or Node 24 or later (it uses node:sqlite); this is Node ${version}`,
        )
        return err.code
      },
    )
    expect(outcome).toBe(code)
  })

  it.each([
    ['npm install, in the example', ['run', 'preinstall', '-w', 'examples/own-users']],
    ['npm test, in the example', ['test', '-w', 'examples/own-users']],
    ['npm test, at the root', ['test']],
  ])('%s on Node 20 stops first, saying which Node to use', async (_what, args) => {
    const err = await run('npm', ['--silent', ...args], { cwd: ROOT, env: pretending('20.20.2') }).then(
      () => undefined,
      (e: { code: number; stdout: string; stderr: string }) => e,
    )
    expect(err?.code).toBe(1)
    expect(err?.stderr).toContain('examples/own-users needs Node 22.13 or later 22.x, or Node 24 or later')
    expect(err?.stdout).toBe('') // nothing after the check ran: no build, no test runner
  })
})
