import type { EmulatorData } from './types.js'

/**
 * The built-in demo data set, used when no applications or users are given: one application
 * and one user per login method. Public demo values, safe to print; never use them for real.
 */
export const demoData: Readonly<EmulatorData> = Object.freeze({
  applications: [{ id: 76730, authKey: 'demo-auth-key', authSecret: 'demo-auth-secret', apiKey: 'demo-api-key' }],
  users: [
    { id: 100001, login: 'amy', password: 'amy-demo-password', full_name: 'Amy Login', user_tags: 'demo' },
    { id: 100002, email: 'bob@example.com', password: 'bob-demo-password', full_name: 'Bob Email' },
    {
      id: 100003,
      login: 'carol-fb',
      full_name: 'Carol Facebook',
      facebook: { token: 'demo-facebook-token', id: '89987878' },
    },
    {
      id: 100004,
      login: 'dan-phone',
      full_name: 'Dan Phone',
      phone: '+15555550100',
      firebase_phone: { project_id: 'demo-firebase-project', access_token: 'demo-firebase-token' },
    },
  ],
})
