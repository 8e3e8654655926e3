import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator, type EmulatorApplication } from 'passport-quickblox/emulator'
import { call, sessionParams } from './helpers/emulator.js'

// GET /users.json, the SDK's QB.users.listUsers: QuickBlox's paging, filters and order.
const app: EmulatorApplication = { id: 81, authKey: 'key-81', authSecret: 'secret-81', apiKey: 'api-key-81' }
const other: EmulatorApplication = { id: 82, authKey: 'key-82', authSecret: 'secret-82' }
const START = Date.parse('2026-05-01T10:00:00Z')
let qb: Emulator
let token: string
const ids: Record<string, number> = {}

beforeAll(async () => {
  qb = await startEmulator({ applications: [app, other], users: [], now: () => START })
  // One user a second, so that each has a created_at of its own.
  const people = [
    { login: 'ann', email: 'ann@example.com', full_name: 'Ann Archer', external_user_id: 11 },
    { login: 'ben', email: 'Ben@Example.com', full_name: 'Ben Baker', external_user_id: 22 },
    { login: 'cat', full_name: 'Aaron Cole' },
    { login: 'dan', email: 'dan@example.com', full_name: 'Dan Dare', external_user_id: 44 },
    { login: 'eve', email: 'eve@example.com', full_name: 'Eve Archer', external_user_id: 55 },
  ]
  for (const person of people) {
    ids[person.login] = qb.addUser({ ...person, password: 'list-password', application_id: app.id }).id
    qb.advanceTime(1000)
  }
  qb.addUser({ login: 'zed', email: 'zed@example.com', application_id: other.id })
  const session = await call(`${qb.url}/session.json`, 'POST', {
    body: sessionParams(app, {}, { timestamp: Math.floor(START / 1000) }),
  })
  token = session.json.session.token
})
afterAll(() => qb.close())

const list = (query = '', auth: { token?: string; headers?: Record<string, string> } = { token }) =>
  call(`${qb.url}/users.json${query}`, 'GET', auth)
const f = (filter: string): string => `filter[]=${encodeURIComponent(filter)}`
/** The logins a query lists, in order. */
async function logins(query: string): Promise<string[]> {
  const answer = await list(query)
  expect(answer.status).toBe(200)
  return answer.json.items.map((item: { user: { login: string } }) => item.user.login)
}

describe('GET /users.json', () => {
  it('lists the application’s users a page at a time in QuickBlox’s shape, by id', async () => {
    const answer = await list()
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({ current_page: 1, per_page: 10, total_entries: 5 })
    expect(answer.json.items).toHaveLength(5)
    expect(answer.json.items[0]).toEqual({
      user: expect.objectContaining({ id: ids.ann, login: 'ann', email: 'ann@example.com', external_user_id: 11 }),
    })
    expect(answer.json.items.map((item: { user: { login: string } }) => item.user.login)).toEqual([
      'ann',
      'ben',
      'cat',
      'dan',
      'eve',
    ])
  })

  it('pages with page and per_page', async () => {
    const answer = await list('?page=2&per_page=2')
    expect(answer.json).toMatchObject({ current_page: 2, per_page: 2, total_entries: 5 })
    expect(answer.json.items.map((item: { user: { login: string } }) => item.user.login)).toEqual(['cat', 'dan'])
    expect(await logins('?page=4&per_page=2')).toEqual([])
  })

  it.each([
    ['a page that is not a whole number', '?page=abc&per_page=2', 1, 2],
    ['page 0', '?page=0&per_page=2', 1, 2],
    ['per_page 0', '?per_page=0', 1, 10],
    ['per_page over 100', '?per_page=1000', 1, 100],
  ])('takes the default for %s', async (_name, query, page, perPage) => {
    const answer = await list(query)
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({ current_page: page, per_page: perPage })
  })

  it('filters by a list of ids', async () => {
    expect(await logins(`?${f(`number id in ${ids.dan},${ids.ann}, ${ids.eve}`)}`)).toEqual(['ann', 'dan', 'eve'])
  })

  it.each([
    ['login equal', 'string login eq ben', ['ben']],
    ['email equal, in any letter case', 'string email eq ben@example.COM', ['ben']],
    ['full name equal, spaces and all', 'string full_name eq Eve Archer', ['eve']],
    ['full name in a list', 'string full_name in Aaron Cole,Ann Archer', ['ann', 'cat']],
    ['login not equal', 'string login ne ann', ['ben', 'cat', 'dan', 'eve']],
    ['external id above', 'number external_user_id gt 22', ['dan', 'eve']],
    ['external id at most', 'number external_user_id le 22', ['ann', 'ben']],
    ['external id at least (gte)', 'number external_user_id gte 44', ['dan', 'eve']],
    ['external id between, both ends in', 'number external_user_id between 22,44', ['ben', 'dan']],
    ['created after a time', 'date created_at gt 2026-05-01T10:00:02Z', ['dan', 'eve']],
    ['created before a time (Unix seconds)', `date created_at lt ${START / 1000 + 2}`, ['ann', 'ben']],
    [
      'created between two times',
      'date created_at between 2026-05-01T10:00:01Z,2026-05-01T10:00:03Z',
      ['ben', 'cat', 'dan'],
    ],
    ['a date named a string, as the JS SDK names it', 'string created_at ge 2026-05-01T10:00:04Z', ['eve']],
  ])('filters by %s', async (_name, filter, expected) => {
    expect(await logins(`?${f(filter)}`)).toEqual(expected)
  })

  it('leaves out a user without the field, whatever the operator (as SQL does)', async () => {
    expect(await logins(`?${f('number external_user_id ne 11')}`)).toEqual(['ben', 'dan', 'eve'])
    expect(await logins(`?${f('string email ne nobody@example.com')}`)).not.toContain('cat')
  })

  it('combines filters: a user must pass every one', async () => {
    const query = `?${f('number external_user_id gt 11')}&${f('string login ne dan')}&${f('date created_at lt 2026-05-01T10:00:04Z')}`
    expect(await logins(query)).toEqual(['ben'])
  })

  it('counts the filtered users in total_entries, across pages', async () => {
    const answer = await list(`?${f('number external_user_id gt 0')}&per_page=1&page=2`)
    expect(answer.json).toMatchObject({ current_page: 2, per_page: 1, total_entries: 4 })
    expect(answer.json.items.map((item: { user: { login: string } }) => item.user.login)).toEqual(['ben'])
  })

  it.each([
    ['login going down', 'desc string login', ['eve', 'dan', 'cat', 'ben', 'ann']],
    ['created_at going down', 'desc date created_at', ['eve', 'dan', 'cat', 'ben', 'ann']],
    ['full name going up', 'asc string full_name', ['cat', 'ann', 'ben', 'dan', 'eve']],
    ['external id going up, no value first', 'asc number external_user_id', ['cat', 'ann', 'ben', 'dan', 'eve']],
    ['external id going down, no value last', 'desc number external_user_id', ['eve', 'dan', 'ben', 'ann', 'cat']],
  ])('sorts by %s', async (_name, order, expected) => {
    expect(await logins(`?order=${encodeURIComponent(order)}`)).toEqual(expected)
  })

  it('sorts, then pages', async () => {
    expect(await logins(`?order=${encodeURIComponent('desc string login')}&per_page=2&page=2`)).toEqual(['cat', 'ben'])
  })

  it.each([
    ['an unknown field', 'string password eq list-password'],
    ['an unknown operator', 'number id like 5'],
    ['a comparison on a text field', 'string login gt a'],
    ['a number that is not one', 'number id eq five'],
    ['a date that is not one', 'date created_at gt yesterday'],
    ['an unknown type', 'text login eq ann'],
    ['between with one value', 'number id between 5'],
    ['no value', 'number id eq'],
  ])('answers 422 to a filter with %s', async (_name, filter) => {
    const answer = await list(`?${f(filter)}`)
    expect(answer.status).toBe(422)
    expect(answer.json).toEqual({ errors: { filter: ['is invalid'] } })
  })

  it('answers 422 to more than 20 filters, or more than 100 values in one', async () => {
    const many = Array.from({ length: 21 }, () => f('number id gt 0')).join('&')
    expect((await list(`?${many}`)).status).toBe(422)
    const values = Array.from({ length: 101 }, (_, i) => i + 1).join(',')
    expect((await list(`?${f(`number id in ${values}`)}`)).status).toBe(422)
    expect((await list(`?${Array.from({ length: 20 }, () => f('number id gt 0')).join('&')}`)).status).toBe(200)
  })

  it('answers 400 to a filter given both as text and as a list', async () => {
    const answer = await list(`?filter=${encodeURIComponent('number id gt 0')}&${f('number id gt 0')}`)
    expect(answer.status).toBe(400)
  })

  it('takes a single filter given without brackets', async () => {
    expect(await logins(`?filter=${encodeURIComponent('string login eq dan')}`)).toEqual(['dan'])
  })

  it.each([
    ['an unknown direction', 'up string login'],
    ['an unknown field', 'asc string password'],
    ['no field', 'asc string'],
  ])('answers 422 to an order with %s', async (_name, order) => {
    const answer = await list(`?order=${encodeURIComponent(order)}`)
    expect(answer.status).toBe(422)
    expect(answer.json).toEqual({ errors: { order: ['is invalid'] } })
  })

  it('answers the API key too, and 401 without a token or key', async () => {
    const withKey = await list('', { headers: { Authorization: `ApiKey ${app.apiKey}` } })
    expect(withKey.status).toBe(200)
    expect(withKey.json.total_entries).toBe(5)
    expect((await list('', {})).status).toBe(401)
  })

  it('never lists another application’s users', async () => {
    expect(await logins(`?${f('string login eq zed')}`)).toEqual([])
  })
})

describe('GET /users.json with many users', () => {
  it('gives at most 100 users a page', async () => {
    const many = await startEmulator({
      applications: [app],
      users: Array.from({ length: 130 }, (_, i) => ({ login: `user-${i}`, application_id: app.id })),
    })
    try {
      const session = await call(`${many.url}/session.json`, 'POST', { body: sessionParams(app) })
      const answer = await call(`${many.url}/users.json?per_page=500&page=2`, 'GET', {
        token: session.json.session.token,
      })
      expect(answer.json).toMatchObject({ current_page: 2, per_page: 100, total_entries: 130 })
      expect(answer.json.items).toHaveLength(30)
      expect(answer.json.items[0].user.login).toBe('user-100')
    } finally {
      await many.close()
    }
  })
})
