import {accessSync, constants as fsConstants, statSync} from 'node:fs'
import * as path from 'node:path'

/**
 * The process seam: every external program dockcfg runs (dockerd, systemctl, journalctl,
 * systemd-run, nsenter) goes through here, so unit tests can substitute a recorder and e2e tests
 * exercise the real thing. execa is imported lazily: commands that never spawn do not pay for it.
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
}

export class ExecaProcessRunner implements ProcessRunner {
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

  async run(file: string, args: readonly string[], options: {timeoutMs?: number; input?: string; env?: Record<string, string>} = {}): Promise<ProcessResult> {
    const {execa} = await import('execa')
    const result = await execa(file, args, {
      reject: false,
      timeout: options.timeoutMs,
      input: options.input,
      env: options.env,
      stripFinalNewline: false,
    })
    const failedToStart = result.exitCode === undefined && !result.timedOut
    return {
      exitCode: result.exitCode ?? (result.timedOut ? 124 : 127),
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? '') + (failedToStart && result.originalMessage ? result.originalMessage : ''),
      failedToStart,
    }
  }
}
