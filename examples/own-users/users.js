// The app's own users, in SQLite (Node's own node:sqlite, Node 22+): passwords hashed with scrypt.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { DatabaseSync } from 'node:sqlite'
import { promisify } from 'node:util'

const scryptAsync = promisify(scrypt)
const KEY_LENGTH = 64

/** Public demo users, printed by `npm start`: never use them for real. */
export const DEMO_USERS = [
  { username: 'alice', name: 'Alice Example', password: 'alice-demo-password' },
  { username: 'bob', name: 'Bob Example', password: 'bob-demo-password' },
]

/** `scrypt$<salt>$<hash>`, both base64: a fresh salt per password. */
async function hashPassword(password) {
  const salt = randomBytes(16)
  const hash = await scryptAsync(password, salt, KEY_LENGTH)
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`
}

async function passwordMatches(password, stored) {
  const [, salt, hash] = stored.split('$')
  const expected = Buffer.from(hash, 'base64')
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length)
  return timingSafeEqual(actual, expected)
}

/** A small user store over one SQLite database (a file, or `:memory:`), seeded with the demo users. */
export async function openUsers(path = ':memory:') {
  const db = new DatabaseSync(path)
  db.exec(`CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    quickblox_user_id INTEGER
  )`)
  // A database made before the link was kept gets its column.
  const columns = db.prepare('PRAGMA table_info(users)').all()
  if (!columns.some((column) => column.name === 'quickblox_user_id')) {
    db.exec('ALTER TABLE users ADD COLUMN quickblox_user_id INTEGER')
  }
  const insert = db.prepare('INSERT OR IGNORE INTO users (username, name, password_hash) VALUES (?, ?, ?)')
  for (const user of DEMO_USERS) insert.run(user.username, user.name, await hashPassword(user.password))
  const byName = db.prepare('SELECT id, username, name, password_hash FROM users WHERE username = ?')
  const byId = db.prepare('SELECT id, username, name, quickblox_user_id FROM users WHERE id = ?')
  const link = db.prepare('UPDATE users SET quickblox_user_id = ? WHERE id = ?')
  // Compared against this when the username is unknown, so both cases take as long.
  const decoy = await hashPassword(randomBytes(16).toString('hex'))
  return {
    /** The user whose username and password these are, or `undefined`. */
    async verify(username, password) {
      const row = byName.get(username)
      const ok = await passwordMatches(password, row?.password_hash ?? decoy)
      return ok && row ? { id: Number(row.id), username: row.username, name: row.name } : undefined
    },
    /** The user by id, with the QuickBlox user id kept for them (`quickbloxUserId`) once they have one. */
    find(id) {
      const row = byId.get(id)
      if (!row) return undefined
      const user = { id: Number(row.id), username: row.username, name: row.name }
      return row.quickblox_user_id === null ? user : { ...user, quickbloxUserId: Number(row.quickblox_user_id) }
    },
    /** Keeps the QuickBlox user of this user: written by this server alone, never by the user. */
    linkQuickBlox(id, quickbloxUserId) {
      link.run(quickbloxUserId, id)
    },
    close: () => db.close(),
  }
}
