// The entry file of the NestJS app on Express (`src/main.ts`): build with `npx tsc`, start with
// `node dist/main.js`. QuickBlox's settings come from QB_APP_ID, QB_AUTH_KEY, QB_AUTH_SECRET and
// QB_API_ENDPOINT (optional), the session's from SESSION_SECRET; it listens on HOST (127.0.0.1,
// this machine only: set 0.0.0.0 behind a proxy or in a container) and PORT (3000).
import { quickbloxEnv } from 'passport-quickblox'
import { createApp } from './nest-express.js'

const sessionSecret = process.env.SESSION_SECRET
if (!sessionSecret) throw new Error('SESSION_SECRET is not set')
const app = await createApp(quickbloxEnv(), sessionSecret)
await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1')
console.log(`Listening on ${await app.getUrl()}`)
