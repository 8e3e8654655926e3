// Fastify 5 + @fastify/passport + @fastify/secure-session + @fastify/formbody: the documented app
// (docs/examples/fastify.ts).
import { randomBytes } from 'node:crypto'
import { createApp } from '../docs/examples/fastify.js'
import { describeFramework } from './helpers/frameworks.js'

describeFramework({
  name: 'Fastify + @fastify/passport',
  sessions: true,
  async start(options) {
    const { app } = await createApp(options, randomBytes(32))
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    return { url, close: () => app.close() }
  },
})
