// `node example-app/server.js` in a child process, as `npm start` runs it, on the dist/ that
// test/global-setup.js built (the app imports the package by name, which Node resolves to dist/).
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'

const children: ChildProcess[] = []

export interface ServerProcess {
  child: ChildProcess
  url: string
  /** Everything it printed so far, stdout and stderr. */
  output(): string
}

/** Starts the server with exactly `env` (plus PATH), on a free port; resolves at its "listening" line. */
export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['example-app/server.js'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 15 s:\n${output}`)), 15_000)
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code}:\n${output}`))
    })
  })
  return { child, url, output: () => output }
}

/** The exit code, once the process has exited. */
export async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode
  const [code] = (await once(child, 'exit')) as [number | null]
  return code
}

/** Kills (SIGKILL) every server started here that is still running: for afterEach/afterAll. */
export function killServers(): void {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}
