// The official JS SDK 2.23.0, as a chat client signs in through a Custom Identity Provider:
// QB.createSession({ login: userId, password: token }) against the emulator over HTTPS, which asks
// the endpoint of a real Express app (quickbloxIdentityProvider) or a real Nest app
// (docs/examples/nest-identity-provider.ts), with tokens from QuickBloxIdentityTokens.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { IdentityProviderModule } from '../docs/examples/nest-identity-provider.js'
import type { FrameworkApp } from './helpers/frameworks.js'
import { IDP_SECRET as SECRET, identityProviderSetup, startExpressProvider } from './helpers/identity-provider.js'
import { listen } from './helpers/nest.js'
import { startSdk, type Sdk } from './helpers/sdk.js'

const idp = identityProviderSetup()
const { options, tokens } = idp

const startNest = async (): Promise<FrameworkApp> =>
  listen(await NestFactory.create(IdentityProviderModule.forRoot(options), new ExpressAdapter(), { logger: false }))

describe.each([
  ['an Express app', () => startExpressProvider(options)],
  ['a Nest app', startNest],
])('QB.createSession through the identity provider endpoint of %s', (_name, start) => {
  let app: FrameworkApp
  let qb: Emulator
  let sdk: Sdk
  /** The same application, its Dashboard without the header template: no secret sent. */
  let bare: Emulator
  let bareSdk: Sdk
  beforeAll(async () => {
    app = await start()
    const url = `${app.url}/quickblox/identity`
    qb = await startEmulator({ tls: true, identityProvider: { url, secret: SECRET } })
    bare = await startEmulator({ tls: true, identityProvider: { url } })
    ;[sdk, bareSdk] = await Promise.all([startSdk(qb), startSdk(bare)])
  })
  afterEach(() => idp.reset())
  afterAll(async () => {
    await Promise.all([sdk?.close(), bareSdk?.close()])
    await Promise.all([qb?.close(), bare?.close()])
    await app?.close()
  })

  const signIn = (client: Sdk, login: string, password: string) => client.call('createSession', { login, password })

  it("signs in as the QuickBlox user of the app's uid, created on first sight", async () => {
    const { userId, token } = tokens.mint(42)
    const { error, result } = await signIn(sdk, userId, token)
    expect(error).toBeNull()
    const user = qb.users.find((u) => u.identity_provider_uid === '42')
    expect(user).toMatchObject({ full_name: 'User 42', application_id: qb.application.id })
    expect(result).toMatchObject({ application_id: qb.application.id, user_id: user!.id })
    expect(idp.verify).toHaveBeenCalledWith('42', token, expect.anything())
  })

  it('is the same user next time, with a fresh token, and another user for another uid', async () => {
    const first = await signIn(sdk, '42', tokens.mint(42).token)
    const again = await signIn(sdk, '42', tokens.mint('42').token)
    expect(again.result.user_id).toBe(first.result.user_id)
    expect(again.result.token).not.toBe(first.result.token)
    const bob = await signIn(sdk, '43', tokens.mint(43).token)
    expect(bob.result.user_id).not.toBe(first.result.user_id)
    expect(qb.users.filter((u) => u.identity_provider_uid === '42')).toHaveLength(1)
  })

  it('is refused 401 for a wrong token, for a token of another user, and for an expired token', async () => {
    const amys = tokens.mint(42).token
    for (const [login, password] of [
      ['42', 'wrong-token-for-amy'],
      ['43', amys],
    ] as const) {
      const { error, result } = await signIn(sdk, login, password)
      expect(result).toBeNull()
      expect(error).toMatchObject({ code: 401 })
    }
    idp.advance(5 * 60_000)
    expect((await signIn(sdk, '42', amys)).error).toMatchObject({ code: 401 })
  })

  it("is refused 403 when QuickBlox sends no secret header, without running the app's function", async () => {
    const { error } = await signIn(bareSdk, '42', tokens.mint(42).token)
    expect(error).toMatchObject({ code: 403 })
    expect(idp.verify).not.toHaveBeenCalled()
  })

  it("fails with the endpoint's 504 when the app's function hangs, and its 500 when it throws", async () => {
    idp.verify.mockImplementation(() => new Promise(() => {}))
    expect((await signIn(sdk, '42', tokens.mint(42).token)).error).toMatchObject({ code: 504 })
    idp.verify.mockImplementation(() => {
      throw new Error('database down')
    })
    const threw = await signIn(sdk, '42', tokens.mint(42).token)
    expect(threw.error).toMatchObject({ code: 500 })
    expect(JSON.stringify(threw.error)).not.toContain('database down')
  })
})
