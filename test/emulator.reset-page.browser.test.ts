// The emulator's password reset page in a real browser (headless Chromium via playwright-core):
// the link from the "mail" opens a form, the form sets the password, and the link is then dead.
// The emulator serves HTTPS here, trusted by the certificate's own key hash, as a developer
// trusting `npx quickblox-emulator --https` would. Needs Debian's chromium (see
// example-app.browser.test.ts): without it this file fails, it never skips.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash, X509Certificate } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from './helpers/browser.js'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { callTls, sessionParams } from './helpers/emulator.js'

const ARTIFACTS = 'test-artifacts'
let qb: Emulator
let browser: Browser | undefined
let page: Page

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true })
  qb = await startEmulator({ tls: true })
  // Chromium trusts this one certificate (by the SHA-256 of its public key), no other.
  const spki = createHash('sha256')
    .update(new X509Certificate(qb.certificate!).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64')
  browser = await launchChromium([`--ignore-certificate-errors-spki-list=${spki}`])
  page = await browser.newPage({ viewport: { width: 800, height: 700 } })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await qb?.close()
})

const ca = (): string => qb.certificate!
async function askReset(email: string): Promise<string> {
  const session = await callTls(`${qb.url}/session.json`, 'POST', { body: sessionParams(qb.application), ca: ca() })
  const asked = await callTls(`${qb.url}/users/password/reset.json?email=${email}`, 'GET', {
    token: session.json.session.token,
    ca: ca(),
  })
  expect(asked.status).toBe(200)
  return qb.lastResetLink(email)!
}
const signIn = (email: string, password: string) =>
  callTls(`${qb.url}/session.json`, 'POST', {
    body: sessionParams(qb.application, { user: { email, password } }),
    ca: ca(),
  })

describe('the reset page in a browser', () => {
  it('takes a new password from the mailed link, which then no longer works', async () => {
    const link = await askReset('bob@example.com')
    await page.goto(link)
    await expect(page.getByRole('heading', { name: 'Choose a new password' }).isVisible()).resolves.toBe(true)
    await page.screenshot({ path: `${ARTIFACTS}/emulator-reset-page.png`, fullPage: true })

    await page.getByLabel('New password').fill('bob-browser-password')
    await page.getByLabel('Again').fill('bob-other-password')
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByText('The two passwords differ.').waitFor()

    await page.getByLabel('New password').fill('bob-browser-password')
    await page.getByLabel('Again').fill('bob-browser-password')
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByRole('heading', { name: 'Password changed' }).waitFor()

    expect((await signIn('bob@example.com', 'bob-browser-password')).status).toBe(201)
    expect((await signIn('bob@example.com', 'bob-demo-password')).status).toBe(401)
    const again = await page.goto(link)
    expect(again?.status()).toBe(404)
    await expect(page.getByRole('heading', { name: 'Link not valid' }).isVisible()).resolves.toBe(true)
  })
})
