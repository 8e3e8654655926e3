// The signed-in user's own account: change the name and email, change the password, delete the
// account, and the forgotten-password mail; as forms on /profile and /password-reset, and as JSON
// under /api. Each goes to QuickBlox with the user's own session token (strategy.client), so the
// app needs no credentials besides those it signs in with. A current password typed here is a
// password guess like a sign-in: it takes a place on the same per-account counters (limits.js).
import { promisify } from 'node:util'
import { QuickBloxCredentialsError, QuickBloxValidationError, QuickBloxWrongPasswordError } from 'passport-quickblox'
import { appUser } from './user.js'
import * as views from './views.js'

const MAX_TEXT = 255
const EMAIL = /^[^\s@]+@[^\s@]+$/

/**
 * @param {object} options
 * @param {import('passport-quickblox').QuickBloxStrategy} options.strategy
 * @param {ReturnType<typeof import('./sessions.js').sessionEpochs>} options.epochs
 * @param {ReturnType<typeof import('./limits.js').signInLimits>} options.limiter
 * @param {(req, res) => string} options.csrfToken
 * @param {(req, res, status: number, message: string) => void} options.sendError
 * @param {(req, res) => Promise<void>} options.signOut ends the cookie session and a Bearer token
 * @param {(res, token: string | undefined) => Promise<void>} options.endQuickBloxSession
 * @param {(req) => string | undefined} options.sessionToken the cookie session's QuickBlox token
 */
export function accountRoutes({
  strategy,
  epochs,
  limiter,
  csrfToken,
  sendError,
  signOut,
  endQuickBloxSession,
  sessionToken,
}) {
  const { client } = strategy
  /** The token to act with: a Bearer request's own, else the cookie session's. */
  const tokenOf = (req, res) => res.locals.bearerToken ?? sessionToken(req)

  /** The new name and email, as text; what is wrong with them before QuickBlox is asked. */
  function readProfile(body) {
    const values = {}
    const errors = {}
    for (const field of ['full_name', 'email']) {
      const value = body?.[field]
      if (value === undefined || value === '') continue
      if (typeof value !== 'string') errors[field] = 'must be text'
      else if (value.length > MAX_TEXT) errors[field] = `is too long (at most ${MAX_TEXT} characters)`
      else if (/\p{Cc}/u.test(value)) errors[field] = 'must not contain control characters'
      else values[field] = value.trim()
    }
    if (Object.keys(values).length === 0 && Object.keys(errors).length === 0)
      errors.full_name = 'or an email is required'
    return { values, errors }
  }

  /** Named password fields, present, text, bounded; `errors` names those that are not. */
  function readPasswords(body, names) {
    const values = {}
    const errors = {}
    for (const name of names) {
      const value = body?.[name]
      if (typeof value !== 'string' || value === '') errors[name] = 'is required'
      else if (value.length > MAX_TEXT) errors[name] = `is too long (at most ${MAX_TEXT} characters)`
      else values[name] = value
    }
    return { values, errors }
  }

  /** What QuickBlox said of each field, as one line per field, under the form's own field names. */
  const fieldsOf = (err, rename = {}) =>
    Object.fromEntries(Object.entries(err.fields).map(([field, list]) => [rename[field] ?? field, list.join(', ')]))

  /** The user's login or email, as the sign-in limiter counts an account (limits.js). */
  const credentialsOf = (user, password) =>
    user.login ? { login: user.login, password } : user.email ? { email: user.email, password } : undefined

  /** Signs this browser in again as `user` (Passport gives the session a new id); keeps what the session had. */
  async function keepSignedIn(req, user, extra) {
    const { qbToken, sessionEpoch, signedInWith } = req.session.passport.user
    await promisify(req.logIn.bind(req))({ ...appUser(user), qbToken, sessionEpoch, signedInWith, ...extra })
  }

  /**
   * Takes a place on the account's sign-in counters for `credentials` typed here, runs `check`
   * (which resolves `true` when QuickBlox refused them), and settles the place: a wrong password
   * stays counted, as a failed sign-in does. `undefined` when the limit refused (429 sent).
   */
  async function guarded(req, res, credentials, check) {
    res.locals.credentials = credentials
    const reserved = await limiter.reserveFor(req, res)
    if (!reserved) return undefined
    let wrong = false
    try {
      wrong = await check()
      return { wrong }
    } finally {
      await limiter.settle(res, wrong ? 401 : 200)
    }
  }

  // Every handler answers a page (form) or JSON (api), from the same steps.
  const answer = {
    /** A form's problems: the profile page again with them beside its fields, or `{error, fields}`. */
    invalid(req, res, kind, status, form, errors, values = {}) {
      if (kind === 'api') return res.status(status).json({ error: 'Please correct the fields', fields: errors })
      res.status(status).send(views.profile({ user: req.user, csrf: csrfToken(req, res), form, errors, values }))
    },
    /** QuickBlox no longer knows the session's token (it expired 2 h after its last use): sign in again. */
    async expired(req, res, kind) {
      await signOut(req, res)
      if (kind === 'api') return res.status(401).json({ error: 'Your session has ended. Please sign in again.' })
      res.redirect(303, '/login?expired=1')
    },
  }

  /** PATCH /api/me, POST /profile: the name and the email. */
  const updateProfile = (kind) => async (req, res) => {
    if (!req.user) return sendError(req, res, 401, 'Not signed in')
    const { values, errors } = readProfile(req.body)
    if (Object.keys(errors).length > 0) return answer.invalid(req, res, kind, 400, 'profile', errors, values)
    let user
    try {
      user = await client.updateUser(
        req.user.id,
        { fullName: values.full_name, email: values.email },
        tokenOf(req, res),
      )
    } catch (err) {
      if (err instanceof QuickBloxValidationError) {
        return answer.invalid(req, res, kind, 422, 'profile', fieldsOf(err), values)
      }
      if (err instanceof QuickBloxCredentialsError && err.status === 401) return answer.expired(req, res, kind)
      throw err
    }
    if (!res.locals.bearerToken) await keepSignedIn(req, user)
    if (kind === 'api') return res.json({ user: appUser(user) })
    res.redirect(303, '/profile?updated=profile')
  }

  /**
   * PUT /api/me/password, POST /profile/password. After the change this browser signs in again
   * with the new password (a new QuickBlox token, the old one ended) and a new session id; every
   * other session of the user ends (a new epoch, sessions.js).
   */
  const changePassword = (kind) => async (req, res) => {
    if (!req.user) return sendError(req, res, 401, 'Not signed in')
    const { values, errors } = readPasswords(req.body, ['current_password', 'new_password'])
    if (Object.keys(errors).length > 0) return answer.invalid(req, res, kind, 400, 'password', errors)
    const { current_password: current, new_password: next } = values
    if (!credentialsOf(req.user, current)) {
      return answer.invalid(req, res, kind, 400, 'password', { current_password: 'is not set for this account' })
    }
    const token = tokenOf(req, res)
    let refused
    const outcome = await guarded(req, res, credentialsOf(req.user, current), async () => {
      try {
        await client.changePassword(req.user.id, { oldPassword: current, password: next }, token)
        return false
      } catch (err) {
        if (err instanceof QuickBloxWrongPasswordError) return true
        const answered =
          err instanceof QuickBloxValidationError || (err instanceof QuickBloxCredentialsError && err.status === 401)
        if (!answered) throw err
        refused = err
        return false
      }
    })
    if (!outcome) return undefined // refused by the limit: 429 sent
    if (outcome.wrong) return answer.invalid(req, res, kind, 422, 'password', { current_password: 'is not correct' })
    if (refused instanceof QuickBloxValidationError) {
      return answer.invalid(req, res, kind, 422, 'password', fieldsOf(refused, { password: 'new_password' }))
    }
    if (refused instanceof QuickBloxCredentialsError && refused.status === 401) return answer.expired(req, res, kind)

    const epoch = await epochs.renew(req.user.id)
    if (!res.locals.bearerToken) {
      // A fresh QuickBlox session for this browser; should that fail, it keeps the one it has.
      const fresh = await client.login(credentialsOf(req.user, next)).catch((err) => {
        res.locals.errorCode = err.code
        return undefined
      })
      await keepSignedIn(req, fresh?.user ?? req.user, {
        sessionEpoch: epoch,
        ...(fresh && { qbToken: fresh.session.token }),
      })
      if (fresh) await endQuickBloxSession(res, token)
    }
    if (kind === 'api') return res.status(204).end()
    res.redirect(303, '/profile?updated=password')
  }

  /**
   * DELETE /api/me, POST /profile/delete: the user signs in again, checked by a QuickBlox login
   * (which counts like a sign-in): with their password, or, for a user of a provider, with that
   * provider's credential (the login form's fields). The account is then deleted with that
   * login's fresh token, every session of the user ends here, and QuickBlox ends theirs.
   */
  const deleteAccount = (kind) => async (req, res) => {
    if (!req.user) return sendError(req, res, 401, 'Not signed in')
    let credentials
    if (req.body?.provider !== undefined) {
      const read = strategy.credentialsOf(req)
      if ('message' in read) return answer.invalid(req, res, kind, 400, 'delete', { base: read.message })
      credentials = read.credentials
    } else {
      const { values, errors } = readPasswords(req.body, ['password'])
      if (Object.keys(errors).length > 0) return answer.invalid(req, res, kind, 400, 'delete', errors)
      credentials = credentialsOf(req.user, values.password)
      if (!credentials) {
        return answer.invalid(req, res, kind, 400, 'delete', { password: 'is not set for this account' })
      }
    }
    let session
    const outcome = await guarded(req, res, credentials, async () => {
      let result
      try {
        result = await client.login(credentials)
      } catch (err) {
        if (err instanceof QuickBloxCredentialsError) return true
        throw err
      }
      // A provider's credential may be someone else's: then it proves nothing about this account.
      if (result.user.id === req.user.id) session = result.session
      else await endQuickBloxSession(res, result.session.token)
      return session === undefined
    })
    if (!outcome) return undefined
    if (outcome.wrong) {
      const problem =
        'provider' in credentials
          ? { base: 'Those credentials do not sign in to this account.' }
          : { password: 'is not correct' }
      return answer.invalid(req, res, kind, 422, 'delete', problem)
    }
    await client.deleteUser(req.user.id, session.token)
    await epochs.end(req.user.id)
    await signOut(req, res) // this session, its QuickBlox token, and a Bearer token
    if (kind === 'api') return res.status(204).end()
    res.redirect(303, '/?deleted=1')
  }

  /**
   * POST /api/password-reset, POST /password-reset: QuickBlox mails a link to choose a new
   * password. The same answer whether or not an account has the address, so nobody learns who
   * has one; limited per client address and per email (limits.js).
   */
  const resetPassword = (kind) => async (req, res) => {
    const email = typeof req.body?.email === 'string' ? req.body.email.trim() : ''
    if (email.length > MAX_TEXT || !EMAIL.test(email)) {
      if (kind === 'api')
        return res
          .status(400)
          .json({ error: 'An email address is required', fields: { email: 'is not an email address' } })
      return res
        .status(400)
        .send(views.passwordReset({ csrf: csrfToken(req, res), email, error: 'Enter an email address.' }))
    }
    if (!(await limiter.resetPerEmail(req, res, email))) return undefined // 429 sent
    await client.sendPasswordResetEmail(email).catch((err) => {
      // QuickBlox's opinion of the address is not told: an unknown one must read like a known one.
      if (!(err instanceof QuickBloxValidationError)) throw err
    })
    if (kind === 'api') return res.status(202).json({ message: views.RESET_SENT })
    res.send(views.passwordReset({ csrf: csrfToken(req, res), sent: true }))
  }

  return { updateProfile, changePassword, deleteAccount, resetPassword }
}
