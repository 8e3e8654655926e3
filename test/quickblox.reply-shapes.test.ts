// The shapes of QuickBlox's replies the client accepts, at their limits: a session token of up to
// 1024 characters with integer ids, users whose optional fields are absent or of their own types,
// and error reasons kept short and few, whatever QuickBlox (or a proxy posing as it) sends.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { type Emulator, startEmulator } from 'passport-quickblox/emulator'
import type { QuickBloxClient } from '../lib/quickblox/client.js'
import { clientFor } from './helpers/quickblox.js'

let qb: Emulator
let client: QuickBloxClient
const amy = { login: 'amy', password: 'amy-demo-password' }
const user = { id: 5, created_at: '2019-08-26T20:53:42Z', updated_at: '2019-08-26T20:53:42Z' }

beforeAll(async () => {
  qb = await startEmulator()
  client = clientFor(qb, { pool: false })
})
afterEach(() => qb.clearFaults())
afterAll(async () => {
  await client.close()
  await qb.close()
})

const sessionReply = (session: Record<string, unknown>): void =>
  qb.failNext('POST /session.json', {
    status: 201,
    body: { session: { token: 'abc', user_id: 0, application_id: 9, ...session } },
  })

describe('application session replies', () => {
  it('takes a token of 1024 characters, and the ids as given', async () => {
    sessionReply({ token: 't'.repeat(1024), user_id: 3, application_id: 9 })
    await expect(client.createApplicationSession()).resolves.toMatchObject({
      token: 't'.repeat(1024),
      userId: 3,
      applicationId: 9,
    })
  })

  it.each<[string, Record<string, unknown>]>([
    ['a token of 1025 characters', { token: 't'.repeat(1025) }],
    ['a user_id that is a string', { user_id: '0' }],
    ['no application_id', { application_id: undefined }],
    ['an application_id that is a fraction', { application_id: 9.5 }],
  ])('refuses %s as unreadable', async (_name, session) => {
    sessionReply(session)
    await expect(client.createApplicationSession()).rejects.toMatchObject({ code: 'QB_BAD_RESPONSE' })
  })

  it.each([
    ['a list', ['abc', 0, 9]],
    ['null', null],
  ])('refuses a session that is %s, not an object', async (_name, session) => {
    qb.failNext('POST /session.json', { status: 201, body: { session } })
    await expect(client.createApplicationSession()).rejects.toMatchObject({ code: 'QB_BAD_RESPONSE' })
  })
})

describe('login replies', () => {
  it('takes a user with every optional field of its own type', async () => {
    const full = {
      ...user,
      full_name: 'Amy',
      email: 'amy@example.com',
      login: 'amy',
      phone: '+1',
      website: 'https://a.example',
      last_request_at: '2019-08-26T20:53:42Z',
      facebook_id: '123',
      custom_data: '{}',
      parents_contacts: '',
      user_tags: 'a,b',
      age_over16: true,
      allow_statistics_analysis: true,
      allow_sales_activities: false,
      external_user_id: 77,
      blob_id: 'b1',
    }
    qb.failNext('POST /login.json', { status: 202, body: { user: full } })
    const { user: read } = await client.login(amy)
    expect(read).toEqual(full)
  })

  it('takes ids given as strings', async () => {
    qb.failNext('POST /login.json', {
      status: 202,
      body: { user: { ...user, external_user_id: 'ext-1', blob_id: 42 } },
    })
    await expect(client.login(amy)).resolves.toMatchObject({ user: { external_user_id: 'ext-1', blob_id: 42 } })
  })

  it.each<[string, unknown]>([
    ['a user that is an array', { user: [user] }],
    ['a negative id', { user: { ...user, id: -5 } }],
    ['a fractional id', { user: { ...user, id: 5.5 } }],
    ['an updated_at that is a number', { user: { ...user, updated_at: 1 } }],
    ['a website that is a boolean', { user: { ...user, website: true } }],
    ['a flag that is a number', { user: { ...user, allow_sales_activities: 0 } }],
    ['an external_user_id that is a boolean', { user: { ...user, external_user_id: true } }],
  ])('refuses %s as unreadable', async (_name, body) => {
    qb.failNext('POST /login.json', { status: 202, body })
    await expect(client.login(amy)).rejects.toMatchObject({
      code: 'QB_BAD_RESPONSE',
      message: 'QuickBlox answered a login without a readable user',
    })
  })
})

describe('error reasons', () => {
  const refusal = async (errors: unknown): Promise<string> => {
    qb.failNext('POST /session.json', { status: 422, body: { errors } })
    const error = await client.createApplicationSession().catch((e: unknown) => e)
    const prefix = 'QuickBlox refused the application credentials (appId/authKey/authSecret): '
    const message = (error as Error).message
    expect(message.startsWith(prefix)).toBe(true)
    return message.slice(prefix.length)
  }

  it('keeps at most 10 reasons of at most 200 characters each', async () => {
    const reasons = Array.from({ length: 12 }, (_, i) => `${String(i).padStart(2, '0')}${'r'.repeat(298)}`)
    const expected = reasons
      .slice(0, 10)
      .map((reason) => reason.slice(0, 200))
      .join('; ')
    expect(await refusal({ base: reasons })).toBe(expected)
    expect(await refusal(reasons)).toBe(expected)
  })

  it('keeps the reasons of at most 10 fields', async () => {
    const fields = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}`, 'bad']))
    expect(await refusal(fields)).toBe(Array.from({ length: 10 }, (_, i) => `f${i} bad`).join('; '))
  })

  it('reads a single reason given as text, and ignores reasons that are not text', async () => {
    expect(await refusal('Forbidden')).toBe('Forbidden')
    expect(await refusal({ base: [42, 'Unknown application', { nested: true }] })).toBe('Unknown application')
    expect(await refusal(42)).toBe('status 422')
  })
})
