import type {OptionSummary} from '../registry/describe.js'
import type {FlagSpec} from '../registry/types.js'
import {renderTable} from './table.js'

/** The KEY / TYPE / FLAG / RELOAD / VERSIONS table of `dockcfg keys`. */
export function renderKeysTable(keys: readonly OptionSummary[]): string {
  return renderTable(
    ['KEY', 'TYPE', 'FLAG', 'RELOAD', 'VERSIONS'],
    keys.map((k) => [k.key, k.kind, k.flags.map((f) => flagText(f)).join(' ') || '-', k.reload, versionsText(k)]),
  )
}

/** `dockcfg keys KEY`: one row per fact the registry has about the key. */
export function renderKeyDetail(k: OptionSummary): string {
  const rows: Array<[string, string]> = [
    ['key', k.key],
    ['type', k.kind],
    ['flags', k.flags.map((f) => flagText(f)).join(', ') || '(none: daemon.json only)'],
    ['reload', k.reload + (k.reloadNote ? ` (${k.reloadNote})` : '')],
    ['versions', versionsText(k) + (k.replacement ? `; instead: ${k.replacement}` : '')],
    [
      'checked',
      k.checkedAt === 'start'
        ? 'when dockerd starts (dockerd --validate does not see bad values)'
        : k.checkedAt === 'config'
          ? 'when dockerd loads its configuration'
          : 'not checked by dockerd',
    ],
    ['default', k.default === undefined ? '-' : JSON.stringify(k.default)],
    ...optionalRow('values', valuesText(k)),
    ...optionalRow('range', rangeText(k)),
    ...optionalRow('reads file', k.readsFile ? 'dockerd reads the named file while loading its configuration' : undefined),
    ...optionalRow('bridge', k.defaultBridge ? 'applied when dockerd builds the default bridge: not while live-restored containers run' : undefined),
    ...optionalRow(
      'moves data',
      k.movesState ? `${k.movesState.entry ? `${k.movesState.entry}: ` : ''}a change needs confirmation (--yes); what is in the old place is not visible after it` : undefined,
    ),
    ...optionalRow('trial start', k.trialCannotJudge ? `not judged by the trial dockerd (preflight before 23.0): ${k.trialCannotJudge}` : undefined),
    ['live value', k.observable ?? 'not observable through the API'],
    ['description', k.description],
  ]
  return rows.map(([name, value]) => `${name.padEnd(12)} ${value}`).join('\n')
}

/** A detail row only for keys that have the fact. */
function optionalRow(name: string, value: string | undefined): Array<[string, string]> {
  return value === undefined ? [] : [[name, value]]
}

/** `debug, info, warn (any case); retired: warning (refused from 25.0.0)`. */
export function valuesText(k: OptionSummary): string | undefined {
  if (k.values === undefined) return undefined
  const parts = [
    k.values.allowed ? k.values.allowed.join(', ') + (k.values.ignoreCase ? ' (any case)' : '') : 'not a closed set',
    k.values.retired?.length ? `retired: ${k.values.retired.map((r) => `${r.value} (refused from ${r.removed})`).join(', ')}` : undefined,
  ]
  return parts.filter(Boolean).join('; ')
}

/** `>= 0; 68..65535 or 0 (warning only: the kernel's limits; dockerd accepts more)`. */
export function rangeText(k: OptionSummary): string | undefined {
  if (k.range === undefined) return undefined
  return k.range
    .map((r) => {
      const bounds = r.min !== undefined && r.max !== undefined ? `${r.min}..${r.max}` : r.min !== undefined ? `>= ${r.min}` : `<= ${r.max}`
      const versions = r.since || r.until ? ` (${[r.since ? `from ${r.since}` : '', r.until ? `until ${r.until}` : ''].filter(Boolean).join(', ')})` : ''
      const note = r.severity === 'warning' ? ` (warning only${r.note ? `: ${r.note}` : ''})` : r.note ? ` (${r.note})` : ''
      return `${bounds}${r.zeroIsDefault ? ' or 0' : ''}${versions}${note}`
    })
    .join('; ')
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
