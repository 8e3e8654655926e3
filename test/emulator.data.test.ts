import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { demoData, startEmulator, type Emulator, type EmulatorUserSeed } from 'passport-quickblox/emulator'
import { appToken, call, type Params } from './helpers/emulator.js'

let dir: string
const running: Emulator[] = []
const start = async (...args: Parameters<typeof startEmulator>) => {
  const qb = await startEmulator(...args)
  running.push(qb)
  return qb
}
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qb-emulator-data-'))
})
afterEach(async () => {
  await Promise.all(running.splice(0).map((qb) => qb.close()))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** The login body that signs in this demo user, whatever its method. */
function loginBody(user: EmulatorUserSeed): Params {
  if (user.facebook) return { provider: 'facebook', keys: { token: user.facebook.token } }
  if (user.firebase_phone) return { provider: 'firebase_phone', firebase_phone: { ...user.firebase_phone } }
  return user.login ? { login: user.login, password: user.password! } : { email: user.email!, password: user.password! }
}

describe('built-in demo data', () => {
  it('is used when nothing is given, on 127.0.0.1 and a free port', async () => {
    const qb = await start()
    expect(qb.url).toBe(`http://127.0.0.1:${qb.port}`)
    expect(qb.port).toBeGreaterThan(0)
    expect(qb.application).toEqual(demoData.applications[0])
    expect(qb.users).toEqual(demoData.users)
  })

  it('covers every login method, and each demo user can log in', async () => {
    const qb = await start()
    const methods = demoData.users.map((u) =>
      u.facebook ? 'facebook' : u.firebase_phone ? 'firebase_phone' : u.login ? 'login' : 'email',
    )
    expect(new Set(methods)).toEqual(new Set(['login', 'email', 'facebook', 'firebase_phone']))
    for (const user of demoData.users) {
      const answer = await call(`${qb.url}/login.json`, 'POST', { token: await appToken(qb), body: loginBody(user) })
      expect([answer.status, answer.json.user.id]).toEqual([202, user.id])
    }
  })

  it('is not changed by an emulator that adds users', async () => {
    const qb = await start()
    qb.addUser({ login: 'extra', password: 'extra-password' })
    expect(demoData.users.some((u) => u.login === 'extra')).toBe(false)
  })
})

describe('addUser()', () => {
  it('adds a user who can log in, with the next free id', async () => {
    const qb = await start({
      applications: [{ id: 5, authKey: 'k', authSecret: 's' }],
      users: [{ id: 100_007, login: 'a' }],
    })
    expect(qb.addUser({ login: 'new', password: 'new-password' }).id).toBe(100_008)
    const answer = await call(`${qb.url}/login.json`, 'POST', {
      token: await appToken(qb),
      body: { login: 'new', password: 'new-password' },
    })
    expect([answer.status, answer.json.user.id]).toEqual([202, 100_008])
  })

  it.each([
    ['a password that is a number', { login: 'a', password: 1 }],
    ['an id that is not an integer', { id: '7', login: 'a' }],
    ['a facebook user without a token', { facebook: {} }],
    ['a firebase user without a project', { firebase_phone: { access_token: 't' } }],
    ['null', null],
  ])('refuses %s with the same TypeError as a seed, adding nothing', async (_name, seed) => {
    const qb = await start({ applications: [{ id: 5, authKey: 'k', authSecret: 's' }] })
    expect(() => qb.addUser(seed as never)).toThrow(
      new TypeError('Emulator users must be an array of user objects (id a number, text fields strings)'),
    )
    expect(qb.users).toEqual([])
  })

  it('refuses a duplicate id', async () => {
    const qb = await start({ applications: [{ id: 5, authKey: 'k', authSecret: 's' }], users: [{ id: 3 }] })
    expect(() => qb.addUser({ id: 3 })).toThrow(/Duplicate emulator user id 3/)
  })
})

describe('seed data', () => {
  it('assigns ids to users that have none, after the highest given', async () => {
    const qb = await start({
      applications: [{ id: 5, authKey: 'k', authSecret: 's' }],
      users: [{ login: 'a' }, { id: 200000, login: 'b' }, { login: 'c' }],
    })
    expect(qb.users.map((u) => u.id)).toEqual([100001, 200000, 200001])
  })

  it('with applications but no users starts with no users', async () => {
    const qb = await start({ applications: [{ id: 5, authKey: 'k', authSecret: 's' }] })
    expect(qb.users).toEqual([])
  })

  it('reads a JSON data file, and options win over it', async () => {
    const file = join(dir, 'data.json')
    await writeFile(
      file,
      JSON.stringify({
        applications: [{ id: 9, authKey: 'fk', authSecret: 'fs' }],
        users: [{ id: 1, login: 'file-user', password: 'p' }],
      }),
    )
    const fromFile = await start({ dataFile: file })
    expect(fromFile.application.id).toBe(9)
    expect(fromFile.users.map((u) => u.login)).toEqual(['file-user'])
    const mixed = await start({ dataFile: file, users: [{ id: 2, login: 'option-user' }] })
    expect(mixed.application.id).toBe(9)
    expect(mixed.users.map((u) => u.login)).toEqual(['option-user'])
  })

  it.each([
    ['no application', { applications: [] }],
    ['an application without a secret', { applications: [{ id: 1, authKey: 'k' }] }],
    [
      'a user whose password is a number',
      { applications: [{ id: 1, authKey: 'k', authSecret: 's' }], users: [{ login: 'a', password: 1 }] },
    ],
    [
      'a facebook user without a token',
      { applications: [{ id: 1, authKey: 'k', authSecret: 's' }], users: [{ facebook: {} }] },
    ],
    ['users that are not an array', { applications: [{ id: 1, authKey: 'k', authSecret: 's' }], users: 'amy' }],
    [
      'two users with one id',
      { applications: [{ id: 1, authKey: 'k', authSecret: 's' }], users: [{ id: 3 }, { id: 3 }] },
    ],
  ])('refuses %s', async (_name, options) => {
    await expect(startEmulator(options as never)).rejects.toThrow(/Emulator|Duplicate/)
  })

  it.each([
    ['not JSON', '{'],
    ['not an object', '42'],
  ])('refuses a data file that is %s', async (name, content) => {
    const file = join(dir, `${name}.json`)
    await writeFile(file, content)
    await expect(startEmulator({ dataFile: file })).rejects.toThrow()
  })

  it('names a data file that is not JSON without quoting its content', async () => {
    const file = join(dir, 'secret.json')
    await writeFile(
      file,
      '{"applications":[{"id":1,"authKey":"k","authSecret":"s"}],"users":[{"password":hunter2-secret}]}',
    )
    const error = await startEmulator({ dataFile: file }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(SyntaxError)
    expect((error as Error).message).toBe(`${file}: not valid JSON`)
    expect(String((error as Error).stack)).not.toContain('hunter2')
  })

  it('assigns ids after the highest of a very large seed', async () => {
    // 200,000 seeded users: more ids than Math.max(...ids) can take as arguments.
    const users: EmulatorUserSeed[] = Array.from({ length: 200_000 }, (_, i) => ({ id: 100_001 + i }))
    users.push({ login: 'last', password: 'last-password' })
    const qb = await start({ applications: [{ id: 5, authKey: 'k', authSecret: 's' }], users })
    expect(qb.users.at(-1)!.id).toBe(300_001)
    const answer = await call(`${qb.url}/login.json`, 'POST', {
      token: await appToken(qb),
      body: { login: 'last', password: 'last-password' },
    })
    expect([answer.status, answer.json.user.id]).toEqual([202, 300_001])
  }, 30_000)

  it('fails to start on a port already in use', async () => {
    const qb = await start()
    await expect(startEmulator({ port: qb.port })).rejects.toThrow(/EADDRINUSE/)
  })
})
