// The protocol client's options: what is accepted, and the TypeError (naming the option, never
// its value) for what is not. The accepted ones are used against the emulator.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { type Emulator, startEmulator } from 'passport-quickblox/emulator'
import { QuickBloxClient, type QuickBloxClientOptions } from '../lib/quickblox/client.js'

let qb: Emulator
beforeAll(async () => {
  qb = await startEmulator()
})
afterAll(() => qb.close())

const valid = (): QuickBloxClientOptions => ({
  appId: qb.application.id,
  authKey: qb.application.authKey,
  authSecret: qb.application.authSecret,
  apiEndpoint: qb.url,
  pool: false,
})

/** Builds a client from untyped options, as JavaScript callers can. */
const build = (options: unknown): QuickBloxClient => new QuickBloxClient(options as QuickBloxClientOptions)

/** The client works: it creates an application session on the emulator. */
async function works(options: unknown): Promise<void> {
  const client = build(options)
  try {
    await expect(client.createApplicationSession()).resolves.toMatchObject({ applicationId: qb.application.id })
  } finally {
    await client.close()
  }
}

describe('client options', () => {
  it('requires an options object', () => {
    for (const options of [undefined, null, 'app'])
      expect(() => build(options)).toThrow(new TypeError('QuickBlox: options are required'))
  })

  it('takes the appId as a number or a numeric string', async () => {
    await works(valid())
    await works({ ...valid(), appId: String(qb.application.id) })
  })

  it('refuses an appId that is not a positive integer, a number or a string', () => {
    for (const appId of [0, -1, 1.5, 2 ** 53, '', 'abc', true, [qb.application.id], undefined]) {
      expect(() => build({ ...valid(), appId })).toThrow(
        new TypeError('QuickBlox: option appId must be a positive integer'),
      )
    }
  })

  it('refuses an authKey or authSecret that is not a non-empty string', () => {
    for (const value of ['', undefined, 42]) {
      expect(() => build({ ...valid(), authKey: value })).toThrow(
        new TypeError('QuickBlox: option authKey must be a non-empty string'),
      )
      expect(() => build({ ...valid(), authSecret: value })).toThrow(
        new TypeError('QuickBlox: option authSecret must be a non-empty string'),
      )
    }
  })

  it("refuses a signatureAlgorithm other than 'sha1' or 'sha256'", () => {
    expect(() => build({ ...valid(), signatureAlgorithm: 'md5' })).toThrow(
      new TypeError("QuickBlox: option signatureAlgorithm must be 'sha1' or 'sha256'"),
    )
  })

  it('takes a timeout of 1 to 2147483647 ms, and refuses any other', async () => {
    await works({ ...valid(), timeout: 2 ** 31 - 1 })
    expect(() => build({ ...valid(), timeout: 1 })).not.toThrow()
    for (const timeout of [0, -5, 2 ** 31, '3000', Number.NaN]) {
      expect(() => build({ ...valid(), timeout })).toThrow(
        new TypeError('QuickBlox: option timeout must be a number of milliseconds from 1 to 2147483647'),
      )
    }
  })

  it('takes an apiEndpoint with trailing slashes', async () => {
    await works({ ...valid(), apiEndpoint: `${qb.url}///` })
  })

  it('refuses an apiEndpoint that is not an http: or https: URL', () => {
    const url = new URL('https://api.example.com') // the option is text; a URL object is refused too
    for (const apiEndpoint of [
      'ftp://example.com',
      'xhttp://example.com',
      'httpx://example.com',
      'not a url',
      42,
      url,
    ]) {
      expect(() => build({ ...valid(), apiEndpoint })).toThrow(
        new TypeError('QuickBlox: option apiEndpoint must be an http: or https: URL'),
      )
    }
    expect(() => build({ ...valid(), apiEndpoint: 'https://api.example.com' })).not.toThrow()
  })

  it('takes maxSockets of 1 to 1024, and refuses any other', async () => {
    await works({ ...valid(), maxSockets: 1024 })
    await works({ ...valid(), maxSockets: 1 })
    for (const maxSockets of [0, 1025, 1.5, '8', Number.NaN]) {
      expect(() => build({ ...valid(), maxSockets })).toThrow(
        new TypeError('QuickBlox: option maxSockets must be an integer from 1 to 1024'),
      )
    }
  })

  it('takes pool as false or an object, and refuses anything else', async () => {
    await works({ ...valid(), pool: {} })
    for (const pool of [null, true, 'yes', 5]) {
      expect(() => build({ ...valid(), pool })).toThrow(
        new TypeError('QuickBlox: option pool must be false or an object'),
      )
    }
  })
})

describe('pool options', () => {
  it('refuses a max that is not an integer from 1 to 1000', () => {
    for (const max of [0, -1, 1.5, Number.NaN, 1001, Number.MAX_SAFE_INTEGER]) {
      expect(() => build({ ...valid(), pool: { max } })).toThrow(
        new TypeError('pool.max must be an integer from 1 to 1000'),
      )
    }
  })

  it('accepts a max of 1 and of 1000', () => {
    for (const max of [1, 1000]) expect(() => build({ ...valid(), pool: { max } })).not.toThrow()
  })

  it('refuses a maxAgeMs that is not a positive number', () => {
    for (const maxAgeMs of [0, -1, Number.NaN]) {
      expect(() => build({ ...valid(), pool: { maxAgeMs } })).toThrow(
        new TypeError('pool.maxAgeMs must be a positive number'),
      )
    }
  })

  it('takes a max of 1 and a maxAgeMs of 1 ms', () => {
    expect(() => build({ ...valid(), pool: { max: 1, maxAgeMs: 1 } })).not.toThrow()
  })
})
