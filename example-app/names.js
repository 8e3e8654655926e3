// What makes two logins the same account, in one place: the sign-in limiter counts attempts per
// account by it (limits.js), and sign-up refuses a login that could pass for another (app.js).
// `Amy`, `AMY`, `ａｍｙ` (full width) and `amy` with a zero-width space all read as `amy`; `аmy`
// with a Cyrillic `а` is a login of two alphabets, refused at sign-up.

// Code points that draw nothing: zero-width spaces and joiners, soft hyphens, direction marks,
// variation selectors, tag characters (Unicode's Default_Ignorable_Code_Point).
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu

/**
 * The account a login or an email names: NFKC (full-width and other compatibility forms become
 * plain ones), invisible characters removed, case folded (`ß` and `SS` alike), trimmed.
 * @param {string} text
 */
export function canonical(text) {
  return text.normalize('NFKC').replace(INVISIBLE, '').toUpperCase().toLowerCase().trim()
}

// The scripts a login's letters may come from. Japanese mixes Han with its two kanas, Korean Han
// with Hangul: each counts as one writing system. Letters of any other script count as `other`.
const SCRIPTS = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Georgian', /\p{Script=Georgian}/u],
  ['Cherokee', /\p{Script=Cherokee}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
  ['Thai', /\p{Script=Thai}/u],
  ['CJK', /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u],
]

/** The writing systems of `text`'s letters (digits and punctuation belong to none). */
function scriptsOf(text) {
  const found = new Set()
  for (const char of text) {
    if (!/\p{L}|\p{M}/u.test(char) || /\p{Script=Inherited}|\p{Script=Common}/u.test(char)) continue
    found.add(SCRIPTS.find(([, pattern]) => pattern.test(char))?.[0] ?? 'other')
  }
  return found
}

/**
 * Why sign-up refuses `login`, in words to show beside the field, or `undefined`. A login must
 * not look like an email (the sign-in form sends anything with `@` as one), hold invisible
 * characters or spaces, mix alphabets, or differ from its canonical form (capitals, full-width
 * letters): then no two logins created here name one account, and a taken one is refused by
 * QuickBlox itself (`has already been taken`).
 * @param {string} login
 */
export function loginProblem(login) {
  if (login.includes('@')) return 'must not contain @ (an email address goes in the Email field)'
  if (/\p{Default_Ignorable_Code_Point}|\p{White_Space}|\p{Cf}/u.test(login)) {
    return 'must not contain spaces or invisible characters'
  }
  if (scriptsOf(login).size > 1) return 'must be written in one alphabet (not, say, Latin and Cyrillic letters mixed)'
  const plain = canonical(login)
  if (plain !== login) return `must be written in lower case and plain characters: "${plain}"`
  return undefined
}
