// `npm start` (server.js) as a user runs it, and the HTTP server's timeouts (http.js).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { connect } from 'node:net'
import { describe, it } from 'node:test'
import { DEFAULT_TIMEOUTS, listen } from '../http.js'

const SERVER = new URL('../server.js', import.meta.url).pathname

/** Runs server.js; resolves with the first output line matching `pattern`, or rejects when it exits first. */
function start(env) {
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, QUICKBLOX_API_KEY: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk) => (output += chunk))
  const exited = once(child, 'exit').then(([code]) => ({ code, output }))
  const waitFor = (pattern) =>
    new Promise((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = pattern.exec(output)
        if (match) resolve(match)
      })
      void exited.then(() => reject(new Error(`exited first: ${output}`)))
    })
  return { child, exited, waitFor }
}

describe('npm start', () => {
  it('runs on the emulator with no QuickBlox account: a demo user signs in and gets a chat token', async () => {
    const server = start({ PORT: '0' })
    try {
      const [, url] = await server.waitFor(/Own-users example on (http:\S+)/)
      const login = await fetch(`${url}/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'bob', password: 'bob-demo-password' }),
      })
      assert.equal(login.status, 200)
      const res = await fetch(`${url}/api/quickblox/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: login.headers.getSetCookie()[0].split(';')[0] },
        body: '{}',
      })
      assert.equal(res.status, 200)
      assert.match((await res.json()).token, /^[0-9a-f]{40}$/)
    } finally {
      server.child.kill('SIGTERM')
    }
    assert.equal((await server.exited).code, 0) // SIGTERM: the server closes and the process ends by itself
  })

  it('a taken port: one line saying so and exit code 1, no stack trace', async () => {
    const taken = createServer()
    taken.listen(0, '127.0.0.1')
    await once(taken, 'listening')
    try {
      const { code, output } = await start({ PORT: String(taken.address().port) }).exited
      assert.equal(code, 1)
      assert.match(
        output,
        new RegExp(`Cannot listen: port ${taken.address().port} is in use\\. Set PORT to another one`),
      )
      assert.doesNotMatch(output, /Error| {4}at /)
    } finally {
      taken.close()
    }
  })
})

describe('server timeouts', () => {
  it('defaults to those of the main example: headers 10 s, whole request 30 s, idle keep-alive 5 s', () => {
    assert.deepEqual(DEFAULT_TIMEOUTS, { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 })
  })

  /** What a server with 0.5 s for headers and 1 s per request answers to `sent`, and then never more. */
  async function answerTo(sent) {
    const timeouts = { headersMs: 500, requestMs: 1000 }
    const server = await listen((req, res) => req.resume().on('end', () => res.end('read')), {
      port: 0,
      host: '127.0.0.1',
      timeouts,
    })
    try {
      const socket = connect(server.address().port, '127.0.0.1')
      socket.write(sent)
      let answer = ''
      socket.on('data', (chunk) => (answer += chunk))
      await once(socket, 'close') // the server ends the connection: nothing in the test does
      return answer
    } finally {
      server.close()
    }
  }

  it('cuts a client that sends its body too slowly with a 408', async () => {
    const stalled = 'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{'
    assert.match(await answerTo(stalled), /^HTTP\/1\.1 408 /)
  })

  it('cuts a client whose headers never end with a 408', async () => {
    assert.match(await answerTo('GET /me HTTP/1.1\r\nHost: x\r\n'), /^HTTP\/1\.1 408 /)
  })
})
