import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { type Emulator, startEmulator } from 'passport-quickblox/emulator'
import { QuickBloxClient } from '../lib/quickblox/client.js'
import { QuickBloxUnavailableError } from '../lib/quickblox/errors.js'
import { clientFor } from './helpers/quickblox.js'
import { added, nothingAddedTo, resources } from './helpers/resources.js'
import { nextTurn, replyRead } from './helpers/diagnostics.js'

let qb: Emulator
const amy = { login: 'amy', password: 'amy-demo-password' }

beforeAll(async () => {
  qb = await startEmulator()
})

afterAll(async () => {
  await qb.close()
})

function newClient(): QuickBloxClient {
  return clientFor(qb)
}

describe('close', () => {
  it('a client that is never used opens nothing and starts no timer', async () => {
    const before = resources()
    const client = newClient()
    await nextTurn()
    expect(qb.counts()['POST /session.json']).toBe(0)
    await nothingAddedTo(before)
    await client.close()
  })

  it('cuts a retry backoff short: a login waiting to retry ends as soon as close() does', async () => {
    const client = clientFor(qb, { pool: false, timeout: 60_000 })
    qb.resetLog()
    qb.failNext('POST /session.json', { status: 503 }, 5)
    const refused = replyRead('POST', '/session.json', 503)
    const login = client.login(amy).catch((error: unknown) => error)
    await refused
    await nextTurn() // the reply is read and the backoff (50 to 100 ms) is waiting
    await client.close()
    // Settled before the event loop's next turn: no timer had to fire (a backoff left to run would).
    const settled = await Promise.race([
      login.then(() => 'settled'),
      new Promise((resolve) => setImmediate(resolve, 'pending')),
    ])
    expect(settled).toBe('settled')
    expect(await login).toBeInstanceOf(QuickBloxUnavailableError)
    expect(qb.counts()['POST /session.json']).toBe(1)
    qb.clearFaults()
  })

  it('leaves no socket or timer behind, even with refills in flight or backing off', async () => {
    const before = resources()
    const client = newClient()
    await Promise.all([1, 2, 3, 4].map(() => client.login(amy)))
    qb.failNext('POST /session.json', { status: 500 }, 30)
    await Promise.all([1, 2].map(() => client.login(amy).catch(() => undefined)))
    expect(added(before)).toContain('TCPSocketWrap')
    await client.close()
    qb.clearFaults()
    await nothingAddedTo(before)
  })
})

describe('a login cut short by close()', () => {
  it("ends with QuickBlox's own failure, not a second attempt refused as closed", async () => {
    const client = clientFor(qb, { pool: false, timeout: 60_000 })
    qb.resetLog()
    qb.failNext('POST /session.json', { status: 503 }, 5)
    const refused = replyRead('POST', '/session.json', 503)
    const login = client.login(amy).catch((error: unknown) => error)
    await refused
    await nextTurn() // the reply is read and the backoff is waiting
    await client.close()
    expect(await login).toMatchObject({ code: 'QB_UNAVAILABLE', message: 'QuickBlox answered 503' })
    qb.clearFaults()
  })

  it('refuses a login after close() without calling QuickBlox', async () => {
    const client = clientFor(qb, { pool: false })
    await client.close()
    qb.resetLog()
    await expect(client.login(amy)).rejects.toMatchObject({
      code: 'QB_UNAVAILABLE',
      message: 'The QuickBlox client is closed',
    })
    expect(qb.requests).toHaveLength(0)
  })
})
