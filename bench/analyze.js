// Turning samples and the emulator's request log into the numbers the benchmark reports.

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

export const CRITICAL_PATH_METHOD = [
  "QuickBlox calls on the critical path of a login are counted from the emulator's request log.",
  'Each load worker logs in as its own demo user, one login at a time, so a `POST /login.json` whose',
  'body names that user belongs to the last login of that worker sent before the call arrived, if the',
  'call also ended before that login was answered (same wall clock, in ms: L must be a few ms at least).',
  "That call's `QB-Token` fingerprint T identifies the login's session. On the path are: every call sent with T inside the login's window",
  '(the `POST /login.json` itself, retries included), plus the `POST /session.json` that created T',
  'if it finished after the login was sent, since the login then had to wait for it. A session that',
  'already existed when the login was sent (prefetched by the pool) is off the path.',
  "Which `POST /session.json` created T is known because the emulator's process reads each created",
  "token from the reply (through Node's `http.server.request.start` diagnostics channel, no proxy),",
  'fingerprints it like the emulator does, and tags the request with an `x-bench-call` header that',
  'the emulator logs.',
].join(' ')

/**
 * Calls on the critical path of each sample (see CRITICAL_PATH_METHOD).
 * Returns `{ perLogin, mean, share1, linked, loginCallP50Ms }`; `perLogin[i]` is `null` when no
 * `POST /login.json` could be attributed to sample i. `loginCallP50Ms` is how long the emulator
 * itself took to answer those calls (arrival to end of answer, L included).
 */
export function criticalPath(samples, log) {
  const loginCalls = new Map()
  const byToken = new Map()
  const createdBy = new Map()
  for (const call of log) {
    if (call.endpoint === 'POST /login.json' && call.login !== null) {
      if (!loginCalls.has(call.login)) loginCalls.set(call.login, [])
      loginCalls.get(call.login).push(call)
    }
    if (call.token !== null) {
      if (!byToken.has(call.token)) byToken.set(call.token, [])
      byToken.get(call.token).push(call)
    }
    if (call.createdToken !== null) createdBy.set(call.createdToken, call)
  }
  const inside = (call, sample) =>
    call.startedAt >= sample.sentAt && call.startedAt + call.durationMs <= sample.answeredAt + 1

  // A worker's logins follow one another, so a `POST /login.json` naming its user belongs to the
  // last login sent before the call arrived, provided the call also ended before that login's answer.
  const own = new Map(samples.map((sample) => [sample, []]))
  const byUser = new Map()
  for (const sample of samples) byUser.set(sample.login, [...(byUser.get(sample.login) ?? []), sample])
  for (const [login, calls] of loginCalls) {
    const sent = (byUser.get(login) ?? []).toSorted((x, y) => x.sentAt - y.sentAt)
    for (const call of calls) {
      const owner = sent.findLast((sample) => sample.sentAt <= call.startedAt)
      if (owner && inside(call, owner)) own.get(owner).push(call)
    }
  }

  const perLogin = samples.map((sample) => {
    const calls = own.get(sample)
    if (calls.length === 0) return null
    const onPath = new Set(calls)
    for (const token of new Set(calls.map((call) => call.token).filter((t) => t !== null))) {
      for (const call of byToken.get(token) ?? []) if (inside(call, sample)) onPath.add(call)
      const creation = createdBy.get(token)
      if (creation && creation.startedAt + creation.durationMs > sample.sentAt) onPath.add(creation)
    }
    return onPath.size
  })
  const linked = perLogin.filter((n) => n !== null)
  const answerMs = [...own.values()]
    .flat()
    .map((call) => call.durationMs)
    .sort((x, y) => x - y)
  return {
    loginCallP50Ms: percentile(answerMs, 50),
    perLogin,
    mean: linked.length ? linked.reduce((a, b) => a + b, 0) / linked.length : null,
    share1: linked.length ? linked.filter((n) => n === 1).length / linked.length : null,
    linked: linked.length,
  }
}

/** Every QuickBlox call that arrived within [from, to]: critical path and background alike. */
export function callsBetween(log, from, to) {
  return log.filter((call) => call.startedAt >= from && call.startedAt <= to).length
}

export function latencyStats(samples) {
  const sorted = samples.map((s) => s.latencyMs).sort((a, b) => a - b)
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? null }
}
