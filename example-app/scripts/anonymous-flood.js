// Measures what anonymous visitors cost: starts `node server.js` (with REDIS_URL when given),
// sends cookieless GET /login requests, and prints the server's memory (RSS, from /proc: Linux
// only) before and after, and the number of keys in Redis. Nothing is asserted: it prints.
//
//   node example-app/scripts/anonymous-flood.js [--requests 20000] [--redis redis://127.0.0.1:6379]
//
// The Redis database is flushed first: point it at a Redis of its own.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createClient } from 'redis'

const { values } = parseArgs({ options: { requests: { type: 'string', default: '20000' }, redis: { type: 'string' } } })
const requests = Number(values.requests)
const CONCURRENCY = 16

const redis = values.redis ? createClient({ url: values.redis }) : null
await redis?.connect()
await redis?.flushDb()

const server = spawn(process.execPath, [fileURLToPath(new URL('../server.js', import.meta.url))], {
  env: {
    PATH: process.env.PATH ?? '',
    PORT: '0',
    SESSION_SECRET: 'anonymous-flood',
    ...(values.redis ? { REDIS_URL: values.redis } : {}),
  },
  stdio: ['ignore', 'pipe', 'inherit'],
})
const url = await new Promise((resolve, reject) => {
  let output = ''
  server.stdout.on('data', (chunk) => {
    output = (output + chunk).slice(-2_000) // it logs every request
    const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output)
    if (match) resolve(match[1])
  })
  server.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
})

const rssMb = async () => {
  const status = await readFile(`/proc/${server.pid}/status`, 'utf8')
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)[1]) / 1024
}

async function flood(count) {
  let next = 0
  let sessionCookies = 0
  const worker = async () => {
    while (next++ < count) {
      const res = await fetch(`${url}/login`)
      await res.arrayBuffer()
      if (res.status !== 200) throw new Error(`GET /login answered ${res.status}`)
      if (res.headers.getSetCookie().some((c) => c.startsWith('sid='))) sessionCookies++
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return sessionCookies
}

await flood(1_000) // warm-up: code compiled, pools filled
const before = await rssMb()
const started = Date.now()
const sessionCookies = await flood(requests)
const after = await rssMb()
console.log(
  `${requests} anonymous GET /login (${values.redis ? 'sessions in Redis' : 'in-memory session store'}):` +
    ` RSS ${before.toFixed(1)} MB -> ${after.toFixed(1)} MB` +
    ` (${after - before >= 0 ? '+' : ''}${(after - before).toFixed(1)} MB)` +
    ` in ${((Date.now() - started) / 1000).toFixed(1)} s; session cookies set: ${sessionCookies}` +
    (redis ? `; Redis keys: ${await redis.dbSize()}` : ''),
)

server.kill('SIGTERM')
await once(server, 'exit')
await redis?.close()
