// The official QuickBlox JS SDK (quickblox@2.23.0) against the emulator over HTTPS: what a chat
// client's first screens call, with the SDK's own request building, signing and parsing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
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
