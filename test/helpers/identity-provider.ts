// What the identity-provider tests share: the app's endpoint options, with tokens on a clock the
// test moves and `verify` through a mock the test may change, and an Express app serving it.
import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { jest } from '@jest/globals'
import express from 'express'
import {
  QuickBloxIdentityTokens,
  quickbloxIdentityProvider,
  type IdentityProviderVerify,
  type QuickBloxIdentityProviderOptions,
} from 'passport-quickblox'
import type { FrameworkApp } from './frameworks.js'

export const IDP_SECRET = 'idp-secret-0123456789abcdef0123456789abcdef'

export interface IdentityProviderSetup {
  tokens: QuickBloxIdentityTokens
  /** The endpoint's options: `verify` calls the current mock. */
  options: QuickBloxIdentityProviderOptions
  /** The app's function: checks the token and answers `{ uid, fullName: 'User <id>' }`, until a test changes it. */
  verify: jest.Mock<IdentityProviderVerify>
  /** Moves the tokens' clock forward. */
  advance(ms: number): void
  /** A fresh `verify` mock (after each test). */
  reset(): void
}

/** The endpoint's options with `timeout` ms for `verify`. */
export function identityProviderSetup(timeout = 300): IdentityProviderSetup {
  let now = Date.now()
  const tokens = new QuickBloxIdentityTokens({ key: 'token-key-0123456789abcdef0123456789abcdef', now: () => now })
  const checkToken: IdentityProviderVerify = (userId, token) =>
    tokens.verify(userId, token) ? { uid: userId, fullName: `User ${userId}` } : undefined
  const setup: IdentityProviderSetup = {
    tokens,
    options: { secret: IDP_SECRET, timeout, verify: (...args) => setup.verify(...args) },
    verify: jest.fn(checkToken),
    advance: (ms) => void (now += ms),
    reset: () => void (setup.verify = jest.fn(checkToken)),
  }
  return setup
}

/** A listening `node:http` server (an Express or Koa app's) as a test app, on 127.0.0.1. */
export async function serving(server: Server): Promise<FrameworkApp> {
  if (!server.listening) await once(server, 'listening')
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** An Express app with the endpoint at `/quickblox/identity`. */
export function startExpressProvider(options: QuickBloxIdentityProviderOptions): Promise<FrameworkApp> {
  const app = express()
  app.all('/quickblox/identity', quickbloxIdentityProvider(options))
  return serving(app.listen(0, '127.0.0.1'))
}
