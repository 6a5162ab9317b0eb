/**
 * The one table of process exit codes. Scripts and fleet tooling depend on these numbers, so they
 * never change meaning; `dockcfg help` and the README render this table.
 */
export const ExitCode = {
  Ok: 0,
  Unexpected: 1,
  Usage: 2,
  InvalidConfig: 3,
  RolledBack: 4,
  RollbackFailed: 5,
  Unreachable: 6,
  Refused: 7,
  ChangesPending: 8,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

export const EXIT_CODE_TABLE: ReadonlyArray<{code: ExitCodeValue; meaning: string}> = [
  {code: ExitCode.Ok, meaning: 'success (also: nothing to change)'},
  {code: ExitCode.Unexpected, meaning: 'unexpected error, or the requested value is not set (get)'},
  {code: ExitCode.Usage, meaning: 'usage error: unknown command, flag or malformed value'},
  {code: ExitCode.InvalidConfig, meaning: 'invalid configuration: dockerd would refuse it, or it cannot be written (disk full, read-only filesystem); nothing was written'},
  {code: ExitCode.RolledBack, meaning: 'apply failed and the previous configuration was restored'},
  {code: ExitCode.RollbackFailed, meaning: 'apply failed and the rollback failed too: see the message for the host state'},
  {code: ExitCode.Unreachable, meaning: 'endpoint unreachable or a remote check failed'},
  {code: ExitCode.Refused, meaning: 'refused for safety: needs --yes or an explicit opt-in, or another dockcfg run held the lock too long; nothing was changed'},
  {code: ExitCode.ChangesPending, meaning: 'apply --check: the desired state differs from the host, changes are pending (nothing was changed)'},
]

export function renderExitCodeTable(): string {
  return EXIT_CODE_TABLE.map(({code, meaning}) => `  ${code}  ${meaning}`).join('\n')
}
