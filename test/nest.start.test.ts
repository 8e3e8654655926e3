// QuickBloxModule's mistakes stop the app when it starts (NestFactory.create rejects), with an
// error naming the option, instead of answering 500 to every request: a login guard without
// authKey and authSecret, a token guard with `token: false`, QuickBloxSessions without apiKey or
// identityKey.
import 'reflect-metadata'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { Controller, Get, Injectable, Module, Post, UseGuards } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import type { Emulator } from 'passport-quickblox/emulator'
import {
  QuickBloxAuthGuard,
  QuickBloxModule,
  QuickBloxSessions,
  QuickBloxTokenGuard,
  type QuickBloxModuleOptions,
} from 'passport-quickblox/nest'
import { API_KEY, IDENTITY_KEY } from './helpers/admin.js'
import { optionsFor, startTestEmulator } from './helpers/quickblox.js'

@Controller()
class LoginController {
  @Post('login')
  @UseGuards(QuickBloxAuthGuard)
  login() {
    return {}
  }
}

@Controller()
class ApiController {
  @Get('api/me')
  @UseGuards(QuickBloxTokenGuard)
  me() {
    return {}
  }
}

@Injectable()
class Chat {
  constructor(readonly sessions: QuickBloxSessions) {}
}

let emulator: Emulator
beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(() => emulator.close())

/** Starts (and closes) an app of `controllers` and `providers` with the module's `options`. */
async function start(
  options: QuickBloxModuleOptions,
  controllers: (new (...args: never[]) => unknown)[],
  providers: (new (...args: never[]) => unknown)[] = [],
): Promise<void> {
  @Module({ imports: [QuickBloxModule.forRoot(options)], controllers, providers })
  class AppModule {}
  // abortOnError: false, so the failure rejects here instead of ending the process.
  const nest = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false, abortOnError: false })
  await nest.close()
}

describe('QuickBloxModule at start', () => {
  const tokensOnly = () => ({ appId: emulator.application.id, apiEndpoint: emulator.url, timeout: 3000 })

  it('refuses a login guard when the module has no authKey and authSecret', async () => {
    await expect(start(tokensOnly(), [LoginController])).rejects.toThrow(
      "QuickBloxAuthGuard needs the options authKey and authSecret in QuickBloxModule's options",
    )
  })

  it('names the one of authKey and authSecret that is missing', async () => {
    const { authKey, authSecret } = emulator.application
    await expect(start({ ...tokensOnly(), authKey }, [ApiController])).rejects.toThrow(
      'QuickBloxModule: option authSecret is missing',
    )
    await expect(start({ ...tokensOnly(), authSecret }, [ApiController])).rejects.toThrow(
      'QuickBloxModule: option authKey is missing',
    )
  })

  it('refuses a token guard when the module has token: false', async () => {
    await expect(start({ ...optionsFor(emulator), token: false }, [ApiController])).rejects.toThrow(
      "QuickBloxTokenGuard needs a token strategy: QuickBloxModule's option token is false",
    )
  })

  it('refuses QuickBloxSessions when the module has no apiKey', async () => {
    await expect(start(optionsFor(emulator), [], [Chat])).rejects.toThrow(
      "QuickBloxSessions needs the option apiKey in QuickBloxModule's options",
    )
  })

  it('refuses QuickBloxSessions when the module has an apiKey but no identityKey', async () => {
    await expect(start({ ...optionsFor(emulator), apiKey: API_KEY }, [], [Chat])).rejects.toThrow(
      "QuickBloxSessions needs the option identityKey in QuickBloxModule's options",
    )
  })

  it('starts when every guard and QuickBloxSessions has what it needs, and when nothing asks for them', async () => {
    await expect(
      start(
        { ...optionsFor(emulator), apiKey: API_KEY, identityKey: IDENTITY_KEY },
        [LoginController, ApiController],
        [Chat],
      ),
    ).resolves.toBeUndefined()
    // No apiKey, no token strategy, no auth key: fine while no guard or class injects what is missing.
    await expect(start({ ...tokensOnly(), token: false }, [])).resolves.toBeUndefined()
  })
})
