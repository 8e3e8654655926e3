// The example app's sign-in limits over real HTTP against the emulator: what counts (only
// attempts that pass the CSRF check and the strategy's validation), bursts of concurrent
// attempts counted before QuickBlox is asked, and one counter per account whichever field
// names it. The client address of each request is picked with X-Forwarded-For from a trusted
// loopback proxy.
import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals'
import request from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { csrfFrom, startExample, testLimits, type ExampleApp } from './helpers/example-app.js'

const AMY = { login: 'amy', password: 'amy-demo-password' }
const BOB = { email: 'bob@example.com', password: 'bob-demo-password' }

let emulator: Emulator
const apps: ExampleApp[] = []

beforeAll(async () => {
  emulator = await startEmulator()
})
afterEach(async () => {
  emulator.clearFaults()
  emulator.setLatency('POST /login.json', 0)
  await Promise.all(apps.splice(0).map((app) => app.close()))
})
afterAll(async () => {
  await emulator.close()
})

async function limitedApp(given: Parameters<typeof testLimits>[0]) {
  const app = await startExample({ emulator, app: { trustProxy: 'loopback', limits: testLimits(given) } })
  apps.push(app)
  const login = (from: string, body: object) =>
    request(app.url).post('/api/login').set('X-Forwarded-For', from).send(body)
  /** A form sign-in from `from`, with a CSRF token of its own. */
  const formLogin = async (from: string, form: Record<string, string>) => {
    const agent = request.agent(app.url)
    const _csrf = await csrfFrom(agent)
    return agent
      .post('/login')
      .set('X-Forwarded-For', from)
      .type('form')
      .send({ ...form, _csrf })
  }
  return { app, login, formLogin }
}
const logins = (): number => emulator.counts()['POST /login.json'] ?? 0
const statuses = (responses: { status: number }[]) => responses.map((r) => r.status)
const count = (list: number[], status: number) => list.filter((s) => s === status).length

describe('per address', () => {
  it('limits sign-in attempts per address: 429 with Retry-After (page and API)', async () => {
    const { login, formLogin } = await limitedApp({ address: 2 })
    expect((await login('192.0.2.1', { login: 'nobody', password: 'x' })).status).toBe(401)
    expect((await login('192.0.2.1', AMY)).status).toBe(200)
    const res = await login('192.0.2.1', AMY)
    expect(res.status).toBe(429)
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    expect(res.body.error).toMatch(/Too many sign-in attempts/)
    expect((await login('192.0.2.2', AMY)).status).toBe(200) // another address
    const page = await formLogin('192.0.2.1', { login: 'amy', password: 'amy-demo-password' })
    expect(page.status).toBe(429)
    expect(page.text).toContain('Too many sign-in attempts')
  })

  it('counts nothing that fails the CSRF check or validation: junk from another site cannot lock a visitor out', async () => {
    const { app, login, formLogin } = await limitedApp({ address: 3 })
    const from = '192.0.2.5'
    emulator.resetLog()
    for (let i = 0; i < 60; i++) {
      const noToken = await request(app.url)
        .post('/login')
        .set('X-Forwarded-For', from)
        .type('form')
        .send({ login: 'amy', password: 'x' })
      expect(noToken.status).toBe(403)
    }
    for (const junk of [{ login: 'amy' }, { password: 'x' }, { login: ['a'], password: 'x' }, {}]) {
      for (let i = 0; i < 15; i++) expect((await login(from, junk)).status).toBe(400)
    }
    const crossSite = await request(app.url)
      .post('/api/login')
      .set('X-Forwarded-For', from)
      .set('Content-Type', 'text/plain')
      .send('{"login":"amy","password":"x"}')
    expect(crossSite.status).toBe(415)
    expect((await formLogin(from, { login: 'amy' })).status).toBe(400) // with its CSRF token, still invalid
    expect(logins()).toBe(0)
    expect((await formLogin(from, { login: 'amy', password: 'amy-demo-password' })).status).toBe(303)
  })
})

describe('per account and address', () => {
  it('stops guessing an account from one address, while its owner signs in from another', async () => {
    const { login } = await limitedApp({ accountAddress: 2 })
    expect((await login('192.0.2.1', { login: 'amy', password: 'wrong-1' })).status).toBe(401)
    expect((await login('192.0.2.1', { login: ' AMY ', password: 'wrong-2' })).status).toBe(401) // login normalized
    emulator.resetLog()
    const blocked = await login('192.0.2.1', AMY) // even the right password, from that address
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
    expect(logins()).toBe(0) // refused before asking QuickBlox
    expect((await login('192.0.2.1', BOB)).status).toBe(200) // another account from that address
    expect((await login('198.51.100.7', AMY)).status).toBe(200) // the owner, elsewhere
  })

  it('counts a burst before QuickBlox is asked: 40 wrong passwords at once get 5 answers of 401', async () => {
    const { login } = await limitedApp({ accountAddress: 5 })
    emulator.setLatency('POST /login.json', 200) // so that the first ones are still in flight as the rest arrive
    emulator.resetLog()
    const burst = statuses(
      await Promise.all(Array.from({ length: 40 }, (_, i) => login('192.0.2.7', { login: 'amy', password: `w${i}` }))),
    )
    expect(count(burst, 401)).toBe(5)
    expect(count(burst, 429)).toBe(35)
    expect(logins()).toBe(5)
  })

  it('bounds a burst spread over addresses by each address and by the account', async () => {
    const { login } = await limitedApp({ accountAddress: 3, account: 8 })
    emulator.setLatency('POST /login.json', 200)
    emulator.resetLog()
    const from = ['192.0.2.31', '192.0.2.32', '192.0.2.33', '192.0.2.34']
    const burst = await Promise.all(
      from.map((address) =>
        Promise.all(Array.from({ length: 10 }, (_, i) => login(address, { login: 'dan', password: `w${i}` }))),
      ),
    )
    for (const fromOne of burst) expect(count(statuses(fromOne), 401)).toBeLessThanOrEqual(3)
    const all = burst.flatMap(statuses)
    expect(count(all, 401)).toBeLessThanOrEqual(8)
    expect(count(all, 401) + count(all, 429)).toBe(40)
    expect(logins()).toBe(count(all, 401))
  })

  it('gives a correct sign-in its place back: ten in a row never lock the owner out', async () => {
    const { login } = await limitedApp({ accountAddress: 2, account: 2 })
    for (let i = 0; i < 10; i++) expect((await login('192.0.2.8', AMY)).status).toBe(200)
    expect((await login('192.0.2.8', { login: 'amy', password: 'wrong' })).status).toBe(401)
    expect((await login('192.0.2.8', AMY)).status).toBe(200)
  })

  it('does not count missing credentials (400) or QuickBlox outages (503) against the account', async () => {
    const { login } = await limitedApp({ accountAddress: 1, account: 1 })
    expect((await login('192.0.2.1', { login: 'amy' })).status).toBe(400)
    emulator.failNext('POST /login.json', { status: 503 })
    expect((await login('192.0.2.1', { login: 'amy', password: 'wrong' })).status).toBe(503)
    expect((await login('192.0.2.1', AMY)).status).toBe(200)
  })

  it('keeps one counter per account, whichever field names it and however it is written', async () => {
    const { login, formLogin } = await limitedApp({ accountAddress: 3 })
    const from = '192.0.2.9'
    expect((await login(from, { email: 'bob@example.com', password: 'wrong-1' })).status).toBe(401)
    expect((await login(from, { login: '', email: ' BOB@Example.com', password: 'wrong-2' })).status).toBe(401)
    expect((await formLogin(from, { login: 'Bob@example.com ', password: 'wrong-3' })).status).toBe(401)
    expect((await login(from, BOB)).status).toBe(429)
    expect((await login(from, { login: 'bob@example.com', password: 'x' })).status).toBe(429) // as a login too
    expect((await login(from, AMY)).status).toBe(200) // another account
    // An empty login names no account: the email does, so another email has a counter of its own.
    expect((await login(from, { login: '', email: 'nobody@example.com', password: 'x' })).status).toBe(401)
  })
})

describe('per account', () => {
  it('has a ceiling per account across addresses, above the per-address limit', async () => {
    const { login } = await limitedApp({ accountAddress: 2, account: 3 })
    for (const from of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
      expect((await login(from, { login: 'amy', password: 'wrong' })).status).toBe(401)
    }
    expect((await login('198.51.100.7', AMY)).status).toBe(429)
    expect((await login('198.51.100.7', BOB)).status).toBe(200)
  })
})
