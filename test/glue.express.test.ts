// quickbloxSession() in an Express app: whoever is signed in gets a QuickBlox token for chat.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import express, { type ErrorRequestHandler, type Request } from 'express'
import request from 'supertest'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxTokenStrategy, quickbloxSession } from '../lib/index.js'
import { adminFor, closeAdmins, KNOWN, loginOf, newExternalId, startAdminEmulator } from './helpers/admin.js'

interface AppUser {
  id: number
  name: string
}
let qb: Emulator
let app: express.Express
const errors: unknown[] = []
beforeAll(async () => {
  qb = await startAdminEmulator()
  app = express()
  // Stands for any Passport strategy: the signed-in user, from a test header.
  app.use((req, _res, next) => {
    const id = req.get('x-test-user')
    if (id) (req as { user?: AppUser }).user = { id: Number(id), name: `User ${id}` }
    next()
  })
  app.post(
    '/api/quickblox/session',
    quickbloxSession<Request>({
      admin: adminFor(qb),
      identity: (req) => {
        const user = req.user as unknown as AppUser
        return user.id === 13 ? undefined : { externalUserId: user.id, fullName: user.name }
      },
    }),
  )
  const onError: ErrorRequestHandler = (err: { status?: number; code?: string }, _req, res, _next) => {
    errors.push(err)
    res.status(err.status ?? 500).json({ error: err.code })
  }
  app.use(onError)
})
afterEach(() => qb.clearFaults())
afterAll(async () => {
  await closeAdmins()
  await qb.close()
})

const session = (user?: number) => {
  const req = request(app).post('/api/quickblox/session')
  return user === undefined ? req : req.set('x-test-user', String(user))
}

describe('quickbloxSession() on Express', () => {
  it('answers the signed-in user a token, its expiry and QuickBlox id, not to be cached', async () => {
    const res = await session(KNOWN.external_user_id)
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body).toEqual({
      token: expect.stringMatching(/^[0-9a-f]{40}$/),
      expiresAt: expect.any(String),
      userId: KNOWN.id,
    })
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now())
  })

  it('creates the QuickBlox user on first sight, with a token QuickBloxTokenStrategy accepts', async () => {
    const id = newExternalId()
    const res = await session(id)
    expect(res.status).toBe(200)
    expect(qb.users.find((user) => user.login === loginOf(id))).toMatchObject({ full_name: `User ${id}` })
    const tokens = new QuickBloxTokenStrategy({ appId: qb.application.id, apiEndpoint: qb.url }, (user, _s, done) =>
      done(null, user),
    )
    try {
      await expect(tokens.check(res.body.token)).resolves.toMatchObject({ user: { id: res.body.userId } })
    } finally {
      await tokens.close()
    }
  })

  it('answers 401 when nobody is signed in, and when identity() returns nothing', async () => {
    for (const res of [await session(), await session(13)]) {
      expect(res.status).toBe(401)
      expect(res.body).toEqual({ error: 'Not signed in' })
      expect(res.headers['cache-control']).toBe('no-store')
    }
  })

  it("passes QuickBlox's trouble to the error handler with its status", async () => {
    qb.failNext('POST /users/:id/tokens', { status: 503 })
    const res = await session(KNOWN.external_user_id)
    expect([res.status, res.body]).toEqual([503, { error: 'QB_UNAVAILABLE' }])
  })

  /** An app where one user is signed in, with quickbloxSession on `/s` for every method, and Express's own error handler. */
  const everyMethod = () => {
    const app = express()
    app.use((req, _res, next) => {
      ;(req as { user?: AppUser }).user = { id: KNOWN.external_user_id, name: 'Known' }
      next()
    })
    const identity = () => ({ externalUserId: KNOWN.external_user_id })
    return app.all('/s', quickbloxSession({ admin: adminFor(qb), identity }))
  }

  it("answers an outage 503 with Retry-After through Express's own error handler", async () => {
    const own = everyMethod()
    qb.failNext('POST /users/:id/tokens', { status: 503 })
    const down = await request(own).post('/s')
    expect([down.status, down.headers['retry-after']]).toEqual([503, '30'])
    qb.failNext('POST /users/:id/tokens', { status: 503, retryAfter: 90 })
    const told = await request(own).post('/s')
    expect([told.status, told.headers['retry-after']]).toEqual([503, '90'])
  })

  it('answers any method but POST 405 with Allow: POST, and mints nothing', async () => {
    const any = everyMethod()
    qb.resetLog()
    for (const method of ['get', 'head', 'put', 'delete', 'patch', 'options'] as const) {
      const res = await request(any)[method]('/s')
      expect([method, res.status, res.headers.allow]).toEqual([method, 405, 'POST'])
    }
    expect(qb.requests).toEqual([])
    expect((await request(any).post('/s')).status).toBe(200)
  })

  it('takes an admin wrapper whose expiry is text, and sends an unreadable answer to the error handler', async () => {
    const wrapped = (expiresAt: unknown) => {
      const app = express()
      app.use((req, _res, next) => {
        ;(req as { user?: AppUser }).user = { id: 1, name: 'One' }
        next()
      })
      app.post(
        '/s',
        quickbloxSession({
          admin: { sessionFor: async () => ({ token: 't', expiresAt, userId: 1 }) as never },
          identity: () => ({ externalUserId: 1 }),
        }) as never,
      )
      app.use(((err: Error, _req, res, _next) => res.status(500).json({ error: err.name })) as ErrorRequestHandler)
      return request(app).post('/s')
    }
    const text = await wrapped('2030-01-01T00:00:00.000Z')
    expect(text.body).toEqual({ token: 't', expiresAt: '2030-01-01T00:00:00.000Z', userId: 1 })
    const unreadable = await wrapped('not a date') // toISOString() throws: the error handler answers, the process lives
    expect([unreadable.status, unreadable.body]).toEqual([500, { error: 'RangeError' }])
  })

  it('refuses to be made without an admin or an identity function', () => {
    expect(() => quickbloxSession({ admin: undefined as never, identity: () => undefined })).toThrow(TypeError)
    expect(() => quickbloxSession({ admin: adminFor(qb), identity: 'id' as never })).toThrow(TypeError)
  })
})
