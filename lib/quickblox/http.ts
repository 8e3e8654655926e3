import http from 'node:http'
import https from 'node:https'
import got, { type Got, ReadError, RequestError, TimeoutError } from 'got'
import { traceRequest } from '../diagnostics.js'
import { QuickBloxResponseError, QuickBloxTimeoutError, QuickBloxUnavailableError } from './errors.js'

/** QuickBlox's replies are small JSON documents; anything bigger is not one of them. */
const MAX_REPLY_BYTES = 1024 * 1024

/** Errors of requests reset on a kept-alive socket they reused (see `Transport.send`). */
const staleResets = new WeakSet<object>()

/** The HTTP methods QuickBlox's REST API uses. */
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

/**
 * A host on this machine: `localhost`, 127.0.0.0/8, `[::1]`. Not `*.localhost`: many resolvers
 * (glibc's `files dns`) ask DNS for those, and whoever answers DNS would get the keys in clear.
 */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname)
}

/**
 * What is wrong with an `apiEndpoint`, as the end of a message naming the option; `undefined`
 * when it is fine. Plain `http:` is refused off loopback, where it would carry API keys,
 * passwords and tokens in clear, unless `allowInsecureHttp` says so (an emulator in a container,
 * reached by a service name). Every client checks its endpoint with this.
 */
export function endpointProblem(value: unknown, allowInsecureHttp: unknown): string | undefined {
  if (allowInsecureHttp !== undefined && typeof allowInsecureHttp !== 'boolean') {
    return 'allowInsecureHttp must be true or false'
  }
  let url: URL
  try {
    url = new URL(value as string)
  } catch {
    return 'apiEndpoint must be an http: or https: URL'
  }
  if (typeof value !== 'string' || !/^https?:$/.test(url.protocol)) return 'apiEndpoint must be an http: or https: URL'
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && allowInsecureHttp !== true) {
    return 'apiEndpoint must be https: off this machine (http: only on loopback, unless allowInsecureHttp is true)'
  }
  return undefined
}

export interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** The parsed JSON body; `undefined` when the body was not JSON. */
  body: unknown
}

export interface SendOptions {
  token?: string
  /** The application's API key, sent as `Authorization: ApiKey <key>` (QuickBloxAdmin's requests). */
  apiKey?: string
  json?: Record<string, unknown>
  /** The query string's fields, encoded by got (never part of `path`, which diagnostics show). */
  searchParams?: Record<string, string>
  /** Milliseconds this one request may take, from connecting to the last byte. */
  timeoutMs: number
  /** The client's `timeout`, named in a timeout error. */
  reportedTimeoutMs: number
  /** 1 for a request's first try, 2, 3 for its retries (for diagnostics). Default 1. */
  attempt?: number
}

/**
 * The one place that talks HTTP. got's own retries are off (the client decides what is safe
 * to repeat), HTTP errors are replies rather than exceptions, and got's errors never escape:
 * they hold the request options, body included, so each becomes a fresh error of ours.
 */
export class Transport {
  readonly #agents: { http: http.Agent; https: https.Agent }
  readonly #got: Got

  /** `maxSockets` bounds the connections; a request waiting for one spends its own time budget. */
  constructor(apiEndpoint: string, maxSockets: number) {
    // Both agents alike, whichever scheme `apiEndpoint` has: connections are kept and reused.
    const options: http.AgentOptions = { keepAlive: true, maxSockets }
    this.#agents = { http: new http.Agent(options), https: new https.Agent(options) }
    this.#got = got.extend({
      prefixUrl: apiEndpoint.replace(/\/+$/, ''), // paths are joined with one slash
      agent: this.#agents,
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      responseType: 'text',
      headers: { 'user-agent': 'passport-quickblox' },
    })
  }

  /**
   * A kept-alive socket may have been closed by the server just as it was reused: the request
   * then fails with a reset though QuickBlox never saw it. A GET changes nothing, so it is sent
   * once more, on a fresh socket, with what is left of its time.
   */
  async send(method: Method, path: string, options: SendOptions): Promise<Reply> {
    const deadline = Date.now() + options.timeoutMs
    const attempt = options.attempt ?? 1
    try {
      return await traceRequest(method, path, attempt, () => this.#send(method, path, options))
    } catch (error) {
      const timeoutMs = deadline - Date.now()
      if (!staleResets.has(error as object) || method !== 'GET' || timeoutMs <= 0) throw error
      return traceRequest(method, path, attempt + 1, () => this.#send(method, path, { ...options, timeoutMs }))
    }
  }

  /** {@link send} with what is left until `deadline` (ms since the epoch); none left is a timeout. */
  async sendBy(
    method: Method,
    path: string,
    deadline: number,
    options: Omit<SendOptions, 'timeoutMs'>,
  ): Promise<Reply> {
    const timeoutMs = deadline - Date.now()
    if (timeoutMs <= 0) throw new QuickBloxTimeoutError(options.reportedTimeoutMs)
    return this.send(method, path, { ...options, timeoutMs })
  }

  async #send(method: Method, path: string, options: SendOptions): Promise<Reply> {
    const request = this.#got(path, {
      method,
      json: options.json,
      searchParams: options.searchParams,
      headers: {
        ...(options.token === undefined ? {} : { 'QB-Token': options.token }),
        ...(options.apiKey === undefined ? {} : { Authorization: `ApiKey ${options.apiKey}` }),
      },
      timeout: { request: Math.max(1, options.timeoutMs) },
    })
    let tooLarge = false
    void request.on('downloadProgress', (progress) => {
      if (progress.transferred > MAX_REPLY_BYTES) {
        tooLarge = true
        request.cancel()
      }
    })
    try {
      const response = await request
      return { status: response.statusCode, headers: response.headers, body: parseJson(response.body) }
    } catch (error) {
      if (tooLarge) throw new QuickBloxResponseError('QuickBlox sent a reply larger than 1 MiB')
      if (error instanceof TimeoutError) throw new QuickBloxTimeoutError(options.reportedTimeoutMs)
      if (error instanceof ReadError) throw new QuickBloxResponseError("QuickBlox's reply was cut short")
      const code = error instanceof RequestError ? error.code : 'unknown error'
      const reused = error instanceof RequestError && error.request?.reusedSocket === true
      // Refused, reset before a reply, DNS...: QuickBlox (or the way to it) is unavailable.
      const unavailable = new QuickBloxUnavailableError(`QuickBlox could not be reached (${code})`)
      if (code === 'ECONNRESET' && reused) staleResets.add(unavailable)
      throw unavailable
    }
  }

  /** Frees the keep-alive sockets, so nothing of ours keeps the process alive. */
  close(): void {
    this.#agents.http.destroy()
    this.#agents.https.destroy()
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
