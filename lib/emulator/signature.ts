// The emulator's own signature check, written from QuickBlox's documentation. It deliberately
// shares no code with the client's signer: if both were wrong the same way, tests would still pass.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { isParams, type Params, type Value } from './body.js'

/**
 * The signed message: every parameter but `signature` as `name=value` (nested ones as
 * `user[login]=amy`), values not URL-encoded, sorted as strings, joined with `&`.
 */
function signedMessage(params: Params): string {
  const pairs: string[] = []
  const walk = (name: string, value: Value): void => {
    if (isParams(value)) for (const [key, item] of Object.entries(value)) walk(`${name}[${key}]`, item)
    else if (Array.isArray(value)) for (const item of value) walk(`${name}[]`, item)
    else pairs.push(`${name}=${value ?? ''}`)
  }
  for (const [key, value] of Object.entries(params)) if (key !== 'signature') walk(key, value)
  return pairs.sort().join('&')
}

/**
 * HMAC-SHA1 (40 hex, the documented default) or HMAC-SHA256 (64 hex), keyed with the auth
 * secret, compared in constant time.
 */
export function signatureMatches(params: Params, authSecret: string): boolean {
  const signature = params.signature
  if (typeof signature !== 'string') return false
  const algorithm = signature.length === 40 ? 'sha1' : signature.length === 64 ? 'sha256' : null
  if (!algorithm) return false
  const expected = createHmac(algorithm, authSecret).update(signedMessage(params)).digest()
  const given = Buffer.from(signature.toLowerCase(), 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}
