// NestJS on Express with sessions: the documented app (docs/examples/nest-express.ts), on
// passport-quickblox/nest's QuickBloxModule.forRoot and its guards.
import { createApp } from '../docs/examples/nest-express.js'
import { describeFramework } from './helpers/frameworks.js'
import { listen, nestCases } from './helpers/nest.js'

describeFramework(
  {
    name: 'NestJS (Express platform) + passport-quickblox/nest',
    sessions: true,
    async start(options) {
      return listen(await createApp(options, 'nest-test-session-secret'))
    },
  },
  nestCases,
)
