// The error classes as the package exports them: a stable code, the status an app should answer
// with, a default message where one makes sense, and JSON of those public fields only.
import { describe, expect, it } from '@jest/globals'
import * as library from '../lib/index.js'

describe('error classes', () => {
  it.each<[string, () => Error, { code: string; status: number; message: string }]>([
    [
      'QuickBloxCredentialsError',
      () => new library.QuickBloxCredentialsError(),
      { code: 'QB_INVALID_CREDENTIALS', status: 401, message: 'QuickBlox rejected the credentials' },
    ],
    [
      'QuickBloxConfigurationError',
      () => new library.QuickBloxConfigurationError('wrong key'),
      { code: 'QB_CONFIGURATION', status: 500, message: 'wrong key' },
    ],
    [
      'QuickBloxRateLimitError',
      () => new library.QuickBloxRateLimitError(30),
      { code: 'QB_RATE_LIMITED', status: 429, message: 'QuickBlox rate limit exceeded' },
    ],
    [
      'QuickBloxUnavailableError',
      () => new library.QuickBloxUnavailableError(),
      { code: 'QB_UNAVAILABLE', status: 503, message: 'QuickBlox is unavailable' },
    ],
    [
      'QuickBloxTimeoutError',
      () => new library.QuickBloxTimeoutError(2500),
      { code: 'QB_TIMEOUT', status: 504, message: 'QuickBlox did not answer within 2500 ms' },
    ],
    [
      'QuickBloxResponseError',
      () => new library.QuickBloxResponseError(),
      { code: 'QB_BAD_RESPONSE', status: 502, message: 'QuickBlox sent a reply that could not be read' },
    ],
  ])('%s is a QuickBloxError whose JSON is its public fields', (name, make, fields) => {
    const error = make() // made inside the test, where a mutation testing run sees it
    expect(error).toBeInstanceOf(library.QuickBloxError)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ name, ...fields })
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name, ...fields })
  })

  it("keeps a rate limit error's retryAfter", () => {
    expect(new library.QuickBloxRateLimitError(30).retryAfter).toBe(30)
    expect(new library.QuickBloxRateLimitError(undefined).retryAfter).toBeUndefined()
  })
})
