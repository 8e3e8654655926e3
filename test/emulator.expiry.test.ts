import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { call, sessionParams, type Params } from './helpers/emulator.js'

const START = Date.parse('2026-03-01T08:00:00Z')
const MINUTE = 60_000
let qb: Emulator
let clock = START
beforeAll(async () => {
  qb = await startEmulator({
    now: () => clock,
    users: [{ id: 7, login: 'amy', password: 'amy-password' }],
    applications: [{ id: 1, authKey: 'k', authSecret: 's' }],
  })
})
afterAll(() => qb.close())

const emulatorNowS = (): number => Math.floor((clock + offset) / 1000)
let offset = 0
const advance = (ms: number): void => {
  offset += ms
  qb.advanceTime(ms)
}
async function newSession(extra: Params = {}): Promise<string> {
  const answer = await call(`${qb.url}/session.json`, 'POST', {
    body: sessionParams(qb.application, extra, { timestamp: emulatorNowS() }),
  })
  expect(answer.status).toBe(201)
  return answer.json.session.token
}
const getSession = (token: string) => call(`${qb.url}/session.json`, 'GET', { token })

describe('session expiry on the emulator clock', () => {
  it("states the expiry as now + 2 h in QuickBlox's header format", async () => {
    const token = await newSession()
    const answer = await getSession(token)
    const expected = new Date(clock + offset + 120 * MINUTE)
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d{3}Z$/, ' UTC')
    expect(answer.headers.get('qb-token-expirationdate')).toBe(expected)
  })

  it('keeps a token alive while it is used within 2 h of its last use', async () => {
    const token = await newSession()
    for (let i = 0; i < 3; i++) {
      advance(119 * MINUTE)
      expect((await getSession(token)).status).toBe(200)
    }
  })

  it('expires a token 2 h after its last use', async () => {
    const token = await newSession()
    advance(120 * MINUTE)
    const answer = await getSession(token)
    expect(answer.status).toBe(401)
    expect(answer.json).toEqual({ errors: { base: ['Required session does not exist'] } })
  })

  it('expires an upgraded (user) token the same way', async () => {
    const token = await newSession()
    expect(
      (await call(`${qb.url}/login.json`, 'POST', { token, body: { login: 'amy', password: 'amy-password' } })).status,
    ).toBe(202)
    advance(121 * MINUTE)
    expect((await call(`${qb.url}/users/7.json`, 'GET', { token })).status).toBe(401)
  })

  it('follows the injected clock itself, not only advanceTime', async () => {
    const token = await newSession()
    clock += 3 * 60 * MINUTE
    expect((await getSession(token)).status).toBe(401)
  })

  it('sends its own clock in the Date header, so a client can correct its timestamps', async () => {
    advance(90 * MINUTE)
    const answer = await call(`${qb.url}/session.json`, 'POST', {
      body: sessionParams(qb.application, {}, { timestamp: Math.floor(Date.now() / 1000) }),
    })
    expect(answer.headers.get('date')).toBe(new Date(clock + offset).toUTCString())
  })

  it('judges timestamps against the emulator clock: a request signed before advanceTime(61 min) is stale', async () => {
    const params = sessionParams(qb.application, {}, { timestamp: emulatorNowS() })
    advance(61 * MINUTE)
    const answer = await call(`${qb.url}/session.json`, 'POST', { body: params })
    expect(answer.status).toBe(422)
    expect(answer.json.errors.base).toEqual(['Unexpected timestamp'])
  })
})
