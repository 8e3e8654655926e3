/**
 * The QuickBlox user as `POST /login.json` and `GET /users/{id}.json` return it
 * (fields as listed on QuickBlox's "Log In" page). Optional fields are `null` when unset.
 */
export interface QuickBloxUser {
  id: number
  full_name: string | null
  email: string | null
  login: string | null
  phone: string | null
  website: string | null
  created_at: string
  updated_at: string
  last_request_at: string | null
  external_user_id: string | number | null
  facebook_id: string | null
  blob_id: string | number | null
  custom_data: string | null
  age_over16: boolean
  allow_statistics_analysis: boolean
  allow_sales_activities: boolean
  parents_contacts: string | null
  user_tags: string | null
}

/** A QuickBlox session as this library hands it to you. */
export interface QuickBloxSession {
  /** The session token (`QB-Token`). After a login it is the user's token: keep it secret. */
  token: string
  /** When QuickBlox will expire the token if it is not used (2 h after its last use). */
  expiresAt: Date
  /** The QuickBlox user id; 0 for an application session. */
  userId: number
  applicationId: number
}

/**
 * What a user logs in with, in the shape of QuickBlox's own `POST /login.json` body.
 */
export type LoginCredentials =
  | { login: string; password: string }
  | { email: string; password: string }
  | { provider: 'facebook'; keys: { token: string; secret?: string } }
  | { provider: 'firebase_phone'; firebase_phone: { project_id: string; access_token: string } }

/** The login methods, in QuickBlox's words: `login`/`email` with a password, or a provider. */
export const LOGIN_METHODS = ['login', 'email', 'facebook', 'firebase_phone'] as const

/** The login methods a route can accept. */
export type LoginMethod = (typeof LOGIN_METHODS)[number]

/** The result of a successful login. */
export interface LoginResult {
  user: QuickBloxUser
  session: QuickBloxSession
}
