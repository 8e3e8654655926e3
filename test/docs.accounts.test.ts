// docs/accounts.md shows the files of docs/examples/accounts/ exactly; each compiles in a project
// of its own with what its section installs (and the tsconfig.json of docs/frameworks.md), with
// the packed package; and the Express routes, mounted on the Express recipe, do what the page says
// over real HTTP against the emulator.
import { readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import request from 'supertest'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { createApp } from '../docs/examples/express.js'
import { accountRoutes } from '../docs/examples/accounts/express.js'
import { consumers, type Consumers } from './helpers/consumer.js'
import { newUser } from './helpers/accounts.js'

const docs = join(process.cwd(), 'docs')
const files = readdirSync(join(docs, 'examples/accounts')).filter((name) => name.endsWith('.ts'))

/** Each example the page shows, with the packages its section's `npm install` lines name. */
async function shown(): Promise<Map<string, { code: string; packages: string[] }>> {
  const page = await readFile(join(docs, 'accounts.md'), 'utf8')
  const found = new Map<string, { code: string; packages: string[] }>()
  for (const section of page.split(/^## /m).slice(1)) {
    const packages = [...section.matchAll(/^npm install (.+)$/gm)].flatMap(([, words]) =>
      words!.split(/\s+/).filter((word) => !word.startsWith('-')),
    )
    for (const [, file, code] of section.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)\n```\n/g)) {
      found.set(file!, { code: `${code}\n`, packages })
    }
  }
  return found
}

/** The tsconfig.json of docs/frameworks.md, with Nest's two decorator settings for Nest. */
async function tsconfigFor(file: string): Promise<unknown> {
  const page = await readFile(join(docs, 'frameworks.md'), 'utf8')
  const typescript = page.slice(page.indexOf('\n## TypeScript\n'))
  const base = JSON.parse(/```json\n([\s\S]*?)```/.exec(typescript)![1]!) as { compilerOptions: object }
  const nest = { experimentalDecorators: true, emitDecoratorMetadata: true }
  return { compilerOptions: { ...base.compilerOptions, ...(file.includes('nest') ? nest : {}) } }
}

describe('docs/accounts.md', () => {
  it('shows every file of docs/examples/accounts/, exactly', async () => {
    const page = await shown()
    expect([...page.keys()].sort()).toEqual(files.map((name) => `examples/accounts/${name}`).sort())
    for (const [file, { code }] of page) {
      expect({ file, code }).toEqual({ file, code: await readFile(join(docs, file), 'utf8') })
    }
  })

  describe('each example in a project of its own', () => {
    let projects: Consumers
    beforeAll(async () => {
      projects = await consumers()
    }, 60_000)
    afterAll(() => projects?.close())

    it.each(files)(
      'compiles examples/accounts/%s with what its section installs',
      async (name) => {
        const { code, packages } = (await shown()).get(`examples/accounts/${name}`)!
        expect(packages).toEqual(expect.arrayContaining(['passport-quickblox', 'typescript', '@types/node']))
        const dir = await projects.project({ [name]: code }, await tsconfigFor(name), packages)
        expect(await projects.compile(dir)).toBe('')
      },
      60_000,
    )
  })
})

describe('the Express routes, mounted on the Express recipe', () => {
  let emulator: Emulator
  let server: Server
  let url: string
  let close: () => Promise<void>

  beforeAll(async () => {
    emulator = await startEmulator()
    const { id, authKey, authSecret } = emulator.application
    const { app, strategy, tokens } = createApp(
      { appId: id, authKey, authSecret, apiEndpoint: emulator.url, pool: false },
      'docs-accounts-secret',
    )
    // Mounted before the recipe's own 404: Express 5 runs routers in the order they were added.
    app.use('/account', accountRoutes(strategy))
    server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    close = async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await Promise.all([strategy.close(), tokens.close()])
      await emulator.close()
    }
  })
  afterAll(() => close())

  async function signedIn() {
    const user = await newUser(emulator, 'docs')
    const agent = request.agent(url)
    await agent.post('/login').send({ login: user.login, password: user.password }).expect(200)
    return { user, agent }
  }

  it('changes the name, and answers a taken email with fields (422)', async () => {
    const { agent } = await signedIn()
    const res = await agent.patch('/account').send({ full_name: 'Docs Name' })
    expect(res.status).toBe(200)
    expect(res.body.user.full_name).toBe('Docs Name')
    const taken = await agent.patch('/account').send({ email: 'bob@example.com' })
    expect(taken.status).toBe(422)
    expect(taken.body.fields).toEqual({ email: ['has already been taken'] })
  })

  it('changes the password (204), and answers a wrong current one beside its field (422)', async () => {
    const { user, agent } = await signedIn()
    const wrong = await agent
      .put('/account/password')
      .send({ current_password: 'nope-nope', new_password: 'a-new-one-1' })
    expect(wrong.status).toBe(422)
    expect(wrong.body.fields).toEqual({ current_password: ['is not correct'] })
    const res = await agent
      .put('/account/password')
      .send({ current_password: user.password, new_password: 'a-new-one-1' })
    expect(res.status).toBe(204)
    await request(url).post('/login').send({ login: user.login, password: 'a-new-one-1' }).expect(200)
  })

  it('deletes the account after checking the password, and signs out', async () => {
    const { user, agent } = await signedIn()
    expect((await agent.delete('/account').send({ password: 'wrong-password' })).status).toBe(422)
    expect((await agent.delete('/account').send({ password: user.password })).status).toBe(204)
    expect((await agent.get('/me')).status).toBe(401)
    await request(url).post('/login').send({ login: user.login, password: user.password }).expect(401)
  })

  it('answers the password-reset request alike for a known and an unknown address (202)', async () => {
    const known = await request(url).post('/account/password-reset').send({ email: 'bob@example.com' })
    const unknown = await request(url).post('/account/password-reset').send({ email: 'nobody@example.com' })
    expect(known.status).toBe(202)
    expect(unknown.status).toBe(202)
    expect(unknown.body).toEqual(known.body)
  })
})
