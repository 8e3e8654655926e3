// quickbloxIdentityProvider on a real Express app, called as QuickBlox calls it (the Dashboard's
// templates: the secret header, IdP_user_ID and IdP_token as query or body parameters).
import { describe, expect, it, jest } from '@jest/globals'
import express from 'express'
import request from 'supertest'
import { quickbloxIdentityProvider, type QuickBloxIdentityProviderOptions } from 'passport-quickblox'

const SECRET = 'idp-secret-0123456789abcdef0123456789abcdef'
const USERS: Record<string, { token: string; name: string }> = { '42': { token: 'good-token-42', name: 'Amy' } }
const known = (userId: string, token: string) =>
  USERS[userId]?.token === token ? { uid: userId, fullName: USERS[userId].name } : undefined

function appWith(options: Partial<QuickBloxIdentityProviderOptions> = {}, parsers = false) {
  const verify = jest.fn(options.verify ?? known)
  const app = express()
  if (parsers) app.use(express.json(), express.urlencoded({ extended: false }))
  app.all('/quickblox/identity', quickbloxIdentityProvider({ secret: SECRET, ...options, verify }))
  return { app, verify }
}

const params = { IdP_user_ID: '42', IdP_token: 'good-token-42' }

describe('quickbloxIdentityProvider', () => {
  it('answers 200 with the uid and the user fields to a GET with the query parameters', async () => {
    const { app } = appWith()
    const res = await request(app).get('/quickblox/identity').query(params).set('X-IdP-Secret', SECRET)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ uid: '42', full_name: 'Amy' })
    expect(res.headers['cache-control']).toBe('no-store')
  })

  it.each([
    ['a form body', false, 'form'],
    ['a JSON body', false, 'json'],
    ['a form body parsed by Express', true, 'form'],
    ['a JSON body parsed by Express', true, 'json'],
  ] as const)('answers a POST with %s', async (_name, parsers, type) => {
    const { app } = appWith({}, parsers)
    const res = await request(app).post('/quickblox/identity').type(type).send(params).set('X-IdP-Secret', SECRET)
    expect(res.status).toBe(200)
    expect(res.body.uid).toBe('42')
  })

  it('sends uid as text, and login and email when verify gives them', async () => {
    const { app } = appWith({ verify: () => ({ uid: 42, login: 'amy', email: 'amy@example.com' }) })
    const res = await request(app).post('/quickblox/identity').send(params).set('X-IdP-Secret', SECRET)
    expect(res.body).toEqual({ uid: '42', login: 'amy', email: 'amy@example.com' })
  })

  it.each([
    ['no secret header', undefined],
    ['a wrong secret', 'x'.repeat(SECRET.length)],
    ['the secret with a byte more', `${SECRET}x`],
  ])('refuses %s with 403, without calling verify', async (_name, secret) => {
    const { app, verify } = appWith()
    const call = request(app).post('/quickblox/identity').send(params)
    const res = await (secret === undefined ? call : call.set('X-IdP-Secret', secret))
    expect(res.status).toBe(403)
    expect(res.body).toEqual({ errors: { base: ['Forbidden'] } })
    expect(verify).not.toHaveBeenCalled()
  })

  it('accepts each of several secrets while one is rotated', async () => {
    const next = 'next-secret-0123456789abcdef0123456789abcdef'
    const { app } = appWith({ secret: [next, SECRET] })
    const call = () => request(app).get('/quickblox/identity').query(params)
    expect((await call().set('X-IdP-Secret', next)).status).toBe(200)
    expect((await call().set('X-IdP-Secret', SECRET)).status).toBe(200)
    expect((await call().set('X-IdP-Secret', `${next}x`)).status).toBe(403)
  })

  it('reads the secret from the header the options name', async () => {
    const { app } = appWith({ header: 'X-QuickBlox-Key' })
    const call = () => request(app).get('/quickblox/identity').query(params)
    expect((await call().set('X-QuickBlox-Key', SECRET)).status).toBe(200)
    expect((await call().set('X-IdP-Secret', SECRET)).status).toBe(403)
  })

  it("refuses a wrong token or an unknown user with 401, QuickBlox's error shape", async () => {
    const { app } = appWith()
    for (const query of [
      { ...params, IdP_token: 'wrong-token' },
      { ...params, IdP_user_ID: '43' },
    ]) {
      const res = await request(app).get('/quickblox/identity').query(query).set('X-IdP-Secret', SECRET)
      expect(res.status).toBe(401)
      expect(res.body).toEqual({ errors: { base: ['Unauthorized'] } })
    }
  })

  it('answers 400 when a parameter is missing or not text, without calling verify', async () => {
    const { app, verify } = appWith({}, true)
    const post = (body: object) => request(app).post('/quickblox/identity').send(body).set('X-IdP-Secret', SECRET)
    expect((await post({ IdP_user_ID: '42' })).status).toBe(400)
    expect((await post({ IdP_user_ID: ['42', '43'], IdP_token: 'good-token-42' })).status).toBe(400)
    expect((await post({ IdP_user_ID: { id: '42' }, IdP_token: 'good-token-42' })).status).toBe(400)
    expect(verify).not.toHaveBeenCalled()
  })

  it('bounds what it reads: an id or token past its bound is refused unread, a body past 8 KiB is 413', async () => {
    const { app, verify } = appWith()
    const post = (body: object) => request(app).post('/quickblox/identity').send(body).set('X-IdP-Secret', SECRET)
    expect((await post({ IdP_user_ID: 'x'.repeat(257), IdP_token: 't' })).status).toBe(401)
    expect((await post({ IdP_user_ID: '42', IdP_token: 't'.repeat(2049) })).status).toBe(401)
    expect((await post({ ...params, padding: 'p'.repeat(9000) })).status).toBe(413)
    expect(verify).not.toHaveBeenCalled()
  })

  it('answers 415 to a body neither JSON nor a form, and 400 to malformed JSON', async () => {
    const { app } = appWith()
    const post = () => request(app).post('/quickblox/identity').set('X-IdP-Secret', SECRET)
    expect((await post().type('text/plain').send('IdP_user_ID=42')).status).toBe(415)
    expect((await post().type('json').send('{"IdP_user_ID":')).status).toBe(400)
  })

  it('answers 405 to a method other than GET or POST', async () => {
    const { app } = appWith({}, true)
    const res = await request(app).put('/quickblox/identity').send(params).set('X-IdP-Secret', SECRET)
    expect(res.status).toBe(405)
    expect(res.headers.allow).toBe('GET, POST')
  })

  it('answers 500 when verify throws, telling onError, with nothing of the error in the answer', async () => {
    const onError = jest.fn()
    const { app } = appWith({
      onError,
      verify: () => {
        throw new Error('database password hunter2 refused')
      },
    })
    const res = await request(app).post('/quickblox/identity').send(params).set('X-IdP-Secret', SECRET)
    expect(res.status).toBe(500)
    expect(res.body).toEqual({ errors: { base: ['Identity provider error'] } })
    expect(res.text).not.toContain('hunter2')
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'database password hunter2 refused' }))
  })

  it('answers 504 when verify takes longer than the timeout, aborting its signal', async () => {
    let signal: AbortSignal | undefined
    const onError = jest.fn()
    const { app } = appWith({
      timeout: 50,
      onError,
      verify: (_id, _token, context) => {
        signal = context.signal
        return new Promise(() => {})
      },
    })
    const res = await request(app).post('/quickblox/identity').send(params).set('X-IdP-Secret', SECRET)
    expect(res.status).toBe(504)
    expect(res.body).toEqual({ errors: { base: ['Identity provider timed out'] } })
    expect(signal?.aborted).toBe(true)
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('answers 500 when verify gives a user without a uid', async () => {
    const { app } = appWith({ verify: () => ({ uid: '' }) })
    const res = await request(app).post('/quickblox/identity').send(params).set('X-IdP-Secret', SECRET)
    expect(res.status).toBe(500)
  })

  it('refuses to start with a short secret, no verify, or a bad timeout or header', () => {
    const verify = () => undefined
    expect(() => quickbloxIdentityProvider({ secret: 'short', verify })).toThrow(/at least 32 characters/)
    expect(() => quickbloxIdentityProvider({ secret: [SECRET, 'short'], verify })).toThrow(/at least 32/)
    expect(() => quickbloxIdentityProvider({ secret: [], verify })).toThrow(/at least 32/)
    expect(() => quickbloxIdentityProvider({ secret: SECRET } as never)).toThrow(/verify must be a function/)
    expect(() => quickbloxIdentityProvider({ secret: SECRET, verify, timeout: 0 })).toThrow(/timeout/)
    expect(() => quickbloxIdentityProvider({ secret: SECRET, verify, header: 'X Bad' })).toThrow(/header/)
  })
})
