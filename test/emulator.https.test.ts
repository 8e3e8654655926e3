import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { X509Certificate } from 'node:crypto'
import { connect } from 'node:tls'
import { generate } from 'selfsigned'
import { startEmulator, type Emulator } from 'passport-quickblox/emulator'
import { call, callTls, sessionParams } from './helpers/emulator.js'

describe('emulator over HTTPS', () => {
  let qb: Emulator
  beforeAll(async () => {
    qb = await startEmulator({ tls: true })
  })
  afterAll(() => qb.close())

  const newSession = (options: { ca?: string; servername?: string } = {}) =>
    callTls(`${qb.url}/session.json`, 'POST', { body: sessionParams(qb.application), ...options })

  it('serves https:// with a certificate it made, which a client that trusts it accepts', async () => {
    expect(qb.url).toBe(`https://127.0.0.1:${qb.port}`)
    const answer = await newSession({ ca: qb.certificate! })
    expect(answer.status).toBe(201)
    expect(answer.json.session.token).toMatch(/^[0-9a-f]{40}$/)
  })

  it('is refused by a client that was not given the certificate', async () => {
    await expect(newSession()).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })
  })

  it('names localhost, 127.0.0.1 and ::1 in its certificate, so each is accepted as the server name', async () => {
    const cert = new X509Certificate(qb.certificate!)
    expect(cert.subjectAltName?.split(', ').sort()).toEqual(
      ['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1'].sort(),
    )
    expect((await newSession({ ca: qb.certificate!, servername: 'localhost' })).status).toBe(201)
    await expect(newSession({ ca: qb.certificate!, servername: 'api.quickblox.com' })).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    })
  })

  it('makes a certificate valid now, for a server only, that is not a CA', () => {
    const cert = new X509Certificate(qb.certificate!)
    expect(Date.parse(cert.validFrom)).toBeLessThan(Date.now())
    expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.now() + 29 * 24 * 60 * 60 * 1000)
    expect(cert.ca).toBe(false)
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1'])
    expect(cert.issuer).toBe(cert.subject)
    expect(cert.verify(cert.publicKey)).toBe(true)
  })

  it('shows the certificate only, never its private key', () => {
    expect(qb.certificate).toMatch(/^-----BEGIN CERTIFICATE-----/)
    expect(JSON.stringify(qb)).not.toContain('PRIVATE KEY')
  })

  it('makes a new key pair at each start', async () => {
    const other = await startEmulator({ tls: true })
    try {
      expect(new X509Certificate(other.certificate!).fingerprint256).not.toBe(
        new X509Certificate(qb.certificate!).fingerprint256,
      )
    } finally {
      await other.close()
    }
  })
})

describe('emulator over HTTPS with a given certificate', () => {
  it('serves the key and certificate given, and shows that certificate', async () => {
    const pems = await generate([{ name: 'commonName', value: 'given' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    })
    const qb = await startEmulator({ tls: { key: Buffer.from(pems.private), cert: pems.cert } })
    try {
      expect(qb.certificate).toBe(pems.cert)
      const served = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: qb.port, ca: pems.cert }, () => {
          resolve(socket.getPeerX509Certificate()!.fingerprint256)
          socket.end()
        })
        socket.on('error', reject)
      })
      expect(served).toBe(new X509Certificate(pems.cert).fingerprint256)
      const answer = await callTls(`${qb.url}/session.json`, 'POST', {
        body: sessionParams(qb.application),
        ca: pems.cert,
      })
      expect(answer.status).toBe(201)
    } finally {
      await qb.close()
    }
  })

  it.each([
    ['a key that is not PEM', { key: 'not a key', cert: '-----BEGIN CERTIFICATE-----' }, /tls\.key/],
    ['a certificate that is not PEM', { key: '-----BEGIN PRIVATE KEY-----', cert: 'not a certificate' }, /tls\.cert/],
  ])('refuses %s', async (_name, tls, message) => {
    await expect(startEmulator({ tls })).rejects.toThrow(message)
  })

  it.each([
    ['not asked for TLS', {}],
    ['given tls: false', { tls: false }],
  ])('serves plain HTTP, with no certificate, when %s', async (_name, options) => {
    const qb = await startEmulator(options)
    try {
      expect(qb.url).toBe(`http://127.0.0.1:${qb.port}`)
      expect(qb.certificate).toBeUndefined()
      expect((await call(`${qb.url}/session.json`, 'POST', { body: sessionParams(qb.application) })).status).toBe(201)
    } finally {
      await qb.close()
    }
  })

  it('refuses a tls option that is neither a switch nor a key and certificate', async () => {
    await expect(startEmulator({ tls: 'yes' as unknown as true })).rejects.toThrow(/tls must be/)
  })
})
