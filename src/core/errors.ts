import {ExitCode, type ExitCodeValue} from './exit-codes.js'

/**
 * Every failure dockcfg expects carries its exit code and, where one exists, the remedy a user
 * should try. Domain code throws these; only the command layer turns them into output.
 */
export class DockcfgError extends Error {
  readonly exitCode: ExitCodeValue
  readonly remedy: string | undefined
  /** Machine-readable detail that --json output includes verbatim. */
  readonly details: unknown

  constructor(message: string, options: {exitCode?: ExitCodeValue; remedy?: string; details?: unknown; cause?: unknown} = {}) {
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
