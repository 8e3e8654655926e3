// Your backend as QuickBlox's Custom Identity Provider, on NestJS (Express or Fastify): QuickBlox
// calls `/quickblox/identity` with the user id and token the chat client sent, and the secret
// header of the Dashboard's template. Import it in your app's module:
//   IdentityProviderModule.forRoot({ secret: process.env.QB_IDP_SECRET!, verify })
import { All, Controller, Inject, Module, Req, Res, type DynamicModule } from '@nestjs/common'
import {
  quickbloxIdentityProvider,
  type IdentityProviderCall,
  type QuickBloxIdentityProvider,
  type QuickBloxIdentityProviderOptions,
} from 'passport-quickblox'

const IDENTITY_PROVIDER = Symbol('IDENTITY_PROVIDER')

/** Express's response and Fastify's reply both have these. */
interface HttpResponse {
  status(code: number): unknown
  header(name: string, value: string): unknown
}

@Controller('quickblox/identity')
class IdentityProviderController {
  constructor(@Inject(IDENTITY_PROVIDER) private readonly provider: QuickBloxIdentityProvider) {}

  // GET and POST are answered; any other method 405. Nest parses JSON and forms itself.
  @All()
  async identify(@Req() request: IdentityProviderCall, @Res({ passthrough: true }) response: HttpResponse) {
    const { status, body } = await this.provider.answer(request)
    response.status(status)
    response.header('Cache-Control', 'no-store')
    return body
  }
}

@Module({})
export class IdentityProviderModule {
  static forRoot(options: QuickBloxIdentityProviderOptions): DynamicModule {
    return {
      module: IdentityProviderModule,
      controllers: [IdentityProviderController],
      providers: [{ provide: IDENTITY_PROVIDER, useValue: quickbloxIdentityProvider(options) }],
    }
  }
}
