// A QuickBlox token for whoever is signed in to this Koa app, by any Passport strategy, for their
// chat client: `admin.sessionFor()` finds or creates their QuickBlox user (keyed by your user id),
// then issues a token. Mount it after koa-passport's session:
//   chatTokenRoute(router, new QuickBloxAdmin({ apiKey: process.env.QB_API_KEY!, identityKey: process.env.QB_IDENTITY_KEY! }))
import type Router from '@koa/router'
import type { QuickBloxAdmin } from 'passport-quickblox'

/** Your user, as your Passport deserializer gives it. */
interface AppUser {
  id: number
  name: string
}

export function chatTokenRoute(router: Router, admin: QuickBloxAdmin): void {
  // QuickBlox errors carry `status`, `expose` and `headers` (`Retry-After`): Koa answers them as they are.
  router.post('/api/quickblox/session', async (ctx) => {
    ctx.set('Cache-Control', 'no-store') // a token: never kept by a cache
    const user = ctx.state.user as AppUser | undefined
    if (!user) {
      ctx.status = 401
      ctx.body = { error: 'Not signed in' }
      return
    }
    const { token, expiresAt, userId } = await admin.sessionFor({ externalUserId: user.id, fullName: user.name })
    ctx.body = { token, expiresAt, userId }
  })
}
