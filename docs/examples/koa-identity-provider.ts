// Your backend as QuickBlox's Custom Identity Provider, on Koa: QuickBlox calls this route with
// the user id and token the chat client sent, and the secret header of the Dashboard's template.
// Mount it after @koa/bodyparser (with `enableTypes: ['json', 'form']`):
//   identityProviderRoute(router, quickbloxIdentityProvider({ secret: process.env.QB_IDP_SECRET!, verify }))
import type {} from '@koa/bodyparser' // its `ctx.request.body`
import type Router from '@koa/router'
import type { QuickBloxIdentityProvider } from 'passport-quickblox'

export function identityProviderRoute(router: Router, provider: QuickBloxIdentityProvider): void {
  router.all('/quickblox/identity', async (ctx) => {
    const { status, body } = await provider.answer({
      method: ctx.method,
      headers: ctx.headers,
      query: ctx.query,
      body: ctx.request.body,
    })
    ctx.set('Cache-Control', 'no-store')
    ctx.status = status
    ctx.body = body
  })
}
