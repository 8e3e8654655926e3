// QuickBloxIdentityTokens: short-lived HMAC tokens bound to a user id, on an injected clock.
import { describe, expect, it } from '@jest/globals'
import { QuickBloxIdentityTokens } from 'passport-quickblox'

const KEY = 'token-key-0123456789abcdef0123456789abcdef'

function withClock(start = Date.UTC(2026, 0, 1)) {
  let now = start
  const tokens = new QuickBloxIdentityTokens({ key: KEY, now: () => now })
  return { tokens, advance: (ms: number) => void (now += ms) }
}

describe('QuickBloxIdentityTokens', () => {
  it('mints a token for the user id that verify accepts, within 8 to 40 characters', () => {
    const { tokens } = withClock()
    const { userId, token, expiresAt } = tokens.mint(42)
    expect(userId).toBe('42')
    expect(token.length).toBeGreaterThanOrEqual(8)
    expect(token.length).toBeLessThanOrEqual(40)
    expect(expiresAt.toISOString()).toBe('2026-01-01T00:05:00.000Z')
    expect(tokens.verify('42', token)).toBe(true)
    expect(tokens.verify(42, token)).toBe(true)
  })

  it('refuses the token for another user id', () => {
    const { tokens } = withClock()
    const { token } = tokens.mint('42')
    expect(tokens.verify('43', token)).toBe(false)
    expect(tokens.verify('420', token)).toBe(false)
  })

  it('refuses the token once it has expired (5 minutes by default)', () => {
    const { tokens, advance } = withClock()
    const { token } = tokens.mint('42')
    advance(299_999)
    expect(tokens.verify('42', token)).toBe(true)
    advance(1)
    expect(tokens.verify('42', token)).toBe(false)
  })

  it('lives as long as ttlMs says', () => {
    let now = Date.UTC(2026, 0, 1)
    const tokens = new QuickBloxIdentityTokens({ key: KEY, ttlMs: 60_000, now: () => now })
    const { token, expiresAt } = tokens.mint('42')
    expect(expiresAt.getTime() - now).toBe(60_000)
    now += 60_000
    expect(tokens.verify('42', token)).toBe(false)
  })

  it('refuses a token whose expiry was pushed back, whose MAC was changed, or made with another key', () => {
    const { tokens } = withClock()
    const { token } = tokens.mint('42')
    const [expiry, mac] = token.split('.') as [string, string]
    const later = (parseInt(expiry, 36) + 3600).toString(36)
    expect(tokens.verify('42', `${later}.${mac}`)).toBe(false)
    const flipped = `${expiry}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`
    expect(tokens.verify('42', flipped)).toBe(false)
    const other = new QuickBloxIdentityTokens({ key: `${KEY}-other`, now: () => Date.UTC(2026, 0, 1) })
    expect(other.verify('42', token)).toBe(false)
  })

  it('refuses what is not a token, without throwing', () => {
    const { tokens } = withClock()
    for (const bad of ['', 'abc', 'x'.repeat(39), `zz.${'A'.repeat(31)}`, 42 as unknown as string])
      expect(tokens.verify('42', bad)).toBe(false)
    expect(tokens.verify('', tokens.mint('42').token)).toBe(false)
  })

  it('refuses a short key, a ttl out of bounds, and a user id that is empty or too long', () => {
    expect(() => new QuickBloxIdentityTokens({ key: 'short' })).toThrow(/at least 32 bytes/)
    expect(() => new QuickBloxIdentityTokens({ key: KEY, ttlMs: 1000 })).toThrow(/ttlMs/)
    expect(() => new QuickBloxIdentityTokens({ key: KEY, ttlMs: 7_200_000 })).toThrow(/ttlMs/)
    const tokens = new QuickBloxIdentityTokens({ key: Buffer.alloc(32, 7) })
    expect(() => tokens.mint('')).toThrow(/userId/)
    expect(() => tokens.mint('x'.repeat(257))).toThrow(/userId/)
  })
})
