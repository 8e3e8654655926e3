// Builds dist/ with TypeScript 7 (`npm run build`, and the test suite's global setup), then marks
// the emulator's CLI executable: `npx quickblox-emulator` runs it as a program, and npm only sets
// that bit for files that exist when it links the bin, which a fresh clone's dist/ does not yet.
import { execFileSync } from 'node:child_process'
import { chmodSync } from 'node:fs'
import { resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
// The child must not inherit --experimental-vm-modules from a Jest run.
execFileSync(process.execPath, [resolve(root, 'node_modules/typescript7/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  env: { ...process.env, NODE_OPTIONS: '' },
  stdio: 'inherit',
  timeout: 120_000,
})
chmodSync(resolve(root, 'dist/emulator/cli.js'), 0o755)
