import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common'
import { QuickBloxAdmin } from '../quickblox/admin.js'
import { QuickBloxStrategy, type VerifyFunction } from '../strategy.js'
import { QuickBloxTokenStrategy } from '../token-strategy.js'
import { QUICKBLOX_OPTIONS, type QuickBloxModuleOptions, type QuickBloxVerify } from './options.js'

const quickbloxUser: QuickBloxVerify = (user) => user

/** The strategy's `verify`, calling the app's two-argument one; `undefined` refuses as `false` does. */
function verifyWith(verify: QuickBloxVerify = quickbloxUser): VerifyFunction {
  return (user, session, done) => {
    Promise.resolve()
      .then(() => verify(user, session))
      .then((found) => done(null, found ?? false), done)
  }
}

/**
 * The strategies and the admin client made from the options, one set per module instance: the
 * guards call this instance's strategies themselves, so nothing goes into Passport's registry
 * (one per process) and several apps in a process never see each other's. All are closed once
 * the HTTP server has closed: `onApplicationShutdown` runs after it, so no request in flight
 * finds a closed client.
 */
@Injectable()
export class QuickBloxStrategies implements OnApplicationShutdown {
  readonly login: QuickBloxStrategy | null
  readonly token: QuickBloxTokenStrategy | null
  readonly admin: QuickBloxAdmin | null
  /** `QuickBloxAuthGuard` also logs the user into the Passport session. */
  readonly session: boolean
  /** The option `QuickBloxSessions` lacks (`apiKey`, `identityKey`), if any. */
  readonly sessionsNeed: 'apiKey' | 'identityKey' | undefined

  constructor(@Inject(QUICKBLOX_OPTIONS) options: QuickBloxModuleOptions) {
    const { verify, verifyToken, token, session, apiKey, adminCache, identityKey, authKey, authSecret, ...login } =
      options
    const { appId, apiEndpoint, allowInsecureHttp, timeout } = login
    if ((authKey === undefined) !== (authSecret === undefined)) {
      throw new TypeError(`QuickBloxModule: option ${authKey === undefined ? 'authKey' : 'authSecret'} is missing`)
    }
    this.session = session === true
    this.sessionsNeed = apiKey === undefined ? 'apiKey' : identityKey === undefined ? 'identityKey' : undefined
    this.login =
      authKey !== undefined && authSecret !== undefined
        ? new QuickBloxStrategy({ ...login, authKey, authSecret }, verifyWith(verify))
        : null
    this.token =
      token === false
        ? null
        : new QuickBloxTokenStrategy(
            { ...token, appId, apiEndpoint, allowInsecureHttp, timeout },
            verifyWith(verifyToken),
          )
    this.admin =
      apiKey === undefined
        ? null
        : new QuickBloxAdmin({
            apiKey,
            identityKey,
            apiEndpoint,
            allowInsecureHttp,
            timeout,
            cache: adminCache,
          })
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.login?.close(), this.token?.close(), this.admin?.close()])
  }
}
