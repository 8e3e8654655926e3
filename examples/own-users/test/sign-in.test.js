// Signing in with the app's own accounts: passwords hashed in SQLite, only text credentials.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ALICE, browser, startApp } from './helpers.js'

let app
before(async () => {
  app = await startApp()
})
after(() => app.close())

describe('sign-in', () => {
  it('signs a demo user in with the password hashed in SQLite; /me then knows them', async () => {
    const alice = browser(app.url)
    const res = await alice.signIn(ALICE.username, ALICE.password)
    assert.equal(res.status, 200)
    assert.deepEqual(res.body.user, { id: 1, username: 'alice', name: 'Alice Example' })
    assert.equal((await alice.get('/me')).body.user.username, 'alice')
  })

  it('answers 401 to a wrong password and to an unknown user alike', async () => {
    const wrong = await browser(app.url).signIn('alice', 'wrong-password')
    const unknown = await browser(app.url).signIn('nobody', 'whatever-password')
    assert.deepEqual([wrong.status, unknown.status], [401, 401])
    assert.deepEqual(wrong.body, unknown.body)
  })

  const notText = {
    'a number': { username: 'alice', password: 12345678 },
    true: { username: 'alice', password: true },
    'an object': { username: 'alice', password: { toString: 'x' } },
    'an array': { username: ['alice'], password: 'alice-demo-password' },
    null: { username: 'alice', password: null },
    nothing: { username: 'alice' },
    'an empty string': { username: '', password: 'alice-demo-password' },
    '201 characters': { username: 'alice', password: 'x'.repeat(201) },
  }
  for (const [what, body] of Object.entries(notText)) {
    it(`answers 400 to a credential that is ${what}`, async () => {
      const res = await browser(app.url).post('/login', body)
      assert.equal(res.status, 400)
      assert.match(res.body.error, /must be text/)
    })
  }

  it('takes JSON only on its POST routes (415)', async () => {
    const res = await browser(app.url).post(
      '/login',
      'username=alice&password=alice-demo-password',
      'application/x-www-form-urlencoded',
    )
    assert.equal(res.status, 415)
  })

  it('signs out: /me is 401 after', async () => {
    const alice = browser(app.url)
    await alice.signIn(ALICE.username, ALICE.password)
    assert.equal((await alice.post('/logout')).status, 200)
    assert.equal((await alice.get('/me')).status, 401)
  })
})
