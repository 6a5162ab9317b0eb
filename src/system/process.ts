import {spawn} from 'node:child_process'
import {accessSync, constants as fsConstants, statSync} from 'node:fs'
import * as path from 'node:path'

/**
 * The process seam: every external program dockcfg runs (dockerd, systemctl, journalctl,
 * systemd-run, nsenter) goes through here, so unit tests can substitute a recorder and e2e tests
 * exercise the real thing.
 */
export interface ProcessResult {
  exitCode: number
  stdout: string
  stderr: string
  /** True when the program could not be started at all (ENOENT and friends). */
  failedToStart: boolean
}

export interface ProcessRunner {
  /**
   * The program `run(file)` would start: `file` itself when it names a path, else the first
   * executable of that name on PATH; undefined when there is none.
   */
  which(file: string): Promise<string | undefined>
  run(file: string, args: readonly string[], options?: {timeoutMs?: number; input?: string; env?: Record<string, string>}): Promise<ProcessResult>
  /** Starts a program and leaves it running (the preflight's trial dockerd), ended by `timeoutMs` at the latest. */
  start(file: string, args: readonly string[], options?: {timeoutMs?: number}): RunningProcess
}

/** A program left running: what it has said so far, whether it has ended, and a way to stop it. */
export interface RunningProcess {
  /** stdout and stderr interleaved in the order they arrived (dockerd logs to stderr). */
  output(): string
  hasEnded(): boolean
  /** Settles once the program has ended and its output is complete; never rejects. */
  readonly ended: Promise<void>
  kill(signal: 'SIGTERM' | 'SIGKILL'): void
}

/**
 * How long a program that ignores SIGTERM at its timeout gets before SIGKILL (execa's default, which
 * dockcfg used before).
 */
const FORCE_KILL_AFTER_MS = 5000

/**
 * Runs programs with node:child_process directly. Not execa: loading it cost every spawning run
 * 90-200 ms, more than the programs themselves (`dockerd --version`, `systemctl show`), and dockcfg
 * needs none of what it adds. Same contract as before: never throws for the program's outcome;
 * `env` extends the environment; stdin is the given input or nothing (never left open, so a
 * program that reads it cannot wait for ever); output is decoded as UTF-8 and kept whole.
 */
export class ChildProcessRunner implements ProcessRunner {
  async which(file: string): Promise<string | undefined> {
    const candidates = file.includes('/') ? [file] : (process.env.PATH ?? '').split(':').map((dir) => path.join(dir === '' ? '.' : dir, file))
    return candidates.find((candidate) => {
      try {
        accessSync(candidate, fsConstants.X_OK)
        return statSync(candidate).isFile()
      } catch {
        return false
      }
    })
  }

  run(file: string, args: readonly string[], options: {timeoutMs?: number; input?: string; env?: Record<string, string>} = {}): Promise<ProcessResult> {
    return new Promise((resolve) => {
      const stdout: Buffer[] = []
      const stderr: Buffer[] = []
      let timedOut = false
      let timer: NodeJS.Timeout | undefined
      let forceKill: NodeJS.Timeout | undefined
      let settled = false
      const finish = (result: ProcessResult): void => {
        clearTimeout(timer)
        clearTimeout(forceKill)
        if (settled) return
        settled = true
        resolve(result)
      }
      const child = spawn(file, args, {
        env: options.env === undefined ? process.env : {...process.env, ...options.env},
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      })
      child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk))
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk))
      child.on('error', (error) => {
        // Could not start (ENOENT, EACCES): the reason is the only output. An error after the
        // start (a failed kill) changes nothing: 'close' still reports the end.
        if (child.pid === undefined) finish({exitCode: 127, stdout: '', stderr: error.message, failedToStart: true})
      })
      if (options.input !== undefined) {
        // A program that exits without reading its input must not fail the run (EPIPE).
        child.stdin?.on('error', () => {})
        child.stdin?.end(options.input)
      }
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          timedOut = true
          child.kill('SIGTERM')
          forceKill = setTimeout(() => child.kill('SIGKILL'), FORCE_KILL_AFTER_MS)
        }, options.timeoutMs)
      }
      // 'close', not 'exit': after both output streams have ended, so nothing written is lost.
      child.on('close', (code) => {
        // Ended by a signal: 124 when it was the timeout's, else 127 and counted as not started,
        // as execa reported it.
        const exitCode = code ?? (timedOut ? 124 : 127)
        const failedToStart = code === null && !timedOut
        finish({exitCode, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), failedToStart})
      })
    })
  }

  start(file: string, args: readonly string[], options: {timeoutMs?: number} = {}): RunningProcess {
    const chunks: Buffer[] = []
    let ended = false
    let timer: NodeJS.Timeout | undefined
    let forceKill: NodeJS.Timeout | undefined
    const child = spawn(file, args, {stdio: ['ignore', 'pipe', 'pipe']})
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk))
    const done = new Promise<void>((resolve) => {
      const finish = (): void => {
        clearTimeout(timer)
        clearTimeout(forceKill)
        ended = true
        resolve()
      }
      // A program that could not start ends here, its reason its only output.
      child.on('error', (error) => {
        if (child.pid !== undefined) return
        chunks.push(Buffer.from(`${error.message}\n`))
        finish()
      })
      child.on('close', finish)
    })
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        child.kill('SIGTERM')
        forceKill = setTimeout(() => child.kill('SIGKILL'), FORCE_KILL_AFTER_MS)
      }, options.timeoutMs)
    }
    return {
      output: () => Buffer.concat(chunks).toString('utf8'),
      hasEnded: () => ended,
      ended: done,
      kill: (signal) => {
        if (!ended) child.kill(signal)
      },
    }
  }
}
