import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { access, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { demoData } from 'passport-quickblox/emulator'
import { generate } from 'selfsigned'
import { call, callTls, sessionParams } from './helpers/emulator.js'

// The CLI is built as it ships (tsconfig.build.json settings) but only the emulator, into a
// temporary directory, so this test neither depends on nor disturbs the rest of dist/.
const root = resolve(import.meta.dirname, '..')
let dir: string
let cli: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qb-emulator-cli-'))
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(root, 'tsconfig.build.json'),
      compilerOptions: {
        outDir: join(dir, 'out'),
        rootDir: join(root, 'lib'),
        declaration: false,
        typeRoots: [join(root, 'node_modules/@types')],
      },
      include: [join(root, 'lib/emulator')],
    }),
  )
  await promisify(execFile)(
    process.execPath,
    [join(root, 'node_modules/typescript7/bin/tsc'), '-p', join(dir, 'tsconfig.json')],
    { cwd: root },
  )
  cli = join(dir, 'out/emulator/cli.js')
  // The emulator's own dependency (selfsigned, for --https) resolves as it would once installed.
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'))
}, 60_000)
// A test that fails half way leaves its CLI running: stop every one, or Jest never exits.
const children: ChildProcess[] = []
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await rm(dir, { recursive: true, force: true })
})

interface Run {
  child: ChildProcess
  output: () => string
  exit: Promise<number | null>
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
  return { child, output: () => output, exit }
}

/** The first group of `pattern` in the CLI's output, as soon as it prints a match. */
async function printed(cliRun: Run, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const read = (): void => {
      const match = pattern.exec(cliRun.output())
      if (match) resolve(match[1]!)
    }
    cliRun.child.stdout!.on('data', read)
    read()
    void cliRun.exit.then(() => reject(new Error(`CLI exited before printing ${pattern}: ${cliRun.output()}`)))
  })
}
/** The certificate line the CLI prints with `--https`, and its file. */
const CERTIFICATE = /certificate (\S+) \(trust it: NODE_EXTRA_CA_CERTS=\S+\)/
/** The URL of the CLI's "listening on" line. */
const urlOf = (cliRun: Run): Promise<string> => printed(cliRun, /listening on (https?:\/\/\S+)/)

describe('quickblox-emulator CLI', () => {
  it('starts with a node shebang', async () => {
    expect((await readFile(cli, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  it('serves the demo data, prints its URL and demo logins, and exits cleanly on SIGTERM', async () => {
    const cliRun = run(['--port', '0'])
    const url = await urlOf(cliRun)
    const answer = await call(`${url}/session.json`, 'POST', {
      body: sessionParams(demoData.applications[0]!, { user: { login: 'amy', password: 'amy-demo-password' } }),
    })
    expect(answer.status).toBe(201)
    for (const user of demoData.users) expect(cliRun.output()).toContain(`user ${user.id}`)
    expect(cliRun.output()).toMatch(/login amy \/ password amy-demo-password/)
    expect(cliRun.output()).toContain('API key demo-api-key')
    expect(cliRun.output()).toMatch(/facebook token/)
    expect(cliRun.output()).toMatch(/firebase_phone project/)
    cliRun.child.kill('SIGTERM')
    expect(await cliRun.exit).toBe(0)
  })

  it('serves a --data file, never printing its passwords or secret, and exits cleanly on SIGINT', async () => {
    const file = join(dir, 'emulator.json')
    await writeFile(
      file,
      JSON.stringify({
        applications: [{ id: 31, authKey: 'file-key', authSecret: 'file-secret', apiKey: 'file-api-key' }],
        users: [{ id: 5, login: 'zed', password: 'zed-secret-password' }],
      }),
    )
    const cliRun = run(['--port', '0', '--data', file, '--verbose'])
    const url = await urlOf(cliRun)
    const answer = await call(`${url}/session.json`, 'POST', {
      body: sessionParams(
        { id: 31, authKey: 'file-key', authSecret: 'file-secret' },
        { user: { login: 'zed', password: 'zed-secret-password' } },
      ),
    })
    expect(answer.status).toBe(201)
    cliRun.child.kill('SIGINT')
    expect(await cliRun.exit).toBe(0)
    expect(cliRun.output()).toMatch(/user 5: zed/)
    expect(cliRun.output()).toMatch(/POST \/session\.json 201/)
    expect(cliRun.output()).not.toContain('zed-secret-password')
    expect(cliRun.output()).not.toContain('file-secret')
    expect(cliRun.output()).not.toContain('file-api-key')
  })

  it('asks the --idp-url identity provider with the --idp-secret header, printing the URL and never the secret', async () => {
    const seen: (string | undefined)[] = []
    const provider = createServer((req, res) => {
      seen.push(req.headers['x-idp-secret'] as string | undefined)
      res.setHeader('Content-Type', 'application/json')
      res.end('{"uid":"7"}')
    })
    await new Promise<void>((done) => provider.listen(0, '127.0.0.1', done))
    const idpUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/identity`
    const cliRun = run(['--port', '0', '--idp-url', idpUrl, '--idp-secret', 'cli-idp-secret-do-not-print'])
    try {
      const url = await urlOf(cliRun)
      const answer = await call(`${url}/session.json`, 'POST', {
        body: sessionParams(demoData.applications[0]!, { user: { login: '7', password: 'a-token' } }),
      })
      expect(answer.status).toBe(201)
      expect(seen).toEqual(['cli-idp-secret-do-not-print'])
      expect(cliRun.output()).toContain(`identity provider ${idpUrl}`)
      expect(cliRun.output()).not.toContain('cli-idp-secret-do-not-print')
    } finally {
      cliRun.child.kill('SIGTERM')
      await cliRun.exit
      await new Promise((done) => provider.close(done))
    }
  })

  it('prints each password reset mail with its link, without --verbose', async () => {
    const cliRun = run(['--port', '0'])
    const url = await urlOf(cliRun)
    const session = await call(`${url}/session.json`, 'POST', { body: sessionParams(demoData.applications[0]!) })
    const asked = await call(`${url}/users/password/reset.json?email=bob@example.com`, 'GET', {
      token: session.json.session.token,
    })
    expect(asked.status).toBe(200)
    const link = new RegExp(`mail to bob@example\\.com: Reset your password: (${url}/password/reset\\?token=\\S+)`)
    // The line is printed before the answer leaves; stdout may reach us a moment after it.
    const page = await call(await printed(cliRun, link), 'GET')
    expect(page.status).toBe(200)
    expect(page.text).toContain('Choose a new password')
    cliRun.child.kill('SIGTERM')
    expect(await cliRun.exit).toBe(0)
  })

  it('serves HTTPS with --https, writing its certificate (never its key) to --cert-out', async () => {
    const file = join(dir, 'emulator-cert.pem')
    const cliRun = run(['--port', '0', '--https', '--cert-out', file])
    const url = await urlOf(cliRun)
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(await printed(cliRun, CERTIFICATE)).toBe(file)
    const ca = await readFile(file, 'utf8')
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/)
    const answer = await callTls(`${url}/session.json`, 'POST', { body: sessionParams(demoData.applications[0]!), ca })
    expect(answer.status).toBe(201)
    expect(cliRun.output()).toContain(`NODE_EXTRA_CA_CERTS=${file}`)
    cliRun.child.kill('SIGTERM')
    expect(await cliRun.exit).toBe(0)
    expect(cliRun.output()).not.toContain('PRIVATE KEY')
    // The file asked for is the user's: it stays.
    await expect(access(file)).resolves.toBeUndefined()
  })

  it('writes the certificate to a temporary file without --cert-out, and removes it on exit', async () => {
    const cliRun = run(['--port', '0', '--https'])
    const url = await urlOf(cliRun)
    const file = await printed(cliRun, CERTIFICATE)
    const answer = await callTls(`${url}/session.json`, 'POST', {
      body: sessionParams(demoData.applications[0]!),
      ca: await readFile(file, 'utf8'),
    })
    expect(answer.status).toBe(201)
    cliRun.child.kill('SIGINT')
    expect(await cliRun.exit).toBe(0)
    await expect(access(file)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('serves the certificate and key given with --tls-cert and --tls-key', async () => {
    const pems = await generate([{ name: 'commonName', value: 'given' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    })
    await writeFile(join(dir, 'given-cert.pem'), pems.cert)
    await writeFile(join(dir, 'given-key.pem'), pems.private)
    const cliRun = run([
      '--port',
      '0',
      '--tls-cert',
      join(dir, 'given-cert.pem'),
      '--tls-key',
      join(dir, 'given-key.pem'),
    ])
    const url = await urlOf(cliRun)
    const answer = await callTls(`${url}/session.json`, 'POST', {
      body: sessionParams(demoData.applications[0]!),
      ca: pems.cert,
    })
    expect(answer.status).toBe(201)
    cliRun.child.kill('SIGTERM')
    expect(await cliRun.exit).toBe(0)
  })

  it.each([
    ['a bad port', ['--port', 'abc']],
    ['--idp-secret without --idp-url', ['--idp-secret', 'x']],
    ['an --idp-url that is not http(s)', ['--idp-url', 'ftp://example.com/x']],
    ['an unknown option', ['--nope']],
    ['a missing data file', ['--data', '/nonexistent/qb.json']],
    ['--tls-cert without --tls-key', ['--port', '0', '--tls-cert', '/nonexistent/cert.pem']],
    ['--cert-out without HTTPS', ['--port', '0', '--cert-out', '/tmp/never-written.pem']],
  ])('exits 1 with usage on %s', async (_name, args) => {
    const cliRun = run(args)
    expect(await cliRun.exit).toBe(1)
    expect(cliRun.output()).toMatch(/Usage: quickblox-emulator/)
  })

  it('exits 1 on a data file that is not JSON, naming the file and never quoting it', async () => {
    const file = join(dir, 'broken.json')
    // Broken where JSON.parse's own message would quote the text around it: the secret.
    await writeFile(file, '{"applications":[{"id":1,"authKey":"k","authSecret":TOPSECRET-do-not-print}]}')
    const cliRun = run(['--port', '0', '--data', file])
    expect(await cliRun.exit).toBe(1)
    expect(cliRun.output()).toContain(`${file}: not valid JSON`)
    expect(cliRun.output()).not.toContain('TOPSECRET')
  })

  it('prints usage on --help', async () => {
    const cliRun = run(['--help'])
    expect(await cliRun.exit).toBe(0)
    expect(cliRun.output()).toMatch(/^Usage: quickblox-emulator/)
  })
})
