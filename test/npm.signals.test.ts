// SIGTERM to the npm process stops what it started: `npm start` (the example app) and
// `npx quickblox-emulator`. npm passes SIGTERM on to its own child only, so `npm start` must make
// node that child (`exec`, with the build in `prestart`), and the emulator's CLI, which npx starts
// through `sh -c`, must stop when that shell dies of the signal.
import { afterEach, describe, expect, it } from '@jest/globals'
import { childExecutables, killLeftovers, portCloses, serve } from './helpers/child.js'

const root = process.cwd()
// The children must not inherit Jest's --experimental-vm-modules.
const env = { ...process.env, NODE_OPTIONS: '', PORT: '0' }

afterEach(killLeftovers)

describe('SIGTERM to npm', () => {
  it('stops `npm start`: node is npm own child, exits 0 within the grace, and the port closes', async () => {
    // --ignore-scripts skips `prestart`: dist/ is built once per test run (test/global-setup.js),
    // and a second build here could rewrite files another test's child is importing.
    const npm = await serve('npm', ['start', '--ignore-scripts'], {
      cwd: root,
      env,
      listening: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    })
    expect(await childExecutables(npm.child.pid!)).toEqual(['node'])
    expect((await fetch(`${npm.url}/login`)).status).toBe(200)
    const started = Date.now()
    npm.child.kill('SIGTERM')
    expect(await npm.exit).toBe(0)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(npm.output()).toContain('SIGTERM: shutting down')
    expect(await portCloses(npm.url)).toBe(true)
  }, 60_000)

  it('stops `npx quickblox-emulator`, and its port closes', async () => {
    const npx = await serve('npx', ['quickblox-emulator', '--port', '0'], {
      cwd: root,
      env,
      listening: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    })
    expect((await fetch(`${npx.url}/session.json`, { method: 'POST' })).status).toBeGreaterThanOrEqual(400)
    npx.child.kill('SIGTERM')
    await npx.exit
    expect(await portCloses(npx.url)).toBe(true)
  }, 60_000)
})
