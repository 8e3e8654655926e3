// What QuickBloxTokenStrategy's earlier tests let pass: where it reads the token from, what
// close() ends, how long a token stays refused after a failed forget() or a refused entry read
// from the shared store, what it writes back, and a plain node:http server without Express's `req.res`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import passport from 'passport'
import request from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { QuickBloxTokenStrategy, type TokenCacheOptions } from '../lib/index.js'
import { fakeClock } from './helpers/clock.js'
import { memoryStore } from './helpers/store.js'
import { recordDiagnostics } from './helpers/diagnostics.js'
import { sdkToken, startTokenApp, type TokenApp } from './helpers/token-app.js'

const APP = { id: 7171, authKey: 'mutants-key', authSecret: 'mutants-secret' }
const AMY = { login: 'amy', password: 'amy-password-1' }

let qb: Emulator
const apps: TokenApp[] = []
const strategies: QuickBloxTokenStrategy[] = []

beforeAll(async () => {
  qb = await startEmulator({ applications: [APP], users: [AMY] })
})
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()))
  await Promise.all(strategies.map((strategy) => strategy.close()))
  await qb.close()
})

function strategyWith(options: { cache?: TokenCacheOptions | false; qbTokenHeader?: boolean } = {}) {
  const strategy = new QuickBloxTokenStrategy(
    { appId: APP.id, apiEndpoint: qb.url, timeout: 5000, ...options },
    (user, _session, done) => done(null, { id: user.id }),
  )
  strategies.push(strategy)
  return strategy
}

async function appWith(options: Parameters<typeof strategyWith>[0] = {}): Promise<string> {
  const app = await startTokenApp(strategyWith(options))
  apps.push(app)
  return app.url
}

const sessionCalls = (): number => qb.counts()['GET /session.json']

describe('where the token is read from', () => {
  it('takes a Bearer token after several spaces', async () => {
    const url = await appWith()
    const token = await sdkToken(qb, AMY)
    expect((await request(url).get('/api/me').set('Authorization', `Bearer   ${token}`)).status).toBe(200)
  })

  it('reads no Bearer credential in another scheme whose text says bearer', async () => {
    const url = await appWith()
    qb.resetLog()
    const res = await request(url).get('/api/me').set('Authorization', 'Basic YW15OnB3 bearer')
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer realm="QuickBlox"')
    expect(sessionCalls()).toBe(0)
  })

  it('with qbTokenHeader, a request with the Bearer header alone counts', async () => {
    const url = await appWith({ qbTokenHeader: true })
    const token = await sdkToken(qb, AMY)
    expect((await request(url).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(200)
  })
})

describe('a plain node:http server, where the request has no res', () => {
  it('answers a malformed Bearer credential with 400 through the callback, throwing nothing', async () => {
    const strategy = strategyWith()
    const authenticator = new passport.Passport()
    authenticator.use('qb-token', strategy)
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      try {
        authenticator.authenticate(
          'qb-token',
          { session: false },
          (err: unknown, user: unknown, _c: unknown, status: unknown) => {
            res.writeHead(err ? 500 : user ? 200 : Number(status)).end()
          },
        )(req, res, () => res.writeHead(500).end())
      } catch {
        res.writeHead(500).end()
      }
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const res = await request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
        .get('/')
        .set('Authorization', 'Bearer two words')
      expect(res.status).toBe(400)
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})

describe('close()', () => {
  it('forgets the tokens it accepted and ends its client', async () => {
    const strategy = strategyWith()
    const token = await sdkToken(qb, AMY)
    await expect(strategy.check(token)).resolves.toMatchObject({ session: { token } })
    await strategy.close()
    qb.resetLog()
    await expect(strategy.check(token)).rejects.toMatchObject({ code: 'QB_UNAVAILABLE' })
    expect(sessionCalls()).toBe(0)
  })
})

describe('how long a token stays refused', () => {
  it("after a forget() the store could not hear: for ttlMs, not the negative cache's time", async () => {
    const clock = fakeClock()
    const { store, counts } = memoryStore({ failDelete: true })
    const strategy = strategyWith({ cache: { store, now: clock.now } })
    const token = await sdkToken(qb, AMY)
    await expect(strategy.check(token)).resolves.toMatchObject({ session: { token } })
    expect(counts.sets).toBe(2) // the token and its user
    await expect(strategy.forget(token)).rejects.toThrow('store down')
    clock.advance(10_000) // past negativeTtlMs (5 s), within ttlMs (60 s)
    await expect(strategy.check(token)).resolves.toBeUndefined()
  })

  it('after a refused entry read from the store: for the time the entry has left', async () => {
    const clock = fakeClock()
    const { store } = memoryStore()
    const writer = strategyWith({ cache: { store, now: clock.now } })
    const reader = strategyWith({ cache: { store, now: clock.now } })
    const applicationToken = await sdkToken(qb)
    await expect(writer.check(applicationToken)).resolves.toBeUndefined() // shared for 5 s
    clock.advance(4000)
    qb.resetLog()
    await expect(reader.check(applicationToken)).resolves.toBeUndefined() // 1 s left
    expect(sessionCalls()).toBe(0)
    clock.advance(2000)
    await expect(reader.check(applicationToken)).resolves.toBeUndefined()
    expect(sessionCalls()).toBe(1)
  })
})

describe('the shared store', () => {
  it('is not written again with what was read from it', async () => {
    const clock = fakeClock()
    const { store, counts } = memoryStore()
    const writer = strategyWith({ cache: { store, now: clock.now } })
    const reader = strategyWith({ cache: { store, now: clock.now } })
    const token = await sdkToken(qb, AMY)
    await expect(writer.check(token)).resolves.toMatchObject({ session: { token } })
    const written = counts.sets // the token, and its user
    await expect(reader.check(token)).resolves.toMatchObject({ session: { token } })
    expect(counts.sets).toBe(written)
  })
})

describe('diagnostics', () => {
  it('with cache: false, every check is a miss', async () => {
    const url = await appWith({ cache: false })
    const token = await sdkToken(qb, AMY)
    const recorder = recordDiagnostics()
    try {
      expect((await request(url).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(200)
      expect(recorder.of('token', 'asyncEnd').map((event) => event.fields.cache)).toEqual(['miss'])
    } finally {
      recorder.stop()
    }
  })
})
