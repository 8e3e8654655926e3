// NestJS on Fastify, without sessions: the documented app (docs/examples/nest-fastify.ts).
import { createApp } from '../docs/examples/nest-fastify.js'
import { describeFramework } from './helpers/frameworks.js'

describeFramework({
  name: 'NestJS (Fastify platform) + @nestjs/passport',
  sessions: false,
  async start(options) {
    const app = await createApp(options)
    await app.listen(0, '127.0.0.1')
    return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), close: () => app.close() }
  },
})
