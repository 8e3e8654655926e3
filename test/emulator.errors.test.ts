import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { request, Agent } from 'node:http'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { appToken, call, sessionParams } from './helpers/emulator.js'

let qb: Emulator
beforeAll(async () => {
  qb = await startEmulator({
    users: [{ id: 7, login: 'amy', password: 'amy-password' }],
    applications: [{ id: 1, authKey: 'k', authSecret: 's' }],
  })
})
afterAll(() => qb.close())

const raw = (method: string, path: string, body: string, contentType = 'application/json', token?: string) =>
  call(`${qb.url}${path}`, method, {
    body,
    headers: { 'Content-Type': contentType, ...(token ? { 'QB-Token': token } : {}) },
  })

describe("error answers in QuickBlox's shapes", () => {
  it.each([
    ['an unknown path', 'GET', '/api/users/7.json'],
    ['an endpoint the emulator does not serve', 'GET', '/blobs.json'],
    ['an unknown method', 'PUT', '/session.json'],
    ['the root', 'GET', '/'],
  ])("answers 404 to %s with a web server's HTML page, not the API's JSON", async (_name, method, path) => {
    const answer = await call(`${qb.url}${path}`, method)
    expect(answer.status).toBe(404)
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/)
    expect(answer.json).toBeUndefined()
  })

  it.each([
    ['malformed JSON', '{"application_id": 1,'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"hi"'],
  ])('answers 400 to %s', async (_name, body) => {
    const answer = await raw('POST', '/session.json', body)
    expect(answer.status).toBe(400)
    expect(answer.json.errors.base).toHaveLength(1)
  })

  it.each([
    ['deep JSON nesting', 'application/json', `${'{"a":'.repeat(50)}1${'}'.repeat(50)}`],
    ['deep form nesting', 'application/x-www-form-urlencoded', `a${'[b]'.repeat(50)}=1`],
    ['a form field that is both text and nested', 'application/x-www-form-urlencoded', 'user=amy&user[login]=amy'],
    ['a nested form field then text', 'application/x-www-form-urlencoded', 'user[login]=amy&user=amy'],
    ['a form name with empty brackets', 'application/x-www-form-urlencoded', 'user[]=amy'],
    ['an object where text belongs', 'application/json', '{"application_id":{"x":1}}'],
  ])('answers 400 to %s', async (_name, contentType, body) => {
    const answer = await raw('POST', '/session.json', body, contentType)
    expect(answer.status).toBe(400)
    expect(answer.json).toEqual({ errors: { base: [expect.any(String)] } })
  })

  it.each(['application_id', 'auth_key', 'timestamp', 'nonce', 'signature'])(
    'answers 422 naming the missing %s',
    async (field) => {
      const params = sessionParams(qb.application)
      delete params[field]
      const answer = await call(`${qb.url}/session.json`, 'POST', { body: params })
      expect(answer.status).toBe(422)
      expect(answer.json).toEqual({ errors: { [field]: ["can't be blank"] } })
    },
  )

  it.each([
    ['no credentials', {}, 'login'],
    ['a password without login or email', { password: 'x' }, 'login'],
    ['a login without password', { login: 'amy' }, 'password'],
    ['facebook without a token', { provider: 'facebook' }, 'keys[token]'],
    [
      'firebase without a project',
      { provider: 'firebase_phone', firebase_phone: { access_token: 't' } },
      'firebase_phone[project_id]',
    ],
    [
      'firebase without a token',
      { provider: 'firebase_phone', firebase_phone: { project_id: 'p' } },
      'firebase_phone[access_token]',
    ],
    ['an unsupported provider', { provider: 'twitter' }, 'provider'],
  ])('answers POST /login.json with %s by 422', async (_name, body, field) => {
    const answer = await call(`${qb.url}/login.json`, 'POST', { token: await appToken(qb), body })
    expect(answer.status).toBe(422)
    expect(Object.keys(answer.json.errors)).toEqual([field])
  })

  it('answers a password sent as an object with 400', async () => {
    const answer = await call(`${qb.url}/login.json`, 'POST', {
      token: await appToken(qb),
      body: { login: 'amy', password: { $ne: 1 } },
    })
    expect(answer.status).toBe(400)
  })
})

describe('hostile input', () => {
  it('answers 413 to a body over 64 KiB, declared by Content-Length', async () => {
    const answer = await raw('POST', '/session.json', JSON.stringify({ pad: 'x'.repeat(70_000) }))
    expect(answer.status).toBe(413)
    expect(answer.json).toEqual({ errors: { base: ['Request entity too large'] } })
  })

  it('answers 413 to a chunked body that grows past 64 KiB, without reading the rest', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${qb.url}/session.json`,
        { method: 'POST', headers: { 'Content-Type': 'application/json' } },
        (res) => {
          res.resume()
          resolve(res.statusCode!)
          req.destroy()
        },
      )
      req.on('error', reject)
      const chunk = 'x'.repeat(16 * 1024)
      // Keeps sending until the emulator answers: it must not wait for the end of an endless body.
      const pump = (): void => {
        if (req.destroyed) return
        req.write(chunk)
        setImmediate(pump)
      }
      pump()
    })
    expect(status).toBe(413)
  })

  it.each([
    [
      'JSON',
      'application/json',
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},"login":"amy","password":"amy-password"}',
    ],
    [
      'form',
      'application/x-www-form-urlencoded',
      '__proto__[polluted]=1&constructor[prototype][polluted]=1&login=amy&password=amy-password',
    ],
  ])('ignores __proto__ and constructor keys in a %s body', async (_name, contentType, body) => {
    const answer = await raw('POST', '/login.json', body, contentType, await appToken(qb))
    expect(answer.status).toBe(202)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    const logged = qb.requests.at(-1)!.body as Record<string, unknown>
    expect(Object.keys(logged).sort()).toEqual(['login', 'password'])
  })

  it('treats a body without a JSON content type as a form', async () => {
    const answer = await raw('POST', '/login.json', 'login=amy&password=amy-password', 'text/plain', await appToken(qb))
    expect(answer.status).toBe(202)
  })

  it('keeps serving on the same keep-alive socket after bad requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const send = (body: string) =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = request(
          `${qb.url}/session.json`,
          { agent, method: 'POST', headers: { 'Content-Type': 'application/json' } },
          (res) => {
            res.resume()
            res.on('end', () => resolve({ status: res.statusCode!, reused: req.reusedSocket }))
          },
        )
        req.on('error', reject)
        req.end(body)
      })
    try {
      expect(await send('{not json')).toEqual({ status: 400, reused: false })
      expect(await send('[]')).toEqual({ status: 400, reused: true })
      expect(await send(JSON.stringify(sessionParams(qb.application)))).toEqual({ status: 201, reused: true })
    } finally {
      agent.destroy()
    }
  })
})
