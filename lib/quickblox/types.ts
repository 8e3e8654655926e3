/**
 * The fields of a QuickBlox user besides `id`, `created_at` and `updated_at` (as listed on
 * QuickBlox's "Log In" page), with the JSON type of each. `QuickBloxUser` and the check of
 * QuickBlox's replies are both made from this one list.
 */
export const USER_FIELDS = {
  full_name: 'text',
  email: 'text',
  login: 'text',
  phone: 'text',
  website: 'text',
  last_request_at: 'text',
  external_user_id: 'id',
  facebook_id: 'text',
  blob_id: 'id',
  custom_data: 'text',
  age_over16: 'flag',
  allow_statistics_analysis: 'flag',
  allow_sales_activities: 'flag',
  parents_contacts: 'text',
  user_tags: 'text',
} as const

/** The name of a user field besides `id`, `created_at` and `updated_at`. */
export type QuickBloxUserField = keyof typeof USER_FIELDS

/** What each kind of field holds; text and ids are `null` when unset, flags `false`. */
interface UserFieldTypes {
  text: string | null
  flag: boolean
  id: string | number | null
}

/**
 * The QuickBlox user as `POST /login.json` and `GET /users/{id}.json` return it. Optional fields
 * are `null` (flags `false`) when unset.
 */
export type QuickBloxUser = {
  id: number
  created_at: string
  updated_at: string
} & { [K in keyof typeof USER_FIELDS]: UserFieldTypes[(typeof USER_FIELDS)[K]] }

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
