// examples/own-users: users in the app's own SQLite database, QuickBlox tokens from QuickBloxAdmin.
// Driven over HTTP end to end; the token is checked by QuickBloxTokenStrategy. Needs Node 22+
// (node:sqlite).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import request from 'supertest'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxAdmin, QuickBloxTokenStrategy } from 'passport-quickblox'
import { startEmulator } from 'passport-quickblox/emulator'
import { createApp } from '../examples/own-users/app.js'
import { DEMO_USERS, openUsers } from '../examples/own-users/users.js'

let qb: Emulator
let admin: QuickBloxAdmin
let users: Awaited<ReturnType<typeof openUsers>>
let app: ReturnType<typeof createApp>
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
  app = createApp({ users, admin, sessionSecret: 'own-users-test-secret' })
})
afterAll(async () => {
  await admin.close()
  await qb.close()
  users.close()
})

const signIn = async (username: string, password: string) => {
  const agent = request.agent(app)
  const res = await agent.post('/login').send({ username, password })
  return { agent, res }
}

describe('own users, QuickBlox chat', () => {
  it('signs a demo user in with the password hashed in SQLite, and refuses a wrong one', async () => {
    const { res } = await signIn(alice!.username, alice!.password)
    expect(res.status).toBe(200)
    expect(res.body.user).toMatchObject({ username: 'alice', name: 'Alice Example' })
    expect((await signIn('alice', 'wrong-password')).res.status).toBe(401)
    expect((await signIn('nobody', 'whatever-password')).res.status).toBe(401)
  })

  it('hands the signed-in user a QuickBlox token, creating the QuickBlox user on first sight', async () => {
    const { agent, res: login } = await signIn(alice!.username, alice!.password)
    qb.resetLog()
    const res = await agent.post('/api/quickblox/session').send({})
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const created = qb.users.find((user) => user.login === admin.loginFor(login.body.user.id))
    expect(created).toMatchObject({ full_name: 'Alice Example', application_id: qb.application.id })
    expect(res.body.userId).toBe(created!.id)
    expect(qb.counts()['POST /users.json']).toBe(1)

    const tokens = new QuickBloxTokenStrategy({ appId: qb.application.id, apiEndpoint: qb.url }, (user, _s, done) =>
      done(null, user),
    )
    try {
      await expect(tokens.check(res.body.token)).resolves.toMatchObject({ user: { id: created!.id } })
    } finally {
      await tokens.close()
    }

    qb.resetLog()
    expect((await agent.post('/api/quickblox/session').send({})).status).toBe(200)
    expect(qb.counts()['POST /users/:id/tokens']).toBe(1)
    expect(qb.counts()['POST /users.json']).toBe(0)
  })

  it("keeps the link: a newcomer who took the login of a user's deleted QuickBlox account is never theirs", async () => {
    const { agent } = await signIn('bob', 'bob-demo-password')
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

  it('answers 401 to nobody signed in, and after sign-out', async () => {
    expect((await request(app).post('/api/quickblox/session').send({})).status).toBe(401)
    const { agent } = await signIn(alice!.username, alice!.password)
    expect((await agent.post('/logout').send({})).status).toBe(200)
    expect((await agent.post('/api/quickblox/session').send({})).status).toBe(401)
  })

  it('takes JSON only on its POST routes', async () => {
    const res = await request(app).post('/login').type('form').send({ username: 'alice', password: alice!.password })
    expect(res.status).toBe(415)
  })

  it('runs with `npm start` on the emulator, with no QuickBlox account', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '../examples/own-users/server.js')], {
      env: { ...process.env, PORT: '0', QUICKBLOX_API_KEY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    try {
      let output = ''
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString()
          const match = /Own-users example on (http:\S+)/.exec(output)
          if (match) resolve(match[1]!)
        })
        child.on('exit', () => reject(new Error(`exited: ${output}`)))
      })
      expect(output).toContain('QuickBlox emulator on http://127.0.0.1:')
      const agent = request.agent(url)
      expect((await agent.post('/login').send({ username: 'bob', password: 'bob-demo-password' })).status).toBe(200)
      const res = await agent.post('/api/quickblox/session').send({})
      expect(res.status).toBe(200)
      expect(res.body.token).toMatch(/^[0-9a-f]{40}$/)
    } finally {
      child.kill('SIGTERM')
    }
  }, 20_000)
})
