// The body parsers, which refuse a field named like an Object.prototype member at any depth
// (`login[toString]=x`, `{"login":{"__proto__":{}}}`): 400, before any route sees the body. Such
// an object is a trap for code that later turns it into text (`String(value)` throws when its
// `toString` is not a function), looks something up on it, or awaits it (`then`). No field of
// this app is named so, so refusing them costs a legitimate client nothing.
import express from 'express'

export const BODY_LIMIT = '32kb'
const PROTOTYPE_NAMES = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'then',
])

const refused = () =>
  Object.assign(new Error('A field name is not accepted'), { status: 400, expose: true, type: 'body.field_name' })

/** `application/json` (UTF-8, no Content-Encoding): each key is checked as JSON.parse meets it. */
export const json = () =>
  express.json({
    limit: BODY_LIMIT,
    inflate: false,
    reviver(key, value) {
      if (PROTOTYPE_NAMES.has(key)) throw refused()
      return value
    },
  })

/**
 * `application/x-www-form-urlencoded`, brackets making nested fields (`keys[token]`). The names are
 * checked in the raw body, since the parser silently drops a `__proto__` segment.
 */
export const form = () =>
  express.urlencoded({
    extended: true,
    limit: BODY_LIMIT,
    inflate: false,
    verify(_req, _res, raw) {
      for (const name of new URLSearchParams(raw.toString('latin1')).keys()) {
        if (name.split(/[[\]]/).some((segment) => PROTOTYPE_NAMES.has(segment))) throw refused()
      }
    },
  })
