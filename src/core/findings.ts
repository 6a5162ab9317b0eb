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
  /**
   * Set on a finding that stands for itself and the ones of its kind after it that were counted
   * rather than built (see `countedFindings`): how many it stands for. A symbol, so that no output
   * (--json) ever shows it, while `{...finding}` keeps it.
   */
  [COUNTED]?: number
}

/** The property of a finding that stands for several (`Finding[COUNTED]`). */
export const COUNTED: unique symbol = Symbol('counted findings')

/** How many findings this one stands for: 1, or more for one that counted the rest of its kind. */
export function countOf(f: Finding): number {
  return f[COUNTED] ?? 1
}

/**
 * Collects findings of the kinds a hostile file can repeat millions of times (one per syntax
 * error), building only those that can be listed: the first MAX_FINDINGS_PER_KIND of each code
 * and severity, then the first one left out, which counts the rest instead of each becoming an
 * object. `capFindings` then lists exactly what it would have listed from all of them, as long as
 * the findings are added in the order they are listed in (their order in the file).
 */
export class CountedFindings {
  readonly findings: Finding[] = []
  private readonly built = new Map<string, number>()
  private readonly counting = new Map<string, Finding>()

  /** Adds the finding `make` builds, or counts it when it would not be listed (then `make` is not called). */
  add(code: string, severity: Severity, make: () => Finding): void {
    const kind = `${code} ${severity}`
    const counter = this.counting.get(kind)
    if (counter !== undefined) {
      counter[COUNTED] = countOf(counter) + 1
      return
    }
    const n = (this.built.get(kind) ?? 0) + 1
    this.built.set(kind, n)
    const finding = make()
    this.findings.push(finding)
    if (n > MAX_FINDINGS_PER_KIND) this.counting.set(kind, finding)
  }
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error')
}

/** `FILE:LINE:COL` as far as known (compiler style), the one spelling every message uses. */
export function locationOf(f: Finding, fallbackFile = ''): string {
  const file = f.file ?? fallbackFile
  return `${file}${f.line ? `:${f.line}${f.column ? `:${f.column}` : ''}` : ''}`
}

/** Error findings as the indented lines of a thrown error's message (MAX_FINDINGS_PER_KIND of each kind). */
export function errorLines(findings: readonly Finding[], fallbackFile = ''): string {
  return capFindings(findings.filter((f) => f.severity === 'error'))
    .map((f) => `  ${locationOf(f, fallbackFile)}: ${f.message}`)
    .join('\n')
}

/**
 * How many findings of one kind (code) are listed. A hostile file can have a hundred thousand
 * (one per duplicate key, per syntax error, per list entry): past this many, one more finding says
 * how many were left out and where they start.
 */
export const MAX_FINDINGS_PER_KIND = 20

/**
 * The findings, in their order, with each code's beyond MAX_FINDINGS_PER_KIND summed up in one.
 * A finding that counted others (`COUNTED`) comes after MAX_FINDINGS_PER_KIND built ones of its
 * kind, so it is always among those left out, and its count goes into their summary.
 */
export function capFindings(findings: readonly Finding[]): Finding[] {
  const listed = new Map<string, number>()
  const left = new Map<string, Finding[]>()
  const out: Finding[] = []
  for (const f of findings) {
    const n = (listed.get(f.code) ?? 0) + 1
    listed.set(f.code, n)
    if (n <= MAX_FINDINGS_PER_KIND) {
      out.push(f)
      continue
    }
    const more = left.get(f.code)
    if (more !== undefined) {
      more.push(f)
      continue
    }
    // The first one left out keeps the place where its summary goes.
    left.set(f.code, [f])
    out.push(f)
  }
  if (left.size === 0) return out
  return out.map((f) => {
    const more = left.get(f.code)
    return more?.[0] === f ? summary(more) : f
  })
}

/** One finding for those left out: the worst severity among them, at the first one's place. */
function summary(left: readonly Finding[]): Finding {
  const first = left[0] as Finding
  const severity = left.some((f) => f.severity === 'error') ? 'error' : left.some((f) => f.severity === 'warning') ? 'warning' : 'info'
  const count = left.reduce((sum, f) => sum + countOf(f), 0)
  return {
    code: first.code,
    severity,
    message: `and ${count} more ${first.code} finding${count === 1 ? '' : 's'} like those above, the first of them here`,
    ...(first.file === undefined ? {} : {file: first.file}),
    ...(first.line === undefined ? {} : {line: first.line}),
    ...(first.column === undefined ? {} : {column: first.column}),
    hint: 'fix these, then validate again to list the rest',
  }
}

/**
 * The findings of `after` that `before` did not have: what a change brings. Compared without
 * positions, since an edit above a finding moves its line.
 */
export function introducedFindings(before: readonly Finding[], after: readonly Finding[]): Finding[] {
  const identity = (f: Finding) => `${f.code}|${f.key ?? ''}|${f.message}`
  const seen = new Set(before.map(identity))
  return after.filter((f) => !seen.has(identity(f)))
}
