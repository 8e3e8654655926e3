// The emulator as QuickBlox with a Custom Identity Provider: `POST /session.json` with user[login]
// and user[password] asks the endpoint of a real Express app (quickbloxIdentityProvider with
// QuickBloxIdentityTokens), over real HTTP, and answers a user session or passes the refusal on.
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { QuickBloxIdentityTokens, quickbloxIdentityProvider, type IdentityProviderVerify } from 'passport-quickblox'
import { startEmulator, type Emulator, type EmulatorIdentityProvider } from 'passport-quickblox/emulator'
import { call, sessionParams, type Encoding } from './helpers/emulator.js'

const SECRET = 'idp-secret-0123456789abcdef0123456789abcdef'
const KEY = 'token-key-0123456789abcdef0123456789abcdef'
const NAMES: Record<string, string> = { '42': 'Amy', '43': 'Bob' }

let now = Date.now()
const tokens = new QuickBloxIdentityTokens({ key: KEY, now: () => now })
const checkToken: IdentityProviderVerify = (userId, token) =>
  tokens.verify(userId, token) ? { uid: userId, fullName: NAMES[userId] } : undefined
/** What the app's function does; each test may replace it. */
let verify = jest.fn<IdentityProviderVerify>(checkToken)

const servers: Server[] = []
async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

let appUrl: string
const emulators: Emulator[] = []
async function emulatorWith(provider: Partial<EmulatorIdentityProvider> = {}): Promise<Emulator> {
  const qb = await startEmulator({
    applications: [
      {
        id: 1,
        authKey: 'key',
        authSecret: 'secret',
        identityProvider: { url: `${appUrl}/quickblox/identity`, secret: SECRET, ...provider },
      },
    ],
    users: [],
  })
  emulators.push(qb)
  return qb
}

const logIn = (qb: Emulator, login: string, password: string, encoding: Encoding = 'json') =>
  call(`${qb.url}/session.json`, 'POST', {
    body: sessionParams(qb.application, { user: { login, password } }),
    encoding,
  })

beforeAll(async () => {
  const app = express()
  app.all(
    '/quickblox/identity',
    quickbloxIdentityProvider({ secret: SECRET, timeout: 200, verify: (...args) => verify(...args) }),
  )
  const server = app.listen(0, '127.0.0.1')
  servers.push(server)
  await new Promise((resolve) => server.once('listening', resolve))
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterEach(async () => {
  verify = jest.fn<IdentityProviderVerify>(checkToken)
  await Promise.all(emulators.splice(0).map((qb) => qb.close()))
})
afterAll(async () => {
  for (const server of servers) server.closeAllConnections()
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
})

describe('the emulator with a Custom Identity Provider', () => {
  it("creates the QuickBlox user on first sight, linked by the app's uid, and answers its user session", async () => {
    const qb = await emulatorWith()
    const { userId, token } = tokens.mint(42)
    const res = await logIn(qb, userId, token)
    expect(res.status).toBe(201)
    const user = qb.users.find((u) => u.identity_provider_uid === '42')
    expect(user).toMatchObject({ login: 'idp-42', full_name: 'Amy', application_id: 1 })
    expect(res.json.session.user_id).toBe(user!.id)
    expect(verify).toHaveBeenCalledWith('42', token, expect.anything())
    const session = await call(`${qb.url}/session.json`, 'GET', { token: res.json.session.token })
    expect(session.json.session.user_id).toBe(user!.id)
  })

  it('finds the same user next time, with a new token, and creates no other', async () => {
    const qb = await emulatorWith()
    const first = await logIn(qb, '42', tokens.mint(42).token)
    now += 60_000
    const second = await logIn(qb, '42', tokens.mint(42).token, 'form')
    expect(second.status).toBe(201)
    expect(second.json.session.user_id).toBe(first.json.session.user_id)
    expect(second.json.session.token).not.toBe(first.json.session.token)
    expect(qb.users).toHaveLength(1)
    const bob = await logIn(qb, '43', tokens.mint(43).token)
    expect(bob.json.session.user_id).not.toBe(first.json.session.user_id)
  })

  it("passes the endpoint's 401 on for a wrong token, another user's token or an expired one", async () => {
    const qb = await emulatorWith()
    const amys = tokens.mint(42).token
    for (const [login, password] of [
      ['42', 'not-a-token-at-all'],
      ['43', amys],
    ] as const) {
      const res = await logIn(qb, login, password)
      expect(res.status).toBe(401)
      expect(res.json).toEqual({ errors: { base: ['Unauthorized'] } })
    }
    now += 5 * 60_000
    expect((await logIn(qb, '42', amys)).status).toBe(401)
    expect(qb.users).toHaveLength(0)
  })

  it("is refused 403 by the endpoint without the secret header, and the app's function never runs", async () => {
    const qb = await emulatorWith({ secret: undefined })
    const res = await logIn(qb, '42', tokens.mint(42).token)
    expect(res.status).toBe(403)
    expect(res.json).toEqual({ errors: { base: ['Forbidden'] } })
    expect(verify).not.toHaveBeenCalled()
    const wrong = await emulatorWith({ secret: `${SECRET}-old` })
    expect((await logIn(wrong, '42', tokens.mint(42).token)).status).toBe(403)
    expect(verify).not.toHaveBeenCalled()
  })

  it("passes on the endpoint's 504 when the app's function hangs, and its 500 when it throws", async () => {
    const qb = await emulatorWith()
    verify.mockImplementation(() => new Promise(() => {}))
    const hung = await logIn(qb, '42', tokens.mint(42).token)
    expect(hung.status).toBe(504)
    expect(hung.json).toEqual({ errors: { base: ['Identity provider timed out'] } })
    verify.mockImplementation(() => {
      throw new Error('database down')
    })
    const threw = await logIn(qb, '42', tokens.mint(42).token)
    expect(threw.status).toBe(500)
    expect(threw.json).toEqual({ errors: { base: ['Identity provider error'] } })
    expect(qb.users).toHaveLength(0)
  })

  it('keeps the uid where no request can write it: a user who sets it on themselves is not the one found', async () => {
    const qb = await emulatorWith()
    const created = await call(`${qb.url}/users.json`, 'POST', {
      headers: { Authorization: `ApiKey ${qb.application.apiKey}` },
      body: { user: { login: 'mallory', password: 'mallory-password', identity_provider_uid: '42' } },
    })
    expect(created.status).toBe(201)
    const updated = await call(`${qb.url}/users/${created.json.user.id}.json`, 'PUT', {
      headers: { Authorization: `ApiKey ${qb.application.apiKey}` },
      body: { user: { full_name: 'Mallory', identity_provider_uid: '42' } },
    })
    expect(updated.status).toBe(200)
    const res = await logIn(qb, '42', tokens.mint(42).token)
    expect(res.json.session.user_id).not.toBe(created.json.user.id)
    expect(qb.users.find((u) => u.login === 'mallory')?.identity_provider_uid).toBeUndefined()
  })

  it('answers 422 when the login the endpoint gives is taken by another user, and creates nobody', async () => {
    const qb = await emulatorWith()
    qb.addUser({ login: 'amy', password: 'amy-password', application_id: 1 })
    verify.mockImplementation((userId) => ({ uid: userId, login: 'amy' }))
    const res = await logIn(qb, '42', 'any-token')
    expect(res.status).toBe(422)
    expect(res.json).toEqual({ errors: { login: ['has already been taken.'] } })
    expect(qb.users).toHaveLength(1)
  })

  it('asks with GET and maps the answer through custom templates', async () => {
    let seen: { method?: string; url?: string; header?: string | string[] } = {}
    const url = await listen((req, res) => {
      seen = { method: req.method, url: req.url, header: req.headers['app-key'] }
      res.setHeader('Content-Type', 'application/json')
      res.end(JSON.stringify({ user: { id: 7, name: 'Carol', mail: 'carol@example.com' } }))
    })
    const qb = await emulatorWith({
      url: `${url}/verify`,
      secret: undefined,
      method: 'GET',
      templates: {
        headers: { App_Key: 'static #{login}' },
        params: { user: '#{login}', token: '#{password}' },
        response: {
          uid: '#{user.id}',
          full_name: '#{user.name}',
          email: '#{user.mail}',
          external_user_id: '#{user.id}',
        },
      },
    })
    const res = await logIn(qb, 'carol', 'carols-token')
    expect(res.status).toBe(201)
    expect(seen).toEqual({ method: 'GET', url: '/verify?user=carol&token=carols-token', header: 'static carol' })
    expect(qb.users[0]).toMatchObject({
      identity_provider_uid: '7',
      login: 'idp-7',
      full_name: 'Carol',
      email: 'carol@example.com',
      external_user_id: 7,
    })
  })

  describe("the endpoint's faults, as the emulator answers them", () => {
    const answering = (status: number, body: string, type = 'application/json') =>
      listen((_req, res) => {
        res.writeHead(status, { 'Content-Type': type })
        res.end(body)
      })

    it('a 5xx or any other error status: passed on as it is', async () => {
      const url = await answering(503, '{"errors":["maintenance"]}')
      const res = await logIn(await emulatorWith({ url }), 'amy', 'token')
      expect(res.status).toBe(503)
      expect(res.json).toEqual({ errors: ['maintenance'] })
    })

    it.each([
      ['an HTML page', 200, '<html>hello</html>', 'text/html'],
      ['JSON without a uid', 200, '{"user":{"name":"Amy"}}', 'application/json'],
      ['a redirect', 302, '', 'text/plain'],
    ])('%s: 502', async (_name, status, body, type) => {
      const url = await answering(status, body, type)
      const res = await logIn(await emulatorWith({ url }), 'amy', 'token')
      expect(res.status).toBe(502)
      expect(res.json.errors.base[0]).toMatch(/^Identity provider/)
    })

    it('no answer within timeoutMs: 504', async () => {
      const url = await listen(() => {})
      const res = await logIn(await emulatorWith({ url, timeoutMs: 100 }), 'amy', 'token')
      expect(res.status).toBe(504)
      expect(res.json).toEqual({ errors: { base: ['Identity provider timed out'] } })
    })

    it('nothing listening: 502', async () => {
      const url = await listen(() => {})
      const server = servers.pop()!
      await new Promise((resolve) => server.close(resolve))
      const res = await logIn(await emulatorWith({ url }), 'amy', 'token')
      expect(res.status).toBe(502)
      expect(res.json).toEqual({ errors: { base: ['Identity provider unavailable'] } })
    })
  })

  it('refuses an identity provider that is not a http(s) URL, or waits past 10 s', async () => {
    const start = (identityProvider: unknown) =>
      startEmulator({
        applications: [{ id: 1, authKey: 'k', authSecret: 's', identityProvider } as never],
        users: [],
      })
    await expect(start({ url: 'ftp://example.com' })).rejects.toThrow(/identity provider/)
    await expect(start({ url: 'http://127.0.0.1/x', timeoutMs: 10_001 })).rejects.toThrow(/identity provider/)
    await expect(start({ url: 'http://127.0.0.1/x', templates: { params: { a: 1 } } })).rejects.toThrow(
      /identity provider/,
    )
  })
})
