// The error classes as the package exports them: a stable code, the status an app should answer
// with, a default message where one makes sense, and JSON of those public fields only.
import { describe, expect, it } from '@jest/globals'
import {
  QuickBloxConfigurationError,
  QuickBloxCredentialsError,
  QuickBloxError,
  QuickBloxRateLimitError,
  QuickBloxResponseError,
  QuickBloxTimeoutError,
  QuickBloxUnavailableError,
} from '../lib/index.js'

describe('error classes', () => {
  it.each<[string, QuickBloxError, object]>([
    [
      'credentials',
      new QuickBloxCredentialsError(),
      {
        name: 'QuickBloxCredentialsError',
        code: 'QB_INVALID_CREDENTIALS',
        status: 401,
        message: 'QuickBlox rejected the credentials',
      },
    ],
    [
      'configuration',
      new QuickBloxConfigurationError('wrong key'),
      { name: 'QuickBloxConfigurationError', code: 'QB_CONFIGURATION', status: 500, message: 'wrong key' },
    ],
    [
      'rate limit',
      new QuickBloxRateLimitError(30),
      {
        name: 'QuickBloxRateLimitError',
        code: 'QB_RATE_LIMITED',
        status: 429,
        message: 'QuickBlox rate limit exceeded',
      },
    ],
    [
      'unavailable',
      new QuickBloxUnavailableError(),
      { name: 'QuickBloxUnavailableError', code: 'QB_UNAVAILABLE', status: 503, message: 'QuickBlox is unavailable' },
    ],
    [
      'timeout',
      new QuickBloxTimeoutError(2500),
      {
        name: 'QuickBloxTimeoutError',
        code: 'QB_TIMEOUT',
        status: 504,
        message: 'QuickBlox did not answer within 2500 ms',
      },
    ],
    [
      'response',
      new QuickBloxResponseError(),
      {
        name: 'QuickBloxResponseError',
        code: 'QB_BAD_RESPONSE',
        status: 502,
        message: 'QuickBlox sent a reply that could not be read',
      },
    ],
  ])('%s: a QuickBloxError whose JSON is its public fields', (_name, error, fields) => {
    expect(error).toBeInstanceOf(QuickBloxError)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject(fields)
    expect(JSON.parse(JSON.stringify(error))).toEqual(fields)
  })

  it("keeps a rate limit error's retryAfter", () => {
    expect(new QuickBloxRateLimitError(30).retryAfter).toBe(30)
    expect(new QuickBloxRateLimitError(undefined).retryAfter).toBeUndefined()
  })
})
