import {RefusedError} from '../core/errors.js'
import {parseDockerdArgv} from '../dockerd/argv.js'
import {flagValueAsJson} from '../effective/flag-values.js'
import {stateMovingKeys} from '../registry/index.js'
import type {OptionSpec} from '../registry/types.js'
import type {System} from '../system/index.js'
import type {ApplyOptions, TreeView} from './plan.js'

/** One setting whose change moves where dockerd keeps its data. */
export interface StateMoveWarning {
  key: string
  from: string
  to: string
  text: string
}

type View = Pick<TreeView, 'config' | 'execArgv' | 'dockerdVersion'>

/**
 * The settings the change moves (OptionSpec.movesState), compared as dockerd sees them: daemon.json,
 * else the flag, else the default. `set data-root` used to restart dockerd onto an empty directory
 * and every image and container seemed gone, without a word (issue 9 item 20).
 */
export function plannedStateMoves(current: View, planned: View): StateMoveWarning[] {
  const out: StateMoveWarning[] = []
  const dataRoot = shown(valueOf(planned, 'data-root'), '/var/lib/docker')
  for (const spec of stateMovingKeys()) {
    const move = spec.movesState as NonNullable<OptionSpec['movesState']>
    const [from, to] = [current, planned].map((view) => {
      const value = valueOf(view, spec.key)
      return move.entry === undefined ? shown(value, spec.defaultValue) : String(entryOf(value, move.entry))
    }) as [string, string]
    if (from === to) continue
    const key = move.entry === undefined ? spec.key : `${spec.key}.${move.entry}`
    const fill = (text: string) => text.replaceAll('{from}', from).replaceAll('{to}', to).replaceAll('{dataRoot}', dataRoot)
    out.push({key, from, to, text: `"${key}" changes from ${from} to ${to}: ${fill(move.effect)}. To keep them: ${fill(move.carry)}`})
  }
  return out
}

/**
 * Warns about every move; on the live host (where dockerd will start on the new place) also asks
 * for confirmation: --yes in scripts, a question on a TTY, else exit 7 with nothing changed. A dry
 * run and a --root tree only warn. Returns the warnings for the result.
 */
export async function confirmStateMoves(system: System, views: {current: View; planned: View}, options: Pick<ApplyOptions, 'dryRun' | 'yes' | 'confirm'>): Promise<string[]> {
  const moves = plannedStateMoves(views.current, views.planned)
  if (moves.length === 0) return []
  const warnings = moves.map((m) => m.text)
  if (!system.isLiveHost || options.dryRun || options.yes) return warnings
  const keys = moves.map((m) => `"${m.key}"`).join(', ')
  if (options.confirm !== undefined && (await options.confirm(`${warnings.join('\n')}\nChange ${keys} anyway?`))) return warnings
  throw new RefusedError(`${warnings.join('\n')}\nNothing was changed: moving where dockerd keeps its data needs confirmation`, {
    remedy: `carry the data over as described, then confirm with --yes (on a terminal dockcfg asks)`,
    details: moves,
  })
}

function valueOf(view: View, key: string): unknown {
  if (view.config[key] !== undefined) return view.config[key]
  const flags = parseDockerdArgv(view.execArgv ?? [], view.dockerdVersion).flags.filter((f) => f.option?.key === key)
  return flags.length === 0
    ? undefined
    : flagValueAsJson(
        flags[0]?.option as OptionSpec,
        flags.map((f) => f.value),
      )
}

function entryOf(value: unknown, entry: string): boolean {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[entry] === true
}

/** A value for the message: dockerd reads an empty string as unset, so both show the default. */
function shown(value: unknown, fallback: unknown): string {
  const v = value === '' ? undefined : value
  if (v === undefined) return fallback === undefined ? '(not set)' : shown(fallback, undefined)
  // Quoted when it holds control characters (a newline in a path is legal JSON): they must not
  // reach the terminal raw.
  if (typeof v === 'string' && !/\p{Cc}/u.test(v)) return v
  // JSON escapes C0 controls; C1 ones (U+0080..U+009F) it leaves raw.
  return JSON.stringify(v).replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
