// A real browser (headless Chromium via playwright-core) signs in through the login form, sees
// the profile, signs out, sees why a failed sign-in failed, creates an account, changes its name
// and password, resets a forgotten password with the mailed link, and deletes the account. Screenshots go to
// test-artifacts/ (gitignored); docs/login-page.png is copied from there by hand.
//
// Needs Debian's `chromium` at /usr/bin/chromium. When it is missing this file FAILS, in CI and
// locally alike, with the install command (`sudo bash .ci/system-deps.sh`): a skipped suite would
// read as green, and this project's tests never skip.
import { mkdir } from 'node:fs/promises'
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from './helpers/browser.js'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { QuickBloxAdmin } from '../lib/index.js'
import { startExample, type ExampleApp } from './helpers/example-app.js'

const ARTIFACTS = 'test-artifacts'
let emulator: Emulator
let admin: QuickBloxAdmin | undefined
let example: ExampleApp
let browser: Browser | undefined
let page: Page

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true })
  emulator = await startEmulator()
  admin = new QuickBloxAdmin({ apiKey: emulator.application.apiKey, apiEndpoint: emulator.url })
  example = await startExample({ emulator, app: { admin } })
  // launch() gives every run a new, empty profile in a temporary directory.
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 800, height: 1000 } })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await example?.close()
  await admin?.close()
  await emulator?.close()
})

describe('the example app in a browser', () => {
  it('signs in through the form, shows the profile, and signs out', async () => {
    await page.goto(`${example.url}/login`)
    await page.screenshot({ path: `${ARTIFACTS}/login-page.png`, fullPage: true })
    await page.getByLabel('Login or email', { exact: true }).fill('amy')
    await page.getByLabel('Password', { exact: true }).fill('amy-demo-password')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(`${example.url}/profile`)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Profile')
    expect(await page.locator('main').textContent()).toContain('Amy Login')
    await page.screenshot({ path: `${ARTIFACTS}/profile-page.png`, fullPage: true })

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(`${example.url}/`)
    expect(await page.locator('main').textContent()).toContain('Nobody is signed in')
    await page.goto(`${example.url}/profile`)
    expect(page.url()).toBe(`${example.url}/login`)
  })

  it('shows why a sign-in failed', async () => {
    await page.goto(`${example.url}/login`)
    await page.getByLabel('Login or email', { exact: true }).fill('amy')
    await page.getByLabel('Password', { exact: true }).fill('wrong-password')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'Sign-in failed: QuickBlox rejected the credentials',
    )
    expect(await page.getByLabel('Login or email', { exact: true }).inputValue()).toBe('amy')
    await page.screenshot({ path: `${ARTIFACTS}/login-failed.png`, fullPage: true })
  })

  it('signs in with the Facebook and Firebase phone forms', async () => {
    await page.goto(`${example.url}/login`)
    await page.getByLabel('Facebook access token').fill('demo-facebook-token')
    await page.getByRole('button', { name: 'Sign in with Facebook' }).click()
    await page.waitForURL(`${example.url}/profile`)
    expect(await page.locator('main').textContent()).toContain('Carol Facebook')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(`${example.url}/`)

    await page.goto(`${example.url}/login`)
    await page.getByLabel('Firebase project id').fill('demo-firebase-project')
    await page.getByLabel('Firebase ID token').fill('demo-firebase-token')
    await page.getByRole('button', { name: 'Sign in with phone' }).click()
    await page.waitForURL(`${example.url}/profile`)
    expect(await page.locator('main').textContent()).toContain('Dan Phone')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(`${example.url}/`)
  })

  it('creates an account on the sign-up page: a field error beside its field, then signed in', async () => {
    await page.goto(`${example.url}/login`)
    await page.getByRole('link', { name: 'Create one' }).click()
    await page.waitForURL(`${example.url}/signup`)
    await page.getByLabel('Login', { exact: true }).fill('amy')
    await page.getByLabel('Full name').fill('Kim Browser')
    await page.getByLabel('Password', { exact: true }).fill('kim-browser-password')
    await page.getByRole('button', { name: 'Create account' }).click()
    await expect(page.locator('#login-error').textContent()).resolves.toBe('Login has already been taken.')
    expect(await page.getByLabel('Full name').inputValue()).toBe('Kim Browser')
    await page.screenshot({ path: `${ARTIFACTS}/signup-taken.png`, fullPage: true })
    await page.getByLabel('Login', { exact: true }).fill('kim')
    await page.getByLabel('Password', { exact: true }).fill('kim-browser-password')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(`${example.url}/profile`)
    expect(await page.locator('main').textContent()).toContain('Kim Browser')
  })

  it('changes the name and the password on the profile page; another browser of the same user is signed out', async () => {
    // A second browser (its own cookies) signed in as kim, from the account made above.
    const other = await browser!.newContext()
    const otherPage = await other.newPage()
    await otherPage.goto(`${example.url}/login`)
    await otherPage.getByLabel('Login or email', { exact: true }).fill('kim')
    await otherPage.getByLabel('Password', { exact: true }).fill('kim-browser-password')
    await otherPage.getByRole('button', { name: 'Sign in', exact: true }).click()
    await otherPage.waitForURL(`${example.url}/profile`)

    await page.goto(`${example.url}/profile`)
    await page.getByLabel('Full name').fill('Kim Renamed')
    await page.getByLabel('Email', { exact: true }).fill('kim@example.com')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.waitForURL(`${example.url}/profile?updated=profile`)
    expect(await page.getByRole('status').textContent()).toContain('Your name and email are saved.')
    expect(await page.locator('dl').textContent()).toContain('Kim Renamed')

    await page.getByLabel('Current password').fill('not-kims-password')
    await page.getByLabel('New password').fill('kim-new-password')
    await page.getByRole('button', { name: 'Change password' }).click()
    await expect(page.locator('#current_password-error').textContent()).resolves.toBe('Current password is not correct')
    await page.getByLabel('Current password').fill('kim-browser-password')
    await page.getByLabel('New password').fill('kim-new-password')
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.waitForURL(`${example.url}/profile?updated=password`)
    expect(await page.getByRole('status').textContent()).toContain('Every other session of yours has been signed out')
    await page.screenshot({ path: `${ARTIFACTS}/password-changed.png`, fullPage: true })

    await otherPage.goto(`${example.url}/profile`)
    expect(otherPage.url()).toBe(`${example.url}/login`)
    await other.close()
  })

  it("resets a forgotten password with the link from QuickBlox's mail (the emulator's log)", async () => {
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(`${example.url}/`)
    await page.goto(`${example.url}/login`)
    await page.getByRole('link', { name: 'Forgot your password?' }).click()
    await page.waitForURL(`${example.url}/password-reset`)
    await page.getByLabel('Email', { exact: true }).fill('kim@example.com')
    await page.getByRole('button', { name: 'Send the link' }).click()
    expect(await page.getByRole('status').textContent()).toContain('If an account uses this email address')
    await page.screenshot({ path: `${ARTIFACTS}/password-reset-sent.png`, fullPage: true })

    const link = emulator.lastResetLink('kim@example.com')
    expect(link).toBeDefined()
    await page.goto(link!)
    await page.getByLabel('New password').fill('kim-reset-password')
    await page.getByLabel('Again').fill('kim-reset-password')
    await page.getByRole('button', { name: 'Change password' }).click()
    expect(await page.locator('body').textContent()).toContain('has been changed')

    await page.goto(`${example.url}/login`)
    await page.getByLabel('Login or email', { exact: true }).fill('kim')
    await page.getByLabel('Password', { exact: true }).fill('kim-reset-password')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(`${example.url}/profile`)
  })

  it('deletes the account after asking for the password, and signs out', async () => {
    await page.goto(`${example.url}/profile`)
    await page.getByLabel('Your password').fill('kim-new-password') // the one before the reset
    await page.getByRole('button', { name: 'Delete my account' }).click()
    await expect(page.locator('#password-error').textContent()).resolves.toBe('Your password is not correct')
    await page.getByLabel('Your password').fill('kim-reset-password')
    await page.getByRole('button', { name: 'Delete my account' }).click()
    await page.waitForURL(`${example.url}/?deleted=1`)
    expect(await page.getByRole('status').textContent()).toContain('Your account has been deleted')
    expect(await page.locator('main').textContent()).toContain('Nobody is signed in')

    await page.goto(`${example.url}/login`)
    await page.getByLabel('Login or email', { exact: true }).fill('kim')
    await page.getByLabel('Password', { exact: true }).fill('kim-reset-password')
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Sign-in failed')
  })
})
