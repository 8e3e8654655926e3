import { createHmac } from 'node:crypto'

export type SignatureAlgorithm = 'sha1' | 'sha256'

/**
 * The message QuickBlox signs: every body parameter except `signature`, written `name=value`
 * (nested ones as `user[login]=amy`), values not URL-encoded, sorted as strings, joined with `&`.
 */
export function signatureMessage(params: Record<string, unknown>): string {
  const pairs: string[] = []
  const add = (name: string, value: unknown): void => {
    if (value === undefined || value === null) return
    if (typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) add(`${name}[${key}]`, inner)
    } else {
      pairs.push(`${name}=${value as string | number | boolean}`) // the client signs only its own scalars
    }
  }
  for (const [name, value] of Object.entries(params)) if (name !== 'signature') add(name, value)
  return pairs.sort().join('&')
}

/** HMAC of the signature message, keyed with the application's auth secret, as lowercase hex. */
export function sign(
  params: Record<string, unknown>,
  authSecret: string,
  algorithm: SignatureAlgorithm = 'sha1',
): string {
  return createHmac(algorithm, authSecret).update(signatureMessage(params)).digest('hex')
}
