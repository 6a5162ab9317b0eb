import {UsageError} from '../core/errors.js'
import {closestKey, findOption} from './index.js'
import {OPTIONS} from './options.js'
import type {FlagSpec, IntegerRange, OptionGroup, OptionSpec, ValueRefusal} from './types.js'
import type {JsonValue} from '../json/value.js'
import {byCodeUnits} from '../core/order.js'

/**
 * The registry row as `dockcfg keys --json` gives it: the table's own facts, structured, so scripts
 * need not parse display text. The text views are rendered from this (src/commands/keys.ts).
 */
/** `dockcfg keys --json`: every key, or the one asked for. */
export interface KeysResult {
  keys: OptionSummary[]
}

export interface OptionSummary {
  key: string
  kind: string
  /** Each flag as the registry has it: long and short name, repeatable, named-option key, versions. */
  flags: FlagSpec[]
  reload: 'reload' | 'restart'
  reloadNote?: string
  /** First dockerd version with the key; absent: 20.10 or older. */
  added?: string
  deprecated?: string
  /** First version that refuses the key. */
  removed?: string
  /** First version that accepts the key but drops its value. */
  ignoredSince?: string
  replacement?: string
  checkedAt: string
  default?: JsonValue
  observable?: string
  /** The values a string key takes; "" (unset: the default) always passes and is not listed. */
  values?: {
    /** The closed set; absent when other values work too. */
    allowed?: string[]
    /** Values dockerd dropped, with the first version that refuses each. */
    retired?: Array<{value: string; removed: string}>
    /** dockerd compares lower-cased. */
    ignoreCase?: true
  }
  /** Bounds of an integer key's value, each for the versions in [since, until). */
  range?: Array<{
    min?: number
    max?: number
    since?: string
    until?: string
    /** 0 passes too: dockerd replaces it by the default. */
    zeroIsDefault?: true
    /** error: dockerd refuses a value outside; warning: dockerd accepts it, something else fails later. */
    severity: 'error' | 'warning'
    note?: string
  }>
  /** The value names a file dockerd reads while loading its configuration. */
  readsFile?: true
  /** The value points at a resource of the host (sockets, directories, PID file, containerd). */
  hostResource?: true
  /** dockerd applies the value when it builds the default bridge, which it skips while live-restored containers run. */
  defaultBridge?: true
  /** Why the trial start (preflight on dockerd < 23) leaves the key out. */
  trialCannotJudge?: string
  /** Changing the value moves where dockerd keeps its data (placeholders {from}, {to}, {dataRoot}). */
  movesState?: {effect: string; carry: string; entry?: string}
  group?: OptionGroup
  description: string
}

export function listOptions(): OptionSummary[] {
  return [...OPTIONS].sort((a, b) => byCodeUnits(a.key, b.key)).map(summarize)
}

export function describeOption(key: string): OptionSummary {
  const spec = findOption(key)
  if (spec === undefined) {
    const suggestion = closestKey(key)
    throw new UsageError(`unknown daemon.json key "${key}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`)
  }
  return summarize(spec)
}

function summarize(spec: OptionSpec): OptionSummary {
  return {
    key: spec.key,
    kind: spec.kind,
    flags: spec.flags.map((f) => ({...f})),
    reload: spec.reload === 'yes' ? 'reload' : 'restart',
    ...(spec.reloadNote ? {reloadNote: spec.reloadNote} : {}),
    ...(spec.added ? {added: spec.added} : {}),
    ...(spec.deprecated ? {deprecated: spec.deprecated} : {}),
    ...(spec.removed ? {removed: spec.removed} : {}),
    ...(spec.ignoredSince ? {ignoredSince: spec.ignoredSince} : {}),
    ...(spec.replacement ? {replacement: spec.replacement} : {}),
    checkedAt: spec.checkedAt,
    ...(spec.defaultValue === undefined ? {} : {default: spec.defaultValue}),
    ...(spec.observable ? {observable: spec.observable} : {}),
    ...(spec.values === undefined
      ? {}
      : {
          values: {
            ...(spec.values.allowed ? {allowed: [...spec.values.allowed]} : {}),
            ...(spec.values.retired ? {retired: spec.values.retired.map((r) => ({value: r.value, removed: r.removed}))} : {}),
            ...(spec.values.ignoreCase ? {ignoreCase: true as const} : {}),
          },
        }),
    ...(spec.range === undefined ? {} : {range: spec.range.map(summarizeRange)}),
    ...(spec.readsFile ? {readsFile: true as const} : {}),
    ...(spec.hostResource ? {hostResource: true as const} : {}),
    ...(spec.defaultBridge ? {defaultBridge: true as const} : {}),
    ...(spec.movesState ? {movesState: {...spec.movesState}} : {}),
    ...(spec.trialCannotJudge ? {trialCannotJudge: spec.trialCannotJudge} : {}),
    ...(spec.group ? {group: spec.group} : {}),
    description: spec.description,
  }
}

function summarizeRange(range: IntegerRange): NonNullable<OptionSummary['range']>[number] {
  const refusals = (Array.isArray(range.refused) ? range.refused : [range.refused]) as readonly ValueRefusal[]
  return {
    ...(range.min === undefined ? {} : {min: range.min}),
    ...(range.max === undefined ? {} : {max: range.max}),
    ...(range.since ? {since: range.since} : {}),
    ...(range.until ? {until: range.until} : {}),
    ...(range.zeroIsDefault ? {zeroIsDefault: true as const} : {}),
    // The registry test checks that every refusal of a range has the same severity.
    severity: refusals[0]?.severity ?? 'error',
    ...(range.note ? {note: range.note} : {}),
  }
}
