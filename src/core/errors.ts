import {ExitCode, type ExitCodeValue} from './exit-codes.js'

export type ApplyFailedExitCode = typeof ExitCode.RolledBack | typeof ExitCode.RollbackFailed
/** The exit codes of every failure but an apply's that wrote (ApplyFailedError). */
export type PlainExitCode = Exclude<ExitCodeValue, ApplyFailedExitCode | typeof ExitCode.Ok>

/**
 * Every failure dockcfg expects carries its exit code and, where one exists, the remedy a user
 * should try. Domain code throws these; only the command layer turns them into output.
 */
export class DockcfgError extends Error {
  readonly exitCode: ExitCodeValue
  readonly remedy: string | undefined
  /** Machine-readable detail that --json output includes verbatim. */
  readonly details: unknown

  /** Exit 4 and 5 say where an apply left the host: only ApplyFailedError, which carries that, gives them. */
  constructor(message: string, options: {exitCode?: PlainExitCode; remedy?: string; details?: unknown; cause?: unknown} = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = 'DockcfgError'
    this.exitCode = options.exitCode ?? ExitCode.Unexpected
    this.remedy = options.remedy
    this.details = options.details
  }
}

/** A flag or argument the user gave cannot be used. Exit 2, nothing written. */
export class UsageError extends DockcfgError {
  constructor(message: string, options: {remedy?: string; details?: unknown} = {}) {
    super(message, {...options, exitCode: ExitCode.Usage})
    this.name = 'UsageError'
  }
}

/** The configuration (existing or proposed) would be refused by dockerd. Exit 3, nothing written. */
export class InvalidConfigError extends DockcfgError {
  constructor(message: string, options: {remedy?: string; details?: unknown} = {}) {
    super(message, {...options, exitCode: ExitCode.InvalidConfig})
    this.name = 'InvalidConfigError'
  }
}

/** An operation that could hurt the host needs an explicit opt-in. Exit 7, nothing changed. */
export class RefusedError extends DockcfgError {
  constructor(message: string, options: {remedy?: string; details?: unknown} = {}) {
    super(message, {...options, exitCode: ExitCode.Refused})
    this.name = 'RefusedError'
  }
}

/**
 * How an apply that had written its files ended when it failed, in the terms of the result a
 * successful one gives (`changed`, `action`, `files`, `backupId`, `warnings`): the --json error
 * document carries these fields next to `error`, so a script reads `action` whatever happened.
 */
export interface ApplyFailure {
  /** false: the host is back as it was (exit 4); true: it is not (exit 5), see `rollbackError`. */
  changed: boolean
  /** rolled-back: the previous files run again (exit 4); rollback-failed: putting them back failed too (exit 5). */
  action: 'rolled-back' | 'rollback-failed'
  /** The files the change wrote (tree paths). */
  files: string[]
  /** Those put back from the backup. */
  restored: string[]
  /** The backup holding the previous files (`dockcfg rollback ID` restores it). */
  backupId: string
  /** What failed: why the change was rolled back. */
  reason: string
  /** dockerd's journal of the failed start or reload, when there was one. */
  journal: string[]
  warnings: string[]
  /** Exit 5: why putting the previous configuration back failed. */
  rollbackError?: string
  /** Exit 5: docker.service as the failed rollback left it (unknown when systemd did not answer). */
  service?: {activeState: string; subState: string}
  /** Exit 5: the rollback timer, and whether it is still armed to restore the backup later. */
  timer?: {unit: string; armed: boolean}
  /** Containers stopped for this change (a default-bridge key) that the rollback started again, and those it could not. */
  containersStarted?: string[]
  containersNotStarted?: Array<{name: string; error: string}>
}

/** An apply failed after writing: exit 4 when it was rolled back, 5 when the rollback failed too. */
export class ApplyFailedError extends DockcfgError {
  override readonly exitCode: ApplyFailedExitCode
  readonly failure: ApplyFailure

  constructor(message: string, failure: ApplyFailure, options: {remedy?: string} = {}) {
    super(message, options)
    this.name = 'ApplyFailedError'
    this.exitCode = failure.action === 'rolled-back' ? ExitCode.RolledBack : ExitCode.RollbackFailed
    this.failure = failure
  }
}
