// The official QuickBlox JS SDK (quickblox@2.23.0) against the emulator over HTTPS: what a chat
// client's first screens call, with the SDK's own request building, signing and parsing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { callTls } from './helpers/emulator.js'
import { startSdk, type Sdk } from './helpers/sdk.js'

let qb: Emulator
let sdk: Sdk
beforeAll(async () => {
  qb = await startEmulator({ tls: true })
  sdk = await startSdk(qb)
})
afterAll(async () => {
  await sdk?.close()
  await qb?.close()
})

describe('the official JS SDK over the emulator’s HTTPS', () => {
  it('creates a user session with a login and password (QB.createSession)', async () => {
    const { error, result, requests } = await sdk.call('createSession', { login: 'amy', password: 'amy-demo-password' })
    expect(error).toBeNull()
    expect(result).toMatchObject({ application_id: qb.application.id, user_id: qb.users[0]!.id })
    expect(requests.map((r) => [r.endpoint, r.status])).toEqual([['POST /session.json', 201]])
  })

  it('reads a user by id (QB.users.get)', async () => {
    await sdk.call('createSession', { login: 'amy', password: 'amy-demo-password' })
    const bob = qb.users.find((user) => user.email === 'bob@example.com')!
    const { error, result } = await sdk.call('users.get', bob.id)
    expect(error).toBeNull()
    expect(result).toMatchObject({ id: bob.id, email: 'bob@example.com' })
  })

  it('answers an unknown user id with the SDK’s 404 error', async () => {
    await sdk.call('createSession')
    const { error, result } = await sdk.call('users.get', 999_999_999)
    expect(result).toBeNull()
    expect(error).toMatchObject({ code: 404 })
  })

  it('signs a user up with an application session (QB.users.create), who can then sign in', async () => {
    await sdk.call('createSession')
    const created = await sdk.call('users.create', { login: 'sdk-newcomer', password: 'newcomer-password' })
    expect(created.error).toBeNull()
    expect(created.result).toMatchObject({ login: 'sdk-newcomer' })
    const session = await sdk.call('createSession', { login: 'sdk-newcomer', password: 'newcomer-password' })
    expect(session.result.user_id).toBe(created.result.id)
  })
})

let serial = 0
/** A new user signed up through the SDK, and the SDK's session now theirs. */
async function signedUp(): Promise<{ id: number; login: string; email: string; password: string }> {
  serial++
  const user = {
    login: `sdk-user-${serial}`,
    email: `sdk-user-${serial}@example.com`,
    password: `sdk-password-${serial}`,
  }
  expect((await sdk.call('createSession')).error).toBeNull()
  const created = await sdk.call('users.create', user)
  expect(created.error).toBeNull()
  const session = await sdk.call('createSession', { login: user.login, password: user.password })
  expect(session.result.user_id).toBe(created.result.id)
  return { id: created.result.id as number, ...user }
}

describe('a user’s own account through the SDK', () => {
  it('changes their name and email (QB.users.update)', async () => {
    const amy = await signedUp()
    const { error, result, requests } = await sdk.call('users.update', amy.id, {
      full_name: 'Amy From The SDK',
      email: `renamed-${amy.email}`,
    })
    expect(error).toBeNull()
    expect(result).toMatchObject({ id: amy.id, full_name: 'Amy From The SDK', email: `renamed-${amy.email}` })
    expect(requests.map((r) => [r.endpoint, r.status])).toEqual([['PUT /users/:id.json', 200]])
    expect(qb.users.find((user) => user.id === amy.id)).toMatchObject({ full_name: 'Amy From The SDK' })
  })

  it('changes their password with the current one, and signs in with the new one only', async () => {
    const ben = await signedUp()
    const changed = await sdk.call('users.update', ben.id, { old_password: ben.password, password: 'ben-new-password' })
    expect(changed.error).toBeNull()
    expect((await sdk.call('createSession', { login: ben.login, password: 'ben-new-password' })).error).toBeNull()
    const old = await sdk.call('createSession', { login: ben.login, password: ben.password })
    expect(old.error).toMatchObject({ code: 401 })
  })

  it('gets the 422 on old_password for a wrong current password, and the password stays', async () => {
    const cat = await signedUp()
    const { error, result } = await sdk.call('users.update', cat.id, {
      old_password: 'not-the-password',
      password: 'cat-new-password',
    })
    expect(result).toBeNull()
    expect(error).toMatchObject({ code: 422, detail: { old_password: ['is incorrect'] } })
    expect((await sdk.call('createSession', { login: cat.login, password: cat.password })).error).toBeNull()
  })

  it('is refused (403) when changing another user', async () => {
    const victim = await signedUp()
    await signedUp()
    const { error } = await sdk.call('users.update', victim.id, { full_name: 'Not Yours' })
    expect(error).toMatchObject({ code: 403 })
    expect(qb.users.find((user) => user.id === victim.id)?.full_name).toBeUndefined()
  })

  it('deletes their account (QB.users.delete): gone, and their session with it', async () => {
    const dan = await signedUp()
    const deleted = await sdk.call('users.delete', dan.id)
    expect(deleted.error).toBeNull()
    expect(deleted.requests.map((r) => [r.endpoint, r.status])).toEqual([['DELETE /users/:id.json', 200]])
    expect(qb.users.some((user) => user.id === dan.id)).toBe(false)
    // The SDK still holds the deleted user's token: it no longer works.
    expect((await sdk.call('getSession')).error).toMatchObject({ code: 401 })
    expect((await sdk.call('createSession', { login: dan.login, password: dan.password })).error).toMatchObject({
      code: 401,
    })
  })

  it('asks for a reset mail (QB.users.resetPassword), whose link sets a password they then sign in with', async () => {
    const eve = await signedUp()
    await sdk.call('createSession')
    const asked = await sdk.call('users.resetPassword', eve.email)
    expect(asked.error).toBeNull()
    expect(asked.requests.map((r) => [r.endpoint, r.status])).toEqual([['GET /users/password/reset.json', 200]])
    const link = new URL(qb.lastResetLink(eve.email)!)
    const page = await callTls(`${qb.url}/password/reset`, 'POST', {
      body: {
        token: link.searchParams.get('token')!,
        password: 'eve-reset-password',
        password_confirmation: 'eve-reset-password',
      },
      ca: qb.certificate!,
    })
    expect(page.status).toBe(200)
    expect((await sdk.call('createSession', { email: eve.email, password: 'eve-reset-password' })).error).toBeNull()
  })

  it('gets QuickBlox’s 404 for a reset of an address nobody has', async () => {
    await sdk.call('createSession')
    const mails = qb.mails.length
    const { error } = await sdk.call('users.resetPassword', 'nobody-at-all@example.com')
    expect(error).toMatchObject({ code: 404 })
    expect(qb.mails.length).toBe(mails)
  })
})

describe('finding users through the SDK', () => {
  it('finds a user by login and by email (QB.users.get)', async () => {
    const fay = await signedUp()
    const byLogin = await sdk.call('users.get', { login: fay.login })
    expect(byLogin.error).toBeNull()
    expect(byLogin.result).toMatchObject({ id: fay.id, login: fay.login })
    expect(byLogin.requests[0]!.endpoint).toBe('GET /users/by_login.json')
    const byEmail = await sdk.call('users.get', { email: fay.email })
    expect(byEmail.error).toBeNull()
    expect(byEmail.result).toMatchObject({ id: fay.id, email: fay.email })
    expect(byEmail.requests[0]!.endpoint).toBe('GET /users/by_email.json')
  })

  it('gets a 404 for a login nobody has', async () => {
    await sdk.call('createSession')
    expect((await sdk.call('users.get', { login: 'nobody-at-all' })).error).toMatchObject({ code: 404 })
  })

  it('lists users with a filter, an order and paging (QB.users.listUsers)', async () => {
    const first = await signedUp()
    const second = await signedUp()
    const third = await signedUp()
    const { error, result, requests } = await sdk.call('users.listUsers', {
      filter: { field: 'id', param: 'in', value: [first.id, second.id, third.id] },
      order: { sort: 'desc', field: 'id' },
      page: 1,
      per_page: 2,
    })
    expect(error).toBeNull()
    expect(requests.map((r) => [r.endpoint, r.status])).toEqual([['GET /users.json', 200]])
    expect(result).toMatchObject({ current_page: 1, per_page: 2, total_entries: 3 })
    expect(result.items.map((item: { user: { id: number } }) => item.user.id)).toEqual([third.id, second.id])
  })

  it('lists every user a page at a time without parameters', async () => {
    await sdk.call('createSession')
    const { error, result } = await sdk.call('users.listUsers')
    expect(error).toBeNull()
    expect(result).toMatchObject({ current_page: 1, per_page: 10, total_entries: qb.users.length })
    expect(result.items[0].user).toMatchObject({ id: qb.users[0]!.id })
  })
})

describe('the SDK helper', () => {
  it('does not believe the SDK’s success when the request never reached the emulator', async () => {
    // An emulator whose certificate the SDK is not given: every request fails on TLS, and the
    // SDK's callback hears (null, ' ') all the same.
    const other = await startEmulator({ tls: true })
    const untrusting = await startSdk(qb, { trust: other.certificate! })
    try {
      await expect(untrusting.call('users.resetPassword', 'bob@example.com')).rejects.toThrow(
        /reached no emulator endpoint.*"error":null/,
      )
    } finally {
      await untrusting.close()
      await other.close()
    }
  })
})
