// Small helpers for the emulator tests: plain fetch over real HTTP and a signature written here,
// from QuickBlox's documentation, independently of both the emulator's check and the client's signer.
import { createHmac, randomInt } from 'node:crypto'
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
