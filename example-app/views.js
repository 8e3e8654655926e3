// Small server-rendered pages. Every value goes through esc(): user data (names, logins,
// a failed login's text) must never become markup.

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
// Text and numbers only: anything else a request body can hold (an array, a nested object) is
// shown as nothing, and never converted with its own toString.
const esc = (value) =>
  typeof value === 'string' || typeof value === 'number' ? String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]) : ''

const layout = (title, user, csrf, body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · passport-quickblox example</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}
form{border:1px solid #ccc;border-radius:6px;padding:1rem;margin:1rem 0}label{display:block;margin:.5rem 0}
input{display:block;width:100%;padding:.4rem;box-sizing:border-box}button{margin-top:.5rem;padding:.4rem 1rem}
.alert{background:#fde8e8;border:1px solid #b91c1c;padding:.5rem 1rem}.note{background:#eef6ff;padding:.5rem 1rem}
header form{display:inline;border:0;padding:0;margin:0}header{display:flex;gap:1rem;align-items:baseline}</style>
</head><body><header><a href="/">Home</a>${
  user
    ? ` <a href="/profile">Profile</a> <form method="post" action="/logout">${csrfField(csrf)}` +
      '<button>Sign out</button></form>'
    : ' <a href="/login">Sign in</a>'
}</header>
<main><h1>${esc(title)}</h1>${body}</main></body></html>`

const csrfField = (csrf) => `<input type="hidden" name="_csrf" value="${esc(csrf)}">`
const field = (label, name, type = 'text', attrs = '') =>
  `<label>${esc(label)} <input name="${name}" type="${type}" required ${attrs}></label>`

export const home = ({ user, csrf, deleted = false }) =>
  layout(
    'Home',
    user,
    csrf,
    (deleted
      ? '<p class="note" role="status">Your account has been deleted, and you are signed out everywhere.</p>'
      : '') +
      (user
        ? `<p>Signed in as <strong>${esc(user.full_name || user.login || user.email)}</strong>` +
          ` (QuickBlox user ${esc(user.id)}).</p>`
        : '<p>Nobody is signed in. <a href="/login">Sign in with QuickBlox</a>.</p>'),
  )

export const login = ({ csrf, error, values = {}, demoUsers, signup = false, expired = false }) =>
  layout(
    'Sign in',
    null,
    csrf,
    `
${error ? `<p class="alert" role="alert">Sign-in failed: ${esc(error)}</p>` : ''}
${expired ? '<p class="note" role="status">Your session has ended. Please sign in again.</p>' : ''}
${demoUsers ? demoNote(demoUsers) : ''}
${signup ? '<p>No account yet? <a href="/signup">Create one</a>.</p>' : ''}
<form method="post" action="/login" aria-labelledby="pw"><h2 id="pw">Login or email and password</h2>${csrfField(csrf)}
${field('Login or email', 'login', 'text', `autocomplete="username" value="${esc(values.login)}"`)}
${field('Password', 'password', 'password', 'autocomplete="current-password"')}<button>Sign in</button>
<p><a href="/password-reset">Forgot your password?</a></p></form>
<form method="post" action="/login" aria-labelledby="fb"><h2 id="fb">Facebook</h2>${csrfField(csrf)}
<input type="hidden" name="provider" value="facebook">
${field('Facebook access token', 'keys[token]', 'password', 'autocomplete="off"')}
<button>Sign in with Facebook</button></form>
<form method="post" action="/login" aria-labelledby="fp"><h2 id="fp">Firebase phone</h2>${csrfField(csrf)}
<input type="hidden" name="provider" value="firebase_phone">
${field('Firebase project id', 'firebase_phone[project_id]', 'text', `value="${esc(values.project_id)}"`)}
${field('Firebase ID token', 'firebase_phone[access_token]', 'password', 'autocomplete="off"')}
<button>Sign in with phone</button></form>`,
  )

// A field with QuickBlox's (or our) complaint about it beside it; `base` errors go above the form.
const signupField = (label, name, type, values, errors, attrs) =>
  `<label>${esc(label)} <input name="${name}" type="${type}" ${attrs}` +
  `${type === 'password' ? '' : ` value="${esc(values[name])}"`}` +
  `${errors[name] ? ` aria-invalid="true" aria-describedby="${name}-error"` : ''}></label>` +
  (errors[name] ? `<p class="alert" id="${name}-error">${esc(label)} ${esc(errors[name])}</p>` : '')

export const signup = ({ csrf, values, errors }) =>
  layout(
    'Create an account',
    null,
    csrf,
    `
${errors.base ? `<p class="alert" role="alert">Sign-up failed: ${esc(errors.base)}</p>` : ''}
<form method="post" action="/signup">${csrfField(csrf)}
${signupField('Login', 'login', 'text', values, errors, 'autocomplete="username"')}
${signupField('Email', 'email', 'email', values, errors, 'autocomplete="email"')}
${signupField('Full name', 'full_name', 'text', values, errors, 'autocomplete="name"')}
${signupField('Password', 'password', 'password', values, errors, 'required autocomplete="new-password"')}
<button>Create account</button></form>
<p>Already have an account? <a href="/login">Sign in</a>.</p>`,
  )

// Shown only when the app runs its own emulator: these are public demo values.
const demoNote = (users) => `<section class="note" aria-labelledby="demo"><h2 id="demo">Demo mode</h2>
<p>No QuickBlox settings were given, so this app talks to a local QuickBlox emulator with these demo users:</p><ul>
${users.map((u) => `<li>${esc(u.full_name)}: ${demoCredentials(u)}</li>`).join('')}
</ul></section>`

const demoCredentials = (u) =>
  u.password
    ? `<code>${esc(u.login || u.email)}</code> / <code>${esc(u.password)}</code>`
    : u.facebook
      ? `Facebook token <code>${esc(u.facebook.token)}</code>`
      : `Firebase project <code>${esc(u.firebase_phone?.project_id)}</code>,` +
        ` token <code>${esc(u.firebase_phone?.access_token)}</code>`

const PROFILE_FIELDS = [
  'id',
  'login',
  'email',
  'full_name',
  'phone',
  'facebook_id',
  'user_tags',
  'created_at',
  'last_request_at',
]

const UPDATED = {
  profile: 'Your name and email are saved.',
  password: 'Your password is changed. Every other session of yours has been signed out.',
}

// `form` names the form `errors` belong to; `values` are what was typed there (never a password).
export const profile = ({ user, csrf, updated, form, errors = {}, values = {} }) => {
  const errorsOf = (name) => (form === name ? errors : {})
  const shown = form === 'profile' ? values : { full_name: user.full_name, email: user.email }
  const base = (name) => (errorsOf(name).base ? `<p class="alert" role="alert">${esc(errorsOf(name).base)}</p>` : '')
  const providerUser = user.signedInWith === 'facebook' || user.signedInWith === 'firebase_phone'
  return layout(
    'Profile',
    user,
    csrf,
    `${UPDATED[updated] ? `<p class="note" role="status">${UPDATED[updated]}</p>` : ''}
${form ? '<p class="alert" role="alert">Please correct the form below.</p>' : ''}
<p>Your QuickBlox user:</p><dl>
${PROFILE_FIELDS.map((f) => `<dt>${f}</dt><dd>${esc(user[f] ?? '—')}</dd>`).join('')}</dl>
<form method="post" action="/profile" aria-labelledby="name-heading"><h2 id="name-heading">Name and email</h2>
${csrfField(csrf)}${base('profile')}
${signupField('Full name', 'full_name', 'text', shown, errorsOf('profile'), 'autocomplete="name"')}
${signupField('Email', 'email', 'email', shown, errorsOf('profile'), 'autocomplete="email"')}
<button>Save</button></form>
${providerUser ? '' : passwordForm(csrf, errorsOf('password'), base('password'))}
<form method="post" action="/profile/delete" aria-labelledby="delete-heading">
<h2 id="delete-heading">Delete account</h2>${csrfField(csrf)}${base('delete')}
<p>This deletes your QuickBlox user and signs you out everywhere. It cannot be undone.</p>
${reauthFields(user.signedInWith, errorsOf('delete'))}
<button>Delete my account</button></form>`,
  )
}

const CURRENT_PASSWORD = 'required autocomplete="current-password"'
const NEW_PASSWORD = 'required minlength="8" autocomplete="new-password"'
const passwordForm = (
  csrf,
  errors,
  base,
) => `<form method="post" action="/profile/password" aria-labelledby="password-heading">
<h2 id="password-heading">Change password</h2>${csrfField(csrf)}${base}
${signupField('Current password', 'current_password', 'password', {}, errors, CURRENT_PASSWORD)}
${signupField('New password', 'new_password', 'password', {}, errors, NEW_PASSWORD)}
<button>Change password</button></form>`

// Deleting asks the user to sign in again: with their password, or with the provider they signed in with.
const reauthFields = (method, errors) =>
  method === 'facebook'
    ? '<input type="hidden" name="provider" value="facebook">' +
      field('Facebook access token', 'keys[token]', 'password', 'autocomplete="off"')
    : method === 'firebase_phone'
      ? '<input type="hidden" name="provider" value="firebase_phone">' +
        field('Firebase project id', 'firebase_phone[project_id]') +
        field('Firebase ID token', 'firebase_phone[access_token]', 'password', 'autocomplete="off"')
      : signupField('Your password', 'password', 'password', {}, errors, 'required autocomplete="current-password"')

/** What a password-reset request answers, whether or not an account has the address. */
export const RESET_SENT = 'If an account uses this email address, a link to choose a new password is on its way to it.'

export const passwordReset = ({ csrf, email = '', error, sent = false }) =>
  layout(
    'Forgot your password?',
    null,
    csrf,
    sent
      ? `<p class="note" role="status">${RESET_SENT}</p><p><a href="/login">Back to sign-in</a></p>`
      : `${error ? `<p class="alert" role="alert">${esc(error)}</p>` : ''}
<p>Enter the email address of your account: we will mail it a link to choose a new password.</p>
<form method="post" action="/password-reset">${csrfField(csrf)}
${field('Email', 'email', 'email', `autocomplete="email" value="${esc(email)}"`)}
<button>Send the link</button></form>
<p><a href="/login">Back to sign-in</a></p>`,
  )

export const error = ({ status, message, user, csrf }) =>
  layout(
    status === 500 ? 'Something went wrong' : 'Sorry',
    user,
    csrf,
    `<p role="alert">${esc(message)}</p>
<p><a href="/login">Back to sign-in</a></p>`,
  )
