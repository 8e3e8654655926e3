import type { ServerResponse } from 'node:http'
import type { QuickBloxAdmin, QuickBloxIdentity } from './quickblox/admin.js'

/** A request as Passport leaves it: `req.user` is whoever is signed in (absent when nobody is). */
export interface SignedInRequest {
  method?: string | undefined
  user?: unknown
}

export interface QuickBloxSessionOptions<Req extends SignedInRequest> {
  /** Creates the QuickBlox users and tokens: made once, from the API key, and shared. */
  admin: Pick<QuickBloxAdmin, 'sessionFor'>
  /**
   * Who the signed-in user is in QuickBlox's terms; called only when `req.user` is set.
   * `externalUserId` is your id of the user; the other fields are used when the QuickBlox user is
   * created. Return `undefined` to answer 401.
   */
  identity: (req: Req) => QuickBloxIdentity | undefined
}

/** The JSON `quickbloxSession` answers with, for the signed-in user's chat client. */
export interface QuickBloxSessionAnswer {
  token: string
  /** ISO 8601. */
  expiresAt: string
  userId: number
}

/**
 * An Express (or plain `node:http`) handler that turns whoever is signed in into a QuickBlox
 * session token for their chat client: `200 { token, expiresAt, userId }` with
 * `Cache-Control: no-store`, `401` when nobody is signed in, `405` (`Allow: POST`) for any method
 * but POST, so a link prefetch or an image tag mints nothing. The QuickBlox user is created on
 * first sight (`QuickBloxAdmin#sessionFor`); the token is an ordinary user session, which
 * `QuickBloxTokenStrategy` accepts. QuickBlox's errors go to `next(err)` with their `status`.
 *
 * @example
 * app.post('/api/quickblox/session', quickbloxSession({
 *   admin,
 *   identity: (req) => ({ externalUserId: req.user.id, fullName: req.user.name }),
 * }))
 */
export function quickbloxSession<Req extends SignedInRequest>(
  options: QuickBloxSessionOptions<Req>,
): (req: Req, res: ServerResponse, next: (err?: unknown) => void) => void {
  const { admin, identity } = options ?? {}
  if (typeof admin?.sessionFor !== 'function') throw new TypeError('quickbloxSession: option admin is required')
  if (typeof identity !== 'function') throw new TypeError('quickbloxSession: option identity must be a function')
  return (req, res, next) => {
    // Minting a token (and creating a user) is not safe to repeat: only POST, whatever it is mounted for.
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST')
      return send(res, 405, { error: 'Method Not Allowed' })
    }
    let found: QuickBloxIdentity | undefined
    try {
      found = req.user === undefined || req.user === null ? undefined : identity(req)
    } catch (error) {
      return next(error)
    }
    // A token is a credential: no cache, shared or private, may keep it.
    res.setHeader('Cache-Control', 'no-store')
    if (found === undefined || found === null) return send(res, 401, { error: 'Not signed in' })
    // Anything that throws on the way to the answer, too, goes to `next`: never an unhandled rejection.
    admin
      .sessionFor(found)
      .then(({ token, expiresAt, userId }) =>
        send(res, 200, { token, expiresAt: new Date(expiresAt).toISOString(), userId }),
      )
      .catch(next)
  }
}

function send(res: ServerResponse, status: number, body: object): void {
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.end(JSON.stringify(body))
}
