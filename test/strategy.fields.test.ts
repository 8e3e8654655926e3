// Renamed and nested credential fields, in JSON and both urlencoded flavours; the query string
// only with allowQuery.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxStrategy } from '../lib/index.js'
import { startApp, type TestApp } from './helpers/app.js'
import { AMY, FACEBOOK_USER, optionsFor, startTestEmulator, totalCalls } from './helpers/quickblox.js'

let emulator: Emulator
const strategies: QuickBloxStrategy[] = []
const apps: TestApp[] = []
let renamed: Record<'json' | 'extended' | 'simple', TestApp>
let queryAllowed: TestApp
let queryRefused: TestApp

function strategyWith(extra: Parameters<typeof optionsFor>[1]): QuickBloxStrategy {
  const strategy = new QuickBloxStrategy(optionsFor(emulator, extra), (user, _s, done) => done(null, { id: user.id }))
  strategies.push(strategy)
  return strategy
}
async function track(app: Promise<TestApp>): Promise<TestApp> {
  apps.push(await app)
  return apps[apps.length - 1]!
}

beforeAll(async () => {
  emulator = await startTestEmulator()
  const custom = strategyWith({
    fields: { login: 'username', password: 'credentials.secret', provider: 'via', facebookToken: 'fb.access.token' },
  })
  renamed = {
    json: await track(startApp(custom, { parsing: 'json' })),
    extended: await track(startApp(custom, { parsing: 'extended' })),
    simple: await track(startApp(custom, { parsing: 'simple' })),
  }
  queryAllowed = await track(startApp(strategyWith({ allowQuery: true })))
  queryRefused = await track(startApp(strategyWith({})))
})
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
  await Promise.all(strategies.map((s) => s.close()))
  await emulator.close()
})
beforeEach(() => emulator.resetLog())

const amyId = (): number => emulator.users.find((u) => u.login === 'amy')!.id

describe('renamed fields with dotted paths', () => {
  it('reads them from a JSON body', async () => {
    const res = await renamed.json.agent
      .post('/login')
      .send({ username: AMY.login, credentials: { secret: AMY.password } })
    expect(res.status).toBe(200)
    expect(res.body.user.id).toBe(amyId())
  })

  it('reads them from an extended urlencoded body', async () => {
    const res = await renamed.extended.agent
      .post('/login')
      .type('form')
      .send(`username=amy&credentials%5Bsecret%5D=${AMY.password}`)
    expect(res.status).toBe(200)
    expect(res.body.user.id).toBe(amyId())
  })

  it('reads them from a flat urlencoded body (bracketed names)', async () => {
    const res = await renamed.simple.agent
      .post('/login')
      .type('form')
      .send(`username=amy&credentials%5Bsecret%5D=${AMY.password}`)
    expect(res.status).toBe(200)
    expect(res.body.user.id).toBe(amyId())
  })

  it('reads a renamed provider and a deeply nested token', async () => {
    const res = await renamed.simple.agent
      .post('/login')
      .type('form')
      .send(`via=facebook&fb%5Baccess%5D%5Btoken%5D=${FACEBOOK_USER.facebook.token}`)
    expect(res.status).toBe(200)
  })

  it('no longer reads the default names', async () => {
    const res = await renamed.json.agent.post('/outcome').send({ login: AMY.login, password: AMY.password })
    expect(res.status).toBe(400)
    expect(res.body.info.message).toBe('Missing credentials')
    expect(totalCalls(emulator)).toBe(0)
  })

  it('names the renamed field when its value is malformed', async () => {
    const res = await renamed.json.agent.post('/outcome').send({ username: AMY.login, credentials: { secret: ['a'] } })
    expect(res.status).toBe(400)
    expect(res.body.info.message).toMatch(/"credentials.secret" must be text/)
  })
})

describe('the query string', () => {
  it('is ignored by default: passwords in URLs end up in access logs', async () => {
    const res = await queryRefused.agent.post('/outcome').query({ login: AMY.login, password: AMY.password })
    expect(res.status).toBe(400)
    expect(totalCalls(emulator)).toBe(0)
  })

  it('is ignored with allowQuery false or left out, in a strategy built by the test itself', async () => {
    for (const extra of [{}, { allowQuery: false }]) {
      const app = await track(startApp(strategyWith(extra)))
      const res = await app.agent.post('/outcome').query({ login: AMY.login, password: AMY.password })
      expect(res.status).toBe(400)
    }
    expect(totalCalls(emulator)).toBe(0)
  })

  it('is read with allowQuery', async () => {
    const res = await queryAllowed.agent.post('/login').query({ login: AMY.login, password: AMY.password })
    expect(res.status).toBe(200)
    expect(res.body.user.id).toBe(amyId())
  })

  it('comes after the body with allowQuery', async () => {
    const res = await queryAllowed.agent
      .post('/login')
      .query({ password: 'wrong' })
      .send({ login: AMY.login, password: AMY.password })
    expect(res.status).toBe(200)
  })
})
