/** The QuickBlox settings that {@link quickbloxEnv} reads, as the strategies take them. */
export interface QuickBloxEnvOptions {
  appId: number
  authKey: string
  authSecret: string
  /** Only when `QB_API_ENDPOINT` is set: otherwise the strategies use QuickBlox's own host. */
  apiEndpoint?: string
  /**
   * Only when `QB_ALLOW_INSECURE_HTTP=true`: a plain `http:` endpoint off this machine (an
   * emulator elsewhere).
   */
  allowInsecureHttp?: true
}

/**
 * Reads `QB_APP_ID`, `QB_AUTH_KEY`, `QB_AUTH_SECRET` and the optional `QB_API_ENDPOINT` and
 * `QB_ALLOW_INSECURE_HTTP` (`true` or `false`) from `env` (`process.env` by default). A variable
 * that is missing or empty, or an application id that is not a positive integer, throws a
 * `TypeError` naming the variable (never its value).
 *
 * @example new QuickBloxStrategy(quickbloxEnv(), verify)
 */
export function quickbloxEnv(env: Readonly<Record<string, string | undefined>> = process.env): QuickBloxEnvOptions {
  const read = (name: string): string => {
    const value = env[name]
    if (value === undefined || value === '') throw new TypeError(`${name} is not set`)
    return value
  }
  const appId = read('QB_APP_ID')
  if (!/^[1-9]\d{0,14}$/.test(appId)) throw new TypeError('QB_APP_ID must be a positive integer')
  const options: QuickBloxEnvOptions = {
    appId: Number(appId),
    authKey: read('QB_AUTH_KEY'),
    authSecret: read('QB_AUTH_SECRET'),
  }
  const apiEndpoint = env.QB_API_ENDPOINT
  if (apiEndpoint !== undefined && apiEndpoint !== '') options.apiEndpoint = apiEndpoint
  const insecure = env.QB_ALLOW_INSECURE_HTTP
  if (insecure !== undefined && insecure !== '' && insecure !== 'true' && insecure !== 'false') {
    throw new TypeError('QB_ALLOW_INSECURE_HTTP must be true or false')
  }
  if (insecure === 'true') options.allowInsecureHttp = true
  return options
}
