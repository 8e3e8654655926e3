// strategy.credentialsOf(req): the credentials authenticate() would send, or the message of its
// 400, read from a real Express request without asking QuickBlox (an app keys its rate limits
// with it). Over real HTTP: a route answers what it read.
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import express from 'express'
import request from 'supertest'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxStrategy, type QuickBloxStrategyOptions } from '../lib/index.js'
import { optionsFor, startTestEmulator, totalCalls } from './helpers/quickblox.js'

let emulator: Emulator
const strategies: QuickBloxStrategy[] = []
const servers: import('node:http').Server[] = []

beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(async () => {
  for (const server of servers) server.close()
  await Promise.all(strategies.map((s) => s.close()))
  await emulator.close()
})

/** An app whose `POST /read` answers `credentialsOf(req)` (with `?methods=` as the route's methods). */
async function reader(extra: Partial<QuickBloxStrategyOptions> = {}): Promise<string> {
  const strategy = new QuickBloxStrategy(optionsFor(emulator, extra), (user, _s, done) => done(null, user))
  strategies.push(strategy)
  const app = express()
  app.post('/read', express.json(), express.urlencoded({ extended: true }), (req, res) => {
    const methods = typeof req.query.methods === 'string' ? { methods: req.query.methods.split(',') } : {}
    try {
      res.json(strategy.credentialsOf(req, methods as never))
    } catch (err) {
      res.status(500).json({ thrown: (err as Error).message })
    }
  })
  const server = app.listen(0, '127.0.0.1')
  servers.push(server)
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('strategy.credentialsOf(req)', () => {
  it.each([
    [{ login: 'amy', password: 'pw' }, { credentials: { login: 'amy', password: 'pw' } }],
    [
      { login: '', email: 'bob@example.com', password: 'pw' },
      { credentials: { email: 'bob@example.com', password: 'pw' } },
    ],
    [{ provider: 'facebook', keys: { token: 't' } }, { credentials: { provider: 'facebook', keys: { token: 't' } } }],
    [{ login: 'amy' }, { message: 'Missing credentials' }],
    [{ login: 'amy', email: 'a@b.c', password: 'pw' }, { message: 'Give a login or an email, not both' }],
    [{ login: ['amy'], password: 'pw' }, { message: '"login" must be text' }],
  ])('reads %j as %j, asking QuickBlox nothing', async (body, expected) => {
    const url = await reader()
    const before = totalCalls(emulator)
    const res = await request(url).post('/read').send(body)
    expect(res.body).toEqual(expected)
    expect(totalCalls(emulator)).toBe(before)
  })

  it('reads renamed fields, and the query string only with allowQuery', async () => {
    const renamed = await reader({ fields: { login: 'username' } })
    expect((await request(renamed).post('/read').send({ username: 'amy', password: 'pw' })).body).toEqual({
      credentials: { login: 'amy', password: 'pw' },
    })
    const query = '/read?login=amy&password=pw'
    expect(
      (
        await request(await reader())
          .post(query)
          .send({})
      ).body,
    ).toEqual({ message: 'Missing credentials' })
    expect(
      (
        await request(await reader({ allowQuery: true }))
          .post(query)
          .send({})
      ).body,
    ).toEqual({
      credentials: { login: 'amy', password: 'pw' },
    })
  })

  it("applies a route's methods, and throws for methods the strategy does not accept", async () => {
    const url = await reader({ methods: ['login', 'facebook'] })
    const email = await request(url).post('/read?methods=login').send({ email: 'bob@example.com', password: 'pw' })
    expect(email.body).toEqual({ message: 'Logging in with email is not accepted here' })
    const none = await request(url).post('/read?methods=email').send({ email: 'bob@example.com', password: 'pw' })
    expect(none.body).toEqual({ thrown: "QuickBloxStrategy: none of the route's methods is accepted by the strategy" })
  })
})
