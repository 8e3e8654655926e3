import { Strategy, type StrategyRequest } from './passport.js'
import { QuickBloxClient, type QuickBloxClientOptions } from './quickblox/client.js'
import { QuickBloxCredentialsError } from './quickblox/errors.js'
import type { LoginCredentials, LoginMethod, QuickBloxSession, QuickBloxUser } from './quickblox/types.js'
import { readCredentials, resolveFields, resolveMethods, type CredentialFields } from './credentials.js'
import { callVerify } from './verify.js'
import { noteFailure, noteUser, traceLogin } from './diagnostics.js'

/** Passport's `done`: an error, or the user to sign in (`false` to refuse), plus optional `info`. */
export type VerifyCallback = (err?: unknown, user?: unknown, info?: unknown) => void

/**
 * Decides who the QuickBlox user is in your app. Call `done(null, user)`, or return a promise
 * of the user (`false`/`null` refuses; a promise of `undefined` means "I call `done`").
 */
export type VerifyFunction = (
  user: QuickBloxUser,
  session: QuickBloxSession,
  done: VerifyCallback,
) => void | PromiseLike<unknown>
/**
 * {@link VerifyFunction} with the request first, for `passReqToCallback: true`. `Req` is your
 * framework's request type: annotate `req` (e.g. Express's `Request`) and the strategy takes it.
 */
export type VerifyFunctionWithRequest<Req extends StrategyRequest = StrategyRequest> = (
  req: Req,
  user: QuickBloxUser,
  session: QuickBloxSession,
  done: VerifyCallback,
) => void | PromiseLike<unknown>

interface StrategyOptionsBase extends QuickBloxClientOptions {
  /** The name to use with `passport.authenticate()`. Default `'quickblox'`. */
  name?: string
  /** Where credentials are read from in the request; see {@link CredentialFields}. */
  fields?: CredentialFields
  /** The login methods accepted. Default: all (`login`, `email`, `facebook`, `firebase_phone`). */
  methods?: LoginMethod[]
  /**
   * Also read credentials from the query string when the body lacks them. Default `false`:
   * passwords in URLs end up in access logs and browser history.
   */
  allowQuery?: boolean
  /** Whether `verify` takes the request as its first argument. Default `false`. */
  passReqToCallback?: boolean
}
export interface QuickBloxStrategyOptions extends StrategyOptionsBase {
  passReqToCallback?: false
}
export interface QuickBloxStrategyOptionsWithRequest extends StrategyOptionsBase {
  passReqToCallback: true
}

/**
 * Options of `passport.authenticate('quickblox', options)`: ours, plus the Passport options most
 * used with a login form (Passport reads them, not the strategy; see Passport's documentation).
 */
export interface QuickBloxAuthenticateOptions {
  /** The login methods this route accepts, overriding the strategy's `methods`. */
  methods?: LoginMethod[]
  /** Keep the user in the session. Default `true`. */
  session?: boolean
  successRedirect?: string
  successReturnToOrRedirect?: string
  successMessage?: boolean | string
  successFlash?: boolean | string
  failureRedirect?: string
  failureMessage?: boolean | string
  failureFlash?: boolean | string
  /** Pass a failure to the error handler as an error with `status`, instead of answering it. */
  failWithError?: boolean
  /** Put the user on `req[assignProperty]` instead of signing them in. */
  assignProperty?: string
  authInfo?: boolean
  keepSessionInfo?: boolean
}

/** What {@link QuickBloxStrategy.credentialsOf} found: the credentials, or why they were refused. */
export type CredentialsRead = { credentials: LoginCredentials } | { message: string }

function methodOf(credentials: LoginCredentials): LoginMethod {
  if ('provider' in credentials) return credentials.provider
  return 'login' in credentials ? 'login' : 'email'
}

/** Content types the standard body parsers (`express.json()`, `express.urlencoded()`) read by default. */
const CREDENTIAL_TYPES = /^\s*application\/(x-www-form-urlencoded|json)\s*(;|$)/i

const NO_BODY_PARSER =
  'QuickBloxStrategy: req.body is undefined. ' +
  'Mount express.urlencoded() and/or express.json() before passport.authenticate()'

/**
 * Passport strategy that logs users in with QuickBlox: login/email + password, Facebook or
 * Firebase phone credentials from `req.body`, checked by QuickBlox's `POST /login.json`.
 */
export class QuickBloxStrategy<Req extends StrategyRequest = StrategyRequest> extends Strategy<Req> {
  name: string
  /** The protocol client this strategy logs in with. */
  readonly client: QuickBloxClient
  // Plain properties, not #private: Passport runs authenticate() on Object.create(strategy).
  // Typed for any request, so a strategy for Express's `Request` still is a `QuickBloxStrategy`.
  private readonly verify: VerifyFunction | VerifyFunctionWithRequest
  private readonly passReqToCallback: boolean
  private readonly fields: Readonly<Required<CredentialFields>>
  private readonly methods: readonly LoginMethod[]
  private readonly allowQuery: boolean

  constructor(options: QuickBloxStrategyOptions, verify: VerifyFunction)
  constructor(options: QuickBloxStrategyOptionsWithRequest, verify: VerifyFunctionWithRequest<Req>)
  constructor(options: StrategyOptionsBase, verify: VerifyFunction | VerifyFunctionWithRequest<Req>) {
    super()
    if (typeof options !== 'object' || options === null) throw new TypeError('QuickBloxStrategy: options are required')
    if (typeof verify !== 'function') throw new TypeError('QuickBloxStrategy: a verify function is required')
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
      throw new TypeError('QuickBloxStrategy: option name must be a non-empty string')
    }
    for (const flag of ['allowQuery', 'passReqToCallback'] as const) {
      if (options[flag] !== undefined && typeof options[flag] !== 'boolean')
        throw new TypeError(`QuickBloxStrategy: option ${flag} must be true or false`)
    }
    const { name, fields, methods, allowQuery, passReqToCallback, ...clientOptions } = options
    this.name = name ?? 'quickblox'
    this.fields = resolveFields(fields)
    this.methods = resolveMethods(methods)
    this.allowQuery = allowQuery === true
    this.passReqToCallback = passReqToCallback === true
    this.verify = verify as VerifyFunction | VerifyFunctionWithRequest
    this.client = new QuickBloxClient(clientOptions)
  }

  /** Called by Passport: credentials → `client.login()` → `verify` → exactly one of success/fail/error. */
  override authenticate(req: Req, options: QuickBloxAuthenticateOptions = {}): void {
    const body: unknown = req.body
    // Express 5 leaves req.body undefined when a request has no body, or one no parser handles.
    // Only a JSON or form body left unparsed means the app forgot its body parser; any other
    // kind is the client's mistake, and must not let anyone cause 500s at will.
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0
    if (body === undefined && hasBody) {
      if (CREDENTIAL_TYPES.test(req.headers['content-type'] ?? '')) return this.error(new Error(NO_BODY_PARSER))
      return this.fail({ message: 'Send the credentials as JSON or as a form' }, 415)
    }
    let read: CredentialsRead
    try {
      read = this.credentialsOf(req, options)
    } catch (err) {
      return this.error(err)
    }
    if ('message' in read) return this.fail({ message: read.message }, 400)
    const { credentials } = read
    // The `passport-quickblox:login` trace: from here to success/fail/error (see diagnostics.ts).
    traceLogin(this, methodOf(credentials), (self) => {
      self.client.login(credentials).then(
        ({ user, session }) => {
          noteUser(user.id)
          self.callVerify(req, user, session)
        },
        (err: unknown) => {
          if (!(err instanceof QuickBloxCredentialsError)) return self.error(err)
          noteFailure(err)
          self.fail({ message: err.message }, err.status)
        },
      )
    })
  }

  /**
   * The credentials `authenticate()` would log in with for this request, or why it would refuse
   * them (the message of its 400), without asking QuickBlox: for a rate limit keyed by the
   * account, counted only for attempts that can reach QuickBlox. Throws a TypeError when the
   * route's `methods` are malformed, as `authenticate()` reports then.
   */
  credentialsOf(req: Req, options: QuickBloxAuthenticateOptions = {}): CredentialsRead {
    const sources = this.allowQuery ? [req.body, req.query] : [req.body]
    return readCredentials(sources, this.fields, this.methodsFor(options))
  }

  /** A route's `methods` narrow the strategy's: they never accept what the strategy refuses. */
  private methodsFor(options: QuickBloxAuthenticateOptions): readonly LoginMethod[] {
    if (options.methods === undefined) return this.methods
    const methods = resolveMethods(options.methods).filter((method) => this.methods.includes(method))
    if (methods.length === 0)
      throw new TypeError("QuickBloxStrategy: none of the route's methods is accepted by the strategy")
    return methods
  }

  /**
   * Ends the user's QuickBlox session (`DELETE /session.json` with their token), so signing out
   * of your app signs them out of QuickBlox too. Keep `session.token` from `verify` for this.
   */
  logout(token: string): Promise<void> {
    return this.client.logout(token)
  }

  /** Stops the session pool and frees sockets. Call it when your server shuts down. */
  close(): Promise<void> {
    return this.client.close()
  }

  private callVerify(req: Req, user: QuickBloxUser, session: QuickBloxSession): void {
    const invoke = (done: VerifyCallback): unknown =>
      this.passReqToCallback
        ? (this.verify as VerifyFunctionWithRequest)(req, user, session, done)
        : (this.verify as VerifyFunction)(user, session, done)
    callVerify(this, invoke, (info) => this.fail(info, 401), 'QuickBloxStrategy')
  }
}
