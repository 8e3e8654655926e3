// What QuickBloxModule's guards, filter and decorator answer on Nest's Express platform, body and
// headers: refusals with the strategy's status and message (a Bearer challenge only for tokens),
// QuickBlox's faults with their code, message and Retry-After, an app's own HTTP exceptions as
// they are, nobody signed in, the Passport session (`session: true`) and the admin's cache option.
import 'reflect-metadata'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  Catch,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  HttpException,
  Module,
  Post,
  UseGuards,
  type ArgumentsHost,
  type ExceptionFilter,
  type INestApplication,
  type Provider,
} from '@nestjs/common'
import { APP_FILTER, ModuleRef, NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import request from 'supertest'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxAdmin, QuickBloxStrategy, QuickBloxTokenStrategy } from 'passport-quickblox'
import {
  QuickBloxAuthGuard,
  QuickBloxModule,
  QuickBloxSessions,
  QuickBloxTokenGuard,
  QuickBloxUser,
  type QuickBloxModuleOptions,
} from 'passport-quickblox/nest'
import { createApp as sessionApp } from '../docs/examples/nest-express.js'
import { API_KEY, IDENTITY_KEY, newExternalId, startAdminEmulator } from './helpers/admin.js'
import { listen } from './helpers/nest.js'
import { AMY, optionsFor } from './helpers/quickblox.js'
import { sdkToken } from './helpers/token-app.js'
import type { FrameworkApp } from './helpers/frameworks.js'

@Controller()
class AppController {
  constructor(private readonly sessions: QuickBloxSessions) {}

  @Post('login')
  @HttpCode(200)
  @UseGuards(QuickBloxAuthGuard)
  login(@QuickBloxUser('id') id: number) {
    return { id }
  }

  @Get('api/me')
  @UseGuards(QuickBloxTokenGuard)
  me(@QuickBloxUser('id') id: number) {
    return { id }
  }

  /** No guard: nobody is signed in here. */
  @Get('whoami')
  whoami(@QuickBloxUser('id') id: unknown, @QuickBloxUser() user: unknown) {
    return { id: id === undefined ? 'nobody' : id, user: user === undefined ? 'nobody' : user }
  }

  @Post('chat')
  @HttpCode(200)
  chat() {
    return this.sessions.sessionFor(undefined)
  }
}

let emulator: Emulator
beforeAll(async () => {
  emulator = await startAdminEmulator()
})
afterAll(() => emulator.close())

const credentials = { login: AMY.login, password: AMY.password }

/** Starts an app with the module's options (with an API key and identity key) and `extra`. */
async function start(
  extra: Partial<QuickBloxModuleOptions> = {},
  providers: Provider[] = [],
): Promise<{ nest: INestApplication; app: FrameworkApp }> {
  const options = { ...optionsFor(emulator), apiKey: API_KEY, identityKey: IDENTITY_KEY, ...extra }
  @Module({ imports: [QuickBloxModule.forRoot(options)], controllers: [AppController], providers })
  class AppModule {}
  const nest = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false })
  return { nest, app: await listen(nest) }
}

/** Runs `check` against a fresh app, and closes it. */
async function withApp(
  check: (app: FrameworkApp, nest: INestApplication) => Promise<void>,
  extra: Partial<QuickBloxModuleOptions> = {},
  providers: Provider[] = [],
): Promise<void> {
  const { nest, app } = await start(extra, providers)
  try {
    await check(app, nest)
  } finally {
    await app.close()
  }
}

describe("QuickBloxAuthGuard's answers", () => {
  it("answers missing credentials 400 with the strategy's message, and no Bearer challenge", async () => {
    await withApp(async (app) => {
      const res = await request(app.url).post('/login').send({ login: AMY.login })
      expect(res.status).toBe(400)
      expect(res.body).toEqual({ statusCode: 400, message: 'Missing credentials' })
      expect(res.headers['www-authenticate']).toBeUndefined()
    })
  })

  it("answers wrong credentials 401 with the strategy's message, and no Bearer challenge", async () => {
    await withApp(async (app) => {
      const res = await request(app.url).post('/login').send({ login: AMY.login, password: 'not-her-password' })
      expect(res.status).toBe(401)
      expect(res.body).toEqual({ statusCode: 401, message: expect.any(String) })
      expect(res.body.message).not.toBe('Unauthorized')
      expect(res.headers['www-authenticate']).toBeUndefined()
    })
  })

  it("answers QuickBlox's unreadable reply, a 502 without Retry-After, with its code and status text", async () => {
    await withApp(async (app) => {
      emulator.failNext('POST /login.json', 'garbage')
      const res = await request(app.url).post('/login').send(credentials)
      expect(res.status).toBe(502)
      expect(res.body).toEqual({ statusCode: 502, code: 'QB_BAD_RESPONSE', message: 'Bad Gateway' })
      expect(res.headers['retry-after']).toBeUndefined()
    })
  })

  it("answers QuickBlox's 429 with Retry-After and its own message, which is for the client", async () => {
    await withApp(async (app) => {
      emulator.failNext('POST /login.json', { status: 429, retryAfter: 9 })
      const res = await request(app.url).post('/login').send(credentials)
      expect([res.status, res.headers['retry-after']]).toEqual([429, '9'])
      expect(res.body).toEqual({ statusCode: 429, code: 'QB_RATE_LIMITED', message: expect.any(String) })
      expect(res.body.message).not.toBe('Too Many Requests')
    })
  })

  it("answers an app's own HTTP exception thrown by verify with its status", async () => {
    const verify = () => {
      throw new ForbiddenException('This account is suspended')
    }
    await withApp(
      async (app) => {
        const res = await request(app.url).post('/login').send(credentials)
        expect(res.status).toBe(403)
        expect(res.body).toMatchObject({ statusCode: 403, message: 'This account is suspended' })
      },
      { verify },
    )
  })

  it('gives the QuickBlox error to exception filters as the cause of the HttpException', async () => {
    @Catch(HttpException)
    class CauseFilter implements ExceptionFilter {
      catch(exception: HttpException, host: ArgumentsHost) {
        const cause = exception.cause as { code?: string } | undefined
        host
          .switchToHttp()
          .getResponse()
          .status(exception.getStatus())
          .json({ cause: cause?.code ?? 'none' })
      }
    }
    await withApp(
      async (app) => {
        emulator.failNext('POST /login.json', { status: 503 })
        const res = await request(app.url).post('/login').send(credentials)
        expect([res.status, res.body]).toEqual([503, { cause: 'QB_UNAVAILABLE' }])
      },
      {},
      [{ provide: APP_FILTER, useClass: CauseFilter }],
    )
  })
  it('gives exception filters an Error when verify throws something else', async () => {
    @Catch()
    class AnyFilter implements ExceptionFilter {
      catch(exception: unknown, host: ArgumentsHost) {
        const seen = exception instanceof Error ? exception.message : typeof exception
        host.switchToHttp().getResponse().status(500).json({ seen })
      }
    }
    const verify = () => {
      throw 'suspended' // eslint-disable-line @typescript-eslint/only-throw-error
    }
    await withApp(
      async (app) => {
        const res = await request(app.url).post('/login').send(credentials)
        expect([res.status, res.body]).toEqual([500, { seen: 'QuickBlox: authentication failed' }])
      },
      { verify },
      [{ provide: APP_FILTER, useClass: AnyFilter }],
    )
  })
})

describe("QuickBloxTokenGuard's answers", () => {
  it('answers a malformed Authorization 400 with the challenge and the status text', async () => {
    await withApp(async (app) => {
      const res = await request(app.url).get('/api/me').set('Authorization', 'Bearer two tokens')
      expect(res.status).toBe(400)
      expect(res.headers['www-authenticate']).toBe('Bearer realm="QuickBlox", error="invalid_request"')
      expect(res.body).toEqual({ statusCode: 400, message: 'Bad Request' })
    })
  })

  it('answers a missing token 401 with the challenge and the status text', async () => {
    await withApp(async (app) => {
      const res = await request(app.url).get('/api/me')
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="QuickBlox"/)
      expect(res.body).toEqual({ statusCode: 401, message: 'Unauthorized' })
    })
  })
})

describe('QuickBloxUser and QuickBloxSessions without a signed-in user', () => {
  it('gives undefined for the user and for any of its properties', async () => {
    await withApp(async (app) => {
      const res = await request(app.url).get('/whoami')
      expect([res.status, res.body]).toEqual([200, { id: 'nobody', user: 'nobody' }])
    })
  })

  it('answers sessionFor(undefined) 401 "Not signed in"', async () => {
    await withApp(async (app) => {
      const res = await request(app.url).post('/chat')
      expect([res.status, res.body.message]).toEqual([401, 'Not signed in'])
    })
  })
})

describe('QuickBloxModule options at run time', () => {
  it('session: true keeps the user in the Passport session; without it the guard makes no session', async () => {
    const nest = await sessionApp(optionsFor(emulator), 'nest-answers-session-secret')
    const app = await listen(nest)
    try {
      const agent = request.agent(app.url)
      expect((await agent.post('/login').send(credentials)).status).toBe(200)
      const me = await agent.get('/me')
      expect([me.status, me.body.user?.login]).toEqual([200, AMY.login])
    } finally {
      await app.close()
    }
    // Without `session`, a login on an app with no session middleware works, and sets no cookie.
    await withApp(async (app) => {
      const res = await request(app.url).post('/login').send(credentials)
      expect(res.status).toBe(200)
      expect(res.headers['set-cookie']).toBeUndefined()
    })
  })

  it('session: true on an app without session middleware answers 500, not a login that would not last', async () => {
    await withApp(
      async (app) => {
        const res = await request(app.url).post('/login').send(credentials)
        expect(res.status).toBe(500)
        expect(res.headers['set-cookie']).toBeUndefined()
      },
      { session: true },
    )
  })

  it('adminCache is given to QuickBloxAdmin: false looks the user up every time', async () => {
    const lookups = async (extra: Partial<QuickBloxModuleOptions>) => {
      let count = 0
      await withApp(async (_app, nest) => {
        const admin = nest.get(QuickBloxAdmin)
        const identity = { externalUserId: newExternalId() }
        await admin.sessionFor(identity)
        const before = emulator.counts()['GET /users/by_login.json']
        await admin.sessionFor(identity)
        count = emulator.counts()['GET /users/by_login.json'] - before
      }, extra)
      return count
    }
    expect(await lookups({})).toBe(0)
    expect(await lookups({ adminCache: false })).toBe(1)
  })
})

describe('QuickBloxTokenGuard with the token of a user QuickBlox knows', () => {
  it('lets the request in with the user', async () => {
    await withApp(async (app) => {
      const token = await sdkToken(emulator, credentials)
      const res = await request(app.url).get('/api/me').set('Authorization', `Bearer ${token}`)
      expect(res.status).toBe(200)
      expect(res.body.id).toEqual(emulator.users.find((user) => user.login === AMY.login)!.id)
    })
  })
})

describe('QuickBloxModule without some of its clients', () => {
  /** What Nest logged as errors (a failed shutdown hook is logged, not thrown). */
  const logged: unknown[] = []
  const logger = { log() {}, warn() {}, error: (message: unknown) => logged.push(message) }
  /** Starts and listens to an app of the module alone, with `options` as they are. */
  async function bare(options: QuickBloxModuleOptions): Promise<{ nest: INestApplication; app: FrameworkApp }> {
    @Module({ imports: [QuickBloxModule.forRoot(options)] })
    class AppModule {}
    const nest = await NestFactory.create(AppModule, new ExpressAdapter(), { logger })
    return { nest, app: await listen(nest) }
  }
  const admin = { apiKey: API_KEY, identityKey: IDENTITY_KEY }

  it('closes whichever clients it made when the app closes, and logs no error', async () => {
    logged.length = 0
    const identity = () => ({ externalUserId: newExternalId() })
    // No login strategy.
    const noLogin = await bare({ ...optionsFor(emulator), authKey: undefined, authSecret: undefined, ...admin })
    const tokens = noLogin.nest.get(QuickBloxTokenStrategy)
    const first = noLogin.nest.get(QuickBloxAdmin)
    expect(noLogin.nest.get(QuickBloxStrategy)).toBeNull()
    await noLogin.app.close()
    await expect(tokens.check(await sdkToken(emulator, credentials))).rejects.toThrow()
    await expect(first.sessionFor(identity())).rejects.toThrow()
    // No token strategy.
    const noToken = await bare({ ...optionsFor(emulator), token: false, ...admin })
    const login = noToken.nest.get(QuickBloxStrategy)
    const second = noToken.nest.get(QuickBloxAdmin)
    await noToken.app.close()
    await expect(login.client.login(credentials)).rejects.toThrow()
    await expect(second.sessionFor(identity())).rejects.toThrow()
    // No admin.
    const noAdmin = await bare(optionsFor(emulator))
    expect(noAdmin.nest.get(QuickBloxAdmin)).toBeNull()
    await noAdmin.app.close()
    expect(logged).toEqual([])
  })

  it('lets ModuleRef.create() make QuickBloxSessions without apiKey, whose sessionFor then names the option', async () => {
    const noAdmin = await bare(optionsFor(emulator))
    try {
      const sessions = await noAdmin.nest.get(ModuleRef).create(QuickBloxSessions)
      await expect(sessions.sessionFor({ externalUserId: newExternalId() })).rejects.toThrow(
        new TypeError("QuickBloxSessions needs the option apiKey in QuickBloxModule's options"),
      )
    } finally {
      await noAdmin.app.close()
    }
  })
})
