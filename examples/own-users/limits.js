// Rate limits (express-rate-limit, in memory: one process. Several instances would share a store,
// such as rate-limit-redis). Each counts as the request arrives, so a burst sent at one moment
// cannot slip past a count none of it has made yet.
// - Wrong passwords, per client address, per account from one address (stops guessing from there
//   without locking the owner out from theirs), and per account from every address (a ceiling on
//   guessing spread over many). A sign-in that did not answer 401 gives its place back.
// - Chat tokens, per account and per client address: each is a QuickBlox call and a live token.
// - Calls to the identity provider endpoint without its secret, per client address. Only those:
//   QuickBlox always sends the secret, so its own addresses are never held back by its clients.
import { ipKeyGenerator, rateLimit } from 'express-rate-limit'

const MINUTE = 60_000
export const DEFAULT_LIMITS = {
  wrongPasswordsPerAddress: { windowMs: 15 * MINUTE, limit: 50 },
  wrongPasswordsPerAccountAddress: { windowMs: 15 * MINUTE, limit: 5 },
  wrongPasswordsPerAccount: { windowMs: 60 * MINUTE, limit: 100 },
  chatTokensPerAccount: { windowMs: 15 * MINUTE, limit: 20 },
  chatTokensPerAddress: { windowMs: 15 * MINUTE, limit: 100 },
  identityProviderForbiddenPerAddress: { windowMs: 15 * MINUTE, limit: 20 },
}

// An IPv6 client by its /56 network, as express-rate-limit does: one host holds many addresses.
const address = (req) => ipKeyGenerator(req.ip ?? '', 56)

/** One counter: 429 JSON with `Retry-After` (and the draft-8 `RateLimit` headers) once full. */
const limiter = ({ windowMs, limit }, key, error, more = {}) =>
  rateLimit({
    windowMs,
    limit,
    keyGenerator: key,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => res.status(429).json({ error }),
    ...more,
  })

/**
 * The limits as Express middleware: `signIn` before the password is checked, `chatTokens` before a
 * token is made, `identityProvider` before QuickBlox's call is answered.
 */
export function rateLimits(limits = DEFAULT_LIMITS) {
  const { wrongPasswordsPerAddress, wrongPasswordsPerAccountAddress, wrongPasswordsPerAccount } = limits
  const { chatTokensPerAccount, chatTokensPerAddress, identityProviderForbiddenPerAddress } = limits
  const signInError = 'Too many wrong passwords. Please try again later.'
  const wrongPassword = { skipSuccessfulRequests: true, requestWasSuccessful: (_req, res) => res.statusCode !== 401 }
  // The username exactly as sent: the database compares it so, and other spellings are other accounts.
  const account = (req) => req.body.username
  const tokensError = 'Too many chat tokens asked for. Please try again later.'
  return {
    signIn: [
      limiter(wrongPasswordsPerAddress, (req) => address(req), signInError, wrongPassword),
      limiter(wrongPasswordsPerAccountAddress, (req) => `${account(req)}\n${address(req)}`, signInError, wrongPassword),
      limiter(wrongPasswordsPerAccount, account, signInError, wrongPassword),
    ],
    chatTokens: [
      limiter(chatTokensPerAccount, (req) => String(req.user.id), tokensError),
      limiter(chatTokensPerAddress, (req) => address(req), tokensError),
    ],
    identityProvider: [
      limiter(identityProviderForbiddenPerAddress, (req) => address(req), 'Too many requests', {
        skipSuccessfulRequests: true,
        requestWasSuccessful: (_req, res) => res.statusCode !== 403,
      }),
    ],
  }
}
