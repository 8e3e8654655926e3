// The signed-in user's own account on Express: mount it beside your sign-in routes, on the
// app whose session keeps the user's QuickBlox token (`qbToken`, from verify's `session.token`):
//   app.use('/account', accountRoutes(strategy))
import express, { type Request, type Response, type Router } from 'express'
import 'passport' // its req.user, req.login() and req.logout()
import {
  QuickBloxCredentialsError,
  QuickBloxValidationError,
  QuickBloxWrongPasswordError,
  type QuickBloxStrategy,
} from 'passport-quickblox'

/** What the session keeps: the QuickBlox token stays on the server. */
interface AppUser {
  id: number
  login: string | null
  email: string | null
  full_name: string | null
  qbToken: string
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

export function accountRoutes(strategy: QuickBloxStrategy): Router {
  const { client } = strategy // the strategy's own QuickBlox client: no second set of credentials
  const router = express.Router()
  router.use(express.json())
  const signedIn = (req: Request, res: Response): AppUser | undefined => {
    if (!req.user) res.status(401).json({ error: 'Not signed in' })
    return req.user as AppUser | undefined
  }
  // Keeps the session's copy of the user up to date (Passport gives the session a new id).
  const keep = (req: Request, user: AppUser) =>
    new Promise<void>((resolve, reject) => req.login(user, (err) => (err ? reject(err as Error) : resolve())))

  // Name and email. A taken email is QuickBlox's 422, with `fields` to show beside the form's.
  router.patch('/', async (req, res) => {
    const user = signedIn(req, res)
    if (!user) return
    try {
      const changes = { fullName: text(req.body?.full_name), email: text(req.body?.email) }
      const updated = await client.updateUser(user.id, changes, user.qbToken)
      await keep(req, { ...user, full_name: updated.full_name, email: updated.email })
      res.json({ user: { id: updated.id, full_name: updated.full_name, email: updated.email } })
    } catch (err) {
      if (err instanceof QuickBloxValidationError) return void res.status(422).json({ fields: err.fields })
      throw err
    }
  })

  // The password: the current one and the new one. A wrong current password is its own error.
  // Count it as a failed sign-in in your rate limits: it is a password guess.
  router.put('/password', async (req, res) => {
    const user = signedIn(req, res)
    const [oldPassword, password] = [text(req.body?.current_password), text(req.body?.new_password)]
    if (!user) return
    if (!oldPassword || !password) return void res.status(400).json({ error: 'Both passwords are required' })
    try {
      await client.changePassword(user.id, { oldPassword, password }, user.qbToken)
    } catch (err) {
      if (err instanceof QuickBloxWrongPasswordError) {
        return void res.status(422).json({ fields: { current_password: ['is not correct'] } })
      }
      if (err instanceof QuickBloxValidationError) return void res.status(422).json({ fields: err.fields })
      throw err
    }
    // QuickBlox keeps the user's other sessions: end your own sessions of this user here.
    await keep(req, user)
    res.status(204).end()
  })

  // Deletion: ask for the password (a QuickBlox login checks it), then delete with that login's token.
  router.delete('/', async (req, res) => {
    const user = signedIn(req, res)
    const password = text(req.body?.password)
    if (!user) return
    if (!password || !(user.login ?? user.email))
      return void res.status(400).json({ error: 'The password is required' })
    let token: string
    try {
      const credentials = user.login ? { login: user.login, password } : { email: user.email!, password }
      token = (await client.login(credentials)).session.token
    } catch (err) {
      if (err instanceof QuickBloxCredentialsError)
        return void res.status(422).json({ fields: { password: ['is not correct'] } })
      throw err
    }
    await client.deleteUser(user.id, token) // QuickBlox ends the user's sessions with it
    req.logout((err) => (err ? res.status(500).end() : res.status(204).end()))
  })

  // A forgotten password: QuickBlox mails a link to its own page. The same answer for every
  // address, known or not; limit it per client address and per email.
  router.post('/password-reset', async (req, res) => {
    const email = text(req.body?.email)
    if (!email || email.length > 255) return void res.status(400).json({ error: 'An email is required' })
    await client.sendPasswordResetEmail(email)
    res.status(202).json({ message: 'If an account uses this address, a link is on its way.' })
  })
  return router
}
