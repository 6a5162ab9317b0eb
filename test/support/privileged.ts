import {spawnSync} from 'node:child_process'

import {isCI} from '../e2e/harness/availability.js'
import {type CliResult, spawnCli, type RunOptions} from './cli.js'

/**
 * Command tests that need root: a run as another user (setpriv), and a tiny tmpfs or a read-only
 * bind mount inside the test's own temporary tree. Mounts are made in a private mount namespace
 * (unshare) that ends with the run, so nothing outlives a test, not even a killed one. The policy
 * is the e2e suite's: in CI a missing piece fails the file; elsewhere a loud banner says the tests
 * are skipped, so a skip never looks like a pass.
 */
export function privilegedGate(): {ok: boolean; reason: string} {
  const problems: string[] = []
  if (process.geteuid?.() !== 0) problems.push('not running as root')
  else if (spawnSync('unshare', ['--mount', '--propagation', 'private', 'true']).status !== 0) problems.push('unshare --mount does not work here')
  if (spawnSync('setpriv', ['--version']).status !== 0) problems.push('setpriv not found (util-linux)')
  if (problems.length === 0) return {ok: true, reason: ''}
  const reason = problems.join('; ')
  if (isCI()) throw new Error(`PRIVILEGED COMMAND TESTS REQUIRED IN CI BUT CANNOT RUN: ${reason}`)
  const line = '#'.repeat(78)
  process.stderr.write(`\n${line}\n##  PRIVILEGED COMMAND TESTS NOT RUN: ${reason}\n##  (tests are reported as skipped; with CI set this is a failure)\n${line}\n\n`)
  return {ok: false, reason}
}

/** `nobody` (65534), without root's supplementary groups. */
export function runCliAsNobody(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return spawnCli(args, {...options, env: {HOME: '/nonexistent', ...options.env}, wrapper: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']})
}

/**
 * Runs the CLI in a private mount namespace: `setup` (sh, `set -e`) mounts what the test needs,
 * then the CLI runs, then `after` (sh) shows the state the test asserts on; it must be looked at
 * from inside, because a tmpfs goes away with the namespace. Its output is `after` in the result.
 */
export async function runCliWithMounts(args: readonly string[], setup: string, after: string, options: RunOptions = {}): Promise<CliResult & {after: string}> {
  const marker = '--- after ---'
  const script = `set -e\n${setup}\nset +e\n"$@"\ncode=$?\necho '${marker}'\n${after}\nexit $code`
  const result = await spawnCli(args, {...options, wrapper: ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'sh']})
  const at = result.stdout.lastIndexOf(`${marker}\n`)
  if (at < 0) throw new Error(`the mount setup failed:\n${result.stdout}\n${result.stderr}`)
  const stdout = result.stdout.slice(0, at)
  return {...result, stdout, json: <T>() => JSON.parse(stdout) as T, after: result.stdout.slice(at + marker.length + 1)}
}
