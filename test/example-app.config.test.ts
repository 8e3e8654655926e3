// The example app's settings (example-app/config.js) and the missing-program message of its tests.
import { describe, it, expect } from '@jest/globals'
import { loadConfig } from '../example-app/config.js'
import { requireProgram } from './helpers/example-app.js'

describe('loadConfig', () => {
  it('defaults to port 3000 on 127.0.0.1, the emulator, a random session secret and no proxy', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      production: false,
      quickblox: null,
      trustProxy: false,
      sessionSecretGenerated: true,
    })
    expect(config.sessionSecret).toMatch(/^[0-9a-f]{64}$/)
    expect(loadConfig({}).sessionSecret).not.toBe(config.sessionSecret)
    expect(config.redisUrl).toBeUndefined()
    expect(config.timeouts).toEqual({ headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 })
    expect(config.shutdownGraceMs).toBe(5_000)
  })

  it('reads the timeouts and the shutdown grace period, refusing values past their bounds', () => {
    const config = loadConfig({
      HEADERS_TIMEOUT_MS: '2000',
      REQUEST_TIMEOUT_MS: '3000',
      KEEP_ALIVE_TIMEOUT_MS: '400',
      SHUTDOWN_GRACE_MS: '250',
    })
    expect(config.timeouts).toEqual({ headersMs: 2000, requestMs: 3000, keepAliveMs: 400 })
    expect(config.shutdownGraceMs).toBe(250)
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '300000' })).toThrow(
      'REQUEST_TIMEOUT_MS must be a whole number of milliseconds from 1 to 30000',
    )
    expect(() => loadConfig({ SHUTDOWN_GRACE_MS: '9000' })).toThrow(
      'SHUTDOWN_GRACE_MS must be a whole number of milliseconds from 1 to 8000',
    )
    expect(() => loadConfig({ KEEP_ALIVE_TIMEOUT_MS: 'soon' })).toThrow('KEEP_ALIVE_TIMEOUT_MS must be')
  })

  it('reads QuickBlox, session, Redis and listening settings', () => {
    const config = loadConfig({
      QB_APP_ID: '42',
      QB_AUTH_KEY: 'key',
      QB_AUTH_SECRET: 'secret',
      QB_API_ENDPOINT: 'https://api.example.test',
      SESSION_SECRET: 's3cret',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PORT: '8080',
      HOST: '0.0.0.0',
      NODE_ENV: 'production',
    })
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      production: true,
      sessionSecret: 's3cret',
      sessionSecretGenerated: false,
      redisUrl: 'redis://127.0.0.1:6379',
      quickblox: { appId: '42', authKey: 'key', authSecret: 'secret', apiEndpoint: 'https://api.example.test' },
    })
  })

  it.each([
    [undefined, false],
    ['false', false],
    ['true', true],
    ['1', 1],
    ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
  ])('reads TRUST_PROXY=%s as %o', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected)
  })

  it('refuses a PORT that is not a port number', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow('PORT must be a port number')
    expect(() => loadConfig({ PORT: '70000' })).toThrow('PORT must be a port number')
  })
})

describe('a test program that is not installed', () => {
  it('fails with the install command', () => {
    expect(() => requireProgram('no-such-program-pqb', ['/nonexistent/no-such-program-pqb'])).toThrow(
      'no-such-program-pqb is not installed, so this test cannot run. npm test installs it; with Jest alone,' +
        ' run: bash scripts/system-deps.sh',
    )
  })

  it('finds an installed program on the PATH', () => {
    expect(requireProgram('node')).toMatch(/node$/)
  })
})
