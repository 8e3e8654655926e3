// Our errors speak the `http-errors` convention (`status`, `statusCode`, `expose`, `headers`), the
// one Express's, Koa's, Fastify's and NestJS's own error handling reads. The frameworks' tests
// (test/frameworks.*.test.ts) assert the answers there; this file asserts the shape, and Express's
// default error handler over real HTTP.
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import express from 'express'
import passport from 'passport'
import request from 'supertest'
import type { Emulator } from 'passport-quickblox/emulator'
import {
  QuickBloxConfigurationError,
  QuickBloxCredentialsError,
  QuickBloxError,
  QuickBloxRateLimitError,
  QuickBloxResponseError,
  QuickBloxStrategy,
  QuickBloxTimeoutError,
  QuickBloxUnavailableError,
  QuickBloxWrongPasswordError,
} from '../lib/index.js'
import * as library from '../lib/index.js'
import { AMY, optionsFor, startTestEmulator } from './helpers/quickblox.js'

describe('every error class', () => {
  // Each error is made inside its test, where a mutation tool sees which tests reach the constructor.
  it.each<[string, () => QuickBloxError, { code: string }, number]>([
    ['QuickBloxCredentialsError', () => new QuickBloxCredentialsError(), QuickBloxCredentialsError, 401],
    ['QuickBloxCredentialsError (403)', () => new QuickBloxCredentialsError('No', 403), QuickBloxCredentialsError, 403],
    ['QuickBloxConfigurationError', () => new QuickBloxConfigurationError('refused'), QuickBloxConfigurationError, 500],
    ['QuickBloxRateLimitError', () => new QuickBloxRateLimitError(30), QuickBloxRateLimitError, 429],
    ['QuickBloxUnavailableError', () => new QuickBloxUnavailableError(), QuickBloxUnavailableError, 503],
    ['QuickBloxTimeoutError', () => new QuickBloxTimeoutError(1000), QuickBloxTimeoutError, 504],
    ['QuickBloxResponseError', () => new QuickBloxResponseError(), QuickBloxResponseError, 502],
    ['QuickBloxWrongPasswordError', () => new QuickBloxWrongPasswordError(), QuickBloxWrongPasswordError, 422],
  ])("%s carries its class's code, status = statusCode, and expose for 4xx only", (_name, make, type, status) => {
    const error = make()
    expect(error.code).toBe(type.code)
    expect(error).toMatchObject({ status, statusCode: status, expose: status < 500 })
    expect(Object.keys(error.toJSON()).sort()).toEqual(['code', 'message', 'name', 'status'])
    if (!(error instanceof QuickBloxRateLimitError || error instanceof QuickBloxUnavailableError)) {
      expect(error.headers).toBeUndefined()
    }
  })

  it('has one distinct code per class the package exports', () => {
    const codes = Object.values(library as Record<string, unknown>)
      .filter((value) => typeof value === 'function' && value.prototype instanceof QuickBloxError)
      .map((type) => (type as { code: string }).code)
    expect(codes).toHaveLength(9)
    expect(new Set(codes).size).toBe(codes.length)
  })

  it('gives a rate-limit error a Retry-After header only when the delay is known', () => {
    expect(new QuickBloxRateLimitError(30).headers).toEqual({ 'Retry-After': '30' })
    expect(new QuickBloxRateLimitError(0).headers).toEqual({ 'Retry-After': '0' })
    expect(new QuickBloxRateLimitError(undefined).headers).toBeUndefined()
  })

  it("gives an outage error QuickBlox's Retry-After, or 30 seconds when QuickBlox named none", () => {
    expect(new QuickBloxUnavailableError('down', 120)).toMatchObject({
      retryAfter: 120,
      headers: { 'Retry-After': '120' },
    })
    expect(new QuickBloxUnavailableError()).toMatchObject({ retryAfter: 30, headers: { 'Retry-After': '30' } })
    expect(new QuickBloxUnavailableError('down', undefined).headers).toEqual({ 'Retry-After': '30' })
  })
})

describe("Express's default error handler", () => {
  let emulator: Emulator
  let strategy: QuickBloxStrategy
  let server: Server
  let url: string

  beforeAll(async () => {
    emulator = await startTestEmulator()
    strategy = new QuickBloxStrategy(optionsFor(emulator), async (user) => ({ id: user.id }))
    const auth = new passport.Passport()
    auth.use(strategy)
    const app = express()
    app.use(express.json())
    // No error handler of the app's own: Express's answers.
    app.post('/login', auth.authenticate('quickblox', { session: false }), (req, res) => {
      res.json(req.user)
    })
    server = app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterEach(() => emulator.clearFaults())
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await strategy.close()
    await emulator.close()
  })

  const login = () => request(url).post('/login').send({ login: AMY.login, password: AMY.password })

  it('answers a rate limit 429 with Retry-After', async () => {
    emulator.failNext('POST /login.json', { status: 429, retryAfter: 12 })
    const res = await login()
    expect(res.status).toBe(429)
    expect(res.headers['retry-after']).toBe('12')
  })

  it('answers a rate limit of unknown delay 429 without Retry-After', async () => {
    emulator.failNext('POST /login.json', { status: 429 })
    const res = await login()
    expect(res.status).toBe(429)
    expect(res.headers).not.toHaveProperty('retry-after')
  })

  it("answers a QuickBlox outage 503 with Retry-After (30 s, or QuickBlox's own), and an unreadable reply 502", async () => {
    emulator.failNext('POST /login.json', { status: 503 })
    const down = await login()
    expect([down.status, down.headers['retry-after']]).toEqual([503, '30'])
    emulator.failNext('POST /login.json', { status: 503, retryAfter: 120 })
    const told = await login()
    expect([told.status, told.headers['retry-after']]).toEqual([503, '120'])
    emulator.failNext('POST /login.json', 'garbage')
    expect((await login()).status).toBe(502)
  })
})
