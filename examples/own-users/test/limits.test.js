// Rate limits on wrong passwords and on chat tokens, over real HTTP; addresses told by X-Forwarded-For.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { ALICE, BOB, browser, startApp } from './helpers.js'

const apps = []
async function limited(limits) {
  const app = await startApp({ limits })
  apps.push(app)
  return app
}
after(() => Promise.all(apps.map((app) => app.close())))

const statuses = (responses) => responses.map((res) => res.status)
const count = (responses, status) => responses.filter((res) => res.status === status).length

describe('wrong passwords', () => {
  it('per account from one address: 429 with Retry-After after the limit; the owner signs in from theirs', async () => {
    const app = await limited({ wrongPasswordsPerAccountAddress: 3 })
    const attacker = browser(app.url, '198.51.100.7')
    const tries = []
    for (let i = 0; i < 3; i++) tries.push(await attacker.signIn('alice', `guess-${i}`))
    assert.deepEqual(statuses(tries), [401, 401, 401])
    const refused = await attacker.signIn('alice', ALICE.password) // even the right one, from there
    assert.equal(refused.status, 429)
    assert.ok(Number(refused.headers.get('retry-after')) > 0)
    assert.deepEqual(refused.body, { error: 'Too many wrong passwords. Please try again later.' })
    assert.equal((await attacker.signIn('bob', 'guess')).status, 401) // another account from there
    assert.equal((await browser(app.url, '192.0.2.10').signIn(ALICE.username, ALICE.password)).status, 200)
  })

  it('counts a burst as it arrives: of 30 wrong passwords sent at once, 3 are checked', async () => {
    const app = await limited({ wrongPasswordsPerAccountAddress: 3 })
    const attacker = browser(app.url, '198.51.100.8')
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => attacker.signIn('bob', `guess-${i}`)))
    assert.equal(count(burst, 401), 3)
    assert.equal(count(burst, 429), 27)
  })

  it('per account from every address: a ceiling on guessing spread over many addresses', async () => {
    const app = await limited({ wrongPasswordsPerAccount: 4 })
    for (let i = 0; i < 4; i++)
      assert.equal((await browser(app.url, `203.0.113.${i}`).signIn('bob', 'guess')).status, 401)
    assert.equal((await browser(app.url, '203.0.113.99').signIn('bob', 'guess')).status, 429)
    assert.equal((await browser(app.url, '203.0.113.99').signIn('alice', 'guess')).status, 401)
  })

  it('per address, whichever accounts it tries', async () => {
    const app = await limited({ wrongPasswordsPerAddress: 4 })
    const attacker = browser(app.url, '198.51.100.9')
    for (let i = 0; i < 4; i++) assert.equal((await attacker.signIn(`user-${i}`, 'guess')).status, 401)
    assert.equal((await attacker.signIn('someone-else', 'guess')).status, 429)
    assert.equal((await browser(app.url, '198.51.100.10').signIn('someone-else', 'guess')).status, 401)
  })

  it('counts neither right passwords nor credentials refused before the check (400)', async () => {
    const app = await limited({ wrongPasswordsPerAccountAddress: 2, wrongPasswordsPerAddress: 2 })
    const alice = browser(app.url, '192.0.2.20')
    for (let i = 0; i < 5; i++) assert.equal((await alice.signIn(ALICE.username, ALICE.password)).status, 200)
    for (let i = 0; i < 5; i++)
      assert.equal((await alice.post('/login', { username: 'alice', password: i })).status, 400)
    assert.equal((await alice.signIn('alice', 'typo')).status, 401)
    assert.equal((await alice.signIn(ALICE.username, ALICE.password)).status, 200)
  })
})

describe('chat tokens', () => {
  it('per account: 429 with Retry-After after the limit, without asking QuickBlox; other accounts go on', async () => {
    const app = await limited({ chatTokensPerAccount: 3 })
    const alice = browser(app.url, '192.0.2.30')
    await alice.signIn(ALICE.username, ALICE.password)
    const again = browser(app.url, '192.0.2.31') // the same account in another browser shares the count
    await again.signIn(ALICE.username, ALICE.password)
    const asked = []
    for (let i = 0; i < 2; i++) asked.push(await alice.post('/api/quickblox/session'))
    asked.push(await again.post('/api/quickblox/session'))
    assert.deepEqual(statuses(asked), [200, 200, 200])
    app.qb.resetLog()
    const refused = await alice.post('/api/quickblox/session')
    assert.equal(refused.status, 429)
    assert.ok(Number(refused.headers.get('retry-after')) > 0)
    assert.deepEqual(refused.body, { error: 'Too many chat tokens asked for. Please try again later.' })
    assert.equal(app.qb.counts()['POST /users/:id/tokens'], 0)
    const bob = browser(app.url, '192.0.2.30')
    await bob.signIn(BOB.username, BOB.password)
    assert.equal((await bob.post('/api/quickblox/session')).status, 200)
  })

  it('per address: a burst from one address gets its limit, and the rest 429', async () => {
    const app = await limited({ chatTokensPerAddress: 4 })
    const alice = browser(app.url, '192.0.2.40')
    await alice.signIn(ALICE.username, ALICE.password)
    app.qb.resetLog()
    const burst = await Promise.all(Array.from({ length: 20 }, () => alice.post('/api/quickblox/session')))
    assert.equal(count(burst, 200), 4)
    assert.equal(count(burst, 429), 16)
    assert.equal(app.qb.counts()['POST /users/:id/tokens'], 4)
  })

  it('nobody signed in: 401, counted against nothing', async () => {
    const app = await limited({ chatTokensPerAddress: 1 })
    for (let i = 0; i < 3; i++)
      assert.equal((await browser(app.url, '192.0.2.50').post('/api/quickblox/session')).status, 401)
    const alice = browser(app.url, '192.0.2.50')
    await alice.signIn(ALICE.username, ALICE.password)
    assert.equal((await alice.post('/api/quickblox/session')).status, 200)
  })
})
