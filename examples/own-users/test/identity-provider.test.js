// The identity-provider way (QUICKBLOX_CHAT=identity-provider): the signed-in user's chat client
// gets a short-lived token from the app and creates a QuickBlox session with it; the emulator asks
// the app's /quickblox/identity who that is. A chat client signs its request as QuickBlox's SDK does.
import assert from 'node:assert/strict'
import { createHmac, randomInt } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { startEmulator } from 'passport-quickblox/emulator'
import { createApp } from '../app.js'
import { listen } from '../http.js'
import { identityProviderRoutes } from '../identity-provider.js'
import { openUsers } from '../users.js'
import { ALICE, BOB, browser, testLimits } from './helpers.js'

const SECRET = 'own-users-idp-test-secret-0123456789abcdef'
let app, url, qb, users, server
before(async () => {
  users = await openUsers()
  const identityProvider = identityProviderRoutes({ users, secret: SECRET, tokenKey: 'k'.repeat(32), log: () => {} })
  app = createApp({ users, sessionSecret: 'own-users-test-secret', identityProvider, limits: testLimits() })
  server = await listen(app, { port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${server.address().port}`
  qb = await startEmulator({ identityProvider: { url: `${url}/quickblox/identity`, secret: SECRET } })
})
after(async () => {
  await qb.close()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  users.close()
})

/** `POST /session.json` with user[login] and user[password], signed with the application's secret. */
async function createSession(login, password) {
  const { id, authKey, authSecret } = qb.application
  const params = {
    application_id: id,
    auth_key: authKey,
    nonce: randomInt(1, 2 ** 31),
    timestamp: Math.floor(Date.now() / 1000),
  }
  const pairs = Object.entries({ ...params, 'user[login]': login, 'user[password]': password }).map(
    ([k, v]) => `${k}=${v}`,
  )
  const signature = createHmac('sha1', authSecret).update(pairs.sort().join('&')).digest('hex')
  const res = await fetch(`${qb.url}/session.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...params, user: { login, password }, signature }),
  })
  return { status: res.status, body: await res.json() }
}

describe('chat through the identity provider', () => {
  it("signs the chat client in to QuickBlox as the app's user, the same QuickBlox user each time", async () => {
    const alice = browser(url)
    const { body } = await alice.signIn(ALICE.username, ALICE.password)
    const { status, headers, body: issued } = await alice.post('/api/quickblox/identity-token')
    assert.equal(status, 200)
    assert.equal(headers.get('cache-control'), 'no-store')
    assert.equal(issued.userId, String(body.user.id))
    const first = await createSession(issued.userId, issued.token)
    assert.equal(first.status, 201)
    const linked = qb.users.find((user) => user.identity_provider_uid === String(body.user.id))
    assert.equal(linked.full_name, 'Alice Example')
    assert.equal(first.body.session.user_id, linked.id)
    const again = (await alice.post('/api/quickblox/identity-token')).body
    assert.equal((await createSession(again.userId, again.token)).body.session.user_id, linked.id)
  })

  it("refuses Alice's token for Bob, and gives no token to nobody signed in", async () => {
    const alice = browser(url)
    await alice.signIn(ALICE.username, ALICE.password)
    const bob = (await browser(url).signIn(BOB.username, BOB.password)).body.user
    const { token } = (await alice.post('/api/quickblox/identity-token')).body
    assert.equal((await createSession(String(bob.id), token)).status, 401)
    assert.equal((await browser(url).post('/api/quickblox/identity-token')).status, 401)
  })

  it('refuses a caller without the secret header (403), and serves no API-key route this way (404)', async () => {
    const res = await fetch(`${url}/quickblox/identity`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ IdP_user_ID: '1', IdP_token: 'x' }),
    })
    assert.equal(res.status, 403)
    await res.arrayBuffer()
    const alice = browser(url)
    await alice.signIn(ALICE.username, ALICE.password)
    assert.equal((await alice.post('/api/quickblox/session')).status, 404)
  })
})
