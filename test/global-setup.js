// Builds dist/ once, before any test file runs. Several test files start child processes that
// import the package by name, which Node resolves to dist/ (the packed package, the example app,
// the benchmark, the load test). Were each to build it, Jest's parallel workers would write the
// same files at once and a child could import a half-written one. Plain JavaScript: Jest loads
// this file with Node's own import, not through the TypeScript transform.
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'

export default function buildDist() {
  const root = resolve(import.meta.dirname, '..')
  try {
    // `npm run build`'s script, on the Node that runs Jest; without --experimental-vm-modules.
    execFileSync(process.execPath, [resolve(root, 'scripts/build.js')], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: 'pipe',
      timeout: 120_000,
    })
  } catch (err) {
    // tsc prints its diagnostics on stdout; show them, and stop the run before any test starts.
    const output = [err.stdout, err.stderr].filter(Boolean).map(String).join('\n').trim()
    throw new Error(`Building dist/ (tsc -p tsconfig.build.json) failed; no test was run.\n${output || err.message}`, {
      cause: err,
    })
  }
}
