// "Every other session signed out" across instances: two example-app instances keep their
// sessions in one real Redis; a password change or a deletion on one ends the user's sessions
// on both (the per-user epoch lives in Redis too).
//
// Needs `redis-server` (Debian package; `npm test` installs it): without it this file FAILS.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import type { RedisClientType } from 'redis'
import type { Emulator } from 'passport-quickblox/emulator'
import { sessionStatus, sidCookie, testLimits, type ExampleApp } from './helpers/example-app.js'
import { instancesOnRedis, type InstancesOnRedis } from './helpers/redis.js'
import { newUser, type TestUser } from './helpers/accounts.js'

let setup: InstancesOnRedis | undefined
let emulator: Emulator
let clients: RedisClientType[]
let a: ExampleApp
let b: ExampleApp

beforeAll(async () => {
  setup = await instancesOnRedis({ limits: testLimits({}) })
  ;({ emulator, clients } = setup)
  ;[a, b] = setup.apps as [ExampleApp, ExampleApp]
})
afterAll(() => setup?.close())

const cookieOf = (res: request.Response): string => sidCookie(res.headers['set-cookie'])!.split(';')[0]!
/** Signs `user` in on `app` through the API: the session cookie, and the QuickBlox token Redis holds for it. */
async function signIn(app: ExampleApp, user: TestUser): Promise<{ cookie: string; token: string }> {
  const res = await request(app.url).post('/api/login').send({ login: user.login, password: user.password })
  expect(res.status).toBe(200)
  const cookie = cookieOf(res)
  const sid = decodeURIComponent(cookie.slice('sid='.length)).slice('s:'.length).split('.')[0]!
  const stored = JSON.parse((await clients[0]!.get(`pqb-example:sess:${sid}`))!) as {
    passport: { user: { qbToken: string } }
  }
  return { cookie, token: stored.passport.user.qbToken }
}
const me = (app: ExampleApp, cookie: string) => request(app.url).get('/api/me').set('Cookie', cookie)

describe('with sessions in Redis', () => {
  it('a password change on instance A signs the user out of their session on instance B, and the changer stays signed in on both', async () => {
    const user = await newUser(emulator)
    const onB = await signIn(b, user)
    const onA = await signIn(a, user)
    const res = await request(a.url)
      .put('/api/me/password')
      .set('Cookie', onA.cookie)
      .send({ current_password: user.password, new_password: `${user.password}-redis` })
    expect(res.status).toBe(204)
    const renewed = cookieOf(res)
    expect(renewed).not.toBe(onA.cookie)
    expect((await me(b, onB.cookie)).status).toBe(401)
    expect((await me(a, onA.cookie)).status).toBe(401) // the old id of the changer's session is gone too
    expect((await me(b, renewed)).status).toBe(200)
    expect((await me(a, renewed)).status).toBe(200)
    expect(await sessionStatus(emulator, onB.token)).toBe(401)
    // The epoch is kept no longer than a session can live, plus an hour.
    const ttl = await clients[0]!.pTTL(`pqb-example:epoch:${user.id}`)
    expect(ttl).toBeGreaterThan(8 * 3600_000)
    expect(ttl).toBeLessThanOrEqual(9 * 3600_000)
  })

  it('a deletion on instance B ends the user’s sessions on instance A', async () => {
    const user = await newUser(emulator)
    const onA = await signIn(a, user)
    const onB = await signIn(b, user)
    const res = await request(b.url).delete('/api/me').set('Cookie', onB.cookie).send({ password: user.password })
    expect(res.status).toBe(204)
    expect((await me(a, onA.cookie)).status).toBe(401)
    expect((await me(b, onB.cookie)).status).toBe(401)
    expect(await sessionStatus(emulator, onA.token)).toBe(401)
  })

  it('leaves the sessions of other users alone', async () => {
    const [changer, bystander] = [await newUser(emulator), await newUser(emulator)]
    const watching = await signIn(b, bystander)
    const onA = await signIn(a, changer)
    await request(a.url)
      .put('/api/me/password')
      .set('Cookie', onA.cookie)
      .send({ current_password: changer.password, new_password: `${changer.password}-2` })
      .expect(204)
    expect((await me(b, watching.cookie)).status).toBe(200)
  })
})
