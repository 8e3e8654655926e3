// Kept in the emitted declaration (`preserve`): since TypeScript 6 a project's `types` no longer
// pulls in @types/node by itself, and `node:http` below needs it.
/// <reference types="node" preserve="true" />
import type { IncomingHttpHeaders } from 'node:http'
import passportStrategy from 'passport-strategy'

/**
 * What the strategy reads from a request. Express's, Fastify's (through `@fastify/passport`),
 * Koa's (through `koa-passport`) and NestJS's requests all have it.
 */
export interface StrategyRequest {
  headers: IncomingHttpHeaders
  body?: unknown
  query?: unknown
}

// Typed here as a bare class, so the declaration below names no type of passport-strategy's.
const PassportStrategy: abstract new () => object = passportStrategy

/**
 * Passport's strategy contract. Passport, `@fastify/passport` and `koa-passport` call
 * `authenticate(req, options)` on `Object.create(strategy)` after attaching these actions, and the
 * strategy calls exactly one of them. The class extends `passport-strategy`'s (what
 * `passport.Strategy` is), so `strategy instanceof passport.Strategy` holds; its type is declared
 * here, so the published types compile
 * without Passport's or Express's type packages.
 */
export abstract class Strategy<Req extends StrategyRequest = StrategyRequest> extends PassportStrategy {
  abstract name: string
  abstract authenticate(req: Req, options?: object): void
  /** Sign in `user`; `info` reaches `req.authInfo` and the custom callback. */
  declare success: (user: unknown, info?: unknown) => void
  /** Refuse the request, with a challenge (`{ message }`) and the HTTP status to answer with. */
  declare fail: (challenge?: unknown, status?: number) => void
  declare redirect: (url: string, status?: number) => void
  declare pass: () => void
  /** Something went wrong that is not the user's doing. */
  declare error: (err: unknown) => void
}
