// A QuickBlox token for whoever is signed in to this Fastify app, by any Passport strategy, for
// their chat client: `admin.sessionFor()` finds or creates their QuickBlox user (keyed by your
// user id), then issues a token. Mount it after @fastify/passport's session:
//   chatTokenRoute(app, new QuickBloxAdmin({ apiKey: process.env.QB_API_KEY!, identityKey: process.env.QB_IDENTITY_KEY! }))
import type { FastifyInstance } from 'fastify'
import type {} from '@fastify/passport' // its `request.user`
import type { QuickBloxAdmin } from 'passport-quickblox'

/** Your user, as your Passport deserializer gives it. */
interface AppUser {
  id: number
  name: string
}

export function chatTokenRoute(app: FastifyInstance, admin: QuickBloxAdmin): void {
  // QuickBlox errors carry `statusCode` and `headers` (`Retry-After`): Fastify answers them as they are.
  app.post('/api/quickblox/session', async (request, reply) => {
    reply.header('Cache-Control', 'no-store') // a token: never kept by a cache
    const user = request.user as AppUser | undefined
    if (!user) return reply.code(401).send({ error: 'Not signed in' })
    const { token, expiresAt, userId } = await admin.sessionFor({ externalUserId: user.id, fullName: user.name })
    return { token, expiresAt, userId }
  })
}
