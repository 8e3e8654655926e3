// scripts/system-deps.sh, which `npm test` runs first (`pretest`): silent when redis-server and
// chromium are there; otherwise installs them, or, when it cannot, stops with one line saying
// what to run. The "cannot" case runs the script as an unprivileged user with a PATH that has
// no redis-server and no sudo, so it never installs anything here.
import { execFileSync, spawnSync } from 'node:child_process'
import { chmod, copyFile, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, expect, afterAll } from '@jest/globals'
import { requireProgram } from './helpers/example-app.js'

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

/** A directory holding a copy of the script and a bin/ with only the given programs (and a fake apt-get). */
async function sandbox(programs: string[], aptGet: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'pqb-system-deps-'))
  dirs.push(dir)
  await chmod(dir, 0o755)
  const bin = join(dir, 'bin')
  execFileSync('mkdir', ['-m', '755', bin])
  for (const program of programs) await symlink(requireProgram(program), join(bin, program))
  if (aptGet) {
    await writeFile(join(bin, 'apt-get'), '#!/bin/sh\necho "apt-get must not run in this test" >&2\nexit 99\n')
    await chmod(join(bin, 'apt-get'), 0o755)
  }
  await copyFile('scripts/system-deps.sh', join(dir, 'system-deps.sh'))
  await chmod(join(dir, 'system-deps.sh'), 0o755)
  return { script: join(dir, 'system-deps.sh'), path: bin }
}

/** Runs as `nobody` when the tests run as root, so that the script cannot install. */
function runUnprivileged(script: string, path: string) {
  const asRoot = process.getuid?.() === 0
  const [command, ...args] = asRoot
    ? [requireProgram('setpriv'), '--reuid=65534', '--regid=65534', '--clear-groups', '/bin/bash', script]
    : ['/bin/bash', script]
  return spawnSync(command, args, { env: { PATH: path }, encoding: 'utf8', timeout: 10_000 })
}

describe('scripts/system-deps.sh', () => {
  it('prints nothing and exits 0 when redis-server and chromium are installed', () => {
    const result = spawnSync('bash', ['scripts/system-deps.sh'], { encoding: 'utf8', timeout: 10_000 })
    expect(result.status).toBe(0)
    expect(result.stdout + result.stderr).toBe('')
  })

  it('without root or sudo, stops (exit 1) with one line saying what to run', async () => {
    const { script, path } = await sandbox(['id'], true)
    const result = runUnprivileged(script, path)
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      'system-deps: the tests need redis-server; run: sudo sh -c' +
        " 'apt-get update && apt-get install -y --no-install-recommends redis-server' (then npm test again)\n",
    )
  })

  it('with a password-less sudo, installs the missing program (sudo -n apt-get), saying so in one line', async () => {
    const { script, path } = await sandbox(['id', 'cat', 'mktemp', 'rm', 'true', 'env'], false)
    const calls = join(path, '..', 'calls')
    await writeFile(calls, '')
    await chmod(calls, 0o666)
    await writeFile(
      join(path, 'apt-get'),
      [
        '#!/bin/sh',
        `echo "apt-get $*" >> ${calls}`,
        '[ "$1" = update ] || [ "$DEBIAN_FRONTEND" = noninteractive ] || exit 3',
        'echo "apt-get\'s own output"',
        '',
      ].join('\n'),
    )
    await writeFile(
      join(path, 'sudo'),
      ['#!/bin/sh', '[ "$1" = -n ] || exit 1', 'shift', `echo "sudo -n $1" >> ${calls}`, 'exec "$@"', ''].join('\n'),
    )
    for (const program of ['apt-get', 'sudo']) await chmod(join(path, program), 0o755)
    const result = runUnprivileged(script, path)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toBe('system-deps: installing redis-server (apt-get)\n')
    expect(await readFile(calls, 'utf8')).toBe(
      [
        'sudo -n true',
        'sudo -n apt-get',
        'apt-get update -qq',
        'sudo -n env',
        'apt-get install -y -qq --no-install-recommends redis-server',
        '',
      ].join('\n'),
    )
  })

  it('without apt-get, stops (exit 1) with one line naming the programs', async () => {
    const { script, path } = await sandbox(['id'], false)
    const result = runUnprivileged(script, path)
    expect(result.status).toBe(1)
    expect(result.stderr).toBe(
      'system-deps: the tests need redis-server; install them with your package manager,' +
        ' then run npm test again\n',
    )
  })
})
