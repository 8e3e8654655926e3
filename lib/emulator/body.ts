import type { IncomingMessage } from 'node:http'

/** A parsed request body: null-prototype objects all the way down, so no key can reach `Object.prototype`. */
export type Params = { [key: string]: Value }
export type Value = string | number | boolean | null | Params | Value[]

/** An answer in QuickBlox's shape, thrown from anywhere in a handler. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

const MAX_BODY_BYTES = 64 * 1024
const MAX_DEPTH = 8
// Keys that mean something to JavaScript objects; a QuickBlox parameter never uses them.
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])
const malformed = (): Reply => new Reply(400, { errors: { base: ['Malformed request parameters'] } })

/**
 * Reads at most 64 KiB. Beyond that it stops reading (pausing the stream, never buffering more)
 * and throws a 413 that closes the connection, since the rest of the body is never read.
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  const tooLarge = new Reply(413, { errors: { base: ['Request entity too large'] } }, { Connection: 'close' })
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return Promise.reject(tooLarge)
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk)
      req.removeAllListeners('data').pause()
      reject(tooLarge)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** JSON or `application/x-www-form-urlencoded` (`user[login]=amy`) into the same `Params`. */
export function parseBody(raw: Buffer, contentType: string | undefined): Params {
  const text = raw.toString('utf8')
  if (text.trim() === '') return Object.create(null) as Params
  if (/\bjson\b/i.test(contentType ?? '')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new Reply(400, { errors: { base: ['Malformed JSON'] } })
    }
    const value = clean(parsed, 0)
    if (!isParams(value)) throw malformed()
    return value
  }
  return parseForm(text)
}

export function isParams(value: unknown): value is Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function clean(value: unknown, depth: number): Value {
  if (depth > MAX_DEPTH) throw malformed()
  if (Array.isArray(value)) return value.map((item) => clean(item, depth + 1))
  if (typeof value !== 'object' || value === null) return value as Value
  const out = Object.create(null) as Params
  for (const [key, item] of Object.entries(value)) if (!FORBIDDEN.has(key)) out[key] = clean(item, depth + 1)
  return out
}

/**
 * A URL's query string (`login=amy`), read as a form body is, with one addition: a name ending in
 * `[]` collects its values in a list, as QuickBlox's `filter[]=number id in 1,2` does.
 */
export function parseQuery(query: string): Params {
  return parseForm(query, true)
}

function parseForm(text: string, lists = false): Params {
  const root = Object.create(null) as Params
  for (const [name, value] of new URLSearchParams(text)) {
    const match = /^([^[\]]+)((?:\[[^[\]]+\])*)(\[\])?$/.exec(name)
    if (!match || (match[3] && !lists)) throw malformed()
    const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]+)\]/g)].map((m) => m[1]!)]
    if (path.length > MAX_DEPTH) throw malformed()
    if (path.some((key) => FORBIDDEN.has(key))) continue
    let node = root
    for (const key of path.slice(0, -1)) {
      const next = node[key] ?? (node[key] = Object.create(null) as Params)
      if (!isParams(next)) throw malformed()
      node = next
    }
    const last = path[path.length - 1]!
    const current = node[last]
    if (match[3]) {
      if (Array.isArray(current)) current.push(value)
      else if (current === undefined) node[last] = [value]
      else throw malformed()
    } else {
      if (isParams(current) || Array.isArray(current)) throw malformed()
      node[last] = value
    }
  }
  return root
}
