// examples/own-users the second way (identity-provider.js): the signed-in user's chat client gets a
// short-lived token from the app and signs in to the emulator directly with the official SDK (over
// the emulator's HTTPS), and the emulator asks the app's /quickblox/identity who that is. Real
// HTTP end to end: the app listens, the emulator calls it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import request from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { createApp } from '../examples/own-users/app.js'
import { identityProviderRoutes } from '../examples/own-users/identity-provider.js'
import { DEMO_USERS, openUsers } from '../examples/own-users/users.js'
import { startSdk, type Sdk } from './helpers/sdk.js'

const SECRET = 'own-users-idp-secret-0123456789abcdef0123456789'
let qb: Emulator
let sdk: Sdk
let users: Awaited<ReturnType<typeof openUsers>>
let server: Server
let appUrl: string
const logLines: string[] = []
const [alice, bob] = DEMO_USERS

beforeAll(async () => {
  users = await openUsers()
  const identityProvider = identityProviderRoutes({
    users,
    secret: SECRET,
    tokenKey: 'own-users-token-key-0123456789abcdef0123456789',
    log: (line) => logLines.push(line),
  })
  const app = createApp({
    users,
    sessionSecret: 'own-users-test-secret',
    identityProvider,
    limits: { identityProviderForbiddenPerAddress: { windowMs: 60_000, limit: 3 } },
    log: (line) => logLines.push(line),
  })
  server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  qb = await startEmulator({ tls: true, identityProvider: { url: `${appUrl}/quickblox/identity`, secret: SECRET } })
  sdk = await startSdk(qb)
})
afterAll(async () => {
  await sdk?.close()
  await qb.close()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  users.close()
})

const signIn = async (username: string, password: string) => {
  const agent = request.agent(appUrl)
  const res = await agent.post('/login').send({ username, password })
  expect(res.status).toBe(200)
  return { agent, user: res.body.user as { id: number; name: string } }
}
/** What the chat client does with the token: the official SDK's QB.createSession({ login, password }). */
const chatSignIn = (login: string, password: string) => sdk.call('createSession', { login, password })

describe('own users, QuickBlox chat through the identity provider', () => {
  it("gives the signed-in user a short-lived token their chat client signs in to QuickBlox with, as the app's user", async () => {
    const { agent, user } = await signIn(alice!.username, alice!.password)
    const res = await agent.post('/api/quickblox/identity-token').send({})
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body.userId).toBe(String(user.id))
    expect(Date.parse(res.body.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000)

    const session = await chatSignIn(res.body.userId, res.body.token)
    expect(session.error).toBeNull()
    const linked = qb.users.find((u) => u.identity_provider_uid === String(user.id))
    expect(linked).toMatchObject({ full_name: 'Alice Example' })
    expect(session.result.user_id).toBe(linked!.id)

    const again = await agent.post('/api/quickblox/identity-token').send({})
    expect((await chatSignIn(again.body.userId, again.body.token)).result.user_id).toBe(linked!.id)
  })

  it("refuses Alice's token for Bob, and a made-up one", async () => {
    const { agent } = await signIn(alice!.username, alice!.password)
    const { user: bobUser } = await signIn(bob!.username, bob!.password)
    const { token } = (await agent.post('/api/quickblox/identity-token').send({})).body
    expect((await chatSignIn(String(bobUser.id), token)).error).toMatchObject({ code: 401 })
    expect((await chatSignIn(String(bobUser.id), 'made-up-token-123')).error).toMatchObject({ code: 401 })
  })

  it('gives no token to nobody signed in, and has no API-key route this way', async () => {
    expect((await request(appUrl).post('/api/quickblox/identity-token').send({})).status).toBe(401)
    const { agent } = await signIn(alice!.username, alice!.password)
    expect((await agent.post('/api/quickblox/identity-token').type('form').send({})).status).toBe(415)
    expect((await agent.post('/api/quickblox/session').send({})).status).toBe(404)
  })

  it('refuses callers without the secret, and holds an address back after a few of them', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await request(appUrl).post('/quickblox/identity').send({ IdP_user_ID: '1', IdP_token: 'x' })).status,
      )
    expect(statuses).toEqual([403, 403, 403, 429])
  })
})
