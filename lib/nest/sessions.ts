import { Inject, Injectable, Scope, UnauthorizedException } from '@nestjs/common'
import { INQUIRER } from '@nestjs/core'
import type { QuickBloxIdentity } from '../quickblox/admin.js'
import type { QuickBloxSessionAnswer } from '../session-handler.js'
import { QuickBloxStrategies } from './strategies.js'

/** The answers `sessionFor` gave: a handler that returns one answers with `Cache-Control: no-store` (`http.ts`). */
const issued = new WeakSet<object>()

/**
 * Gives the signed-in user of your app a QuickBlox session token for their chat client (the
 * QuickBlox user is created on first sight): Nest's form of `quickbloxSession`. Needs `apiKey`
 * and `identityKey`: without them, injecting it fails when the app starts.
 */
// Transient: made for each class that injects it, which is when a missing apiKey or identityKey is reported.
@Injectable({ scope: Scope.TRANSIENT })
export class QuickBloxSessions {
  constructor(
    @Inject(QuickBloxStrategies) private readonly strategies: QuickBloxStrategies,
    @Inject(INQUIRER) inquirer: unknown,
  ) {
    if (inquirer !== undefined && strategies.sessionsNeed !== undefined) {
      throw new TypeError(`QuickBloxSessions needs the option ${strategies.sessionsNeed} in QuickBloxModule's options`)
    }
  }

  /**
   * `{ token, expiresAt, userId }` for `identity`; 401 when it is `undefined` (nobody signed in).
   * A handler that returns this answer as it is answers with `Cache-Control: no-store`. QuickBlox's
   * faults reject with their `QuickBloxError`, which the module's exception filter answers with
   * its status and `Retry-After`.
   */
  async sessionFor(identity: QuickBloxIdentity | undefined): Promise<QuickBloxSessionAnswer> {
    const { admin } = this.strategies
    if (!admin) throw new TypeError("QuickBloxSessions needs the option apiKey in QuickBloxModule's options")
    if (identity === undefined) throw new UnauthorizedException('Not signed in')
    const { token, expiresAt, userId } = await admin.sessionFor(identity)
    const answer = { token, expiresAt: expiresAt.toISOString(), userId }
    issued.add(answer)
    return answer
  }
}

/** Whether `value` is an answer of `sessionFor`, which no cache may keep. */
export const isSessionAnswer = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && issued.has(value)
