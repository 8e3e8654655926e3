// Koa 3 + koa-passport + koa-session + @koa/bodyparser: the documented app (docs/examples/koa.ts).
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createApp } from '../docs/examples/koa.js'
import { describeFramework } from './helpers/frameworks.js'

describeFramework({
  name: 'Koa + koa-passport',
  sessions: true,
  async start(options) {
    const { app, strategy, tokens } = createApp(options, ['koa-test-session-key'])
    app.silent = true
    const server = app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      async close() {
        server.closeAllConnections()
        await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))
        await Promise.all([strategy.close(), tokens.close()])
      },
    }
  },
})
