// Contender (b): QuickBlox login the way people write it without this library, as a
// `passport-custom` strategy. For every login it signs and creates a fresh application session
// (`POST /session.json`), then logs in with that session's token (`POST /login.json`): two round
// trips, one after the other. Plain global `fetch`, no pool, no keep-alive tuning.
// Only the one timeout is added, because no code of this project calls out without one.
import { createHmac, randomInt } from 'node:crypto'
import passportCustom from 'passport-custom'

const TIMEOUT_MS = 10_000

export function handRolledStrategy({ apiEndpoint, appId, authKey, authSecret }) {
  async function post(path, body, token) {
    const headers = { 'content-type': 'application/json' }
    if (token) headers['QB-Token'] = token
    const res = await fetch(`${apiEndpoint}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    return { status: res.status, json: await res.json().catch(() => null) }
  }

  async function createSession() {
    const params = {
      application_id: appId,
      auth_key: authKey,
      nonce: randomInt(1, 2 ** 31),
      timestamp: Math.floor(Date.now() / 1000),
    }
    // QuickBlox's signature: HMAC-SHA1 over the sorted `name=value` pairs, keyed with the auth secret.
    const message = Object.keys(params)
      .sort()
      .map((name) => `${name}=${params[name]}`)
      .join('&')
    const signature = createHmac('sha1', authSecret).update(message).digest('hex')
    const { status, json } = await post('/session.json', { ...params, signature })
    if (status !== 201 || typeof json?.session?.token !== 'string') throw new Error(`QuickBlox session: HTTP ${status}`)
    return json.session.token
  }

  const verify = async (req, done) => {
    const { login, password } = req.body ?? {}
    if (typeof login !== 'string' || typeof password !== 'string') return done(null, false)
    try {
      const token = await createSession()
      const { status, json } = await post('/login.json', { login, password }, token)
      if (status === 401) return done(null, false)
      if (status !== 202 || typeof json?.user?.id !== 'number')
        return done(new Error(`QuickBlox login: HTTP ${status}`))
      done(null, json.user)
    } catch (err) {
      done(err)
    }
  }
  return new passportCustom.Strategy((req, done) => void verify(req, done))
}
