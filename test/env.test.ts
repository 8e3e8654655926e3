// quickbloxEnv(): QuickBlox settings from the environment, typed for the strategies, and a missing
// variable named (never a value) instead of a type error at the constructor.
import { describe, expect, it } from '@jest/globals'
import { QuickBloxStrategy, quickbloxEnv } from '../lib/index.js'
import { startEmulator } from 'passport-quickblox/emulator'

const complete = { QB_APP_ID: '76730', QB_AUTH_KEY: 'env-key', QB_AUTH_SECRET: 'env-secret-value' }

describe('quickbloxEnv()', () => {
  it('reads the application id as a number, the key and the secret', () => {
    expect(quickbloxEnv(complete)).toEqual({ appId: 76730, authKey: 'env-key', authSecret: 'env-secret-value' })
  })

  it('leaves apiEndpoint out unless QB_API_ENDPOINT is set, so the strategy uses QuickBlox itself', () => {
    expect('apiEndpoint' in quickbloxEnv(complete)).toBe(false)
    expect('apiEndpoint' in quickbloxEnv({ ...complete, QB_API_ENDPOINT: '' })).toBe(false)
    expect(quickbloxEnv({ ...complete, QB_API_ENDPOINT: 'http://127.0.0.1:3001' }).apiEndpoint).toBe(
      'http://127.0.0.1:3001',
    )
  })

  it('allows plain http: off this machine only with QB_ALLOW_INSECURE_HTTP=true, refusing other values', () => {
    const container = { ...complete, QB_API_ENDPOINT: 'http://quickblox-emulator:3001' }
    expect(() => new QuickBloxStrategy(quickbloxEnv(container), () => {})).toThrow(/allowInsecureHttp/)
    const allowed = quickbloxEnv({ ...container, QB_ALLOW_INSECURE_HTTP: 'true' })
    expect(allowed.allowInsecureHttp).toBe(true)
    void new QuickBloxStrategy({ ...allowed, pool: false }, () => {}).close()
    expect('allowInsecureHttp' in quickbloxEnv({ ...container, QB_ALLOW_INSECURE_HTTP: 'false' })).toBe(false)
    expect('allowInsecureHttp' in quickbloxEnv({ ...container, QB_ALLOW_INSECURE_HTTP: '' })).toBe(false)
    expect(() => quickbloxEnv({ ...container, QB_ALLOW_INSECURE_HTTP: 'yes' })).toThrow(
      new TypeError('QB_ALLOW_INSECURE_HTTP must be true or false'),
    )
  })

  it.each(['QB_APP_ID', 'QB_AUTH_KEY', 'QB_AUTH_SECRET'])('names %s when it is missing or empty', (name) => {
    expect(() => quickbloxEnv({ ...complete, [name]: undefined })).toThrow(new TypeError(`${name} is not set`))
    expect(() => quickbloxEnv({ ...complete, [name]: '' })).toThrow(new TypeError(`${name} is not set`))
  })

  it.each(['abc', '0', '-5', '1.5', '12abc', ' 7'])('refuses QB_APP_ID=%j without quoting it', (value) => {
    expect(() => quickbloxEnv({ ...complete, QB_APP_ID: value })).toThrow(
      new TypeError('QB_APP_ID must be a positive integer'),
    )
  })

  it('reads process.env by default', () => {
    const saved = { ...process.env }
    try {
      Object.assign(process.env, complete, { QB_API_ENDPOINT: 'http://127.0.0.1:9' })
      expect(quickbloxEnv()).toEqual({ ...quickbloxEnv(complete), apiEndpoint: 'http://127.0.0.1:9' })
    } finally {
      for (const name of [...Object.keys(complete), 'QB_API_ENDPOINT']) delete process.env[name]
      Object.assign(process.env, saved)
    }
  })

  it('gives options a strategy signs users in with', async () => {
    const emulator = await startEmulator()
    const { id, authKey, authSecret } = emulator.application
    const env = {
      QB_APP_ID: String(id),
      QB_AUTH_KEY: authKey,
      QB_AUTH_SECRET: authSecret,
      QB_API_ENDPOINT: emulator.url,
    }
    const strategy = new QuickBloxStrategy({ ...quickbloxEnv(env), pool: false }, async (user) => user)
    try {
      const result = await strategy.client.login({ login: 'amy', password: 'amy-demo-password' })
      expect(result.user.login).toBe('amy')
    } finally {
      await strategy.close()
      await emulator.close()
    }
  })
})
