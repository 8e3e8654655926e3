import { Reply, type Params, type Value } from './body.js'

/** QuickBlox's paging: 10 users a page unless asked, at most 100. */
const PER_PAGE = { default: 10, max: 100 }
/** The most filters one request may combine, and values an `in` list may hold: bounded work per request. */
const MAX_FILTERS = 20
const MAX_VALUES = 100

type Kind = 'number' | 'date' | 'string'
/** The fields QuickBlox filters on, each compared as its kind, whatever type a filter names. */
const FIELDS: Record<string, Kind> = {
  id: 'number',
  external_user_id: 'number',
  facebook_id: 'number',
  created_at: 'date',
  updated_at: 'date',
  last_request_at: 'date',
  login: 'string',
  email: 'string',
  full_name: 'string',
  phone: 'string',
}
/** Fields QuickBlox sorts on besides those. */
const SORT_ONLY: Record<string, Kind> = { website: 'string' }
type Comparable = number | string
const compare = (a: Comparable, b: Comparable): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The operators: whether each applies to the text fields too (QuickBlox's table: only eq, ne and
 * in do), and its test of a user's value against the filter's values.
 */
const OPERATORS: Record<string, { text: boolean; test: (value: Comparable, values: Comparable[]) => boolean }> = {
  eq: { text: true, test: (v, [x]) => compare(v, x!) === 0 },
  ne: { text: true, test: (v, [x]) => compare(v, x!) !== 0 },
  in: { text: true, test: (v, xs) => xs.some((x) => compare(v, x) === 0) },
  lt: { text: false, test: (v, [x]) => compare(v, x!) < 0 },
  gt: { text: false, test: (v, [x]) => compare(v, x!) > 0 },
  le: { text: false, test: (v, [x]) => compare(v, x!) <= 0 },
  lte: { text: false, test: (v, [x]) => compare(v, x!) <= 0 },
  ge: { text: false, test: (v, [x]) => compare(v, x!) >= 0 },
  gte: { text: false, test: (v, [x]) => compare(v, x!) >= 0 },
  between: { text: false, test: (v, [low, high]) => compare(v, low!) >= 0 && compare(v, high!) <= 0 },
}

type User = Record<string, unknown>

const invalid = (field: string): Reply => new Reply(422, { errors: { [field]: ['is invalid'] } })

/** A field's value on a user as comparable, or `undefined` when the user has none (SQL's NULL). */
function valueOf(user: User, field: string, kind: Kind): Comparable | undefined {
  const value = user[field]
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  if (kind === 'string') return field === 'email' ? String(value).toLowerCase() : String(value)
  return kind === 'date' ? Date.parse(String(value)) : Number(value)
}

/** A filter's value as the field's kind: a date as ISO 8601 or Unix seconds. */
function parseValue(text: string, field: string, kind: Kind): Comparable {
  const trimmed = text.trim()
  if (kind === 'string') return field === 'email' ? trimmed.toLowerCase() : trimmed
  const number = /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : NaN
  const parsed = kind === 'number' ? number : Number.isFinite(number) ? number * 1000 : Date.parse(trimmed)
  if (!Number.isFinite(parsed)) throw invalid('filter')
  return parsed
}

/**
 * One `filter[]` entry, `<type> <field> <operator> <value>`, as a test on a user. The field, not
 * the type named, decides how values compare: the JS SDK names a date filter's type `string`.
 * A user without the field passes no filter, as SQL's NULL would not.
 */
function readFilter(filter: Value): (user: User) => boolean {
  if (typeof filter !== 'string') throw invalid('filter')
  const match = /^(number|string|date) +([a-z_]+) +([a-z]+) +(.+)$/.exec(filter.trim())
  const kind = match && Object.hasOwn(FIELDS, match[2]!) ? FIELDS[match[2]!] : undefined
  const operator = match && Object.hasOwn(OPERATORS, match[3]!) ? OPERATORS[match[3]!] : undefined
  if (!match || !kind || !operator || (kind === 'string' && !operator.text)) throw invalid('filter')
  const field = match[2]!
  const texts = match[3] === 'in' || match[3] === 'between' ? match[4]!.split(',') : [match[4]!]
  if (texts.length > MAX_VALUES || (match[3] === 'between' && texts.length !== 2)) throw invalid('filter')
  const values = texts.map((text) => parseValue(text, field, kind))
  return (user) => {
    const value = valueOf(user, field, kind)
    return value !== undefined && operator.test(value, values)
  }
}

/** `order=<asc|desc> <type> <field>` as a comparison of users; ties, and no order, go by id. */
function readOrder(order: Value | undefined): (a: User, b: User) => number {
  const byId = (a: User, b: User): number => Number(a.id) - Number(b.id)
  if (order === undefined || order === '') return byId
  const match = typeof order === 'string' ? /^(asc|desc) +(number|string|date) +([a-z_]+)$/.exec(order.trim()) : null
  const field = match?.[3]
  const kind = field && (Object.hasOwn(FIELDS, field) ? FIELDS[field] : SORT_ONLY[field])
  if (!match || !field || !kind) throw invalid('order')
  const sign = match[1] === 'asc' ? 1 : -1
  return (a, b) => {
    const x = valueOf(a, field, kind)
    const y = valueOf(b, field, kind)
    // As SQL sorts them: no value comes first going up, last going down.
    const order = x === undefined || y === undefined ? (x === y ? 0 : x === undefined ? -1 : 1) : compare(x, y)
    return sign * order || byId(a, b)
  }
}

/** A whole number of at least 1 from a parameter, or the fallback. */
function positive(value: Value | undefined, fallback: number): number {
  const number = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : NaN
  return number >= 1 ? number : fallback
}

/**
 * `GET /users.json`: the users (already in QuickBlox's JSON) that pass every `filter[]`, sorted
 * by `order`, one page of them in QuickBlox's shape. `per_page` above 100 gives 100; a page,
 * or per_page, that is not a whole number of at least 1 gives the default (1, 10).
 */
export function listUsers(users: User[], params: Params): Record<string, unknown> {
  const given = params.filter
  const filters = given === undefined ? [] : Array.isArray(given) ? given : [given]
  if (filters.length > MAX_FILTERS) throw invalid('filter')
  const tests = filters.map(readFilter)
  const sort = readOrder(params.order)
  const page = positive(params.page, 1)
  const perPage = Math.min(positive(params.per_page, PER_PAGE.default), PER_PAGE.max)
  const matching = users.filter((user) => tests.every((test) => test(user))).sort(sort)
  return {
    current_page: page,
    per_page: perPage,
    total_entries: matching.length,
    items: matching.slice((page - 1) * perPage, page * perPage).map((user) => ({ user })),
  }
}
