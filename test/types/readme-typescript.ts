// The README's TypeScript example, checked by `npm run typecheck` (not run by Jest).
import express, { type NextFunction, type Request, type Response } from 'express'
import passport from 'passport'
import {
  QuickBloxStrategy,
  QuickBloxError,
  quickbloxEnv,
  type QuickBloxUser,
  type QuickBloxSession,
  type QuickBloxAuthenticateOptions,
} from 'passport-quickblox'

// What your app keeps in the session (req.user).
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface User {
      id: number
      login: string | null
      qbToken: string
    }
  }
}

const app = express()
app.use(express.json())

passport.use(
  new QuickBloxStrategy(
    // QB_APP_ID, QB_AUTH_KEY, QB_AUTH_SECRET (and QB_API_ENDPOINT, optional), typed as the options
    // need them: a missing variable throws a TypeError that names it.
    { ...quickbloxEnv(), passReqToCallback: true },
    async (req: Request, user: QuickBloxUser, session: QuickBloxSession) => ({
      id: user.id,
      login: user.login,
      qbToken: session.token,
    }),
  ),
)

const facebookOnly: QuickBloxAuthenticateOptions = { methods: ['facebook'], failWithError: true }
app.post('/login/facebook', passport.authenticate('quickblox', facebookOnly), (req, res) => {
  res.json({ id: req.user?.id })
})

// Errors of ours carry a stable `code` and the HTTP `status` to answer with.
app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
  if (err instanceof QuickBloxError) return void res.status(err.status).json({ code: err.code })
  next(err)
})

// @ts-expect-error: without passReqToCallback, verify does not take the request first.
new QuickBloxStrategy({ appId: 1, authKey: 'k', authSecret: 's' }, (req: Request, user: QuickBloxUser) => user)
