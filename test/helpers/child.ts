// Child processes that serve something: start one, wait for the line that says where it listens,
// and after a signal, wait for its exit and for its port to be closed.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFile, readlink } from 'node:fs/promises'
import { basename } from 'node:path'
import { connect } from 'node:net'

export interface Served {
  child: ChildProcess
  /** The URL matched in the output (the pattern's first group). */
  url: string
  /** Everything the child printed so far, stdout and stderr. */
  output(): string
  /** The child's exit code (`null` when a signal ended it). */
  exit: Promise<number | null>
}

const groups: ChildProcess[] = []

/** Starts `command` and resolves once its output matches `listening` (within `ms`). */
export async function serve(
  command: string,
  args: string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv; listening: RegExp; ms?: number },
): Promise<Served> {
  // A process group of its own, so that killLeftovers() reaches what the child started too.
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  groups.push(child)
  let output = ''
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no listening line within ${options.ms ?? 30_000} ms:\n${output}`)),
      options.ms ?? 30_000,
    )
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      const match = options.listening.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    void exit.then((code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before listening:\n${output}`))
    })
  })
  return { child, url, output: () => output, exit }
}

/** Kills (SIGKILL) every process group `serve()` started that is still there: for `afterEach`. */
export function killLeftovers(): void {
  for (const child of groups.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // The group is gone already.
    }
  }
}

/** Whether something accepts connections at `url`'s host and port. */
async function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  try {
    await once(socket, 'connect')
    return true
  } catch {
    return false
  } finally {
    socket.destroy()
  }
}

/** Resolves true once nothing listens at `url` any more, false if something still does after `ms`. */
export async function portCloses(url: string, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (!(await accepts(url))) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return !(await accepts(url))
}

/** The executables of `pid`'s children, by file name, e.g. `['node']` (Linux: /proc). */
export async function childExecutables(pid: number): Promise<string[]> {
  const ids = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean)
  return Promise.all(ids.map(async (id) => basename(await readlink(`/proc/${id}/exe`))))
}
