// Request/reply over Node's IPC channel between the benchmark and its child processes
// (the emulator, and one app per contender). Every call has a deadline.
import { fork } from 'node:child_process'

const CALL_TIMEOUT_MS = 60_000

/** In a child: answer `{ id, op, args }` messages with `handlers[op](args)`; exit after `close`. */
export function serve(handlers) {
  const answer = async ({ id, op, args }) => {
    try {
      const result = await handlers[op](args ?? {})
      process.send({ id, result })
      if (op === 'close') process.disconnect()
    } catch (err) {
      process.send({ id, error: err instanceof Error ? err.message : String(err) })
    }
  }
  process.on('message', (message) => void answer(message))
  // The parent went away: do not outlive it.
  process.on('disconnect', () => setTimeout(() => process.exit(0), 100).unref())
}

/** In the parent: start `script` as a child and return `call(op, args)` and `close()`. */
export function spawn(script) {
  const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const pending = new Map()
  let seq = 0
  const failAll = (message) => {
    for (const { reject, timer } of pending.values()) {
      clearTimeout(timer)
      reject(new Error(message))
    }
    pending.clear()
  }
  child.on('message', ({ id, result, error }) => {
    const waiter = pending.get(id)
    if (!waiter) return
    pending.delete(id)
    clearTimeout(waiter.timer)
    if (error === undefined) waiter.resolve(result)
    else waiter.reject(new Error(`${script}: ${error}`))
  })
  child.on('exit', (code) => failAll(`${script} exited with code ${code}`))

  const call = (op, args) =>
    new Promise((resolve, reject) => {
      const id = ++seq
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error(`${script}: ${op} took longer than ${CALL_TIMEOUT_MS} ms`))
      }, CALL_TIMEOUT_MS)
      pending.set(id, { resolve, reject, timer })
      child.send({ id, op, args })
    })

  const close = async () => {
    if (child.exitCode !== null || !child.connected) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    await call('close').catch(() => child.kill())
    const timer = setTimeout(() => child.kill(), 5_000)
    await exited
    clearTimeout(timer)
  }

  return { call, close, pid: child.pid }
}
