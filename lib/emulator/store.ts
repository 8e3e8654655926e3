import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { EmulatorApplicationWithKey, EmulatorUser, EmulatorUserSeed } from './types.js'

/** QuickBlox expires a session token 2 hours after the last request made with it. */
const SESSION_TTL_MS = 2 * 60 * 60 * 1000
/** QuickBlox refuses a session request whose timestamp is more than 60 minutes off. */
export const TIMESTAMP_WINDOW_S = 60 * 60
/** Used nonces are swept once at least this many are remembered. */
const NONCE_SWEEP_MIN = 1000

export interface Session {
  id: number
  _id: string
  token: string
  applicationId: number
  userId: number
  nonce: number
  ts: number
  createdAt: number
  updatedAt: number
  lastUsedAt: number
}

/** What a user logs in with, already read from the request. */
export type Credential =
  | { kind: 'login' | 'email'; name: string; password: string }
  | { kind: 'facebook'; token: string }
  | { kind: 'firebase_phone'; projectId: string; accessToken: string }

/** Compares two secrets in constant time, whatever their lengths. */
function safeEqual(a: string | undefined, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest()
  return timingSafeEqual(digest(a ?? ''), digest(b)) && a !== undefined
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

/** Applications, users, sessions and used nonces, on the emulator's clock. */
export class Store {
  readonly users: EmulatorUser[] = []
  private readonly userIds = new Set<number>()
  private highestUserId = 100000
  private readonly sessions = new Map<string, Session>()
  private readonly nonces = new Map<string, number>()
  private nextNonceSweep = NONCE_SWEEP_MIN
  private readonly lastRequestAt = new Map<number, number>()
  /** Each user's `created_at` and `updated_at`, on the emulator's clock. */
  private readonly stamps = new Map<number, { createdAt: number; updatedAt: number }>()
  private nextSessionId = 1

  constructor(
    readonly applications: EmulatorApplicationWithKey[],
    users: EmulatorUserSeed[],
    readonly now: () => number,
  ) {
    for (const seed of users) this.addUser(seed)
  }

  addUser(seed: EmulatorUserSeed): EmulatorUser {
    // Kept as we go rather than scanned: a seed of a million users must neither take quadratic
    // time nor spread a million ids into Math.max (past ~120k arguments it overflows the stack).
    const id = seed.id ?? this.highestUserId + 1
    if (this.userIds.has(id)) throw new Error(`Duplicate emulator user id ${id}`)
    const user: EmulatorUser = { ...seed, id }
    this.users.push(user)
    this.userIds.add(id)
    this.highestUserId = Math.max(this.highestUserId, id)
    const now = this.now()
    this.stamps.set(id, { createdAt: now, updatedAt: now })
    return user
  }

  /** Applies checked changes to a user (`PUT /users/{id}.json`). */
  updateUser(user: EmulatorUser, changes: Partial<EmulatorUserSeed>): EmulatorUser {
    const stamp = this.stamps.get(user.id)
    if (stamp) stamp.updatedAt = this.now()
    return Object.assign(user, changes)
  }

  /** Removes a user and ends its sessions (`DELETE /users/{id}.json`); its id is never given again. */
  deleteUser(user: EmulatorUser): void {
    const index = this.users.indexOf(user)
    if (index >= 0) this.users.splice(index, 1)
    this.stamps.delete(user.id)
    this.lastRequestAt.delete(user.id)
    this.endUserSessions(user.id, 'destroy')
  }

  /** Whether `password` is the user's, compared in constant time. */
  passwordMatches(user: EmulatorUser, password: string | undefined): boolean {
    return password !== undefined && safeEqual(user.password, password)
  }

  /** The application, compared in constant time on the auth key. */
  application(id: unknown, authKey: string | undefined): EmulatorApplicationWithKey | undefined {
    return this.applications.find((app) => String(app.id) === String(id) && safeEqual(authKey, app.authKey))
  }

  /** The application whose API key this is; every key is compared, in constant time. */
  applicationByApiKey(apiKey: string): EmulatorApplicationWithKey | undefined {
    let found: EmulatorApplicationWithKey | undefined
    for (const app of this.applications) if (safeEqual(apiKey, app.apiKey)) found ??= app
    return found
  }

  /** The users an application sees: its own, and seeded users that belong to every application. */
  usersOf(applicationId: number): EmulatorUser[] {
    return this.users.filter((user) => user.application_id === undefined || user.application_id === applicationId)
  }

  /** Records a timestamp+nonce pair; false if it was seen before (a replay). */
  useNonce(applicationId: number, timestamp: number, nonce: string): boolean {
    const key = `${applicationId}:${timestamp}:${nonce}`
    if (this.nonces.has(key)) return false
    this.nonces.set(key, timestamp)
    // A pair whose timestamp has fallen behind the window is refused before its nonce is looked at,
    // so it need not be remembered. Pairs arrive in no timestamp order (any within ±60 minutes), so
    // forget them in a full sweep, run only once the map has doubled since the last one: each
    // sweep costs no more than the insertions that led to it (amortized O(1) per session).
    if (this.nonces.size >= this.nextNonceSweep) {
      const oldest = this.now() / 1000 - TIMESTAMP_WINDOW_S
      for (const [pair, ts] of this.nonces) if (ts < oldest) this.nonces.delete(pair)
      this.nextNonceSweep = Math.max(NONCE_SWEEP_MIN, 2 * this.nonces.size)
    }
    return true
  }

  /**
   * The user of this application these credentials name. Every candidate is compared, in
   * constant time, so timing tells nothing.
   */
  findUser(applicationId: number, credential: Credential): EmulatorUser | undefined {
    const matches = (user: EmulatorUser): boolean => {
      switch (credential.kind) {
        case 'login':
          return safeEqual(user.password, credential.password) && user.login === credential.name
        case 'email':
          return (
            safeEqual(user.password, credential.password) && user.email?.toLowerCase() === credential.name.toLowerCase()
          )
        case 'facebook':
          return safeEqual(user.facebook?.token, credential.token)
        case 'firebase_phone':
          return (
            safeEqual(user.firebase_phone?.access_token, credential.accessToken) &&
            user.firebase_phone?.project_id === credential.projectId
          )
      }
    }
    let found: EmulatorUser | undefined
    for (const user of this.usersOf(applicationId)) if (matches(user)) found ??= user
    if (found) this.lastRequestAt.set(found.id, this.now())
    return found
  }

  createSession(applicationId: number, userId: number, nonce: number, ts: number): Session {
    const now = this.now()
    const id = this.nextSessionId++
    // 20 random bytes: 160 bits, 40 hex characters like QuickBlox's own tokens.
    const token = randomBytes(20).toString('hex')
    // Tokens nobody uses again would pile up in a long-running emulator: sweep the expired ones now and then.
    if (id % 1000 === 0)
      for (const old of this.sessions.values())
        if (now - old.lastUsedAt >= SESSION_TTL_MS) this.sessions.delete(old.token)
    const session = {
      id,
      _id: randomBytes(12).toString('hex'),
      token,
      applicationId,
      userId,
      nonce,
      ts,
      createdAt: now,
      updatedAt: now,
      lastUsedAt: now,
    }
    this.sessions.set(token, session)
    return session
  }

  /**
   * The live session for a token, its 2-hour expiry renewed by this use, and its user's
   * `last_request_at` set; undefined if unknown or expired.
   */
  useSession(token: string | undefined): Session | undefined {
    const session = token === undefined ? undefined : this.sessions.get(token)
    if (!session) return undefined
    if (this.now() - session.lastUsedAt >= SESSION_TTL_MS) {
      this.sessions.delete(session.token)
      return undefined
    }
    session.lastUsedAt = this.now()
    if (session.userId !== 0) this.lastRequestAt.set(session.userId, session.lastUsedAt)
    return session
  }

  setUser(session: Session, userId: number): void {
    session.userId = userId
    session.updatedAt = this.now()
  }

  destroySession(token: string): void {
    this.sessions.delete(token)
  }

  /**
   * Ends every session of one user, as a sign-out elsewhere (`'destroy'`) or two idle hours
   * (`'expire'`) would. Returns how many there were.
   */
  endUserSessions(userId: number, how: 'destroy' | 'expire'): number {
    let ended = 0
    for (const session of this.sessions.values()) {
      if (session.userId !== userId) continue
      ended++
      if (how === 'destroy') this.sessions.delete(session.token)
      else session.lastUsedAt = this.now() - SESSION_TTL_MS
    }
    return ended
  }

  expiresAt(session: Session): number {
    return session.lastUsedAt + SESSION_TTL_MS
  }

  sessionJson(session: Session): Record<string, unknown> {
    const { _id, id, token, nonce, ts } = session
    return {
      _id,
      application_id: session.applicationId,
      created_at: iso(session.createdAt),
      device_id: 0,
      id,
      nonce,
      token,
      ts,
      updated_at: iso(session.updatedAt),
      user_id: session.userId,
    }
  }

  /** The user as `POST /login.json` and `GET /users/{id}.json` return it: every field QuickBlox lists. */
  userJson(user: EmulatorUser): Record<string, unknown> {
    const stamp = this.stamps.get(user.id)
    const lastRequest = this.lastRequestAt.get(user.id)
    return {
      id: user.id,
      full_name: user.full_name ?? null,
      email: user.email ?? null,
      login: user.login ?? null,
      phone: user.phone ?? null,
      website: user.website ?? null,
      created_at: stamp ? iso(stamp.createdAt) : null,
      updated_at: stamp ? iso(stamp.updatedAt) : null,
      last_request_at: lastRequest === undefined ? null : iso(lastRequest),
      external_user_id: user.external_user_id ?? null,
      facebook_id: user.facebook ? (user.facebook.id ?? String(100000000000 + user.id)) : null,
      blob_id: null,
      custom_data: user.custom_data ?? null,
      age_over16: false,
      allow_statistics_analysis: false,
      allow_sales_activities: false,
      parents_contacts: '',
      user_tags: user.user_tags ?? null,
    }
  }
}
