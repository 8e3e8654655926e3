// The official QuickBlox JS SDK (npm `quickblox`) against an emulator started with `tls`, as a
// chat client would use it: over HTTPS, in its own Node process (test/fixtures/sdk-child.js).
//
// The SDK answers some failures with success: a request that never reached a server (a TLS
// refusal, a refused connection) comes back to its callback as `(null, ' ')`. So every call here
// is checked against what the emulator saw: a call that reached no endpoint throws, and so does a
// reported success the emulator answered with an error status.
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Emulator, EmulatorRequestLog } from 'passport-quickblox/emulator'
import { turnsUntil } from './diagnostics.js'

const CHILD = resolve(import.meta.dirname, '../fixtures/sdk-child.js')
const CALL_TIMEOUT_MS = 15_000

export interface SdkAnswer {
  /** The SDK callback's first argument: `null`, or its error (`{ code, status, message, detail }`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the SDK's own shapes
  error: any
  /** The callback's second argument. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the SDK's own shapes
  result: any
  /** What the emulator received for this call, in order, statuses set. */
  requests: EmulatorRequestLog[]
}

export interface Sdk {
  /** Calls `QB.<method>(...args, callback)`, e.g. `call('users.get', { login: 'amy' })`. */
  call(method: string, ...args: unknown[]): Promise<SdkAnswer>
  close(): Promise<void>
}

interface Message {
  id?: number
  ready?: boolean
  error?: unknown
  result?: unknown
}

/**
 * Starts the SDK, `QB.init`-ed with the emulator's first application and pointed at its host,
 * trusting its certificate (or `options.trust`, to see what the SDK does with one it cannot trust).
 */
export async function startSdk(qb: Emulator, options: { trust?: string } = {}): Promise<Sdk> {
  const trust = options.trust ?? qb.certificate
  if (trust === undefined) throw new Error('startSdk needs an emulator started with tls: the SDK speaks HTTPS only')
  const dir = await mkdtemp(join(tmpdir(), 'qb-sdk-'))
  const caFile = join(dir, 'trusted.pem')
  await writeFile(caFile, trust)
  const { NODE_OPTIONS: _jestOptions, ...env } = process.env
  const init = { appId: qb.application.id, authKey: qb.application.authKey, authSecret: qb.application.authSecret }
  const child: ChildProcess = fork(CHILD, [JSON.stringify({ ...init, api: new URL(qb.url).host })], {
    env: { ...env, NODE_EXTRA_CA_CERTS: caFile },
    // The SDK logs to the console on init; only a failure's stderr is worth showing.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)))
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const pending = new Map<number, (message: Message) => void>()
  child.on('message', (message: Message) => {
    if (message.id !== undefined) pending.get(message.id)?.(message)
  })
  await new Promise<void>((ready, fail) => {
    child.once('message', (message: Message) => (message.ready ? ready() : fail(new Error('SDK child: no ready'))))
    child.once('exit', (code) => fail(new Error(`SDK child exited (${code}): ${stderr}`)))
  })

  let nextId = 1
  return {
    async call(method, ...args) {
      const id = nextId++
      const last = qb.requests.at(-1)
      const message = await new Promise<Message>((answer, fail) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          fail(new Error(`SDK ${method} did not answer in ${CALL_TIMEOUT_MS} ms: ${stderr}`))
        }, CALL_TIMEOUT_MS)
        pending.set(id, (reply) => {
          clearTimeout(timer)
          pending.delete(id)
          answer(reply)
        })
        child.send({ id, method, args })
      })
      // After the last request seen before the call; all of them if the log was reset meanwhile.
      const requests = qb.requests.slice(last === undefined ? 0 : qb.requests.indexOf(last) + 1)
      await settled(requests)
      const answer: SdkAnswer = { error: message.error ?? null, result: message.result ?? null, requests }
      if (requests.length === 0)
        throw new Error(`SDK ${method} reached no emulator endpoint, whatever it reported: ${JSON.stringify(answer)}`)
      const failed = requests.find((request) => request.status === null || request.status >= 400)
      if (answer.error === null && failed)
        throw new Error(`SDK ${method} reported success, but the emulator answered ${failed.status ?? 'nothing'}`)
      return answer
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill()
      await exited
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/**
 * The emulator logs a request's status and duration once its connection is done with the answer;
 * the SDK may see the answer first. No event says so: look once per turn of the event loop.
 */
async function settled(requests: EmulatorRequestLog[]): Promise<void> {
  await turnsUntil(() => requests.every((request) => request.durationMs > 0))
}
