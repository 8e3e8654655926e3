import { describe, expect, it } from '@jest/globals'
import { sign, signatureMessage } from '../lib/quickblox/signature.js'

// The example from QuickBlox's "Create Session" page; digests computed independently with
// `printf '%s' "$message" | openssl dgst -sha1 -hmac AuthSecret-Example` (and -sha256).
const example = { application_id: 76730, auth_key: '7quWEh-k6TqghXe', nonce: 7334, timestamp: 1567349756 }
const message = 'application_id=76730&auth_key=7quWEh-k6TqghXe&nonce=7334&timestamp=1567349756'

describe('session signature', () => {
  it('signs the sorted name=value pairs, whatever order the body lists them in', () => {
    const shuffled = { timestamp: 1567349756, nonce: 7334, auth_key: '7quWEh-k6TqghXe', application_id: 76730 }
    expect(signatureMessage(shuffled)).toBe(message)
    expect(signatureMessage(example)).toBe(message)
  })

  it('is HMAC-SHA1 in lowercase hex by default', () => {
    expect(sign(example, 'AuthSecret-Example')).toBe('4f476b675baa03ffd78b1229db5545d1133d10e6')
  })

  it('can be HMAC-SHA256', () => {
    expect(sign(example, 'AuthSecret-Example', 'sha256')).toBe(
      '5238af343dc65e12a001fdc31b291bcb0049b785a51eac9bb204a8e161ebb3dc',
    )
  })

  it('leaves out the signature itself', () => {
    expect(signatureMessage({ ...example, signature: 'abc' })).toBe(message)
  })

  it('writes nested parameters with brackets and does not URL-encode values', () => {
    const params = { ...example, user: { password: 'p@ss word&=', login: 'amy' } }
    expect(signatureMessage(params)).toBe(`${message}&user[login]=amy&user[password]=p@ss word&=`)
  })

  it('leaves out parameters that are undefined or null', () => {
    const params = { ...example, user: { login: 'amy', email: undefined, password: null } }
    expect(signatureMessage(params)).toBe(`${message}&user[login]=amy`)
  })

  it('changes with the secret', () => {
    expect(sign(example, 'another-secret')).not.toBe(sign(example, 'AuthSecret-Example'))
  })
})
