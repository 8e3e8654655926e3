// The verify function in both styles, and in the style of wrappers that use both at once:
// whatever it does, each login has exactly one outcome.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { Emulator } from 'passport-quickblox/emulator'
import { QuickBloxStrategy, type VerifyFunction } from '../lib/index.js'
import { startApp, type TestApp } from './helpers/app.js'
import { AMY, optionsFor, startTestEmulator } from './helpers/quickblox.js'

let emulator: Emulator
const strategies: QuickBloxStrategy[] = []
const apps: TestApp[] = []

beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()))
  await Promise.all(strategies.map((s) => s.close()))
  await emulator.close()
})

/** Logs Amy in through an app whose strategy uses `verify`; returns the response and every outcome seen. */
async function loginWith(verify: VerifyFunction) {
  const strategy = new QuickBloxStrategy(optionsFor(emulator), verify)
  strategies.push(strategy)
  const app = await startApp(strategy)
  apps.push(app)
  const res = await app.agent.post('/outcome').send({ login: AMY.login, password: AMY.password })
  return { res, outcomes: app.outcomes }
}

/** Runs `call` on a later turn of the event loop; the promise resolves once it has run. */
function later(call: () => void): Promise<void> {
  return new Promise((resolve) =>
    setImmediate(() => {
      call()
      resolve()
    }),
  )
}

const amyId = (): number => emulator.users.find((u) => u.login === 'amy')!.id

describe('callback style', () => {
  it('signs in the user given to done', async () => {
    const { res, outcomes } = await loginWith((user, _s, done) => done(null, { id: user.id, via: 'done' }))
    expect(res.status).toBe(200)
    expect(outcomes).toEqual([{ kind: 'success', user: { id: amyId(), via: 'done' } }])
  })

  it('passes info given to done along with success', async () => {
    const { outcomes } = await loginWith((user, _s, done) => done(null, { id: user.id }, { message: 'welcome back' }))
    expect(outcomes).toEqual([{ kind: 'success', user: { id: amyId() }, info: { message: 'welcome back' } }])
  })

  it('errors when done gets an error', async () => {
    const { res, outcomes } = await loginWith((_u, _s, done) => done(new Error('lookup failed')))
    expect(res.status).toBe(500)
    expect(res.body.error.message).toBe('lookup failed')
    expect(outcomes.map((o) => o.kind)).toEqual(['error'])
  })

  it('waits for done called later', async () => {
    const { outcomes } = await loginWith((user, _s, done) => {
      void later(() => done(null, { id: user.id }))
    })
    expect(outcomes).toEqual([{ kind: 'success', user: { id: amyId() } }])
  })

  it('ignores done called a second time', async () => {
    const { outcomes } = await loginWith((user, _s, done) => {
      done(null, { id: user.id })
      done(null, false)
      done(new Error('too late'))
    })
    expect(outcomes).toEqual([{ kind: 'success', user: { id: amyId() } }])
  })
})

describe('promise style', () => {
  it('signs in the user an async verify returns', async () => {
    const { res, outcomes } = await loginWith(async (user) => ({ id: user.id, via: 'promise' }))
    expect(res.status).toBe(200)
    expect(outcomes).toEqual([{ kind: 'success', user: { id: amyId(), via: 'promise' } }])
  })

  it('fails when an async verify returns false', async () => {
    const { res, outcomes } = await loginWith(async () => false)
    expect(res.status).toBe(401)
    expect(outcomes.map((o) => o.kind)).toEqual(['fail'])
  })

  it('errors when an async verify rejects', async () => {
    const { res, outcomes } = await loginWith(async () => {
      throw new Error('async lookup failed')
    })
    expect(res.status).toBe(500)
    expect(res.body.error.message).toBe('async lookup failed')
    expect(outcomes.map((o) => o.kind)).toEqual(['error'])
  })

  it('waits for done when an async verify resolves undefined first', async () => {
    const { outcomes } = await loginWith(async (user, _s, done) => {
      void later(() => done(null, { id: user.id }))
    })
    expect(outcomes).toEqual([{ kind: 'success', user: { id: amyId() } }])
  })
})

describe('wrappers that call done and return a promise (@nestjs/passport style)', () => {
  // As such wrappers are written: rest parameters (so arity says nothing), `done` taken from the
  // end, called with the result, and a promise returned as well.
  const wrap =
    (validate: (...args: unknown[]) => Promise<unknown>): VerifyFunction =>
    async (...args: unknown[]) => {
      const done = args[args.length - 1] as (err: unknown, user?: unknown) => void
      try {
        done(null, await validate(...args.slice(0, -1)))
      } catch (err) {
        done(err, null)
      }
    }

  it('has exactly one outcome, success, when validate returns a user', async () => {
    const { res, outcomes } = await loginWith(wrap(async (user) => ({ id: (user as { id: number }).id, via: 'nest' })))
    expect(res.status).toBe(200)
    expect(outcomes).toEqual([{ kind: 'success', user: { id: amyId(), via: 'nest' } }])
  })

  it('has exactly one outcome, fail, when validate returns null', async () => {
    const { res, outcomes } = await loginWith(wrap(async () => null))
    expect(res.status).toBe(401)
    expect(outcomes.map((o) => o.kind)).toEqual(['fail'])
  })

  it('has exactly one outcome, error, when validate throws', async () => {
    const { res, outcomes } = await loginWith(
      wrap(async () => {
        throw new Error('nest says no')
      }),
    )
    expect(res.status).toBe(500)
    expect(outcomes.map((o) => o.kind)).toEqual(['error'])
  })

  it('keeps the first answer when done and the promise disagree', async () => {
    const both: VerifyFunction = async (user, _s, done) => {
      done(null, { id: user.id, via: 'done' })
      return { id: user.id, via: 'promise' }
    }
    const { outcomes } = await loginWith(both)
    expect(outcomes).toEqual([{ kind: 'success', user: { id: amyId(), via: 'done' } }])
  })

  it('keeps the promise answer when done comes later', async () => {
    let lateDone: Promise<void> | undefined
    const both: VerifyFunction = async (user, _s, done) => {
      lateDone = later(() => done(null, false))
      return { id: user.id, via: 'promise' }
    }
    const { outcomes } = await loginWith(both)
    await lateDone // the second answer has been given: it must not show
    expect(outcomes).toEqual([{ kind: 'success', user: { id: amyId(), via: 'promise' } }])
  })
})

describe('a verify that fails without a reason', () => {
  const nothing: unknown = null
  it('errors, saying so, when an async verify rejects with nothing', async () => {
    const { res, outcomes } = await loginWith(async () => {
      throw nothing
    })
    expect(res.status).toBe(500)
    expect(outcomes).toHaveLength(1)
    expect(String(outcomes[0]?.error)).toBe('Error: QuickBloxStrategy: verify rejected without a reason')
  })

  it('errors, saying so, when verify throws nothing', async () => {
    const { res, outcomes } = await loginWith(() => {
      throw nothing
    })
    expect(res.status).toBe(500)
    expect(outcomes).toHaveLength(1)
    expect(String(outcomes[0]?.error)).toBe('Error: QuickBloxStrategy: verify threw without a reason')
  })
})
