// After app.close(), nothing of the package is left: QuickBloxModule closes both strategies once
// Nest's HTTP server has closed, on both platforms (the documented apps, the Fastify one with its
// session pool on, which keeps sockets and refill timers). It counts the process's resources, which
// Node lines report differently, so CI runs it once, on Node 24, and not in `npm run test:subset`.
import { describe, expect, it } from '@jest/globals'
import request from 'supertest'
import type { INestApplication } from '@nestjs/common'
import { QuickBloxStrategies } from 'passport-quickblox/nest'
import { createApp as expressApp } from '../docs/examples/nest-express.js'
import { createApp as fastifyApp } from '../docs/examples/nest-fastify.js'
import { listen, settingsOf } from './helpers/nest.js'
import { AMY, optionsFor, startTestEmulator } from './helpers/quickblox.js'
import { nothingAddedTo, resources } from './helpers/resources.js'
import { sdkToken } from './helpers/token-app.js'
import type { QuickBloxStrategyOptions } from '../lib/index.js'

const apps: [string, (options: QuickBloxStrategyOptions) => Promise<INestApplication>][] = [
  ['express', (options) => expressApp(options, 'nest-shutdown-secret')],
  // Without QB_SESSION_POOL=off: the pool keeps sessions ready, with its timers.
  ['fastify', (options) => fastifyApp(settingsOf({ ...options, pool: undefined }))],
]

describe.each(apps)('app.close() of the NestJS app on %s', (_platform, create) => {
  it('closes both strategies and leaves no socket or timer behind', async () => {
    const emulator = await startTestEmulator()
    try {
      const before = resources()
      const nest = await create(optionsFor(emulator, { pool: undefined }))
      const app = await listen(nest)
      let closed = false
      try {
        const strategies = nest.get(QuickBloxStrategies)
        const login = await request(app.url).post('/login').send({ login: AMY.login, password: AMY.password })
        expect(login.status).toBe(200)
        const token = await sdkToken(emulator, { login: AMY.login, password: AMY.password })
        expect((await request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(200)
        // Both strategies have talked to QuickBlox. (Their idle kept-alive sockets are not counted
        // below: Node does not list an unref'd socket among the process's resources. What fails
        // without close() is the two refusals after it.)
        expect(emulator.counts()['POST /login.json']).toBe(1)
        expect(emulator.counts()['GET /session.json']).toBeGreaterThan(0)

        await app.close()
        closed = true

        // A closed client refuses to ask QuickBlox anything more.
        await expect(strategies.token!.check(token)).rejects.toThrow()
        await expect(strategies.login!.client.login({ login: AMY.login, password: AMY.password })).rejects.toThrow()
        await nothingAddedTo(before)
      } finally {
        if (!closed) await app.close() // a failed check must not leave the app running
      }
    } finally {
      await emulator.close()
    }
  })
})
