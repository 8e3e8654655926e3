import { createHash, randomBytes } from 'node:crypto'
import { Reply, type Params } from './body.js'
import type { Store } from './store.js'
import type { EmulatorMail, EmulatorUser } from './types.js'
import { readPassword } from './users.js'

/** How long a reset link works, on the emulator's clock. */
const RESET_LINK_TTL_MS = 60 * 60 * 1000
/** The page's path; its link carries the secret as `?token=`, which the request log masks. */
const RESET_PAGE_PATH = '/password/reset'
/** The most mails and live links kept: a long-running emulator must not grow without limit. */
const MAX_KEPT = 1000

interface Link {
  userId: number
  applicationId: number
  expiresAt: number
  /** The user's password when the link was made: a link dies once the password changes, by any path. */
  password: string
}

const digest = (text: string): string => createHash('sha256').update(text).digest('hex')

/**
 * QuickBlox's forgotten-password path, without a mail server: `GET /users/password/reset.json`
 * "mails" a link (kept in `mails`, and handed to `send`, which prints it), and the link opens a
 * small page of the emulator's own where the user chooses a new password. A link is a random
 * 256-bit secret, kept only as its SHA-256, that works once, for an hour, and only while the
 * password is the one it was made for (a newer link, a change or an earlier reset ends it).
 */
export class PasswordResets {
  readonly mails: EmulatorMail[] = []
  /** The emulator's base URL, known once it listens. */
  baseUrl = ''
  private readonly links = new Map<string, Link>()

  constructor(
    private readonly store: Store,
    private readonly send: (mail: EmulatorMail) => void,
  ) {}

  /** Makes a link for `user` and mails it. */
  request(user: EmulatorUser, applicationId: number): void {
    const now = this.store.now()
    for (const [key, link] of this.links) if (link.expiresAt <= now || link.userId === user.id) this.links.delete(key)
    // Beyond the bound the oldest link goes first (a Map iterates in insertion order).
    if (this.links.size >= MAX_KEPT) this.links.delete(this.links.keys().next().value!)
    const secret = randomBytes(32).toString('base64url')
    this.links.set(digest(secret), {
      userId: user.id,
      applicationId,
      expiresAt: now + RESET_LINK_TTL_MS,
      password: digest(user.password ?? ''),
    })
    const mail: EmulatorMail = {
      to: user.email!,
      subject: 'Reset your password',
      link: `${this.baseUrl}${RESET_PAGE_PATH}?token=${secret}`,
      sentAt: now,
    }
    this.mails.push(mail)
    if (this.mails.length > MAX_KEPT) this.mails.shift()
    this.send(mail)
  }

  /** The link of the latest reset mail to `email` (any letter case), if any. */
  lastLink(email: string): string | undefined {
    const to = email.toLowerCase()
    return this.mails.findLast((mail) => mail.to.toLowerCase() === to)?.link
  }

  /** The page: `GET` shows the form, `POST` sets the password (8 to 40 characters) and ends the link. */
  page(method: string, params: Params): Reply {
    const token = typeof params.token === 'string' ? params.token : ''
    const key = digest(token)
    const link = this.links.get(key)
    const user = link && this.store.usersOf(link.applicationId).find((u) => u.id === link.userId)
    if (!link || !user || link.expiresAt <= this.store.now() || digest(user.password ?? '') !== link.password) {
      if (link) this.links.delete(key)
      return html(
        404,
        'Link not valid',
        '<p>This link does not work: it was used already, has expired, or never existed. Ask for a new one.</p>',
      )
    }
    const who = user.email ?? user.login ?? `user ${user.id}`
    if (method === 'GET') return html(200, 'Choose a new password', form(token, who))
    const errors: string[] = []
    const password = readPassword(params.password, (_field, message) => errors.push(`The password ${message}.`))
    if (password === undefined && errors.length === 0) errors.push('Enter a new password.')
    if (password !== undefined && params.password_confirmation !== password) errors.push('The two passwords differ.')
    if (errors.length > 0 || password === undefined) return html(422, 'Choose a new password', form(token, who, errors))
    this.links.delete(key)
    this.store.updateUser(user, { password })
    return html(200, 'Password changed', `<p>The password of ${escape(who)} has been changed. Sign in with it now.</p>`)
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!)

function form(token: string, who: string, errors: string[] = []): string {
  const problems = errors.map((error) => `<li>${escape(error)}</li>`).join('')
  return `<p>A new password for ${escape(who)}: 8 to 40 characters.</p>
${problems && `<ul role="alert">${problems}</ul>`}
<form method="post" action="${RESET_PAGE_PATH}">
<input type="hidden" name="token" value="${escape(token)}">
<label>New password <input type="password" name="password" autocomplete="new-password"
  minlength="8" maxlength="40" required></label>
<label>Again <input type="password" name="password_confirmation" autocomplete="new-password"
  minlength="8" maxlength="40" required></label>
<button type="submit">Change password</button>
</form>`
}

/**
 * An HTML answer that no other site may frame or script, that keeps no copy, and whose address
 * (the secret in it) is never sent on as a Referer.
 */
function html(status: number, title: string, body: string): Reply {
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · QuickBlox emulator</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
label{display:block;margin:.75rem 0}input{display:block;width:100%;padding:.4rem;font:inherit}
button{font:inherit;padding:.4rem 1rem}ul{color:#b00020}
</style>
</head><body><h1>${escape(title)}</h1>
${body}
</body></html>
`
  return new Reply(status, page, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy':
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  })
}
