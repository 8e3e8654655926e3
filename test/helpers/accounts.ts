// Users made for the account tests, and browsers (supertest agents) signed in as them.
import type session from 'express-session'
import request, { type Agent } from 'supertest'
import type { Emulator } from 'passport-quickblox/emulator'
import { csrfFrom, sidCookie } from './example-app.js'

export interface TestUser {
  id: number
  login: string
  email: string
  password: string
}

let serial = 0
/** A new user of the emulator's first application, made with its API key. */
export async function newUser(emulator: Emulator, prefix = 'acct'): Promise<TestUser> {
  serial++
  const login = `${prefix}-${process.pid}-${serial}`
  const user = { login, email: `${login}@example.com`, password: `${login}-Password!` }
  const res = await fetch(`${emulator.url}/users.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `ApiKey ${emulator.application.apiKey}` },
    body: JSON.stringify({ user: { ...user, full_name: `Name ${serial}` } }),
  })
  if (res.status !== 201) throw new Error(`could not create ${login}: ${res.status}`)
  const { user: created } = (await res.json()) as { user: { id: number } }
  return { ...user, id: created.id }
}

/** A browser signed in as `user` through the login form; `from` is its address (X-Forwarded-For). */
export async function browserOf(url: string, user: TestUser, from = '192.0.2.10'): Promise<Agent> {
  const agent = request.agent(url)
  const _csrf = await csrfFrom(agent)
  const res = await agent
    .post('/login')
    .set('X-Forwarded-For', from)
    .type('form')
    .send({ login: user.login, password: user.password, _csrf })
  if (res.status !== 303) throw new Error(`sign-in of ${user.login} answered ${res.status}`)
  return agent
}

/** Posts a form of the profile page with its CSRF token. */
export async function postProfileForm(
  agent: Agent,
  action: string,
  fields: Record<string, string>,
  from = '192.0.2.10',
) {
  const _csrf = await csrfFrom(agent, '/profile')
  return agent
    .post(action)
    .set('X-Forwarded-For', from)
    .type('form')
    .send({ ...fields, _csrf })
}

/** Whether the browser is signed in (its profile page opens). */
export async function signedIn(agent: Agent): Promise<boolean> {
  const res = await agent.get('/profile')
  return res.status === 200
}

export { sidCookie }

/** The QuickBlox tokens the app's sessions of one user hold (server-side only). */
export async function tokensOf(store: session.Store, userId: number): Promise<string[]> {
  const all = await new Promise<Record<string, unknown>>((resolve, reject) =>
    store.all?.((err: Error | null, sessions) =>
      err ? reject(err) : resolve((sessions ?? {}) as Record<string, unknown>),
    ),
  )
  return Object.values(all).flatMap((s) => {
    const user = (s as { passport?: { user?: { id?: unknown; qbToken?: unknown } } }).passport?.user
    return user?.id === userId && typeof user.qbToken === 'string' ? [user.qbToken] : []
  })
}
