// Your backend as QuickBlox's Custom Identity Provider, on Fastify: QuickBlox calls this route
// with the user id and token the chat client sent, and the secret header of the Dashboard's
// template. Register @fastify/formbody first (QuickBlox may send a form), then:
//   identityProviderRoute(app, quickbloxIdentityProvider({ secret: process.env.QB_IDP_SECRET!, verify }))
import type { FastifyInstance } from 'fastify'
import type { QuickBloxIdentityProvider } from 'passport-quickblox'

export function identityProviderRoute(app: FastifyInstance, provider: QuickBloxIdentityProvider): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/quickblox/identity',
    bodyLimit: 8 * 1024, // two short parameters: nothing bigger is read
    handler: async (request, reply) => {
      const { status, body } = await provider.answer(request)
      return reply.code(status).header('Cache-Control', 'no-store').send(body)
    },
  })
}
