// NestJS on Express with sessions: the documented app (docs/examples/nest-express.ts), whose guard
// keeps the strategy's 400, Retry-After and Bearer challenge that the stock AuthGuard drops.
import { createApp } from '../docs/examples/nest-express.js'
import { describeFramework } from './helpers/frameworks.js'

describeFramework({
  name: 'NestJS (Express platform) + @nestjs/passport',
  sessions: true,
  async start(options) {
    const app = await createApp(options, 'nest-test-session-secret')
    await app.listen(0, '127.0.0.1')
    return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), close: () => app.close() }
  },
})
