// One table of outcomes, asserted over real HTTP against the emulator for every framework the
// package documents. A framework's test file says how to start its app (docs/examples/), and
// describeFramework() runs the same cases against it: the login strategy's (`POST /login`) and the
// token strategy's (`GET /api/me` with `Authorization: Bearer`). A case list is open: pass more
// cases as `extraCases`.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import type { Emulator } from 'passport-quickblox/emulator'
import type { QuickBloxStrategyOptions } from '../../lib/index.js'
import { AMY, calls, optionsFor, startTestEmulator } from './quickblox.js'
import { sdkToken } from './token-app.js'

export interface FrameworkApp {
  url: string
  close(): Promise<void>
}

export interface FrameworkVariant {
  name: string
  /**
   * Whether the app keeps the user in a cookie session. Without one, `POST /login` answers
   * `{ user, qbToken }` and `POST /logout` takes the token as `Authorization: Bearer …`.
   */
  sessions: boolean
  start(options: QuickBloxStrategyOptions): Promise<FrameworkApp>
}

export interface FrameworkContext {
  emulator: Emulator
  app: FrameworkApp
}

export interface FrameworkCase {
  name: string
  run(context: FrameworkContext): Promise<void>
}

const json = { login: AMY.login, password: AMY.password }

export function describeFramework(variant: FrameworkVariant, extraCases: FrameworkCase[] = []): void {
  describe(variant.name, () => {
    const context = {} as FrameworkContext

    beforeAll(async () => {
      context.emulator = await startTestEmulator()
      context.app = await variant.start(optionsFor(context.emulator))
    })
    afterEach(() => context.emulator.clearFaults())
    afterAll(async () => {
      await context.app?.close()
      await context.emulator?.close()
    })

    const post = (path: string) => request(context.app.url).post(path)
    const amyId = () => context.emulator.users.find((user) => user.login === AMY.login)!.id

    it('logs a user in from JSON', async () => {
      const res = await post('/login').send(json)
      expect(res.status).toBe(200)
      expect(res.body.user).toEqual({ id: amyId(), login: AMY.login })
    })

    it('logs a user in from a form', async () => {
      const res = await post('/login').type('form').send(`login=${AMY.login}&password=${AMY.password}`)
      expect(res.status).toBe(200)
      expect(res.body.user).toEqual({ id: amyId(), login: AMY.login })
    })

    it('answers a wrong password 401', async () => {
      const res = await post('/login').send({ login: AMY.login, password: 'not-her-password' })
      expect(res.status).toBe(401)
    })

    it('answers a missing password 400, without asking QuickBlox', async () => {
      const before = calls(context.emulator, 'POST /login.json')
      const res = await post('/login').send({ login: AMY.login })
      expect(res.status).toBe(400)
      expect(calls(context.emulator, 'POST /login.json')).toBe(before)
    })

    it('answers 503 when QuickBlox is down', async () => {
      context.emulator.failNext('POST /login.json', { status: 503 })
      const res = await post('/login').send(json)
      expect(res.status).toBe(503)
    })

    it('answers 429 with Retry-After when QuickBlox rate-limits', async () => {
      context.emulator.failNext('POST /login.json', { status: 429, retryAfter: 30 })
      const res = await post('/login').send(json)
      expect(res.status).toBe(429)
      expect(res.headers['retry-after']).toBe('30')
    })

    it('answers 502 when QuickBlox sends an unreadable reply', async () => {
      context.emulator.failNext('POST /login.json', 'garbage')
      expect((await post('/login').send(json)).status).toBe(502)
    })

    it('answers 504 when QuickBlox does not answer in time', async () => {
      context.emulator.failNext('POST /login.json', 'hang')
      expect((await post('/login').send(json)).status).toBe(504)
    })

    if (variant.sessions) {
      it('keeps the user in the session for the next request', async () => {
        const agent = request.agent(context.app.url)
        expect((await agent.get('/me')).status).toBe(401)
        expect((await agent.post('/login').send(json)).status).toBe(200)
        const me = await agent.get('/me')
        expect(me.status).toBe(200)
        expect(me.body.user).toEqual({ id: amyId(), login: AMY.login })
      })

      it('signs out of the app and of QuickBlox', async () => {
        const agent = request.agent(context.app.url)
        expect((await agent.post('/login').send(json)).status).toBe(200)
        context.emulator.resetLog()
        const res = await agent.post('/logout')
        expect(res.status).toBe(200)
        expect(context.emulator.requests.map((r) => [`${r.method} ${r.path}`, r.status])).toEqual([
          ['DELETE /session.json', 200],
        ])
        expect((await agent.get('/me')).status).toBe(401)
      })
    } else {
      it('signs out of QuickBlox with the token the login answered', async () => {
        const login = await post('/login').send(json)
        expect(login.status).toBe(200)
        const token: unknown = login.body.qbToken
        expect(typeof token).toBe('string')
        context.emulator.resetLog()
        const res = await post('/logout').set('Authorization', `Bearer ${token as string}`)
        expect(res.status).toBe(200)
        expect(context.emulator.requests.map((r) => [`${r.method} ${r.path}`, r.status])).toEqual([
          ['DELETE /session.json', 200],
        ])
        // The session is gone: ending it again is refused.
        context.emulator.resetLog()
        await post('/logout').set('Authorization', `Bearer ${token as string}`)
        expect(context.emulator.requests.map((r) => r.status)).toEqual([401])
      })
    }

    describe('QuickBloxTokenStrategy: GET /api/me', () => {
      const me = (token?: string) => {
        const req = request(context.app.url).get('/api/me')
        return token === undefined ? req : req.set('Authorization', `Bearer ${token}`)
      }
      // A token as the QuickBlox SDK gets one; a new one for each case, since valid ones are cached.
      const amyToken = () => sdkToken(context.emulator, { login: AMY.login, password: AMY.password })

      it('answers a valid token 200 with its user, without a session', async () => {
        const res = await me(await amyToken())
        expect(res.status).toBe(200)
        expect(res.body.user).toEqual({ id: amyId(), login: AMY.login })
        expect(res.headers['set-cookie']).toBeUndefined()
      })

      it('answers a request without Authorization 401 with the Bearer challenge, without asking QuickBlox', async () => {
        context.emulator.resetLog()
        const res = await me()
        expect(res.status).toBe(401)
        expect(res.headers['www-authenticate']).toBe('Bearer realm="QuickBlox"')
        expect(context.emulator.requests).toEqual([])
      })

      it('answers an unknown token 401 with error="invalid_token"', async () => {
        const res = await me('0123456789abcdef0123456789abcdef01234567')
        expect(res.status).toBe(401)
        expect(res.headers['www-authenticate']).toBe('Bearer realm="QuickBlox", error="invalid_token"')
      })

      it('answers 503 when QuickBlox is down', async () => {
        const token = await amyToken()
        context.emulator.failNext('GET /session.json', { status: 503 })
        const res = await me(token)
        expect(res.status).toBe(503)
        expect(res.headers['www-authenticate']).toBeUndefined()
      })

      it('answers 429 with Retry-After when QuickBlox rate-limits', async () => {
        const token = await amyToken()
        context.emulator.failNext('GET /session.json', { status: 429, retryAfter: 30 })
        const res = await me(token)
        expect(res.status).toBe(429)
        expect(res.headers['retry-after']).toBe('30')
      })

      it('answers 502 when QuickBlox sends an unreadable reply', async () => {
        const token = await amyToken()
        context.emulator.failNext('GET /session.json', 'garbage')
        expect((await me(token)).status).toBe(502)
      })

      it('answers 504 when QuickBlox does not answer in time', async () => {
        const token = await amyToken()
        context.emulator.failNext('GET /session.json', 'hang')
        expect((await me(token)).status).toBe(504)
      })
    })

    for (const extra of extraCases) it(extra.name, () => extra.run(context))
  })
}
