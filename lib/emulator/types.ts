/** A QuickBlox application the emulator knows: what you find under "Credentials" in QuickBlox's admin panel. */
export interface EmulatorApplication {
  /** The application id (`application_id`). */
  id: number
  /** The authorization key (`auth_key`), sent in clear with every session request. */
  authKey: string
  /** The authorization secret: the HMAC key of the session signature. Never sent. */
  authSecret: string
  /**
   * The API key a backend sends as `Authorization: ApiKey <key>` (server to server, full rights).
   * A random one is made when absent; the running emulator's `applications` show it.
   */
  apiKey?: string
  /**
   * Whether an application session (`QB-Token` of no user) may create users with
   * `POST /users.json`, as QuickBlox allows unless the Dashboard turns it off. Default true; the
   * API key may always create users.
   */
  allowUserCreation?: boolean
  /**
   * QuickBlox's Custom Identity Provider (Enterprise plans): `POST /session.json` with
   * `user[login]` (or `user[email]`) and `user[password]` asks this endpoint who the user is.
   */
  identityProvider?: EmulatorIdentityProvider
}

/**
 * An identity provider, as the Dashboard's Custom Identity Provider settings describe it. The
 * templates default to the ones the docs say to paste: headers `{"X-IdP-Secret": secret}`, params
 * `{"IdP_user_ID": "#{login}", "IdP_token": "#{password}"}`, response `{"uid": "#{uid}",
 * "login": "#{login}", "email": "#{email}", "full_name": "#{full_name}"}`.
 */
export interface EmulatorIdentityProvider {
  /** The endpoint's URL (http or https). */
  url: string
  /** Sent as the `X-IdP-Secret` header (added to the headers template); never logged. */
  secret?: string
  /** `'POST'` (default: a form body) or `'GET'` (query parameters). */
  method?: 'GET' | 'POST'
  /**
   * The Dashboard's templates. `headers` and `params` values may hold `#{login}`, `#{password}`
   * and `#{email}` (underscores in header names become hyphens, as QuickBlox does); `response`
   * maps QuickBlox's user fields (`uid` required, `login`, `email`, `full_name`,
   * `external_user_id`) to `#{path}`s of the endpoint's JSON answer, such as `#{user.id}`.
   */
  templates?: { headers?: Record<string, string>; params?: Record<string, string>; response?: Record<string, string> }
  /** Milliseconds to wait for the endpoint, 1 to 10000 (default 10000). */
  timeoutMs?: number
}

/** An application as the running emulator knows it: its API key is always there. */
export type EmulatorApplicationWithKey = EmulatorApplication & { apiKey: string }

/**
 * A user to seed. A user is found by login or email + password, by Facebook token, or by
 * Firebase project id + token.
 */
export interface EmulatorUserSeed {
  /** The QuickBlox user id; assigned when absent. */
  id?: number
  login?: string
  email?: string
  password?: string
  full_name?: string
  phone?: string
  website?: string
  custom_data?: string
  user_tags?: string
  external_user_id?: string | number
  /**
   * The application the user belongs to. Absent, a seeded user belongs to every application the
   * emulator knows (handy in tests); users created with `POST /users.json` belong to the
   * application that created them alone, as in QuickBlox.
   */
  application_id?: number
  /**
   * The `uid` an identity provider answered for this user: QuickBlox's hidden link to it, which
   * no API request can set or change. The emulator sets it on users it creates that way.
   */
  identity_provider_uid?: string
  /** Logs in with `provider=facebook` + `keys[token]`; `id` becomes `facebook_id` (derived when absent). */
  facebook?: { token: string; id?: string }
  /** Logs in with `provider=firebase_phone` + `firebase_phone[project_id]` + `firebase_phone[access_token]`. */
  firebase_phone?: { project_id: string; access_token: string }
}

/** A seeded user with its id (passwords included: it is test data). */
export type EmulatorUser = EmulatorUserSeed & { id: number }

/** What `startEmulator()` can start from: applications and users, as in a `--data` JSON file. */
export interface EmulatorData {
  applications: EmulatorApplication[]
  users: EmulatorUserSeed[]
}

/** The endpoints the emulator serves, with the status each answers on success. */
export const ENDPOINTS = {
  'POST /session.json': 201,
  'GET /session.json': 200,
  'DELETE /session.json': 200,
  'POST /login.json': 202,
  'DELETE /login.json': 200,
  'GET /users/:id.json': 200,
  'POST /users.json': 201,
  'GET /users/external/:id.json': 200,
  'POST /users/:id/tokens': 201,
  'PUT /users/:id.json': 200,
  'DELETE /users/:id.json': 200,
  'GET /users/by_login.json': 200,
  'GET /users/by_email.json': 200,
  'GET /users/password/reset.json': 200,
  'GET /users.json': 200,
  'GET /password/reset': 200,
  'POST /password/reset': 200,
} as const

/** An endpoint, named as faults, latency and counts refer to it. */
export type EmulatorEndpoint = keyof typeof ENDPOINTS

/**
 * A fault for `failNext()`.
 * - `{ status }`: answer that status (body defaults to a QuickBlox error body; `retryAfter`
 *   sets `Retry-After`, in seconds).
 * - `'hang'`: never answer (until `close()`). `'reset'`: destroy the socket without answering.
 * - `'garbage'`: the success status with an HTML page. `'truncated'`: the real JSON answer cut half way
 *   (the request *is* processed). `'wrong-shape'`: the success status with JSON lacking the expected fields.
 * - `'cut'`: the real answer's status and full `Content-Length`, then half its body and the connection
 *   dropped, so reading the body fails (the request *is* processed).
 * - `'expire-session'`: treat the sent token as expired (401 `Required session does not exist`) and destroy it.
 */
export type EmulatorFault =
  | { status: number; retryAfter?: number; body?: unknown }
  | 'hang'
  | 'reset'
  | 'garbage'
  | 'truncated'
  | 'cut'
  | 'wrong-shape'
  | 'expire-session'

/** A key and certificate to serve HTTPS with, in PEM (text, or the bytes of a `.pem` file). */
export interface EmulatorTls {
  key: string | Uint8Array
  cert: string | Uint8Array
}

/**
 * A mail the emulator "sent" instead of QuickBlox: today the password reset mail of
 * `GET /users/password/reset.json`, whose link opens the emulator's own page for a new password.
 */
export interface EmulatorMail {
  /** The user's email address. */
  to: string
  subject: string
  /** The reset page's address, its single-use secret included: `<url>/password/reset?token=…`. */
  link: string
  /** When it was sent, on the emulator's clock (ms). */
  sentAt: number
}

/** Options of `startEmulator()`. Every one is optional. */
export interface EmulatorOptions {
  /** Port to listen on; `0` (default) picks a free one. */
  port?: number
  /** Interface to listen on; default `'127.0.0.1'`. */
  host?: string
  /**
   * Serve HTTPS rather than HTTP, as clients that build every URL as `https://` + host need
   * (QuickBlox's JS SDK). `true`: with a self-signed certificate made at start for `localhost`,
   * `127.0.0.1`, `::1` and `host` (valid 30 days; its private key never leaves memory);
   * `{ key, cert }`: with yours. Either way `certificate` shows the certificate, for clients to
   * trust. `false` (or absent): plain HTTP.
   */
  tls?: boolean | EmulatorTls
  /** Applications to accept. With neither these, `users` nor `dataFile`, the built-in `demoData` is used. */
  applications?: EmulatorApplication[]
  /** Users to seed; ids are assigned when absent. */
  users?: EmulatorUserSeed[]
  /** An identity provider for every application that has none of its own (the CLI's `--idp-url`). */
  identityProvider?: EmulatorIdentityProvider
  /** A JSON file `{ applications, users }`; `applications` / `users` given as options take precedence. */
  dataFile?: string
  /** The emulator's clock, ms since the epoch (default `Date.now`). `advanceTime()` adds to it. */
  now?: () => number
  /** Milliseconds to wait before answering, per endpoint. */
  latency?: Partial<Record<EmulatorEndpoint, number>>
  /** Where the emulator writes one line per request (no body, so never a password). Default: nowhere. */
  log?: (line: string) => void
  /**
   * Where the emulator delivers each mail it sends (a password reset link), besides keeping it in
   * `mails`. Default: one line on `log`, `mail to <address>: <subject>: <link>`.
   */
  mail?: (mail: EmulatorMail) => void
  /**
   * How many of the most recent requests `requests` keeps (default 10000), so a long-running
   * emulator does not grow without limit; `counts()` still counts every request.
   */
  maxLogEntries?: number
}

/** One request as the emulator saw it, with secrets masked. */
export interface EmulatorRequestLog {
  /** The endpoint, or `null` for a path the emulator does not serve (answered 404). */
  endpoint: EmulatorEndpoint | null
  method: string
  /** The path without the query string. */
  path: string
  /** Request headers, lower-cased; `qb-token` replaced by its fingerprint, `authorization` by `'***'`. */
  headers: Record<string, string>
  /**
   * The parsed body with `password`, `token`, `secret`, `access_token` and `auth_secret` masked
   * as `'***'`; `null` if unreadable.
   */
  body: unknown
  /** Fingerprint (first 12 hex of its SHA-256) of the `QB-Token` sent, to correlate calls without the token itself. */
  token?: string
  /** The status answered; `null` while pending and for `'hang'` / `'reset'` / `'cut'`. */
  status: number | null
  /** When the request arrived, on the emulator's clock (ms). */
  startedAt: number
  /** Wall-clock ms from arrival to the end of the answer. */
  durationMs: number
}

/** A running emulator, as `startEmulator()` resolves it. */
export interface Emulator {
  /**
   * Base URL, e.g. `'http://127.0.0.1:41234'` (`https://` with `tls`): pass it as the client's
   * `apiEndpoint`. The SDK's `endpoints.api` takes its host: `new URL(url).host`.
   */
  url: string
  port: number
  /**
   * With `tls`, the certificate served (PEM): give it to clients as their trusted CA
   * (`NODE_EXTRA_CA_CERTS=<file>`, an https `Agent`'s `ca`). `undefined` on plain HTTP.
   */
  certificate: string | undefined
  /** The first application (handy for tests). */
  application: EmulatorApplicationWithKey
  applications: EmulatorApplicationWithKey[]
  /** The seeded users with their ids. */
  users: EmulatorUser[]
  /** Stops the server, ending hung requests and keep-alive sockets. */
  close(): Promise<void>
  /** Sets the latency (ms) of one endpoint, or of every endpoint with `'*'` (replacing per-endpoint settings). */
  setLatency(endpoint: EmulatorEndpoint | '*', ms: number): void
  /** Makes the next `times` (default 1) requests to `endpoint` fail with `fault`. Faults queue in order. */
  failNext(endpoint: EmulatorEndpoint, fault: EmulatorFault, times?: number): void
  /** Forgets every queued fault. */
  clearFaults(): void
  /** Moves the emulator's clock forward (token expiry, timestamp checks). */
  advanceTime(ms: number): void
  /** The requests so far (the most recent `maxLogEntries`), in arrival order. */
  readonly requests: readonly EmulatorRequestLog[]
  /** How many requests each endpoint received since the start or `resetLog()`, all of them counted. */
  counts(): Record<EmulatorEndpoint, number>
  /** Clears `requests` and `counts()`. */
  resetLog(): void
  /** Destroys every session token of a user (as `DELETE /session.json` would); returns how many. */
  destroyUserSessions(userId: number): number
  /** Expires every session token of a user (as two idle hours would); returns how many. */
  expireUserSessions(userId: number): number
  /** The mails sent so far (the most recent 1000), oldest first: reset links, with their secrets. */
  readonly mails: readonly EmulatorMail[]
  /** The link of the latest password reset mail to `email` (any letter case), or `undefined`. */
  lastResetLink(email: string): string | undefined
  /** Adds a user while running; returns it with its id. Throws a `TypeError` on a malformed seed. */
  addUser(seed: EmulatorUserSeed): EmulatorUser
}
