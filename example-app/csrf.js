// CSRF protection for the HTML forms without a server-side session: a signed double-submit cookie.
// The token is `nonce.expiry.mac`, the mac an HMAC keyed by the session secret. It travels twice,
// in a cookie and in the form's `_csrf` field; a POST is accepted when both are the same and the
// mac is ours. A cross-site page can neither read the cookie nor set it, so it cannot send a
// matching field. Once signed in, the mac also covers the session id, so a token is good for one
// session only. In production the cookie is `__Host-` prefixed: Secure, Path=/, no Domain, which
// a sibling subdomain cannot overwrite.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

const LIFETIME_S = 8 * 3600 // as long as a signed-in session
const RENEW_BELOW_S = 3600 // a page rendered with less than this left gets a fresh token

/** @param {{ secret: string, production: boolean }} options */
export function csrfProtection({ secret, production }) {
  const cookieName = production ? '__Host-csrf' : 'csrf'
  const key = createHmac('sha256', secret).update('csrf-token-key').digest() // not the session cookie's own key
  const mac = (req, value) =>
    createHmac('sha256', key)
      .update(`${req.user ? req.sessionID : ''}\n${value}`)
      .digest('base64url')

  /** Seconds the token has left when it is ours, for this visitor; 0 otherwise. */
  function secondsLeft(req, token) {
    if (typeof token !== 'string' || token.length > 128) return 0
    const [nonce, expiry, sent, extra] = token.split('.')
    if (!nonce || !expiry || !sent || extra !== undefined || !/^\d{1,12}$/.test(expiry)) return 0
    if (!sameText(sent, mac(req, `${nonce}.${expiry}`))) return 0
    return Math.max(0, Number(expiry) - Math.floor(Date.now() / 1000))
  }

  return {
    /** The token for the forms on this page: the visitor's own while it lasts, else a new one (and its cookie). */
    token(req, res) {
      const current = readCookie(req, cookieName)
      if (secondsLeft(req, current) > RENEW_BELOW_S) return current
      const value = `${randomBytes(16).toString('base64url')}.${Math.floor(Date.now() / 1000) + LIFETIME_S}`
      const token = `${value}.${mac(req, value)}`
      res.cookie(cookieName, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: production,
        path: '/',
        maxAge: LIFETIME_S * 1000,
      })
      return token
    },
    /** Whether the form POST carries, in its `_csrf` field, the token of its cookie, and the token is ours. */
    verify(req) {
      const sent = req.body?._csrf
      const cookie = readCookie(req, cookieName)
      return (
        typeof sent === 'string' && typeof cookie === 'string' && sameText(sent, cookie) && secondsLeft(req, cookie) > 0
      )
    },
  }
}

function readCookie(req, name) {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=')
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim()
  }
  return undefined
}

function sameText(a, b) {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
