/** Passport's `done`, as both strategies hand it to `verify`. */
type Done = (err?: unknown, user?: unknown, info?: unknown) => void

/** The outcomes Passport puts on a strategy for one request. */
export interface VerifyOutcomes {
  success(user: unknown, info?: unknown): void
  error(err: Error): void
}

/**
 * Calls the app's `verify` through `invoke` and maps its answer to exactly one outcome: the user
 * → `success`, an error → `error`, a falsy user → `refuse(info)` (each strategy says "no" in its
 * own way). It always passes `done` and honours a returned promise too (wrappers such as
 * @nestjs/passport do both), so arity never decides the style: the first answer wins.
 */
export function callVerify(
  strategy: VerifyOutcomes,
  invoke: (done: Done) => unknown,
  refuse: (info: unknown) => void,
  name: string,
): void {
  let answered = false
  const done: Done = (err, verified, info) => {
    if (answered) return
    answered = true
    if (err) strategy.error(err as Error)
    else if (!verified) refuse(info)
    else strategy.success(verified, info)
  }
  try {
    const returned = invoke(done)
    if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') {
      ;(returned as PromiseLike<unknown>).then(
        (verified) => {
          if (verified !== undefined) done(null, verified)
        },
        (err: unknown) => done(err || new Error(`${name}: verify rejected without a reason`)),
      )
    }
  } catch (err) {
    done(err || new Error(`${name}: verify threw without a reason`))
  }
}
