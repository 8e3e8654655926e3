/// <reference types="node" preserve="true" />
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Who the user is, as your `verify` tells QuickBlox. `uid` is your immutable id of the user: the
 * key QuickBlox links its user to. Never an email or a login, which change hands.
 */
export interface IdentityProviderUser {
  uid: string | number
  fullName?: string
  email?: string
  login?: string
}

/**
 * Checks the token your chat client sent as `user[password]` for the user id it sent as
 * `user[login]`: resolves with who the user is, or `undefined` to refuse. `signal` aborts when the
 * time limit is reached (pass it to your database or HTTP calls).
 */
export type IdentityProviderVerify = (
  userId: string,
  token: string,
  context: { signal: AbortSignal },
) => IdentityProviderUser | undefined | Promise<IdentityProviderUser | undefined>

export interface QuickBloxIdentityProviderOptions {
  /**
   * The value QuickBlox sends in the secret header (the Dashboard's headers template): at least 32
   * characters, e.g. `openssl rand -hex 32`. A call without it is refused before `verify` runs.
   * Several are accepted while you rotate it: `[newSecret, oldSecret]`.
   */
  secret: string | readonly string[]
  verify: IdentityProviderVerify
  /** The header QuickBlox sends `secret` in. Default `X-IdP-Secret`. */
  header?: string
  /** Milliseconds `verify` may take before the call is answered 504. Default 5000. */
  timeout?: number
  /** Told of what `verify` threw, or of its time running out (for your logs); never of a secret. */
  onError?: (error: unknown) => void
}

/** QuickBlox's call as the Dashboard's templates shape it: query (GET) or body (POST) parameters, and headers. */
export interface IdentityProviderCall {
  method?: string
  headers: Record<string, string | string[] | undefined>
  query?: unknown
  body?: unknown
}

/** The answer for QuickBlox: 200 with the user, or an error body QuickBlox passes on to the chat client. */
export interface IdentityProviderAnswer {
  status: number
  body: Record<string, unknown>
}

/** An Express (or `node:http`) handler, with `answer()` for every other framework. */
export interface QuickBloxIdentityProvider {
  (req: IncomingMessage & { query?: unknown; body?: unknown }, res: ServerResponse): void
  /** The answer to one call, never rejecting: what `verify` throws is a 500, its time running out a 504. */
  answer(call: IdentityProviderCall): Promise<IdentityProviderAnswer>
}

/**
 * The parameter names the handler reads: the docs say to paste
 * `{"IdP_user_ID": "#{login}", "IdP_token": "#{password}"}`.
 */
const PARAMS = { userId: 'IdP_user_ID', token: 'IdP_token' } as const

const LIMITS = { userId: 256, token: 2048, body: 8 * 1024 }
const refusal = (status: number, message: string): IdentityProviderAnswer => ({
  status,
  body: { errors: { base: [message] } },
})
const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

/**
 * Answers QuickBlox's Custom Identity Provider calls (Enterprise plans): QuickBlox forwards the
 * `user[login]` and `user[password]` of `POST /session.json` here, and creates or finds its user by
 * the `uid` answered. Mount it for GET and POST (`app.all(path, handler)`): it reads the query of
 * a GET, and a POST's JSON or form body (parsed by your framework, or read here, 8 KiB at most).
 *
 * | call | answer |
 * |---|---|
 * | secret header missing or wrong | 403, `verify` not called |
 * | `IdP_user_ID` or `IdP_token` missing, or not text | 400 |
 * | a method other than GET or POST | 405 |
 * | `verify` resolves `undefined` (or an id or token past its bound) | 401 |
 * | `verify` resolves a user | 200 `{ uid, full_name?, email?, login? }` |
 * | `verify` throws / takes longer than `timeout` | 500 / 504 (`onError` is told) |
 *
 * Errors are QuickBlox's shape, `{"errors":{"base":["…"]}}`, which QuickBlox passes on as it is.
 *
 * @example
 * app.all('/quickblox/identity', quickbloxIdentityProvider({
 *   secret: process.env.QB_IDP_SECRET,
 *   verify: (userId, token) => (tokens.verify(userId, token) ? { uid: userId } : undefined),
 * }))
 */
export function quickbloxIdentityProvider(options: QuickBloxIdentityProviderOptions): QuickBloxIdentityProvider {
  const { secret, verify, header = 'X-IdP-Secret', timeout = 5000, onError } = options ?? {}
  const secrets: readonly unknown[] = Array.isArray(secret) ? secret : [secret]
  if (secrets.length === 0 || !secrets.every((s) => typeof s === 'string' && s.length >= 32))
    throw new TypeError('quickbloxIdentityProvider: secret must be at least 32 characters')
  if (typeof verify !== 'function') throw new TypeError('quickbloxIdentityProvider: verify must be a function')
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 60_000)
    throw new TypeError('quickbloxIdentityProvider: timeout must be 1 to 60000 ms')
  if (!/^[A-Za-z0-9-]{1,64}$/.test(header))
    throw new TypeError('quickbloxIdentityProvider: header must be a header name (letters, digits, hyphens)')
  const expected = (secrets as string[]).map(digest)
  const headerName = header.toLowerCase()

  // Both sides hashed to one length, so the comparison takes as long whatever was sent.
  const authorized = (headers: IdentityProviderCall['headers']): boolean => {
    const sent = headers[headerName]
    if (typeof sent !== 'string') return false
    const hash = digest(sent)
    // Every secret is compared, so which one matched takes no longer than none.
    return expected.reduce((found, each) => timingSafeEqual(hash, each) || found, false)
  }

  const answer = async (call: IdentityProviderCall): Promise<IdentityProviderAnswer> => {
    if (!authorized(call.headers)) return refusal(403, 'Forbidden')
    const method = (call.method ?? 'GET').toUpperCase()
    if (method !== 'GET' && method !== 'POST') return refusal(405, 'Method not allowed')
    const params = method === 'GET' ? call.query : call.body
    const userId = field(params, PARAMS.userId)
    const token = field(params, PARAMS.token)
    if (userId === undefined || token === undefined)
      return refusal(400, `${PARAMS.userId} and ${PARAMS.token} are required`)
    if (userId.length > LIMITS.userId || token.length > LIMITS.token) return refusal(401, 'Unauthorized')
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeout)
    })
    try {
      const found = await Promise.race([
        Promise.resolve().then(() => verify(userId, token, { signal: controller.signal })),
        expired,
      ])
      if (found === 'timeout') {
        controller.abort()
        onError?.(new Error(`quickbloxIdentityProvider: verify took longer than ${timeout} ms`))
        return refusal(504, 'Identity provider timed out')
      }
      if (found === undefined || found === null) return refusal(401, 'Unauthorized')
      return { status: 200, body: userAnswer(found) }
    } catch (error) {
      onError?.(error)
      return refusal(500, 'Identity provider error')
    } finally {
      clearTimeout(timer)
    }
  }

  const handler = (req: IncomingMessage & { query?: unknown; body?: unknown }, res: ServerResponse): void => {
    // The secret first: a caller without it costs no body read.
    if (!authorized(req.headers)) return send(res, 403, refusal(403, 'Forbidden').body)
    readCall(req)
      .then((call) => ('status' in call ? call : answer(call)))
      .then(
        ({ status, body }) => send(res, status, body),
        () => res.destroy(),
      )
  }
  return Object.assign(handler, { answer })
}

/** One text parameter; a repeated or nested one is not text. */
function field(params: unknown, name: string): string | undefined {
  if (typeof params !== 'object' || params === null) return undefined
  const value = (params as Record<string, unknown>)[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The 200 answer, in the response template's field names; only text fields, `uid` as text. */
function userAnswer(user: IdentityProviderUser): Record<string, unknown> {
  const uid = typeof user.uid === 'number' && Number.isFinite(user.uid) ? String(user.uid) : user.uid
  if (typeof uid !== 'string' || uid === '') throw new TypeError('quickbloxIdentityProvider: verify returned no uid')
  const body: Record<string, unknown> = { uid }
  if (typeof user.login === 'string') body.login = user.login
  if (typeof user.email === 'string') body.email = user.email
  if (typeof user.fullName === 'string') body.full_name = user.fullName
  return body
}

/** The call as the request carries it: the framework's parsed query and body, else read here. */
async function readCall(
  req: IncomingMessage & { query?: unknown; body?: unknown },
): Promise<IdentityProviderCall | IdentityProviderAnswer> {
  const query = req.query ?? Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams)
  let body = req.body
  if (body === undefined && req.method === 'POST' && !req.readableEnded) {
    const type = req.headers['content-type'] ?? ''
    const json = /^application\/json\b/i.test(type)
    if (!json && !/^application\/x-www-form-urlencoded\b/i.test(type)) return refusal(415, 'JSON or form only')
    const text = await readText(req)
    if (text === undefined) return refusal(413, 'Request entity too large')
    try {
      body = json ? (JSON.parse(text) as unknown) : Object.fromEntries(new URLSearchParams(text))
    } catch {
      return refusal(400, 'Malformed JSON')
    }
  }
  return { method: req.method, headers: req.headers, query, body }
}

/** The body as text, or `undefined` past 8 KiB (reading stops there). */
function readText(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= LIMITS.body) return void chunks.push(chunk)
      req.removeAllListeners('data').pause()
      resolve(undefined)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, status: number, body: object): void {
  if (res.headersSent) return
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Cache-Control', 'no-store')
  if (status === 405) res.setHeader('Allow', 'GET, POST')
  if (status === 413) res.setHeader('Connection', 'close')
  res.end(JSON.stringify(body))
}
