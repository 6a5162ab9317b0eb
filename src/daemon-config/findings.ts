/**
 * A finding is one thing dockcfg noticed about a configuration: a parse error, an unknown key, a
 * value dockerd would refuse, a deprecation. Codes are stable identifiers scripts may match on.
 */
export type Severity = 'error' | 'warning' | 'info'

export interface Finding {
  /** Stable identifier, e.g. `json-syntax`, `unknown-key`, `wrong-type`, `bip-invalid`. */
  code: string
  /** error: dockerd refuses to start (or to load the file); warning: starts but surprising; info. */
  severity: Severity
  /** The daemon.json key (or flag) concerned, when there is one. */
  key?: string
  message: string
  /** File the finding is about, with a 1-based line and column when known. */
  file?: string
  line?: number
  column?: number
  /**
   * When dockerd itself would notice: `config` (while loading, so `dockerd --validate` sees it) or
   * `start` (only while starting: --validate passes and the restart fails).
   */
  checkedAt?: 'config' | 'start'
  /** What to do about it. */
  hint?: string
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error')
}

/** `FILE:LINE:COL` as far as known (compiler style), the one spelling every message uses. */
export function locationOf(f: Finding, fallbackFile = ''): string {
  const file = f.file ?? fallbackFile
  return `${file}${f.line ? `:${f.line}${f.column ? `:${f.column}` : ''}` : ''}`
}

/** Error findings as the indented lines of a thrown error's message. */
export function errorLines(findings: readonly Finding[], fallbackFile = ''): string {
  return findings
    .filter((f) => f.severity === 'error')
    .map((f) => `  ${locationOf(f, fallbackFile)}: ${f.message}`)
    .join('\n')
}
