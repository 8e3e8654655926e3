import { Reply, type Params } from './body.js'
import type { Store } from './store.js'
import type { EmulatorIdentityProvider, EmulatorUser } from './types.js'
import { readLinkedUser } from './users.js'

/** The templates the docs say to paste into the Dashboard. */
const DEFAULT_TEMPLATES = {
  params: { IdP_user_ID: '#{login}', IdP_token: '#{password}' },
  response: { uid: '#{uid}', login: '#{login}', email: '#{email}', full_name: '#{full_name}' },
} as const
const SECRET_HEADER = 'X-IdP-Secret'
const MAX_TIMEOUT_MS = 10_000
const MAX_ANSWER_BYTES = 64 * 1024
const MAX_UID = 255
const base = (message: string): { errors: { base: string[] } } => ({ errors: { base: [message] } })
const PLACEHOLDER = /#\{([\w.]+)\}/g

/** What the user logged in with: `#{login}`, `#{email}` and `#{password}` of the templates. */
export interface IdentityCredentials {
  login?: string
  email?: string
  password: string
}

/**
 * QuickBlox's user fields (`uid`, `login`, `email`, `full_name`, `external_user_id`), as the
 * response template maps them.
 */
type Identity = Record<string, string> & { uid: string }

/** Whether `value` is a provider the emulator can call (options and data files are checked alike). */
export function isIdentityProvider(value: unknown): value is EmulatorIdentityProvider {
  if (typeof value !== 'object' || value === null) return false
  const provider = value as Record<string, unknown>
  const strings = (v: unknown): boolean =>
    v === undefined ||
    (typeof v === 'object' && v !== null && Object.values(v).every((item) => typeof item === 'string'))
  const templates = provider.templates as Record<string, unknown> | undefined
  let url: URL | undefined
  try {
    url = new URL(String(provider.url))
  } catch {
    return false
  }
  return (
    /^https?:$/.test(url.protocol) &&
    (provider.secret === undefined || typeof provider.secret === 'string') &&
    (provider.method === undefined || provider.method === 'GET' || provider.method === 'POST') &&
    (provider.timeoutMs === undefined ||
      (Number.isInteger(provider.timeoutMs) &&
        Number(provider.timeoutMs) >= 1 &&
        Number(provider.timeoutMs) <= MAX_TIMEOUT_MS)) &&
    (templates === undefined ||
      (typeof templates === 'object' &&
        templates !== null &&
        strings(templates.headers) &&
        strings(templates.params) &&
        strings(templates.response)))
  )
}

/**
 * Asks the identity provider who the user is, as QuickBlox does, and answers the QuickBlox user
 * it names: found by `uid`, or created on first sight. The endpoint's own refusal (any 4xx or 5xx)
 * is passed on as it is; no answer within the time limit is a 504, an endpoint that cannot be
 * reached a 502, and an answer that is not JSON or has no `uid` a 502 too.
 */
export async function identityProviderUser(
  provider: EmulatorIdentityProvider,
  credentials: IdentityCredentials,
  store: Store,
  applicationId: number,
  closing: AbortSignal,
): Promise<EmulatorUser> {
  const { uid, ...fields } = await ask(provider, credentials, closing)
  const visible = store.usersOf(applicationId)
  const linked = visible.find((user) => user.identity_provider_uid === uid)
  if (linked) return linked
  // QuickBlox makes a login from the uid when the answer has none.
  const user: Params = Object.assign(Object.create(null) as Params, { login: `idp-${uid}`.slice(0, 50) }, fields)
  return store.addUser({ ...readLinkedUser(user, applicationId, visible), identity_provider_uid: uid })
}

async function ask(
  provider: EmulatorIdentityProvider,
  credentials: IdentityCredentials,
  closing: AbortSignal,
): Promise<Identity> {
  const variables: Record<string, string> = {
    login: credentials.login ?? '',
    email: credentials.email ?? '',
    password: credentials.password,
  }
  const fill = (template: string): string => template.replace(PLACEHOLDER, (_, name: string) => variables[name] ?? '')
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(provider.templates?.headers ?? {}))
    headers[name.replaceAll('_', '-')] = fill(value)
  if (provider.secret !== undefined) headers[SECRET_HEADER] = provider.secret
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(provider.templates?.params ?? DEFAULT_TEMPLATES.params))
    params.set(name, fill(value))
  const method = provider.method ?? 'POST'
  const url = new URL(provider.url)
  if (method === 'GET') for (const [name, value] of params) url.searchParams.append(name, value)
  else headers['Content-Type'] = 'application/x-www-form-urlencoded'
  headers.Accept = 'application/json'

  const timeout = AbortSignal.timeout(provider.timeoutMs ?? MAX_TIMEOUT_MS)
  let status: number
  let text: string | undefined
  try {
    const res = await fetch(url, {
      method,
      headers,
      ...(method === 'POST' ? { body: params.toString() } : {}),
      redirect: 'error',
      signal: AbortSignal.any([timeout, closing]),
    })
    status = res.status
    text = await readCapped(res)
  } catch (error) {
    if (closing.aborted) throw error
    if (timeout.aborted) throw new Reply(504, base('Identity provider timed out'))
    throw new Reply(502, base('Identity provider unavailable'))
  }
  if (text === undefined) throw new Reply(502, base('Identity provider answer too large'))
  let answer: unknown
  try {
    answer = JSON.parse(text)
  } catch {
    answer = undefined
  }
  // QuickBlox passes the endpoint's error on as it is.
  if (status >= 400 && status <= 599) throw new Reply(status, answer ?? text)
  if (status < 200 || status > 299) throw new Reply(502, base('Identity provider answer malformed'))
  const identity = answer === undefined ? undefined : mapAnswer(answer, provider.templates?.response)
  if (!identity) throw new Reply(502, base('Identity provider answer malformed'))
  return identity
}

/** The body's text, or `undefined` past 64 KiB (reading stops there). */
async function readCapped(res: Response): Promise<string | undefined> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    const chunk = read.value as Uint8Array
    size += chunk.length
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => {})
      return undefined
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The answer through the response template; `undefined` without a usable `uid`. */
function mapAnswer(
  answer: unknown,
  template: Record<string, string> = DEFAULT_TEMPLATES.response,
): Identity | undefined {
  const lookup = (path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>(
        (node, key) =>
          typeof node === 'object' && node !== null && Object.hasOwn(node, key)
            ? (node as Record<string, unknown>)[key]
            : undefined,
        answer,
      )
  const value = (field: string): string | undefined => {
    const pattern = template[field]
    if (pattern === undefined) return undefined
    let missing = false
    const text = pattern.replace(PLACEHOLDER, (_, path: string) => {
      const found = lookup(path)
      if (typeof found === 'string' || (typeof found === 'number' && Number.isFinite(found))) return String(found)
      missing = true
      return ''
    })
    // A field whose value is absent from the answer is left unset, not set to the empty text.
    return missing || text === '' ? undefined : text
  }
  const uid = value('uid')
  if (uid === undefined || uid.length > MAX_UID) return undefined
  const identity: Identity = { uid }
  for (const field of ['login', 'email', 'full_name', 'external_user_id']) {
    const text = value(field)
    if (text !== undefined) identity[field] = text
  }
  return identity
}
