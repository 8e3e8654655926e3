import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { call, pairs, sessionParams, sign, type Encoding, type Params } from './helpers/emulator.js'

const NOW = Date.parse('2026-01-15T12:00:00Z')
const nowS = NOW / 1000
let qb: Emulator
beforeAll(async () => {
  qb = await startEmulator({
    now: () => NOW,
    applications: [
      { id: 76730, authKey: '7quWEh-k6TqghXe', authSecret: 'the-secret' },
      { id: 2, authKey: 'k2', authSecret: 's2' },
    ],
    users: [
      { id: 7, login: 'amy', password: 'amy-password' },
      { id: 8, login: 'bob', password: 'bob-password' },
    ],
  })
})
afterAll(() => qb.close())

const post = (body: Params | string, encoding: Encoding = 'json') =>
  call(`${qb.url}/session.json`, 'POST', { body, encoding })
const UNEXPECTED_SIGNATURE = { errors: { base: ['Unexpected signature'] } }

describe('signature check', () => {
  it('signs the documented message (the sorted, unencoded name=value pairs)', () => {
    const message = pairs({ timestamp: 1567349756, nonce: 7334, auth_key: '7quWEh-k6TqghXe', application_id: 76730 })
      .sort()
      .join('&')
    expect(message).toBe('application_id=76730&auth_key=7quWEh-k6TqghXe&nonce=7334&timestamp=1567349756')
  })

  describe.each<Encoding>(['json', 'form'])('%s body', (encoding) => {
    it.each(['sha1', 'sha256'] as const)('accepts HMAC-%s', async (algorithm) => {
      const answer = await post(
        sessionParams(
          qb.application,
          { user: { login: 'amy', password: 'amy-password' } },
          { algorithm, timestamp: nowS },
        ),
        encoding,
      )
      expect(answer.status).toBe(201)
      expect(answer.json.session.user_id).toBe(7)
    })

    it('refuses a signature made with another secret', async () => {
      const answer = await post(
        sessionParams(qb.application, {}, { timestamp: nowS, secret: 'not-the-secret' }),
        encoding,
      )
      expect(answer.status).toBe(422)
      expect(answer.json).toEqual(UNEXPECTED_SIGNATURE)
    })

    it('refuses a signed body whose user was changed after signing', async () => {
      const signed = sessionParams(
        qb.application,
        { user: { login: 'amy', password: 'amy-password' } },
        { timestamp: nowS },
      )
      const answer = await post({ ...signed, user: { login: 'bob', password: 'bob-password' } }, encoding)
      expect(answer.status).toBe(422)
      expect(answer.json).toEqual(UNEXPECTED_SIGNATURE)
    })
  })

  it.each([
    ['too short', 'abc123'],
    ['not hex', 'z'.repeat(40)],
    ["the other application's", sign({ a: 1 }, 's2')],
  ])('refuses a %s signature', async (_name, signature) => {
    const answer = await post({ ...sessionParams(qb.application, {}, { timestamp: nowS }), signature })
    expect(answer.json).toEqual(UNEXPECTED_SIGNATURE)
  })

  it('accepts upper-case hex', async () => {
    const params = sessionParams(qb.application, {}, { timestamp: nowS })
    expect((await post({ ...params, signature: (params.signature as string).toUpperCase() })).status).toBe(201)
  })

  it.each([
    ['an unknown application id', { id: 999, authKey: '7quWEh-k6TqghXe', authSecret: 'the-secret' }],
    ['a wrong auth key', { id: 76730, authKey: 'wrong-key', authSecret: 'the-secret' }],
  ])('refuses %s with 422', async (_name, app) => {
    const answer = await post(sessionParams(app, {}, { timestamp: nowS }))
    expect(answer.status).toBe(422)
    expect(answer.json).toEqual({ errors: { base: ['Unknown application'] } })
  })

  it('checks each application against its own secret', async () => {
    const second = qb.applications[1]!
    const answer = await post(sessionParams(second, {}, { timestamp: nowS }))
    expect(answer.status).toBe(201)
    expect(answer.json.session.application_id).toBe(2)
  })
})

describe('timestamp and nonce', () => {
  it.each([
    ['59 minutes behind', -59],
    ['59 minutes ahead', 59],
  ])('accepts a timestamp %s', async (_name, minutes) => {
    expect((await post(sessionParams(qb.application, {}, { timestamp: nowS + minutes * 60 }))).status).toBe(201)
  })

  it.each([
    ['61 minutes behind', -61],
    ['61 minutes ahead', 61],
  ])('refuses a timestamp %s with 422', async (_name, minutes) => {
    const answer = await post(sessionParams(qb.application, {}, { timestamp: nowS + minutes * 60 }))
    expect(answer.status).toBe(422)
    expect(answer.json).toEqual({ errors: { base: ['Unexpected timestamp'] } })
  })

  it('refuses a timestamp that is not a number', async () => {
    expect((await post(sessionParams(qb.application, {}, { timestamp: 'soon' as unknown as number }))).json).toEqual({
      errors: { base: ['Unexpected timestamp'] },
    })
  })

  it('refuses a nonce that is not an integer', async () => {
    const answer = await post(sessionParams(qb.application, {}, { timestamp: nowS, nonce: 'abc' as unknown as number }))
    expect(answer.status).toBe(422)
    expect(answer.json).toEqual({ errors: { nonce: ['is invalid'] } })
  })

  it('refuses a replayed timestamp + nonce pair, in either encoding', async () => {
    const params = sessionParams(qb.application, {}, { timestamp: nowS, nonce: 424242 })
    expect((await post(params)).status).toBe(201)
    const replay = await post(params, 'form')
    expect(replay.status).toBe(422)
    expect(replay.json).toEqual({ errors: { base: ['Unexpected nonce'] } })
  })

  it('accepts the same nonce with another timestamp', async () => {
    expect((await post(sessionParams(qb.application, {}, { timestamp: nowS, nonce: 515151 }))).status).toBe(201)
    expect((await post(sessionParams(qb.application, {}, { timestamp: nowS + 1, nonce: 515151 }))).status).toBe(201)
  })

  it('does not let a badly signed request use up a nonce', async () => {
    const good = sessionParams(qb.application, {}, { timestamp: nowS, nonce: 616161 })
    expect((await post({ ...good, signature: sign({ x: 1 }, 'the-secret') })).status).toBe(422)
    expect((await post(good)).status).toBe(201)
  })
})
