import {UsageError} from '../cli/errors.js'
import {closestKey, findOption} from './index.js'
import {OPTIONS} from './options.js'
import type {OptionSpec} from './types.js'
import {byCodeUnits} from '../output/order.js'

/** The registry row as `dockcfg keys` presents it (also its --json shape). */
export interface OptionSummary {
  key: string
  kind: string
  flags: string[]
  reload: string
  reloadNote?: string
  versions: string
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
  const flags = spec.flags.map((f) => [f.short ? `-${f.short}` : undefined, `--${f.long}`].filter(Boolean).join('/') + (f.repeatable ? '…' : ''))
  const versions = [spec.added ? `${spec.added}+` : '20.10+', spec.deprecated ? `deprecated ${spec.deprecated}` : undefined, spec.removed ? `removed ${spec.removed}` : undefined]
    .filter(Boolean)
    .join(', ')
  return {
    key: spec.key,
    kind: spec.kind,
    flags,
    reload: spec.reload === 'yes' ? 'reload' : 'restart',
    ...(spec.reloadNote ? {reloadNote: spec.reloadNote} : {}),
    versions,
    checkedAt: spec.checkedAt,
    ...(spec.defaultValue === undefined ? {} : {default: spec.defaultValue}),
    ...(spec.observable ? {observable: spec.observable} : {}),
    description: spec.description,
  }
}
