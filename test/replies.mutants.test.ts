// How each refusal QuickBlox can answer reaches the application: which error, what it says, and
// which of QuickBlox's field reasons survive (bounded, never quoting a password). Over HTTP, against the emulator.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { type Emulator, type EmulatorEndpoint, type EmulatorFault } from 'passport-quickblox/emulator'
import { QuickBloxClient } from '../lib/quickblox/client.js'
import {
  QuickBloxConfigurationError,
  QuickBloxCredentialsError,
  QuickBloxResponseError,
  QuickBloxValidationError,
} from '../lib/quickblox/errors.js'
import { retryAfter } from '../lib/quickblox/replies.js'
import { adminFor, closeAdmins, KNOWN, startAdminEmulator } from './helpers/admin.js'
import { clientFor } from './helpers/quickblox.js'

let qb: Emulator
let client: QuickBloxClient
beforeAll(async () => {
  qb = await startAdminEmulator()
  client = clientFor(qb, { pool: false })
})
afterEach(async () => {
  qb.clearFaults()
  await closeAdmins()
})
afterAll(async () => {
  await client.close()
  await qb.close()
})

/** The error a call gives when QuickBlox answers `fault` on `endpoint` (every time). */
async function errorOf(endpoint: EmulatorEndpoint, fault: EmulatorFault, call: () => Promise<unknown>) {
  qb.failNext(endpoint, fault, 10)
  return call().then(
    () => 'resolved',
    (error: unknown) => error,
  )
}

const checkToken = () => client.getSession('some-token')
const loadUser = () => client.getUser(KNOWN.id, 'some-token')
const logIn = () => client.login({ login: 'amy', password: 'amy-demo-password' })
const startSession = () => client.createApplicationSession()

describe('a session token QuickBlox refuses', () => {
  it('is the client’s invalid token when QuickBlox does not know it', async () => {
    const error = await errorOf('GET /session.json', { status: 401 }, checkToken)
    expect(error).toBeInstanceOf(QuickBloxCredentialsError)
    expect((error as Error).message).toMatch(/does not know this session token/)
  })

  it('is an unexpected reply, not an invalid token, when QuickBlox answers 400 to a token check', async () => {
    const error = await errorOf('GET /session.json', { status: 400 }, checkToken)
    expect(error).toBeInstanceOf(QuickBloxResponseError)
    expect((error as Error).message).toMatch(/unexpected status 400/)
  })

  it('is the client’s invalid token when the token’s user is gone', async () => {
    const error = await errorOf('GET /users/:id.json', { status: 404 }, loadUser)
    expect(error).toBeInstanceOf(QuickBloxCredentialsError)
    expect((error as Error).message).toMatch(/has no user for this session token/)
  })

  it('is an unexpected reply, not an invalid token, when QuickBlox answers 403 to loading the user', async () => {
    const error = await errorOf('GET /users/:id.json', { status: 403 }, loadUser)
    expect(error).toBeInstanceOf(QuickBloxResponseError)
  })
})

describe('a login QuickBlox refuses', () => {
  it('says the credentials are wrong, without speaking of a session token', async () => {
    const error = await errorOf('POST /login.json', { status: 401 }, logIn)
    expect(error).toBeInstanceOf(QuickBloxCredentialsError)
    expect((error as Error).message).not.toMatch(/session token/)
  })

  it('says when QuickBlox does not allow the login', async () => {
    const error = await errorOf('POST /login.json', { status: 403 }, logIn)
    expect((error as Error).message).toMatch(/does not allow this login/)
  })

  it('says when QuickBlox refuses the credentials as invalid', async () => {
    const error = await errorOf('POST /login.json', { status: 400 }, logIn)
    expect((error as Error).message).toMatch(/refused the credentials as invalid/)
  })

  it('names the status when QuickBlox is down', async () => {
    const error = await errorOf('POST /login.json', { status: 500 }, logIn)
    expect((error as Error).message).toMatch(/QuickBlox answered 500/)
  })
})

describe('an application session QuickBlox refuses', () => {
  it('is a configuration error even for a 400', async () => {
    const error = await errorOf('POST /session.json', { status: 400 }, startSession)
    expect(error).toBeInstanceOf(QuickBloxConfigurationError)
  })

  it('names the status when QuickBlox gives no reason', async () => {
    const error = await errorOf('POST /session.json', { status: 422, body: { errors: [] } }, startSession)
    expect((error as Error).message).toMatch(/status 422/)
  })

  it('points at the server’s clock when one of QuickBlox’s reasons is the timestamp', async () => {
    const body = { errors: ['Unexpected signature', 'Timestamp is too old'] }
    const error = await errorOf('POST /session.json', { status: 422, body }, startSession)
    expect(error).toBeInstanceOf(QuickBloxConfigurationError)
    expect((error as Error).message).toMatch(/check this server's clock \(Unexpected signature; Timestamp is too old\)/)
  })
})

describe('the API key QuickBlox refuses', () => {
  it('says to check the apiKey option, with the status', async () => {
    const error = await errorOf('PUT /users/:id.json', { status: 401 }, () =>
      adminFor(qb).updateUser(KNOWN.id, { fullName: 'New Name' }),
    )
    expect(error).toBeInstanceOf(QuickBloxConfigurationError)
    expect((error as Error).message).toMatch(/refused the API key \(401\): check the apiKey option/)
  })

  it('is an unexpected reply, not a validation error, when QuickBlox answers 400 to a change', async () => {
    const error = await errorOf('PUT /users/:id.json', { status: 400 }, () =>
      adminFor(qb).updateUser(KNOWN.id, { fullName: 'New Name' }),
    )
    expect(error).toBeInstanceOf(QuickBloxResponseError)
  })
})

describe('the field reasons of a change QuickBlox refuses', () => {
  const fieldsOf = async (errors: unknown, password?: string): Promise<unknown> => {
    const changes = password === undefined ? { fullName: 'New Name' } : { password }
    const error = await errorOf('PUT /users/:id.json', { status: 422, body: { errors } }, () =>
      adminFor(qb).updateUser(KNOWN.id, changes),
    )
    expect(error).toBeInstanceOf(QuickBloxValidationError)
    return (error as QuickBloxValidationError).fields
  }

  it('keeps a bare list of reasons as the base field', async () => {
    expect(await fieldsOf(['Something is wrong'])).toEqual({ base: ['Something is wrong'] })
  })

  it('gives no fields when QuickBlox’s errors are null', async () => {
    expect(await fieldsOf(null)).toEqual({})
  })

  it('keeps a field’s single reason given without a list', async () => {
    expect(await fieldsOf({ login: 'has already been taken' })).toEqual({ login: ['has already been taken'] })
  })

  it('keeps at most ten fields', async () => {
    const errors = Object.fromEntries('abcdefghijkl'.split('').map((name) => [name, ['is wrong']]))
    expect(Object.keys((await fieldsOf(errors)) as object)).toHaveLength(10)
  })

  it('keeps at most ten reasons of a field', async () => {
    const reasons = Array.from({ length: 12 }, (_, i) => `reason ${i}`)
    expect(await fieldsOf({ login: reasons })).toEqual({ login: reasons.slice(0, 10) })
  })

  it('drops fields whose names are not plain lower-case words', async () => {
    const errors = { Xlogin: ['a'], login1: ['b'], ['a'.repeat(41)]: ['c'], email: ['d'] }
    expect(await fieldsOf(errors)).toEqual({ email: ['d'] })
  })

  it('drops reasons that are not text, and fields left without one', async () => {
    expect(await fieldsOf({ login: [1, 'is too short'], email: [2], tags: [] })).toEqual({ login: ['is too short'] })
  })

  it('is a validation error without fields when the refusal is no JSON', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(422, { 'content-type': 'text/html' }).end('<html>Unprocessable</html>')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const admin = adminFor(qb, { apiEndpoint: `http://127.0.0.1:${port}` })
      const error = await admin.updateUser(KNOWN.id, { fullName: 'New Name' }).catch((reason: unknown) => reason)
      expect(error).toBeInstanceOf(QuickBloxValidationError)
      expect((error as QuickBloxValidationError).fields).toEqual({})
    } finally {
      await closeAdmins()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('replaces a reason quoting a password of exactly eight characters', async () => {
    expect(await fieldsOf({ password: ['pass1234 is too weak'] }, 'pass1234')).toEqual({ password: ['is invalid'] })
  })
})

describe('the delay QuickBlox asks for', () => {
  it('reads a 64-character number of seconds', () => {
    expect(retryAfter('1'.padStart(64, '0'))).toBe(1)
  })

  it('rounds a fraction of several digits up', () => {
    expect(retryAfter('1.25')).toBe(2)
  })
})
