#!/usr/bin/env node
// `quickblox-emulator [--port 3001] [--host 127.0.0.1] [--data ./emulator.json] [--https]`
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { demoData, startEmulator, type EmulatorOptions } from './index.js'

const USAGE = [
  'Usage: quickblox-emulator [--port 3001] [--host 127.0.0.1] [--data ./emulator.json] [--verbose]',
  '                          [--https [--cert-out ./emulator-cert.pem] | --tls-cert cert.pem --tls-key key.pem]',
].join('\n')

/** `--https` makes a certificate, `--tls-cert` + `--tls-key` give one (and imply `--https`). */
async function tlsOption(values: {
  https: boolean
  'tls-cert'?: string
  'tls-key'?: string
}): Promise<EmulatorOptions['tls']> {
  const { 'tls-cert': certFile, 'tls-key': keyFile } = values
  if ((certFile === undefined) !== (keyFile === undefined)) throw new TypeError('--tls-cert and --tls-key go together')
  if (certFile !== undefined && keyFile !== undefined)
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') }
  return values.https ? true : undefined
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '3001' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string' },
      https: { type: 'boolean', default: false },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'cert-out': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      'idp-url': { type: 'string' },
      'idp-secret': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) return void console.log(USAGE)
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TypeError(`--port must be 0-65535, got ${values.port}`)
  const idpSecret = values['idp-secret'] ?? process.env.QUICKBLOX_IDP_SECRET
  if (values['idp-url'] === undefined && values['idp-secret'] !== undefined)
    throw new TypeError('--idp-secret needs --idp-url')
  const tls = await tlsOption(values)
  if (values['cert-out'] !== undefined && tls === undefined) throw new TypeError('--cert-out needs --https')
  const emulator = await startEmulator({
    port,
    ...(values['idp-url'] === undefined
      ? {}
      : { identityProvider: { url: values['idp-url'], ...(idpSecret ? { secret: idpSecret } : {}) } }),
    host: values.host,
    ...(tls === undefined ? {} : { tls }),
    ...(values.data === undefined ? {} : { dataFile: values.data }),
    ...(values.verbose ? { log: (line: string) => console.log(line) } : {}),
    // Mails go nowhere else: a reset link is printed whether or not requests are.
    mail: (mail) => console.log(`mail to ${mail.to}: ${mail.subject}: ${mail.link}`),
  })
  // The certificate only (it is public): its key stays in this process. A client trusts it with
  // NODE_EXTRA_CA_CERTS=<file> (Node) or by importing it (a browser, the system's store). It is
  // written before the address is printed, so whoever waits for that line finds the file.
  let tempDir: string | undefined
  let certificateFile: string | undefined
  if (emulator.certificate !== undefined) {
    if (values['cert-out'] === undefined) tempDir = await mkdtemp(join(tmpdir(), 'quickblox-emulator-'))
    certificateFile = values['cert-out'] ?? join(tempDir!, 'certificate.pem')
    await writeFile(certificateFile, emulator.certificate)
  }
  console.log(`QuickBlox emulator listening on ${emulator.url}`)
  if (certificateFile !== undefined)
    console.log(`  certificate ${certificateFile} (trust it: NODE_EXTRA_CA_CERTS=${certificateFile})`)
  // The URL only: the secret is never printed.
  if (values['idp-url'] !== undefined) console.log(`  identity provider ${values['idp-url']}`)
  for (const app of emulator.applications) console.log(`  application id ${app.id}, auth key ${app.authKey}`)
  if (values.data === undefined) {
    // Only the built-in demo data is ever printed: its values are public, published in the docs,
    // and useless against QuickBlox. A data file's secrets, and the keys made up for it, never are.
    const demo = demoData.applications[0]!
    console.log(`  public demo auth secret ${demo.authSecret}, public demo API key ${demo.apiKey}`)
    for (const user of demoData.users) {
      const how = user.password
        ? `${user.login ? 'login' : 'email'} ${user.login ?? user.email} / password ${user.password}`
        : user.facebook
          ? `facebook token ${user.facebook.token}`
          : `firebase_phone project ${user.firebase_phone?.project_id} / token ${user.firebase_phone?.access_token}`
      console.log(`  user ${user.id} (${user.full_name}): ${how}`)
    }
  } else {
    for (const user of emulator.users)
      console.log(`  user ${user.id}: ${user.login ?? user.email ?? user.full_name ?? ''}`)
  }
  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    Promise.all([emulator.close(), tempDir && rm(tempDir, { recursive: true, force: true })]).then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  // `npx quickblox-emulator` starts us through `sh -c`. npm passes its SIGTERM on to that shell
  // only, and a shell that does not exec its one command (dash, Debian's sh) dies of it and leaves
  // us running, holding the port: stop when our parent is gone, as if the signal had come here.
  if (process.env.npm_lifecycle_event === 'npx') {
    const parent = process.ppid
    setInterval(() => {
      if (process.ppid !== parent) stop()
    }, 200).unref()
  }
}

main().catch((error: unknown) => {
  console.error(`quickblox-emulator: ${error instanceof Error ? error.message : String(error)}`)
  console.error(USAGE)
  process.exit(1)
})
