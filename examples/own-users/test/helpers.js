// Shared by this example's tests: the app over real HTTP on 127.0.0.1, against the QuickBlox emulator.
import { QuickBloxAdmin } from 'passport-quickblox'
import { startEmulator } from 'passport-quickblox/emulator'
import { createApp } from '../app.js'
import { listen } from '../http.js'
import { DEMO_USERS, openUsers } from '../users.js'

export const [ALICE, BOB] = DEMO_USERS

/** Limits for a test: generous (1000 a minute), but for those given. */
export const testLimits = (given = {}) =>
  Object.fromEntries(
    [
      'wrongPasswordsPerAddress',
      'wrongPasswordsPerAccountAddress',
      'wrongPasswordsPerAccount',
      'chatTokensPerAccount',
      'chatTokensPerAddress',
    ].map((name) => [name, { windowMs: 60_000, limit: given[name] ?? 1000 }]),
  )

/**
 * The app on a free port, over a new emulator; `trustProxy: 'loopback'`, so that a test speaks
 * from any address it names in X-Forwarded-For.
 */
export async function startApp({ limits = {} } = {}) {
  const qb = await startEmulator()
  const admin = new QuickBloxAdmin({
    apiKey: qb.application.apiKey,
    identityKey: 'own-users-test-identity-key-0123456789',
    apiEndpoint: qb.url,
    timeout: 3000,
  })
  const users = await openUsers()
  const lines = []
  const app = createApp({
    users,
    admin,
    sessionSecret: 'own-users-test-secret',
    limits: testLimits(limits),
    trustProxy: 'loopback',
    log: (line) => lines.push(line),
  })
  const server = await listen(app, { port: 0, host: '127.0.0.1' })
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    qb,
    admin,
    lines,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await admin.close()
      await qb.close()
      users.close()
    },
  }
}

/** A browser of one: keeps the session cookie; `from` is its address (X-Forwarded-For). */
export function browser(url, from = '192.0.2.1') {
  let cookie
  const send = async (method, path, body, type = 'application/json') => {
    const res = await fetch(url + path, {
      method,
      headers: {
        'X-Forwarded-For': from,
        ...(cookie ? { Cookie: cookie } : {}),
        ...(body === undefined ? {} : { 'Content-Type': type }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const set = res.headers.getSetCookie().find((c) => c.startsWith('connect.sid='))
    if (set) cookie = set.split(';')[0]
    const text = await res.text()
    return {
      status: res.status,
      headers: res.headers,
      body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
    }
  }
  return {
    post: (path, body = {}, type) => send('POST', path, body, type),
    get: (path) => send('GET', path),
    signIn: (username, password) => send('POST', '/login', { username, password }),
  }
}

/** What QuickBlox says of a token: 200 while it is alive, 401 once ended. */
export async function tokenStatus(qb, token) {
  const res = await fetch(`${qb.url}/session.json`, { headers: { 'QB-Token': token } })
  await res.arrayBuffer()
  return res.status
}
