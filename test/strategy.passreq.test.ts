// passReqToCallback: verify gets the request first, in both styles.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Request } from 'express'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxStrategy, type QuickBloxSession, type QuickBloxUser, type VerifyCallback } from '../lib/index.js'
import { startApp, type TestApp } from './helpers/app.js'
import { AMY, optionsFor, startTestEmulator } from './helpers/quickblox.js'

let emulator: Emulator
let withCallback: QuickBloxStrategy
let withPromise: QuickBloxStrategy
let callbackApp: TestApp
let promiseApp: TestApp

beforeAll(async () => {
  emulator = await startTestEmulator()
  withCallback = new QuickBloxStrategy(
    { ...optionsFor(emulator), passReqToCallback: true },
    (req: Request, user, session, done) => {
      done(null, {
        id: user.id,
        tenant: req.get('x-tenant'),
        remember: req.body.remember,
        sameUser: session.userId === user.id,
      })
    },
  )
  withPromise = new QuickBloxStrategy(
    { ...optionsFor(emulator), passReqToCallback: true },
    async (req: Request, user) => (req.get('x-tenant') === 'blocked' ? false : { id: user.id, path: req.path }),
  )
  callbackApp = await startApp(withCallback)
  promiseApp = await startApp(withPromise)
})
afterAll(async () => {
  await Promise.all([callbackApp.close(), promiseApp.close()])
  await Promise.all([withCallback.close(), withPromise.close()])
  await emulator.close()
})

describe('passReqToCallback', () => {
  it('gives verify the request, then the user and session', async () => {
    const res = await callbackApp.agent
      .post('/login')
      .set('X-Tenant', 'acme')
      .send({ login: AMY.login, password: AMY.password, remember: 'yes' })
    expect(res.status).toBe(200)
    expect(res.body.user).toEqual({ id: expect.any(Number), tenant: 'acme', remember: 'yes', sameUser: true })
  })

  it('works with an async verify that returns the user', async () => {
    const res = await promiseApp.agent.post('/login').send({ login: AMY.login, password: AMY.password })
    expect(res.status).toBe(200)
    expect(res.body.user).toEqual({ id: expect.any(Number), path: '/login' })
  })

  it('fails when the async verify decides from the request to refuse', async () => {
    const res = await promiseApp.agent
      .post('/outcome')
      .set('X-Tenant', 'blocked')
      .send({ login: AMY.login, password: AMY.password })
    expect(res.status).toBe(401)
    expect(res.body.kind).toBe('fail')
  })

  it('gives verify the user first when passReqToCallback is false or left out', async () => {
    for (const extra of [{}, { passReqToCallback: false as const }]) {
      const strategy = new QuickBloxStrategy({ ...optionsFor(emulator), ...extra }, (user, session, done) =>
        done(null, { id: user.id, sameUser: session.userId === user.id }),
      )
      const app = await startApp(strategy)
      try {
        const res = await app.agent.post('/login').send({ login: AMY.login, password: AMY.password })
        expect(res.status).toBe(200)
        expect(res.body.user).toEqual({ id: expect.any(Number), sameUser: true })
      } finally {
        await app.close()
        await strategy.close()
      }
    }
  })

  it('types the req-taking verify only for passReqToCallback: true (checked by tsc)', async () => {
    const verifyWithoutReq = (user: QuickBloxUser, _s: QuickBloxSession, done: VerifyCallback) => done(null, user)
    // @ts-expect-error: with passReqToCallback: true, verify must take the request first
    const mismatched = new QuickBloxStrategy({ ...optionsFor(emulator), passReqToCallback: true }, verifyWithoutReq)
    await mismatched.close()
    const verifyWithReq = (req: Request, user: QuickBloxUser, _s: QuickBloxSession, done: VerifyCallback) =>
      done(null, user)
    // @ts-expect-error: without it, a verify taking the request does not fit either
    const alsoMismatched = new QuickBloxStrategy(optionsFor(emulator), verifyWithReq)
    await alsoMismatched.close()
    expect(mismatched.name).toBe('quickblox')
  })
})
