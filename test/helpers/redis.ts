// A real redis-server for one test file, on a free port of 127.0.0.1, in a temporary directory.
// Fails (never skips) when redis-server is not installed. A test may pause it (SIGSTOP: connections
// stay open, nothing answers), kill it (SIGKILL) and start it again on the same port.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RedisClientType } from 'redis'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { connectRedis } from '../../example-app/redis.js'
import { freePort, requireProgram, startExample, type AppOptions, type ExampleApp } from './example-app.js'

export interface RedisServer {
  url: string
  /** SIGSTOP: Redis hangs, its connections open. */
  pause(): void
  /** SIGCONT after pause(). */
  resume(): void
  /** SIGKILL, resolved once it is gone. */
  kill(): Promise<void>
  /** Starts it again on the same port (empty) after kill(). */
  restart(): Promise<void>
  close(): Promise<void>
}

export async function startRedis(): Promise<RedisServer> {
  const program = requireProgram('redis-server')
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), 'pqb-redis-'))
  let redis = await spawnRedis(program, port, dir)
  return {
    url: `redis://127.0.0.1:${port}`,
    pause: () => redis.kill('SIGSTOP'),
    resume: () => redis.kill('SIGCONT'),
    async kill() {
      redis.kill('SIGKILL')
      await once(redis, 'exit')
    },
    async restart() {
      redis = await spawnRedis(program, port, dir)
    },
    async close() {
      if (redis.exitCode === null && redis.signalCode === null) {
        redis.kill('SIGCONT')
        redis.kill('SIGTERM')
        await once(redis, 'exit')
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}

async function spawnRedis(program: string, port: number, dir: string): Promise<ChildProcess> {
  const redis: ChildProcess = spawn(
    program,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  await new Promise<void>((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000)
    redis.stdout!.on('data', (chunk: Buffer) => {
      output += chunk
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    })
    redis.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited (${code}):\n${output}`))
    })
  })
  return redis
}

export interface InstancesOnRedis {
  redis: RedisServer
  emulator: Emulator
  /** One node-redis client per instance. */
  clients: RedisClientType[]
  apps: ExampleApp[]
  close(): Promise<void>
}

/** A redis-server, an emulator, and two example-app instances keeping their sessions and counters in that Redis. */
export async function instancesOnRedis(app: AppOptions = {}): Promise<InstancesOnRedis> {
  const redis = await startRedis()
  const emulator = await startEmulator()
  const clients: RedisClientType[] = []
  const apps: ExampleApp[] = []
  for (let i = 0; i < 2; i++) {
    const client = await connectRedis(redis.url, () => {})
    clients.push(client)
    apps.push(await startExample({ emulator, app: { redis: client, sessionStore: undefined, ...app } }))
  }
  return {
    redis,
    emulator,
    clients,
    apps,
    async close() {
      for (const instance of apps) await instance.close()
      for (const client of clients) await client.close()
      await emulator.close()
      await redis.close()
    },
  }
}
