// NestJS on Fastify, without sessions: the documented app (docs/examples/nest-fastify.ts), whose
// QuickBloxModule.forRootAsync reads QuickBlox's settings from ConfigService.
import { createApp } from '../docs/examples/nest-fastify.js'
import { describeFramework } from './helpers/frameworks.js'
import { listen, nestCases, settingsOf } from './helpers/nest.js'

describeFramework(
  {
    name: 'NestJS (Fastify platform) + passport-quickblox/nest, settings from ConfigService',
    sessions: false,
    async start(options) {
      return listen(await createApp(settingsOf(options)))
    },
  },
  nestCases,
)
