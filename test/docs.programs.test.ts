// The first complete program of the README (sessions, a sign-in form) and of docs/tokens.md (a
// Bearer API), taken from the Markdown as they are shown, run with node against the emulator,
// and checked over HTTP as a user would try them, then stopped with SIGTERM. They import the
// package by name, from the dist/ that test/global-setup.js built.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { killLeftovers, portCloses, serve, type Served } from './helpers/child.js'
import { sdkToken } from './helpers/token-app.js'

const root = process.cwd()
let emulator: Emulator
let dir: string

/** The first ```js block of `page` that imports the package and calls `listen`. */
async function firstProgram(page: string): Promise<string> {
  const markdown = await readFile(join(root, page), 'utf8')
  const program = [...markdown.matchAll(/```js\n([\s\S]*?)\n```/g)]
    .map((match) => match[1]!)
    .find((code) => code.includes("from 'passport-quickblox'") && code.includes('.listen('))
  if (!program) throw new Error(`${page} has no complete program`)
  return program
}

/** Runs `code` as `name` (ESM) with exactly `env` (plus PATH), until its "Listening on" line. */
async function run(name: string, code: string, env: Record<string, string>): Promise<Served> {
  const file = join(dir, name)
  await writeFile(file, code)
  return serve(process.execPath, [file], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    listening: /Listening on (http:\/\/localhost:\d+)/,
  })
}

/** SIGTERM: the program exits 0 by itself and its port closes. */
async function stops(program: Served): Promise<void> {
  program.child.kill('SIGTERM')
  const late = new Promise<string>((resolve) => setTimeout(resolve, 10_000, 'still running 10 s after SIGTERM').unref())
  expect(await Promise.race([program.exit, late])).toBe(0)
  expect(await portCloses(program.url)).toBe(true)
}

beforeAll(async () => {
  emulator = await startEmulator()
  // Inside the repository, so `passport-quickblox`, express and passport resolve from its node_modules.
  await mkdir(join(root, 'test-artifacts'), { recursive: true })
  dir = await mkdtemp(join(root, 'test-artifacts', 'docs-programs-'))
})
afterEach(killLeftovers)
afterAll(async () => {
  await emulator?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe("the README's first complete program", () => {
  const env = () => ({
    QB_APP_ID: String(emulator.application.id),
    QB_AUTH_KEY: emulator.application.authKey,
    QB_AUTH_SECRET: emulator.application.authSecret,
    QB_API_ENDPOINT: emulator.url,
    SESSION_SECRET: 'docs-program-session-secret',
  })
  const form = (url: string, fields: Record<string, string>, cookie = '') =>
    fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams(fields),
      redirect: 'manual',
    })

  it('serves the sign-in form, answers a wrong password with a page, names the signed-in user, stops on SIGTERM', async () => {
    const app = await run('app.mjs', await firstProgram('README.md'), env())

    const anonymous = await fetch(`${app.url}/`, { redirect: 'manual' })
    expect([anonymous.status, anonymous.headers.get('location')]).toEqual([302, '/login'])
    const login = await fetch(`${app.url}/login`)
    expect(login.status).toBe(200)
    expect(await login.text()).toMatch(/<form method="post" action="\/login">[\s\S]*name="password"/)

    const wrong = await form(app.url, { login: 'amy', password: 'not-her-password' })
    expect(wrong.status).toBe(302)
    const again = await fetch(new URL(wrong.headers.get('location')!, app.url))
    expect(again.status).toBe(200)
    expect(await again.text()).toContain('Wrong login or password.')

    const right = await form(app.url, { login: 'amy', password: 'amy-demo-password' })
    expect([right.status, right.headers.get('location')]).toEqual([302, '/'])
    const cookie = right.headers.get('set-cookie')!.split(';')[0]!
    const home = await fetch(`${app.url}/`, { headers: { cookie } })
    expect(home.status).toBe(200)
    expect(await home.text()).toContain('Signed in as Amy Login')

    await stops(app)
  }, 60_000)

  it.each(['QB_AUTH_KEY', 'SESSION_SECRET'])(
    'names %s when it is not set, and does not start',
    async (name) => {
      const rest: Record<string, string> = { ...env() }
      delete rest[name]
      const app = run(`app-no-${name}.mjs`, await firstProgram('README.md'), rest)
      await expect(app).rejects.toThrow(new RegExp(`exited with 1 before listening:[\\s\\S]*${name} is not set`))
    },
    60_000,
  )
})

describe("docs/tokens.md's first complete program", () => {
  it("answers a user's token 200 and junk 401, stops on SIGTERM", async () => {
    const api = await run('api.mjs', await firstProgram('docs/tokens.md'), {
      QB_APP_ID: String(emulator.application.id),
      QB_API_ENDPOINT: emulator.url,
    })
    const me = (token: string) => fetch(`${api.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })

    const token = await sdkToken(emulator, { login: 'amy', password: 'amy-demo-password' })
    const user = await me(token)
    expect(user.status).toBe(200)
    expect(await user.json()).toEqual({ user: { id: expect.any(Number), login: 'amy' } })
    const junk = await me('0'.repeat(40))
    expect(junk.status).toBe(401)
    expect(junk.headers.get('www-authenticate')).toBe('Bearer realm="QuickBlox", error="invalid_token"')

    await stops(api)
  }, 60_000)
})
