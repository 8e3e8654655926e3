// Small helpers for the emulator tests: plain fetch over real HTTP and a signature written here,
// from QuickBlox's documentation, independently of both the emulator's check and the client's signer.
import { createHmac, randomInt } from 'node:crypto'
import { request as httpsRequest } from 'node:https'
import type { Emulator, EmulatorApplication } from 'passport-quickblox/emulator'

export type Params = { [key: string]: string | number | Params }
export type Encoding = 'json' | 'form'

/** `name=value` pairs, nested ones as `user[login]=amy`, values unencoded. */
export function pairs(params: Params, prefix = ''): string[] {
  return Object.entries(params).flatMap(([key, value]) => {
    const name = prefix ? `${prefix}[${key}]` : key
    return typeof value === 'object' ? pairs(value, name) : [`${name}=${value}`]
  })
}

export function sign(params: Params, secret: string, algorithm: 'sha1' | 'sha256' = 'sha1'): string {
  return createHmac(algorithm, secret).update(pairs(params).sort().join('&')).digest('hex')
}

/** A form body with bracket nesting, URL-encoded as browsers and the JS SDK send it. */
export function form(params: Params, prefix = ''): string {
  return Object.entries(params)
    .flatMap(([key, value]) => {
      const name = prefix ? `${prefix}[${key}]` : key
      return typeof value === 'object'
        ? [form(value, name)]
        : [`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`]
    })
    .join('&')
}

export interface Answer {
  status: number
  headers: Headers
  text: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary reply JSON
  json: any
}

export async function call(
  url: string,
  method: string,
  options: { body?: Params | string; encoding?: Encoding; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token) headers['QB-Token'] = options.token
  let body: string | undefined
  if (typeof options.body === 'string') body = options.body
  else if (options.body && options.encoding === 'form') {
    headers['Content-Type'] = 'application/x-www-form-urlencoded'
    body = form(options.body)
  } else if (options.body) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  const res = await fetch(url, { method, headers, body })
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    // Not JSON: left undefined for the test to assert on.
  }
  return { status: res.status, headers: res.headers, text, json }
}

/** The signed body of `POST /session.json`, with optional user credentials and overrides. */
export function sessionParams(
  app: EmulatorApplication,
  extra: Params = {},
  options: { algorithm?: 'sha1' | 'sha256'; timestamp?: number; nonce?: number; secret?: string } = {},
): Params {
  const params: Params = {
    application_id: app.id,
    auth_key: app.authKey,
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    nonce: options.nonce ?? randomInt(1, 2 ** 31),
    ...extra,
  }
  return { ...params, signature: sign(params, options.secret ?? app.authSecret, options.algorithm) }
}

export function createSession(qb: Emulator, extra: Params = {}, encoding: Encoding = 'json'): Promise<Answer> {
  return call(`${qb.url}/session.json`, 'POST', { body: sessionParams(qb.application, extra), encoding })
}

/** An application session token, asserted to have been created. */
export async function appToken(qb: Emulator): Promise<string> {
  const answer = await createSession(qb)
  if (answer.status !== 201) throw new Error(`session not created: ${answer.status} ${answer.text}`)
  return answer.json.session.token as string
}

/** `call` over HTTPS with the trust given (`ca`), as a client that was handed the emulator's certificate. */
export function callTls(
  url: string,
  method: string,
  options: { body?: Params; ca?: string; servername?: string; token?: string } = {},
): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body)
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        ...(options.servername === undefined ? {} : { servername: options.servername }),
        headers: {
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(options.token === undefined ? {} : { 'QB-Token': options.token }),
        },
        // A fresh connection per call: a pooled one would skip the certificate check under test.
        agent: false,
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('error', reject)
        res.on('end', () => {
          let json: unknown
          try {
            json = JSON.parse(text)
          } catch {
            // Not JSON: left undefined for the test to assert on.
          }
          const headers = new Headers()
          for (const [name, value] of Object.entries(res.headers))
            if (typeof value === 'string') headers.set(name, value)
          resolve({ status: res.statusCode ?? 0, headers, text, json })
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}
