import { isIP } from 'node:net'
import type { EmulatorTls } from './types.js'

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * The key and certificate the emulator serves HTTPS with: the ones given, or a self-signed pair
 * made now for `localhost`, `127.0.0.1`, `::1` and the host it listens on. Node has no X.509
 * generator of its own, so `selfsigned` (built on `@peculiar/x509` and Node's WebCrypto) makes
 * it, loaded only here: an emulator on plain HTTP never loads it. An EC P-256 key signed with
 * SHA-256 takes milliseconds to make, where RSA takes a noticeable moment. The certificate is
 * valid from a day ago (a clock a little behind still accepts it) for 30 days, on the real
 * clock: TLS clients check it against theirs, not against the emulator's.
 */
export async function certificateFor(tls: true | EmulatorTls, host: string): Promise<{ key: string; cert: string }> {
  if (tls !== true) {
    if (typeof tls !== 'object' || tls === null) throw new TypeError('tls must be true, false or { key, cert }')
    const pem = (value: string | Uint8Array): string =>
      typeof value === 'string' ? value : new TextDecoder().decode(value)
    const key = pem(tls.key)
    const cert = pem(tls.cert)
    // Node's own error for a malformed one would come later and name neither.
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) throw new TypeError('tls.key must be a private key in PEM')
    if (!cert.includes('-----BEGIN CERTIFICATE-----')) throw new TypeError('tls.cert must be a certificate in PEM')
    return { key, cert }
  }
  const { generate } = await import('selfsigned')
  const names = new Set(['localhost', '127.0.0.1', '::1'])
  // A wildcard address is no name a client connects to; any other host is.
  if (host !== '' && host !== '0.0.0.0' && host !== '::') names.add(host)
  const now = Date.now()
  const pems = await generate([{ name: 'commonName', value: 'QuickBlox emulator' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - DAY_MS),
    notAfterDate: new Date(now + 30 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...names].map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name })),
      },
    ],
  })
  return { key: pems.private, cert: pems.cert }
}
