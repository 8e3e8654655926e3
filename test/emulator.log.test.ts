import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { appToken, call, createSession } from './helpers/emulator.js'

const SECRETS = ['amy-password', 'fb-secret-token', 'fb-app-secret', 'fire-token', 'the-auth-secret']
const lines: string[] = []
let qb: Emulator
beforeAll(async () => {
  qb = await startEmulator({
    log: (line) => lines.push(line),
    applications: [{ id: 1, authKey: 'k', authSecret: 'the-auth-secret' }],
    users: [
      { id: 7, login: 'amy', password: 'amy-password' },
      { id: 9, facebook: { token: 'fb-secret-token' } },
      { id: 10, firebase_phone: { project_id: 'p', access_token: 'fire-token' } },
    ],
  })
})
afterAll(() => qb.close())
beforeEach(() => qb.resetLog())

const fp = (token: string): string => createHash('sha256').update(token).digest('hex').slice(0, 12)

describe('request log and counts', () => {
  it("records a login's QuickBlox calls in order, with counts per endpoint", async () => {
    const token = await appToken(qb)
    await call(`${qb.url}/login.json`, 'POST', { token, body: { login: 'amy', password: 'amy-password' } })
    expect(qb.requests.map((r) => [r.endpoint, r.status])).toEqual([
      ['POST /session.json', 201],
      ['POST /login.json', 202],
    ])
    // Every endpoint is counted, from zero; only the two called count one each.
    const counts = qb.counts()
    expect(counts).toMatchObject({ 'GET /session.json': 0, 'POST /users.json': 0, 'PUT /users/:id.json': 0 })
    expect(Object.entries(counts).filter(([, count]) => count !== 0)).toEqual([
      ['POST /session.json', 1],
      ['POST /login.json', 1],
    ])
  })

  it('keeps method, path, headers, timing and the token fingerprint, never the token', async () => {
    const token = await appToken(qb)
    await call(`${qb.url}/users/7.json?x=1`, 'GET', {
      token,
      headers: { Authorization: 'Basic c2VjcmV0LWtleQ==', 'X-Trace': 't1' },
    })
    const entry = qb.requests.at(-1)!
    expect(entry).toMatchObject({
      endpoint: 'GET /users/:id.json',
      method: 'GET',
      path: '/users/7.json',
      status: 200,
      token: fp(token),
    })
    expect(entry.headers).toMatchObject({ 'qb-token': fp(token), authorization: '***', 'x-trace': 't1' })
    expect(entry.durationMs).toBeGreaterThanOrEqual(0)
    expect(Math.abs(entry.startedAt - Date.now())).toBeLessThan(60_000)
    expect(JSON.stringify(qb.requests)).not.toContain(token)
  })

  it.each([
    ['login password', { login: 'amy', password: 'amy-password' }, { login: 'amy', password: '***' }],
    [
      'facebook token and secret',
      { provider: 'facebook', keys: { token: 'fb-secret-token', secret: 'fb-app-secret' } },
      { provider: 'facebook', keys: { token: '***', secret: '***' } },
    ],
    [
      'firebase access token',
      { provider: 'firebase_phone', firebase_phone: { project_id: 'p', access_token: 'fire-token' } },
      { provider: 'firebase_phone', firebase_phone: { project_id: 'p', access_token: '***' } },
    ],
  ])('masks the %s in the logged body', async (_name, body, masked) => {
    await call(`${qb.url}/login.json`, 'POST', { token: await appToken(qb), body })
    expect(qb.requests.at(-1)!.body).toEqual(masked)
  })

  it('masks user[password] in a form session body', async () => {
    await createSession(qb, { user: { login: 'amy', password: 'amy-password' } }, 'form')
    expect(qb.requests.at(-1)!.body).toMatchObject({ user: { login: 'amy', password: '***' } })
  })

  it('logs unknown paths with a null endpoint and counts nothing for them', async () => {
    await call(`${qb.url}/nowhere.json`, 'GET')
    expect(qb.requests).toEqual([expect.objectContaining({ endpoint: null, status: 404, path: '/nowhere.json' })])
    expect(Object.values(qb.counts()).every((n) => n === 0)).toBe(true)
  })

  it('empties on resetLog()', async () => {
    await appToken(qb)
    qb.resetLog()
    expect(qb.requests).toHaveLength(0)
    expect(qb.counts()['POST /session.json']).toBe(0)
  })
})

describe('maxLogEntries', () => {
  it('keeps only the most recent entries, while counts() counts every request', async () => {
    const small = await startEmulator({ maxLogEntries: 3 })
    try {
      for (let i = 1; i <= 5; i++) await call(`${small.url}/users/${i}.json`, 'GET')
      await call(`${small.url}/nowhere.json`, 'GET')
      expect(small.requests.map((r) => r.path)).toEqual(['/users/4.json', '/users/5.json', '/nowhere.json'])
      expect(small.counts()['GET /users/:id.json']).toBe(5)
      small.resetLog()
      await call(`${small.url}/users/6.json`, 'GET')
      expect(small.requests.map((r) => r.path)).toEqual(['/users/6.json'])
      expect(small.counts()['GET /users/:id.json']).toBe(1)
    } finally {
      await small.close()
    }
  })

  it('keeps nothing with 0, and still counts', async () => {
    const none = await startEmulator({ maxLogEntries: 0 })
    try {
      await call(`${none.url}/users/1.json`, 'GET')
      expect(none.requests).toEqual([])
      expect(none.counts()['GET /users/:id.json']).toBe(1)
    } finally {
      await none.close()
    }
  })

  it.each([-1, 1.5, Number.NaN, '10'])('refuses %p', async (value) => {
    await expect(startEmulator({ maxLogEntries: value as number })).rejects.toThrow(TypeError)
  })
})

describe('log lines', () => {
  it('writes one line per request and never a password, token or secret', async () => {
    lines.length = 0
    const token = await appToken(qb)
    await call(`${qb.url}/login.json`, 'POST', { token, body: { login: 'amy', password: 'amy-password' } })
    await call(`${qb.url}/login.json`, 'POST', {
      token: await appToken(qb),
      body: { provider: 'facebook', keys: { token: 'fb-secret-token', secret: 'fb-app-secret' } },
    })
    await call(`${qb.url}/login.json`, 'POST', {
      token: await appToken(qb),
      body: { provider: 'firebase_phone', firebase_phone: { project_id: 'p', access_token: 'fire-token' } },
    })
    expect(lines).toHaveLength(6)
    expect(lines[1]).toMatch(/^POST \/login\.json 202 \d+ms$/)
    for (const secret of [...SECRETS, token]) expect(lines.join('\n')).not.toContain(secret)
  })
})
