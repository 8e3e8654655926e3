/**
 * What this app keeps of a QuickBlox user (in the session, or for one API request), whichever
 * way they signed in. A real app would find or create its own user record here, keyed by user.id.
 */
export function appUser(user) {
  const { id, login, email, full_name, phone, facebook_id, user_tags, created_at, last_request_at } = user
  return { id, login, email, full_name, phone, facebook_id, user_tags, created_at, last_request_at }
}
