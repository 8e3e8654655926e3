// QuickBloxModule.forRootAsync as Nest modules take their options (the shape of @nestjs/jwt's
// registerAsync): a factory with `inject` and `imports`, a class with `createQuickBloxOptions()`
// (`useClass`, `useExisting`), `extraProviders`; `global` (default false); and the options, with
// the auth secret and API key, never exported to the app's other modules.
import 'reflect-metadata'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Injectable,
  Module,
  Post,
  UseGuards,
  type DynamicModule,
  type INestApplication,
} from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import request from 'supertest'
import type { Emulator } from 'passport-quickblox/emulator'
import {
  QuickBloxAuthGuard,
  QuickBloxModule,
  QuickBloxTokenGuard,
  QuickBloxUser,
  type QuickBloxModuleOptions,
  type QuickBloxOptionsFactory,
} from 'passport-quickblox/nest'
import { QUICKBLOX_OPTIONS } from '../lib/nest/options.js'
import { listen } from './helpers/nest.js'
import { AMY, optionsFor, startTestEmulator } from './helpers/quickblox.js'
import { sdkToken } from './helpers/token-app.js'

let emulator: Emulator
beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(() => emulator.close())

const credentials = { login: AMY.login, password: AMY.password }
/** Every app's users say where their module's options came from. */
const optionsFrom = (source: string): QuickBloxModuleOptions => ({
  ...optionsFor(emulator),
  verify: (user) => ({ id: user.id, source }),
})

@Controller()
class LoginController {
  @Post('login')
  @HttpCode(200)
  @UseGuards(QuickBloxAuthGuard)
  login(@QuickBloxUser() user: unknown) {
    return user
  }
}

/** Options as a configuration class makes them, from what it is given. */
@Injectable()
class QuickBloxConfig implements QuickBloxOptionsFactory {
  createQuickBloxOptions(): QuickBloxModuleOptions {
    return optionsFrom('class')
  }
}
/** A module of the app that provides the configuration class. */
@Module({ providers: [QuickBloxConfig], exports: [QuickBloxConfig] })
class ConfigurationModule {}

const SOURCE = Symbol('SOURCE')

/** Starts an app of `module` (and `controllers`); rejects when Nest cannot make it. */
async function start(
  module: DynamicModule,
  controllers: (new () => unknown)[] = [LoginController],
  imports: unknown[] = [],
) {
  @Module({ imports: [module, ...(imports as DynamicModule[])], controllers })
  class AppModule {}
  return NestFactory.create(AppModule, new ExpressAdapter(), { logger: false, abortOnError: false })
}

/** The user the app's login answers. */
async function loginOn(nest: INestApplication): Promise<unknown> {
  const app = await listen(nest)
  try {
    const res = await request(app.url).post('/login').send(credentials)
    expect(res.status).toBe(200)
    return res.body
  } finally {
    await app.close()
  }
}

describe('QuickBloxModule.forRootAsync', () => {
  it('takes a factory with inject and imports', async () => {
    @Module({ providers: [{ provide: SOURCE, useValue: 'imported factory' }], exports: [SOURCE] })
    class SourceModule {}
    const nest = await start(
      QuickBloxModule.forRootAsync({ imports: [SourceModule], inject: [SOURCE], useFactory: optionsFrom }),
    )
    expect(await loginOn(nest)).toMatchObject({ source: 'imported factory' })
  })

  it("takes extraProviders, made in the module's own scope for the factory", async () => {
    const nest = await start(
      QuickBloxModule.forRootAsync({
        extraProviders: [{ provide: SOURCE, useValue: 'extra provider' }],
        inject: [SOURCE],
        useFactory: optionsFrom,
      }),
    )
    expect(await loginOn(nest)).toMatchObject({ source: 'extra provider' })
  })

  it('takes a class with createQuickBloxOptions() (useClass), which it makes itself', async () => {
    const nest = await start(QuickBloxModule.forRootAsync({ useClass: QuickBloxConfig }))
    expect(await loginOn(nest)).toMatchObject({ source: 'class' })
  })

  it('takes an instance the app already provides (useExisting)', async () => {
    const nest = await start(
      QuickBloxModule.forRootAsync({ imports: [ConfigurationModule], useExisting: QuickBloxConfig }),
    )
    expect(await loginOn(nest)).toMatchObject({ source: 'class' })
  })
})

describe('QuickBloxModule in an app of several modules', () => {
  @Controller()
  class ApiController {
    @Get('api/me')
    @UseGuards(QuickBloxTokenGuard)
    me(@QuickBloxUser('id') id: number) {
      return { id }
    }
  }
  @Module({ controllers: [ApiController] })
  class FeatureModule {}

  it('is not global by default: a module that does not import it cannot use its guards', async () => {
    await expect(start(QuickBloxModule.forRoot(optionsFor(emulator)), [], [FeatureModule])).rejects.toThrow(
      /QuickBloxTokenGuard/,
    )
  })

  it("with global: true, every module's guards use it (forRoot and forRootAsync)", async () => {
    const global = [
      QuickBloxModule.forRoot({ ...optionsFor(emulator), global: true }),
      QuickBloxModule.forRootAsync({ global: true, useFactory: () => optionsFor(emulator) }),
    ]
    for (const module of global) {
      const app = await listen(await start(module, [], [FeatureModule]))
      try {
        const token = await sdkToken(emulator, credentials)
        expect((await request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)).status).toBe(200)
      } finally {
        await app.close()
      }
    }
  })

  it('keeps its options (auth secret, API key) from the modules that import it', async () => {
    @Injectable()
    class Curious {
      constructor(@Inject(QUICKBLOX_OPTIONS) readonly options: unknown) {}
    }
    @Module({ imports: [QuickBloxModule.forRoot({ ...optionsFor(emulator), global: true })], providers: [Curious] })
    class Importer {}
    await expect(
      NestFactory.create(Importer, new ExpressAdapter(), { logger: false, abortOnError: false }),
    ).rejects.toThrow(/Curious/)
  })
})
