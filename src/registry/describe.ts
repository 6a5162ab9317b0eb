import {UsageError} from '../cli/errors.js'
import {closestKey, findOption} from './index.js'
import {OPTIONS} from './options.js'
import type {FlagSpec, OptionSpec} from './types.js'
import {byCodeUnits} from '../output/order.js'

/**
 * The registry row as `dockcfg keys --json` gives it: the table's own facts, structured, so scripts
 * need not parse display text. The text views are rendered from this (src/commands/keys.ts).
 */
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
  default?: unknown
  observable?: string
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
    description: spec.description,
  }
}

/** `-H/--host…` (… = repeatable), with its version range when narrower than the key's. */
export function flagText(flag: FlagSpec): string {
  const name = [flag.short ? `-${flag.short}` : undefined, `--${flag.long}`].filter(Boolean).join('/') + (flag.repeatable ? '…' : '')
  const range = flag.since || flag.until ? ` (${flag.since ? `from ${flag.since}` : ''}${flag.since && flag.until ? ', ' : ''}${flag.until ? `until ${flag.until}` : ''})` : ''
  return `${name}${range}`
}

/** `20.10+, deprecated 27.0.0, removed 28.0.0`. */
export function versionsText(k: OptionSummary): string {
  return [
    k.added ? `${k.added}+` : '20.10+',
    k.deprecated ? `deprecated ${k.deprecated}` : undefined,
    k.removed ? `removed ${k.removed}` : undefined,
    k.ignoredSince ? `ignored from ${k.ignoredSince}` : undefined,
  ]
    .filter(Boolean)
    .join(', ')
}
