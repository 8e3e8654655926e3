// The example app's settings (example-app/config.js) and the missing-program message of its tests.
import { describe, it, expect } from '@jest/globals'
import { loadConfig } from '../example-app/config.js'
import { requireProgram } from './helpers/example-app.js'

describe('loadConfig', () => {
  it('defaults to port 3000 on 127.0.0.1, the emulator, a random session secret and no proxy', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', production: false, quickblox: null, trustProxy: false, sessionSecretGenerated: true })
    expect(config.sessionSecret).toMatch(/^[0-9a-f]{64}$/)
    expect(loadConfig({}).sessionSecret).not.toBe(config.sessionSecret)
    expect(config.redisUrl).toBeUndefined()
  })

  it('reads QuickBlox, session, Redis and listening settings', () => {
    const config = loadConfig({
      QB_APP_ID: '42', QB_AUTH_KEY: 'key', QB_AUTH_SECRET: 'secret', QB_API_ENDPOINT: 'https://api.example.test',
      SESSION_SECRET: 's3cret', REDIS_URL: 'redis://127.0.0.1:6379', PORT: '8080', HOST: '0.0.0.0', NODE_ENV: 'production',
    })
    expect(config).toMatchObject({
      port: 8080, host: '0.0.0.0', production: true, sessionSecret: 's3cret', sessionSecretGenerated: false, redisUrl: 'redis://127.0.0.1:6379',
      quickblox: { appId: '42', authKey: 'key', authSecret: 'secret', apiEndpoint: 'https://api.example.test' },
    })
  })

  it.each([
    [undefined, false], ['false', false], ['true', true], ['1', 1], ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
  ])('reads TRUST_PROXY=%s as %o', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected)
  })

  it('refuses a PORT that is not a port number', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow('PORT must be a port number')
    expect(() => loadConfig({ PORT: '70000' })).toThrow('PORT must be a port number')
  })
})

describe('a test program that is not installed', () => {
  it('fails with the install command (and says CI must run it, in CI)', () => {
    const ci = process.env.CI
    try {
      delete process.env.CI
      expect(() => requireProgram('no-such-program-pqb', ['/nonexistent/no-such-program-pqb']))
        .toThrow('no-such-program-pqb is not installed, so this test cannot run. Install it with: sudo bash .ci/system-deps.sh')
      process.env.CI = 'true'
      expect(() => requireProgram('no-such-program-pqb', [])).toThrow('CI must run that script before npm test')
    } finally {
      if (ci === undefined) delete process.env.CI
      else process.env.CI = ci
    }
  })

  it('finds an installed program on the PATH', () => {
    expect(requireProgram('node')).toMatch(/node$/)
  })
})
