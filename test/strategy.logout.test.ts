// strategy.logout(token) ends the user's QuickBlox session; strategy.close() frees the client.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxStrategy, type QuickBloxSession } from '../lib/index.js'
import { startApp, type TestApp } from './helpers/app.js'
import { AMY, optionsFor, startTestEmulator } from './helpers/quickblox.js'

let emulator: Emulator
let strategy: QuickBloxStrategy
let app: TestApp
let lastSession: QuickBloxSession | undefined

beforeAll(async () => {
  emulator = await startTestEmulator()
  strategy = new QuickBloxStrategy(optionsFor(emulator), (user, session, done) => {
    lastSession = session
    done(null, { id: user.id, token: session.token })
  })
  app = await startApp(strategy)
})
afterAll(async () => {
  await app.close()
  await strategy.close()
  await emulator.close()
})

/** Asks the emulator, as any QuickBlox client would, whether a token still works. */
const sessionStatus = async (token: string): Promise<number> =>
  (await fetch(`${emulator.url}/session.json`, { headers: { 'QB-Token': token } })).status

describe('logout', () => {
  it('signing out of the app ends the QuickBlox session too', async () => {
    await app.agent.post('/login').send({ login: AMY.login, password: AMY.password }).expect(200)
    const token = lastSession!.token
    expect(await sessionStatus(token)).toBe(200)

    const res = await app.agent.post('/logout')
    expect(res.status).toBe(200)
    expect(emulator.counts()['DELETE /session.json']).toBe(1)
    expect(await sessionStatus(token)).toBe(401)
    expect((await app.agent.get('/me')).status).toBe(401)
  })

  it('strategy.logout(token) works outside a request as well', async () => {
    await app.agent.post('/login').send({ email: AMY.email, password: AMY.password }).expect(200)
    const token = lastSession!.token
    await strategy.logout(token)
    expect(await sessionStatus(token)).toBe(401)
  })
})

describe('close', () => {
  it('stops the client: later logins are errors, not hangs', async () => {
    const closing = new QuickBloxStrategy(optionsFor(emulator, { pool: { max: 2 } }), (user, _s, done) =>
      done(null, { id: user.id }),
    )
    const closingApp = await startApp(closing)
    try {
      await closingApp.agent.post('/login').send({ login: AMY.login, password: AMY.password }).expect(200)
      await closing.close()
      const res = await closingApp.agent.post('/outcome').send({ login: AMY.login, password: AMY.password })
      expect(res.status).toBe(503)
      expect(closingApp.outcomes.map((o) => o.kind)).toEqual(['error'])
    } finally {
      await closingApp.close()
      await closing.close()
    }
  })
})
