// The example app against hostile input, as an attacker with no account would send it: field
// names that reach into Object.prototype, odd shapes and nesting in every form and JSON route,
// an asterisk-form request target, a client that hangs up. The property test runs against
// `node example-app/server.js` in its own process, so "the app still answers" means that no
// request ended the process.
import { once } from 'node:events'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { turnsUntil } from './helpers/diagnostics.js'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import request from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { csrfFrom, LOG_LINE, startExample, testLimits, type ExampleApp } from './helpers/example-app.js'
import { killServers, startServer, type ServerProcess } from './helpers/server-process.js'

const PROTOTYPE_NAMES = ['toString', 'valueOf', 'constructor', 'hasOwnProperty', '__proto__', 'then', 'prototype']
const FIELD_NAMES = ['login', 'email', 'password', 'provider', 'keys', 'token', 'firebase_phone', 'project_id']

let emulator: Emulator
let example: ExampleApp
const logged: string[] = []
let onLog: (line: string) => void = () => {}

beforeAll(async () => {
  emulator = await startEmulator()
  const log = (line: string) => {
    logged.push(line)
    onLog(line)
  }
  example = await startExample({ emulator, app: { limits: testLimits({}), log } })
})
afterAll(async () => {
  killServers()
  await example.close()
  await emulator.close()
})

describe('prototype-named fields', () => {
  const forms = PROTOTYPE_NAMES.flatMap((name) => [
    `login[${name}]=x&password=x`,
    `login=amy&password[${name}]=x`,
    `${name}=x&login=amy&password=x`,
    `provider=firebase_phone&firebase_phone[project_id][${name}]=x&firebase_phone[access_token]=t`,
    `keys[0][${encodeURIComponent(name)}]=x&provider=facebook`,
    `login%5B${name}%5D=x&password=x`,
  ])
  it.each(forms)('a login form with %s is a 400, and QuickBlox is not asked', async (body) => {
    const agent = request.agent(example.url)
    const _csrf = await csrfFrom(agent)
    emulator.resetLog()
    const res = await agent.post('/login').type('form').send(`${body}&_csrf=${_csrf}`)
    expect(res.status).toBe(400)
    expect(res.text).toContain('The request could not be read.')
    expect(emulator.counts()['POST /login.json']).toBe(0)
    expect((await agent.get('/login')).status).toBe(200)
  })

  const bodies = PROTOTYPE_NAMES.flatMap((name) => [
    `{"login":{"${name}":"x"},"password":"x"}`,
    `{"${name}":{},"login":"amy","password":"x"}`,
    `{"provider":"facebook","keys":{"token":"t","${name}":{"${name}":1}}}`,
    `{"login":"amy","password":"x","list":[1,{"${name}":null}]}`,
  ])
  it.each(bodies)('a JSON login %s is a 400, and QuickBlox is not asked', async (body) => {
    emulator.resetLog()
    const res = await request(example.url).post('/api/login').set('Content-Type', 'application/json').send(body)
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ error: 'The request could not be read.' })
    expect(emulator.counts()['POST /login.json']).toBe(0)
  })

  it('a sign-out form or a JSON sign-out with such a field is a 400 too', async () => {
    const form = await request(example.url).post('/logout').type('form').send('_csrf[toString]=x')
    expect(form.status).toBe(400)
    const json = await request(example.url)
      .post('/api/logout')
      .set('Content-Type', 'application/json')
      .send('{"then":1}')
    expect(json.status).toBe(400)
  })

  it('the same names as values, or inside longer names, are ordinary text', async () => {
    const agent = request.agent(example.url)
    const _csrf = await csrfFrom(agent)
    const res = await agent.post('/login').type('form').send({ login: 'toString', password: '__proto__', _csrf })
    expect(res.status).toBe(401)
    const json = await request(example.url).post('/api/login').send({ login: 'constructor', password: 'x', thenx: 1 })
    expect(json.status).toBe(401)
  })
})

describe('request targets and clients that hang up', () => {
  /** A raw request: `target` as written, which a URL-based client would normalise. */
  async function raw(
    method: string,
    target: string,
  ): Promise<{ status: number; allow: string | undefined; poweredBy: unknown }> {
    const req = httpRequest({ host: '127.0.0.1', port: new URL(example.url).port, method, path: target })
    req.end()
    const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage]
    res.resume()
    return { status: res.statusCode!, allow: res.headers.allow, poweredBy: res.headers['x-powered-by'] }
  }

  it('OPTIONS * (asterisk form) is answered 204 with Allow, and logged', async () => {
    const res = await raw('OPTIONS', '*')
    expect(res).toEqual({ status: 204, allow: 'GET, HEAD, POST, OPTIONS', poweredBy: undefined }) // helmet's headers too
    expect(logged).toContainEqual(expect.stringMatching(/^OPTIONS \* 204 \d+ms$/))
  })

  it.each(['GET', 'POST', 'DELETE'])('%s * is a 400, not a 5xx', async (method) => {
    expect((await raw(method, '*')).status).toBe(400)
  })

  it('a request whose client hangs up before the answer is logged as aborted', async () => {
    emulator.resetLog()
    emulator.failNext('POST /login.json', 'hang') // the sign-in waits on QuickBlox
    const socket = connect(Number(new URL(example.url).port), '127.0.0.1')
    await once(socket, 'connect')
    const body = '{"login":"amy","password":"amy-demo-password"}'
    const line = new Promise<string>((resolve) => {
      onLog = (l) => l.startsWith('POST /api/login ') && resolve(l)
    })
    socket.write(
      `POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    )
    // Hang up once the app is waiting on QuickBlox (the emulator counts a request as it arrives).
    await turnsUntil(() => emulator.counts()['POST /login.json'] === 1)
    expect(emulator.counts()['POST /login.json']).toBe(1)
    socket.destroy()
    expect(await line).toMatch(/^POST \/api\/login aborted \d+ms$/)
    expect(await line).toMatch(LOG_LINE)
  })
})

// ---- The property test, against the app in its own process -------------------------------

type Tree = string | number | boolean | null | Tree[] | { entries: [string, Tree][] }
const key = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.constantFrom(...FIELD_NAMES),
  fc.stringMatching(/^[a-z0-9_]{1,8}$/),
)
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('tree'), { maxLength: 3 }),
    fc.record({ entries: fc.array(fc.tuple(key, tie('tree')), { maxLength: 4 }) }),
  ),
}))
const body = fc.record({ entries: fc.array(fc.tuple(key, tree), { maxLength: 5 }) })

const isObject = (t: Tree): t is { entries: [string, Tree][] } =>
  typeof t === 'object' && t !== null && !Array.isArray(t)

/** The tree as JSON text, keys as generated (so `__proto__` is sent as a key). */
function toJson(t: Tree): string {
  if (Array.isArray(t)) return `[${t.map(toJson).join(',')}]`
  if (isObject(t)) return `{${t.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`
  return JSON.stringify(t)
}
/** The tree as form fields with bracket paths (`a[b][0]=x`): each leaf with the names on its way. */
function toFields(t: Tree, path: string[] = []): [string[], string][] {
  if (Array.isArray(t)) return t.flatMap((v, i) => toFields(v, [...path, String(i)]))
  if (isObject(t)) return t.entries.flatMap(([k, v]) => toFields(v, [...path, k]))
  if (path.length === 0) return []
  return [[path, t === null ? '' : String(t)]]
}
const formText = (fields: [string[], string][]) =>
  fields
    .map(([[first, ...rest], value]) => `${first}${rest.map((k) => `[${k}]`).join('')}=${encodeURIComponent(value)}`)
    .map((pair) => pair.replace(/[^=]*/, (name) => encodeURIComponent(name).replace(/%5B/g, '[').replace(/%5D/g, ']')))
    .join('&')
/** Whether the parsed JSON holds a prototype-named key: of keys given twice, JSON keeps the last value only. */
const hostileJson = (t: Tree): boolean =>
  Array.isArray(t)
    ? t.some(hostileJson)
    : isObject(t) && [...new Map(t.entries)].some(([k, v]) => PROTOTYPE_NAMES.includes(k) || hostileJson(v))

describe('the app in its own process, under generated bodies on every route', () => {
  let server: ServerProcess
  let cookie: string
  let csrf: string
  beforeAll(async () => {
    server = await startServer({ TRUST_PROXY: 'loopback' })
    const page = await fetch(`${server.url}/login`)
    csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!
    cookie = page.headers.getSetCookie()[0]!.split(';')[0]!
  })

  /** A POST from a generated address, so the per-address limit does not answer every request. */
  async function post(path: string, type: string, text: string, withCookie: boolean) {
    const from = `198.18.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}` // a benchmarking range
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': type, 'X-Forwarded-For': from, ...(withCookie ? { Cookie: cookie } : {}) },
      body: text,
    })
    await res.arrayBuffer()
    return res.status
  }

  it('answers every form POST below 500, and 400 to every prototype-named field', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/login',
          '/logout',
          '/',
          '/profile',
          '/profile/password',
          '/profile/delete',
          '/password-reset',
          '/api/login',
        ),
        body,
        fc.boolean(),
        async (path, tree, withCsrf) => {
          const fields = toFields(tree)
          const text = formText(withCsrf ? [...fields, [['_csrf'], csrf]] : fields)
          const status = await post(path, 'application/x-www-form-urlencoded', text, withCsrf)
          expect(status).toBeLessThan(500)
          const hostile = fields.some(([names]) => names.some((n) => PROTOTYPE_NAMES.includes(n)))
          if (hostile && (path === '/login' || path === '/logout')) expect(status).toBe(400)
        },
      ),
      { numRuns: 400 },
    )
    expect(server.child.exitCode).toBeNull()
    expect((await fetch(`${server.url}/login`)).status).toBe(200)
  }, 90_000)

  it('answers every JSON POST below 500, and 400 to every prototype-named key', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/api/login',
          '/api/logout',
          '/login',
          '/logout',
          '/api/me',
          '/api/password-reset',
          '/',
          '/nope',
        ),
        body,
        async (path, tree) => {
          const status = await post(path, 'application/json', toJson(tree), false)
          expect(status).toBeLessThan(500)
          if (path.startsWith('/api/login') || path === '/api/logout') {
            if (hostileJson(tree)) expect(status).toBe(400)
          }
        },
      ),
      { numRuns: 400 },
    )
    expect(server.child.exitCode).toBeNull()
    expect((await fetch(`${server.url}/`)).status).toBe(200)
  }, 90_000)

  it('survives the two requests that used to end it, and logs no error', async () => {
    for (const field of [
      'login[toString]=x&password=x',
      'provider=firebase_phone&firebase_phone[project_id][toString]=x',
    ]) {
      expect(await post('/login', 'application/x-www-form-urlencoded', `${field}&_csrf=${csrf}`, true)).toBe(400)
    }
    expect((await fetch(`${server.url}/login`)).status).toBe(200)
    expect(server.child.exitCode).toBeNull()
    expect(server.output()).not.toMatch(/Error|Unhandled| 5\d\d \d+ms/)
  })
})
