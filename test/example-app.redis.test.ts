// Scale-out: two example-app instances (same SESSION_SECRET, same emulator) keep their sessions
// in one real Redis, so a user signed in on one is recognised on the other.
//
// Needs `redis-server` (Debian package). When it is missing this file FAILS, in CI and locally
// alike, with the install command (`sudo bash .ci/system-deps.sh`): a skipped suite would read
// as green, and this project's tests never skip.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import request from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { createRedisStore } from '../example-app/app.js'
import { freePort, requireProgram, sidCookie, type ExampleApp, startExample } from './helpers/example-app.js'

let redis: ChildProcess | undefined
let dir: string | undefined
let emulator: Emulator | undefined
const stores: Awaited<ReturnType<typeof createRedisStore>>[] = []
const apps: ExampleApp[] = []
let a: ExampleApp
let b: ExampleApp

beforeAll(async () => {
  const program = requireProgram('redis-server')
  const port = await freePort()
  dir = await mkdtemp(join(tmpdir(), 'pqb-redis-'))
  redis = spawn(program, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] })
  await new Promise<void>((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000)
    redis!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) { clearTimeout(timer); resolve() }
    })
    redis!.once('exit', (code) => { clearTimeout(timer); reject(new Error(`redis-server exited (${code}):\n${output}`)) })
  })
  emulator = await startEmulator()
  for (let i = 0; i < 2; i++) {
    const redisStore = await createRedisStore(`redis://127.0.0.1:${port}`, () => {})
    stores.push(redisStore)
    apps.push(await startExample({ emulator, app: { sessionStore: redisStore.store } }))
  }
  ;[a, b] = apps as [ExampleApp, ExampleApp]
})

afterAll(async () => {
  for (const app of apps) await app.close()
  for (const { client } of stores) await client.close()
  await emulator?.close()
  if (redis && redis.exitCode === null) {
    redis.kill('SIGTERM')
    await once(redis, 'exit')
  }
  if (dir) await rm(dir, { recursive: true, force: true })
})

const cookieOf = (res: request.Response) => sidCookie(res.headers['set-cookie'])!.split(';')[0]!

describe('sessions in Redis', () => {
  it('recognises on instance B a user who signed in on instance A (API)', async () => {
    const login = await request(a.url).post('/api/login').send({ login: 'amy', password: 'amy-demo-password' })
    expect(login.status).toBe(200)
    const me = await request(b.url).get('/api/me').set('Cookie', cookieOf(login))
    expect(me.status).toBe(200)
    expect(me.body.user).toEqual(login.body.user)
    const keys = await stores[0]!.client.keys('pqb-example:*')
    expect(keys.length).toBeGreaterThan(0)
  })

  it('accepts on B a form whose CSRF token A issued, and signing out on B signs out on A', async () => {
    const page = await request(a.url).get('/login')
    const cookie = cookieOf(page)
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]
    const signedIn = await request(b.url).post('/login').set('Cookie', cookie).type('form')
      .send({ login: 'bob@example.com', password: 'bob-demo-password', _csrf })
    expect(signedIn.status).toBe(303)
    const session = cookieOf(signedIn)
    expect((await request(a.url).get('/profile').set('Cookie', session)).text).toContain('Bob Email')
    expect((await request(b.url).post('/api/logout').set('Cookie', session).send({})).status).toBe(204)
    expect((await request(a.url).get('/api/me').set('Cookie', session)).status).toBe(401)
  })
})
