/// <reference types="node" preserve="true" />
import { createHmac, timingSafeEqual } from 'node:crypto'

export interface QuickBloxIdentityTokensOptions {
  /** The HMAC key, held by your backend alone: at least 32 bytes (`openssl rand -hex 32`). */
  key: string | Buffer
  /** How long a token is good for, in ms: 10 s to 1 h. Default 300000 (5 minutes). */
  ttlMs?: number
  /** The clock, ms since the epoch (default `Date.now`): tests move it. */
  now?: () => number
}

/** A token for one user's chat client: it sends `userId` as `user[login]` and `token` as `user[password]`. */
export interface QuickBloxIdentityToken {
  userId: string
  token: string
  expiresAt: Date
}

const TOKEN = /^([0-9a-z]{1,8})\.([A-Za-z0-9_-]{32})$/
const MAC_LENGTH = 32

/**
 * Short-lived tokens for QuickBlox's Custom Identity Provider, for an app that has none of its
 * own: `mint(userId)` for the signed-in user's chat client, `verify(userId, token)` in the
 * endpoint QuickBlox calls. A token is `<expiry, base 36 seconds>.<HMAC-SHA256 of the expiry and
 * the user id, 192 bits in base64url>`: 39 characters, within QuickBlox's 40-character password
 * limit, bound to one user id, good until its expiry (and for any number of sessions until then).
 *
 * @example
 * const tokens = new QuickBloxIdentityTokens({ key: process.env.QB_IDP_TOKEN_KEY })
 * tokens.mint(req.user.id)            // { userId: '42', token: 'sl9x1c.Hk…', expiresAt }
 * tokens.verify('42', token)          // true until it expires
 */
export class QuickBloxIdentityTokens {
  readonly #key: Buffer
  readonly #ttlMs: number
  readonly #now: () => number

  constructor(options: QuickBloxIdentityTokensOptions) {
    const { key, ttlMs = 300_000, now = Date.now } = options ?? {}
    const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key
    if (!Buffer.isBuffer(bytes) || bytes.length < 32)
      throw new TypeError('QuickBloxIdentityTokens: key must be at least 32 bytes')
    if (!Number.isInteger(ttlMs) || ttlMs < 10_000 || ttlMs > 3_600_000)
      throw new TypeError('QuickBloxIdentityTokens: ttlMs must be 10000 to 3600000')
    if (typeof now !== 'function') throw new TypeError('QuickBloxIdentityTokens: now must be a function')
    this.#key = Buffer.from(bytes)
    this.#ttlMs = ttlMs
    this.#now = now
  }

  /** A token for `userId` (your immutable id of the user), good for `ttlMs`. */
  mint(userId: string | number): QuickBloxIdentityToken {
    const id = userIdText(userId)
    if (id === undefined) throw new TypeError('QuickBloxIdentityTokens: userId must be 1 to 256 characters')
    // Whole seconds, rounded down: a token never lives longer than ttlMs.
    const expires = Math.floor((this.#now() + this.#ttlMs) / 1000)
    const expiry = expires.toString(36)
    return { userId: id, token: `${expiry}.${this.#mac(expiry, id)}`, expiresAt: new Date(expires * 1000) }
  }

  /** Whether `token` was minted here for `userId` and has not expired. Constant time in the token. */
  verify(userId: string | number, token: string): boolean {
    const id = userIdText(userId)
    const match = typeof token === 'string' ? TOKEN.exec(token) : null
    if (id === undefined || !match) return false
    const [, expiry, mac] = match as unknown as [string, string, string]
    const expected = Buffer.from(this.#mac(expiry, id))
    const macMatches = timingSafeEqual(Buffer.from(mac), expected)
    return macMatches && parseInt(expiry, 36) * 1000 > this.#now()
  }

  #mac(expiry: string, userId: string): string {
    // The expiry first: digits and letters only, so no user id can be read as another's message.
    return createHmac('sha256', this.#key)
      .update(`quickblox-idp-token:v1:${expiry}:${userId}`)
      .digest('base64url')
      .slice(0, MAC_LENGTH)
  }
}

function userIdText(userId: string | number): string | undefined {
  const id = typeof userId === 'number' && Number.isSafeInteger(userId) ? String(userId) : userId
  return typeof id === 'string' && id.length >= 1 && id.length <= 256 ? id : undefined
}
