/**
 * dockcfg stopped at a named point of its work (DOCKCFG_TEST_PAUSE_AT, src/system/checkpoint.ts),
 * so a test can kill it there or change the host under it before it goes on.
 */
import {waitFor} from './docker-probes.js'
import {GUEST_CLI, type TestHost} from './testbed.js'
import {checkJsonOutput} from '../../support/contract.js'

export interface Paused {
  pid: number
  args: readonly string[]
  /** Where its stderr and its stdout go. */
  out: string
  stdout: string
  rc: string
}

/**
 * Starts dockcfg inside the host, detached, with DOCKCFG_TEST_PAUSE_AT=step, and returns once it
 * has stopped itself there (state T). Fails with its output when it ends without reaching the step.
 */
export async function startPaused(h: TestHost, step: string, args: readonly string[]): Promise<Paused> {
  const run: Paused = {pid: 0, args, out: '/run/paused.out', stdout: '/run/paused.stdout', rc: '/run/paused.rc'}
  // stdout apart from stderr: with --json it is one document, checked against the contract.
  const inner = `exec </dev/null >/dev/null 2>&1; DOCKCFG_TEST_PAUSE_AT=${step} node ${GUEST_CLI} "$@" >${run.stdout} 2>${run.out} & echo $! >/run/paused.pid; wait $!; echo $? >${run.rc}`
  await h.exec(['rm', '-f', run.out, run.stdout, run.rc, '/run/paused.pid'])
  await h.exec(['setsid', '-f', 'sh', '-c', inner, 'sh', ...args])
  await waitFor(
    `dockcfg ${args.join(' ')} to stop itself at ${step}`,
    120_000,
    async () => {
      if (await h.exists(run.rc)) throw new Error(`dockcfg ended before ${step}:\n${await h.readFile(run.out)}`)
      const pid = Number((await h.exec(['cat', '/run/paused.pid'], {allowFail: true})).stdout.trim())
      if (!pid) return false
      run.pid = pid
      return (await h.exec(['sh', '-c', `cut -d' ' -f3 /proc/${pid}/stat`], {allowFail: true})).stdout.trim() === 'T'
    },
    async () => h.readFile(run.out).catch(() => ''),
  )
  return run
}

/**
 * Sends `signal` to a paused dockcfg and waits for it to end; its exit status, stdout, and both
 * streams in `output`. A run that ended on its own is checked against the --json contract.
 */
export async function finish(h: TestHost, run: Paused, signal: 'KILL' | 'CONT'): Promise<{exitCode: number; stdout: string; output: string}> {
  await h.exec(['kill', `-${signal}`, String(run.pid)])
  await waitFor(`dockcfg (pid ${run.pid}) to end after SIG${signal}`, 180_000, () => h.exists(run.rc))
  const exitCode = Number((await h.readFile(run.rc)).trim())
  const stdout = await h.readFile(run.stdout)
  if (signal === 'CONT') checkJsonOutput(run.args, {exitCode, stdout})
  return {exitCode, stdout, output: `${stdout}${await h.readFile(run.out)}`}
}

/** Lets a paused dockcfg go on until it stops itself at its next step (DOCKCFG_TEST_PAUSE_AT=A,B). */
export async function resume(h: TestHost, run: Paused): Promise<void> {
  await h.exec(['kill', '-CONT', String(run.pid)])
  await waitFor(
    `dockcfg (pid ${run.pid}) to stop at its next step`,
    120_000,
    async () => {
      if (await h.exists(run.rc)) throw new Error(`dockcfg ended before its next step:\n${await h.readFile(run.out)}`)
      return (await h.exec(['sh', '-c', `cut -d' ' -f3 /proc/${run.pid}/stat`], {allowFail: true})).stdout.trim() === 'T'
    },
    async () => h.readFile(run.out).catch(() => ''),
  )
}
