// The chat client's QuickBlox token: made for whoever is signed in, and ended when they sign out.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ALICE, BOB, browser, startApp, tokenStatus } from './helpers.js'

let app
before(async () => {
  app = await startApp()
})
after(() => app.close())

describe('chat tokens', () => {
  it('hands the signed-in user a QuickBlox token, creating the QuickBlox user on first sight', async () => {
    const alice = browser(app.url)
    const { body } = await alice.signIn(ALICE.username, ALICE.password)
    app.qb.resetLog()
    const res = await alice.post('/api/quickblox/session')
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('cache-control'), 'no-store')
    const created = app.qb.users.find((user) => user.login === app.admin.loginFor(body.user.id))
    assert.equal(created.full_name, 'Alice Example')
    assert.equal(res.body.userId, created.id)
    assert.equal(await tokenStatus(app.qb, res.body.token), 200)
    assert.equal(app.qb.counts()['POST /users.json'], 1)

    app.qb.resetLog()
    assert.equal((await alice.post('/api/quickblox/session')).status, 200)
    assert.equal(app.qb.counts()['POST /users/:id/tokens'], 1)
    assert.equal(app.qb.counts()['POST /users.json'], 0)
  })

  it('answers 401 to nobody signed in, and after sign-out', async () => {
    assert.equal((await browser(app.url).post('/api/quickblox/session')).status, 401)
    const alice = browser(app.url)
    await alice.signIn(ALICE.username, ALICE.password)
    await alice.post('/logout')
    assert.equal((await alice.post('/api/quickblox/session')).status, 401)
  })

  it('sign-out ends every chat token that session was given, and no other', async () => {
    const alice = browser(app.url)
    await alice.signIn(ALICE.username, ALICE.password)
    const tokens = []
    for (let i = 0; i < 3; i++) tokens.push((await alice.post('/api/quickblox/session')).body.token)
    const otherBrowser = browser(app.url)
    await otherBrowser.signIn(ALICE.username, ALICE.password)
    const other = (await otherBrowser.post('/api/quickblox/session')).body.token

    assert.equal((await alice.post('/logout')).status, 200)
    for (const token of tokens) assert.equal(await tokenStatus(app.qb, token), 401)
    assert.equal(await tokenStatus(app.qb, other), 200)
  })

  it('signs out while QuickBlox is down, and logs the code of what it could not end, never the token', async () => {
    const bob = browser(app.url)
    await bob.signIn(BOB.username, BOB.password)
    const { token } = (await bob.post('/api/quickblox/session')).body
    app.qb.failNext('DELETE /session.json', { status: 503 })
    app.lines.length = 0
    assert.equal((await bob.post('/logout')).status, 200)
    assert.equal((await bob.get('/me')).status, 401)
    assert.equal(app.lines.length, 1)
    assert.match(app.lines[0], /^POST \/logout: a chat token was not ended: QB_UNAVAILABLE$/)
    assert.equal(await tokenStatus(app.qb, token), 200) // QuickBlox expires it 2 h after its last use
  })
})
