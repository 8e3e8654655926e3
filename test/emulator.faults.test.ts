import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { get as httpGet } from 'node:http'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { appToken, call, createSession } from './helpers/emulator.js'
import { turnsUntil } from './helpers/diagnostics.js'

let qb: Emulator
beforeAll(async () => {
  qb = await startEmulator({
    users: [{ id: 7, login: 'amy', password: 'amy-password' }],
    applications: [{ id: 1, authKey: 'k', authSecret: 's' }],
  })
})
afterAll(() => qb.close())
beforeEach(() => {
  qb.clearFaults()
  qb.setLatency('*', 0)
  qb.setLatency('POST /session.json', 0)
})

const loginAmy = (token: string) =>
  call(`${qb.url}/login.json`, 'POST', { token, body: { login: 'amy', password: 'amy-password' } })
const userIdOf = async (token: string) => (await call(`${qb.url}/session.json`, 'GET', { token })).json.session.user_id

describe('status faults', () => {
  it.each([
    [500, 'Internal Server Error'],
    [503, 'Service Unavailable'],
    [418, 'Error 418'],
  ])('answers %i with a QuickBlox error body', async (status, message) => {
    qb.failNext('POST /session.json', { status })
    const answer = await createSession(qb)
    expect(answer.status).toBe(status)
    expect(answer.json).toEqual({ errors: [message] })
  })

  it('answers 429 with Retry-After and a given body', async () => {
    qb.failNext('POST /login.json', { status: 429, retryAfter: 30, body: { errors: ['Too many'] } })
    const answer = await loginAmy(await appToken(qb))
    expect(answer.status).toBe(429)
    expect(answer.headers.get('retry-after')).toBe('30')
    expect(answer.json).toEqual({ errors: ['Too many'] })
  })

  it('fails exactly the next N requests of that endpoint, then answers normally', async () => {
    qb.failNext('POST /session.json', { status: 503 }, 2)
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await createSession(qb)).status)
    expect(statuses).toEqual([503, 503, 201])
  })

  it('queues different faults in order and leaves other endpoints alone', async () => {
    qb.failNext('POST /session.json', { status: 500 })
    qb.failNext('POST /session.json', 'wrong-shape')
    const token = await call(`${qb.url}/session.json`, 'GET', { token: 'x' })
    expect(token.status).toBe(401)
    expect((await createSession(qb)).status).toBe(500)
    expect((await createSession(qb)).json).toEqual({ result: 'ok' })
  })

  it('forgets queued faults on clearFaults()', async () => {
    qb.failNext('POST /session.json', { status: 500 }, 5)
    qb.clearFaults()
    expect((await createSession(qb)).status).toBe(201)
  })

  it('serves counted faults in order: each for its count, then the next', async () => {
    qb.failNext('POST /session.json', { status: 503 }, 2)
    qb.failNext('POST /session.json', { status: 500 })
    qb.failNext('POST /session.json', 'wrong-shape', 2)
    const answers = []
    for (let i = 0; i < 6; i++) answers.push(await createSession(qb))
    expect(answers.map((a) => a.status)).toEqual([503, 503, 500, 201, 201, 201])
    expect(answers.map((a) => a.json.result ?? null)).toEqual([null, null, null, 'ok', 'ok', null])
  })

  it('forgets queued faults on clearFaults()', async () => {
    qb.failNext('POST /session.json', { status: 503 }, 5)
    expect((await createSession(qb)).status).toBe(503)
    qb.clearFaults()
    expect((await createSession(qb)).status).toBe(201)
  })

  it('rejects a bad fault count or endpoint', () => {
    expect(() => qb.failNext('POST /session.json', 'hang', 0)).toThrow(TypeError)
    expect(() => qb.failNext('POST /session.json', 'hang', 1.5)).toThrow(TypeError)
    expect(() => qb.failNext('POST /session.json', 'hang', Number.POSITIVE_INFINITY)).toThrow(TypeError)
    expect(() => qb.failNext('POST /session.json', 'hang', '2' as never)).toThrow(TypeError)
    expect(() => qb.failNext('GET /nowhere' as never, 'hang')).toThrow(TypeError)
  })
})

describe('broken answers', () => {
  it('garbage: the success status with an HTML page', async () => {
    qb.failNext('POST /login.json', 'garbage')
    const answer = await loginAmy(await appToken(qb))
    expect(answer.status).toBe(202)
    expect(answer.headers.get('content-type')).toBe('text/html')
    expect(answer.json).toBeUndefined()
    expect(answer.text).toMatch(/^<html>/)
  })

  it('truncated: the real answer cut half way (the login did happen)', async () => {
    const token = await appToken(qb)
    qb.failNext('POST /login.json', 'truncated')
    const answer = await loginAmy(token)
    expect(answer.status).toBe(202)
    expect(answer.json).toBeUndefined()
    expect(answer.text.startsWith('{"user":{"id":7')).toBe(true)
    expect(await userIdOf(token)).toBe(7)
  })

  it('cut: full Content-Length announced, half the body sent, connection dropped (the login did happen)', async () => {
    const token = await appToken(qb)
    qb.failNext('POST /login.json', 'cut')
    const res = await fetch(`${qb.url}/login.json`, {
      method: 'POST',
      headers: { 'QB-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'amy', password: 'amy-password' }),
    })
    expect(res.status).toBe(202)
    await expect(res.text()).rejects.toThrow()
    expect(qb.requests.at(-1)).toMatchObject({ endpoint: 'POST /login.json', status: null })
    expect(await userIdOf(token)).toBe(7)
  })

  it('cut: a node:http client gets part of the announced body, then an error', async () => {
    const token = await appToken(qb)
    const whole = Buffer.byteLength((await call(`${qb.url}/users/7.json`, 'GET', { token })).text)
    qb.failNext('GET /users/:id.json', 'cut')
    const outcome = await new Promise<{ length: number; received: number; error: string }>((resolve) => {
      const req = httpGet(`${qb.url}/users/7.json`, { headers: { 'QB-Token': token } }, (res) => {
        let received = 0
        res.on('data', (chunk: Buffer) => {
          received += chunk.length
        })
        res.on('error', (error) =>
          resolve({ length: Number(res.headers['content-length']), received, error: error.message }),
        )
        res.on('end', () => resolve({ length: Number(res.headers['content-length']), received, error: '' }))
      })
      req.on('error', (error) => resolve({ length: -1, received: 0, error: error.message }))
    })
    expect(outcome.length).toBe(whole)
    expect(outcome.received).toBe(Math.floor(whole / 2))
    expect(outcome.error).not.toBe('')
  })

  it('wrong-shape: the success status with JSON lacking the expected fields', async () => {
    qb.failNext('GET /users/:id.json', 'wrong-shape')
    const answer = await call(`${qb.url}/users/7.json`, 'GET', { token: await appToken(qb) })
    expect(answer.status).toBe(200)
    expect(answer.json.user).toBeUndefined()
  })

  it('expire-session: 401 Required session does not exist, and the token is gone', async () => {
    const token = await appToken(qb)
    qb.failNext('POST /login.json', 'expire-session')
    const answer = await loginAmy(token)
    expect(answer.status).toBe(401)
    expect(answer.json).toEqual({ errors: ['Required session does not exist'] })
    expect((await call(`${qb.url}/session.json`, 'GET', { token })).status).toBe(401)
  })

  it('reset: the connection is destroyed without an answer', async () => {
    qb.failNext('POST /session.json', 'reset')
    await expect(createSession(qb)).rejects.toThrow()
    expect(qb.requests.at(-1)).toMatchObject({ endpoint: 'POST /session.json', status: null })
    expect((await createSession(qb)).status).toBe(201)
  })

  it('hang: never answers (the client must time out), and the next request is served', async () => {
    qb.failNext('GET /session.json', 'hang')
    const token = await appToken(qb)
    const hung = fetch(`${qb.url}/session.json`, { headers: { 'QB-Token': token }, signal: AbortSignal.timeout(300) })
    await expect(hung).rejects.toThrow()
    expect((await call(`${qb.url}/session.json`, 'GET', { token })).status).toBe(200)
  })
})

describe('latency', () => {
  it('delays one endpoint by setLatency, leaving others prompt', async () => {
    qb.setLatency('POST /session.json', 300)
    const started = performance.now()
    await createSession(qb)
    expect(performance.now() - started).toBeGreaterThanOrEqual(250)
    expect(qb.requests.at(-1)!.durationMs).toBeGreaterThanOrEqual(250)
  })

  it('delays every endpoint with "*", and an endpoint setting wins over it', async () => {
    qb.setLatency('*', 800)
    qb.setLatency('POST /session.json', 0)
    const token = await appToken(qb)
    expect(qb.requests.at(-1)!.durationMs).toBeLessThan(800)
    const started = performance.now()
    await call(`${qb.url}/session.json`, 'GET', { token })
    expect(performance.now() - started).toBeGreaterThanOrEqual(750)
  })

  it('resets every endpoint with "*", including ones set one by one before', async () => {
    qb.setLatency('POST /session.json', 5000)
    qb.setLatency('*', 0)
    const started = performance.now()
    await createSession(qb)
    expect(performance.now() - started).toBeLessThan(2000)
  })
})

describe('close()', () => {
  it('ends hung requests, pending latency and keep-alive sockets promptly', async () => {
    const own = await startEmulator({ latency: { 'GET /session.json': 60_000 } })
    own.failNext('POST /session.json', 'hang')
    const hung = createSession(own).then(
      () => 'answered',
      () => 'failed',
    )
    const slow = call(`${own.url}/session.json`, 'GET', { token: 'x' }).then(
      () => 'answered',
      () => 'failed',
    )
    await turnsUntil(() => own.requests.length === 2) // both are in: one hung, one waiting out its latency
    const started = performance.now()
    await own.close()
    expect(await hung).toBe('failed')
    expect(await slow).toBe('failed')
    expect(performance.now() - started).toBeLessThan(5000)
    await own.close() // twice is harmless
    await expect(fetch(`${own.url}/session.json`)).rejects.toThrow()
  })
})
