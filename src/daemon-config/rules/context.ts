import {COUNTED, type Finding, MAX_FINDINGS_PER_KIND, type Severity} from '../../core/findings.js'
import {versionAtLeast} from '../../registry/index.js'
import type {Place, Value} from './value.js'

/** When dockerd notices: while loading the configuration (`dockerd --validate` sees it) or only at start. */
export type Where = 'config' | 'start'

export interface Report {
  code: string
  severity: Severity
  key?: string | undefined
  at?: Place | undefined
  message: string
  checkedAt?: Where | undefined
  hint?: string | undefined
  /**
   * Other keys the message names, as a word of its own or inside a longer one ("fixed-cidr" in
   * "fixed-cidr-v6", "bridge" in "the bridge subnet"). When the finding is about a daemon.json key
   * and one of these came from the command line, the finding names that flag
   * (src/effective/effective.ts); when none did, it names every flag.
   */
  involves?: readonly string[] | undefined
}

/** A finding with the place it points at, before the locator turns the place into a position. */
export interface Located {
  finding: Finding
  at: Place | undefined
  involves: readonly string[]
}

/** The position fields of a finding for a place (file, line, column), in the order findings list them. */
export type Locate = (at: Place | undefined) => Pick<Finding, 'file' | 'line' | 'column'>

/** Where a finding is listed: findings are listed by these two numbers, then in the order reported. */
export type ListedAt = (located: Located) => readonly [number, number]

/** The findings of one code and severity: those that can be listed, and how many there were. */
interface Kind {
  kept: Array<{located: Located; at: readonly [number, number]; seq: number}>
  total: number
}

/**
 * What every rule reads and writes: the dockerd version, the keys that passed their type check
 * (the key stage fills `typed`), and the findings so far. Rules run in the runner's order
 * (validate.ts) and read earlier findings only through `hasError`.
 */
export class RuleContext {
  /**
   * Per code and severity, only the findings that can be listed (the first MAX_FINDINGS_PER_KIND
   * by place, and the next one, which counts the rest): one entry of a million-entry list key is
   * as invalid as the next, and building and keeping every finding cost a GB on an 8 MiB file.
   * What capFindings lists from these is exactly what it would list from all of them.
   */
  private readonly kinds = new Map<string, Kind>()
  private reported = 0
  /** Keys that passed their type check, for the value and cross-key rules. */
  readonly typed = new Map<string, Value>()
  /** Unknown keys looked up for a "did you mean" (only the listed ones get one). */
  suggestions = 0
  private readonly errorKeys = new Set<string>()

  constructor(
    readonly version: string,
    private readonly locate: Locate,
    private readonly listedAt: ListedAt,
  ) {}

  report(r: Report): void {
    const finding: Finding = {code: r.code, severity: r.severity, message: r.message, ...this.locate(undefined)}
    if (r.key !== undefined) finding.key = r.key
    if (r.at !== undefined) Object.assign(finding, this.locate(r.at))
    if (r.checkedAt !== undefined) finding.checkedAt = r.checkedAt
    if (r.hint !== undefined) finding.hint = r.hint
    if (r.severity === 'error' && r.key !== undefined) this.errorKeys.add(r.key)
    const located: Located = {finding, at: r.at, involves: r.involves ?? []}
    const name = `${r.code} ${r.severity}`
    const kind = this.kinds.get(name) ?? {kept: [], total: 0}
    this.kinds.set(name, kind)
    kind.total++
    const entry = {located, at: this.listedAt(located), seq: this.reported++}
    // Rules report in file order, so this is almost always an append or nothing.
    let i = kind.kept.length
    while (i > 0 && before(entry.at, (kind.kept[i - 1] as Kind['kept'][number]).at)) i--
    if (i > MAX_FINDINGS_PER_KIND) return
    kind.kept.splice(i, 0, entry)
    if (kind.kept.length > MAX_FINDINGS_PER_KIND + 1) kind.kept.pop()
  }

  /** The findings in the order they were reported, the last listed one of a kind counting the rest. */
  get found(): Located[] {
    const all: Array<{located: Located; seq: number}> = []
    for (const kind of this.kinds.values()) {
      const last = kind.kept.at(-1)
      if (last !== undefined && kind.total > kind.kept.length) last.located.finding[COUNTED] = kind.total - MAX_FINDINGS_PER_KIND
      all.push(...kind.kept)
    }
    return all.sort((a, b) => a.seq - b.seq).map((e) => e.located)
  }

  /** An error was reported for the key so far (by the key stage or an earlier rule). */
  hasError(key: string): boolean {
    return this.errorKeys.has(key)
  }

  atLeast(minimum: string): boolean {
    return versionAtLeast(this.version, minimum)
  }

  /** "dockerd 29.7.2", as messages name the version validated for. */
  dockerd(): string {
    return `dockerd ${this.version}`
  }

  get(key: string): Value | undefined {
    return this.typed.get(key)
  }

  str(key: string): string | undefined {
    const value = this.typed.get(key)?.value
    return typeof value === 'string' ? value : undefined
  }

  bool(key: string): boolean | undefined {
    const value = this.typed.get(key)?.value
    return typeof value === 'boolean' ? value : undefined
  }

  num(key: string): number | undefined {
    const value = this.typed.get(key)?.value
    return typeof value === 'number' ? value : undefined
  }

  /**
   * The entries of a list key with the place of each, as dockerd decodes them: a null entry is ""
   * (Go leaves a []string element at its zero value), so `"labels": [null]` meets the label rule.
   */
  listItems(key: string): Array<{text: string; at: Place}> {
    const entry = this.typed.get(key)
    if (entry === undefined) return []
    return entry
      .items()
      .filter((item) => item.type === 'string' || item.type === 'null')
      .map((item) => ({text: item.type === 'string' ? String(item.value) : '', at: item.at}))
  }
}

function before(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])
}

/** A rule family: reads the typed values, reports findings. */
export type Rule = (ctx: RuleContext) => void
