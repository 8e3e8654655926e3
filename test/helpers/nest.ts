// What the NestJS apps of docs/examples/ share in their tests: the options as the Fastify app's
// ConfigService reads them, the URL Nest listens on, and the outcomes only Nest's guards add.
import { expect } from '@jest/globals'
import request from 'supertest'
import type { INestApplication } from '@nestjs/common'
import type { QuickBloxStrategyOptions } from '../../lib/index.js'
import type { FrameworkApp, FrameworkCase } from './frameworks.js'

/** The strategy options as environment settings (`QB_*`), for the app that reads them from ConfigService. */
export function settingsOf(options: QuickBloxStrategyOptions): Record<string, string> {
  const settings: Record<string, string> = {
    QB_APP_ID: String(options.appId),
    QB_AUTH_KEY: options.authKey,
    QB_AUTH_SECRET: options.authSecret,
  }
  if (options.apiEndpoint !== undefined) settings.QB_API_ENDPOINT = options.apiEndpoint
  if (options.timeout !== undefined) settings.QB_TIMEOUT_MS = String(options.timeout)
  if (options.pool === false) settings.QB_SESSION_POOL = 'off'
  return settings
}

/** Listens on a free port of 127.0.0.1. */
export async function listen(app: INestApplication): Promise<FrameworkApp> {
  await app.listen(0, '127.0.0.1')
  return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), close: () => app.close() }
}

/** Outcomes the stock AuthGuard of @nestjs/passport would lose, which QuickBloxAuthGuard and QuickBloxTokenGuard keep. */
export const nestCases: FrameworkCase[] = [
  {
    name: 'answers a malformed Bearer credential 400 with error="invalid_request"',
    async run({ app, emulator }) {
      emulator.resetLog()
      const res = await request(app.url).get('/api/me').set('Authorization', 'Bearer two tokens')
      expect(res.status).toBe(400)
      expect(res.headers['www-authenticate']).toBe('Bearer realm="QuickBlox", error="invalid_request"')
      expect(emulator.requests).toEqual([])
    },
  },
  {
    name: "answers QuickBlox's 5xx with its code, Retry-After, and no message of QuickBlox's",
    async run({ app, emulator }) {
      emulator.failNext('POST /login.json', { status: 503 })
      const res = await request(app.url).post('/login').send({ login: 'amy', password: 'whatever-password' })
      expect(res.status).toBe(503)
      expect(res.headers['retry-after']).toBe('30')
      expect(res.body).toEqual({ statusCode: 503, code: 'QB_UNAVAILABLE', message: 'Service Unavailable' })
    },
  },
  {
    name: "answers a 429 on logout with Retry-After (the module's exception filter)",
    async run({ app, emulator }) {
      emulator.failNext('DELETE /session.json', { status: 429, retryAfter: 7 })
      const agent = request.agent(app.url)
      const login = await agent.post('/login').send({ login: 'amy', password: 'amy-password-1' })
      expect(login.status).toBe(200)
      const token = login.body.qbToken as string | undefined
      const res = await (token ? agent.post('/logout').set('Authorization', `Bearer ${token}`) : agent.post('/logout'))
      expect(res.status).toBe(429)
      expect(res.headers['retry-after']).toBe('7')
      expect(res.body.code).toBe('QB_RATE_LIMITED')
    },
  },
]
