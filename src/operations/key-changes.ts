import {combineChanges} from '../changes/change-set.js'
import type {FileChange} from '../core/file-change.js'
import {capFindings, type Finding} from '../core/findings.js'
import {type KeyChange, planDaemonJsonEdit} from '../daemon-config/edit.js'
import {type Activation, planDaemonJsonChanges} from '../daemon-config/plan-edit.js'
import {type Owner, planFix} from '../effective/fix.js'
import type {EffectiveView} from './tree-view.js'
import type {System} from '../system/index.js'
import {OverlayFileSystem} from '../system/overlay-fs.js'
import {type CurrentTree, refuseIntroducedErrors} from './pipeline.js'

/**
 * What one part of a change asks of the key planner. `touched` adds keys the part is about even
 * when their value does not change (remote's `hosts`); for the keys of `asAsked`, the value asked
 * for wins over fix's merge of flag and file values (a listener the part removes must stay removed).
 */
export interface KeyRequest {
  changes: readonly KeyChange[]
  touched?: readonly string[]
  asAsked?: readonly string[]
}

/** Several parts' requests as one (a desired state: its settings and its remote access); a later part's value of a key wins. */
export function combineKeyRequests(...requests: readonly KeyRequest[]): Required<KeyRequest> {
  const values = new Map<string, unknown>()
  for (const r of requests) for (const c of r.changes) values.set(c.key, c.value)
  return {
    changes: [...values].map(([key, value]) => ({key, value})),
    touched: [...new Set(requests.flatMap((r) => r.touched ?? []))],
    asAsked: [...new Set(requests.flatMap((r) => r.asAsked ?? []))],
  }
}

export interface KeyChangesPlan {
  changes: FileChange[]
  changedKeys: string[]
  activation: Activation
  /** Findings of the resulting daemon.json. */
  findings: Finding[]
  /** Those of `findings` the change brings. */
  introduced: Finding[]
  /** How a touched directive also on dockerd's command line was given one owner. */
  actions: string[]
  /** The tree with exactly `changes`, when inspecting it was part of planning. */
  planned?: EffectiveView
}

/**
 * Plans changes to daemon.json keys, refuses errors they bring (exit 3, nothing written), and
 * gives every touched directive that is also on dockerd's command line ONE owner the way `dockcfg
 * fix` does: daemon.json keeps it, a drop-in removes the flag. Any such conflict is resolved now,
 * whether the change creates it or it was already there: the command just said what it wants.
 */
export async function planKeyChanges(
  system: System,
  tree: CurrentTree<EffectiveView>,
  request: KeyRequest & {
    command: string
    /** The side that keeps each directive named here when both set it (default: daemon.json). */
    owners?: Readonly<Record<string, Owner>>
    /** How errors the change brings are refused; by default as refuseIntroducedErrors does (exit 3, placed in daemon.json). */
    refuse?: (introduced: readonly Finding[], file: string) => void
  },
): Promise<KeyChangesPlan> {
  const {current, inspect} = tree
  const configFile = current.configFile
  const plan = await planDaemonJsonChanges(system, configFile, request.changes, tree.version)
  ;(request.refuse ?? refuseIntroducedErrors)(plan.introduced, configFile)
  let changes: FileChange[] = [plan.change]
  let actions: string[] = []
  let changedKeys = [...plan.edit.changedKeys]
  const touched = new Set([...(request.touched ?? []), ...plan.edit.changedKeys])
  if (touched.size === 0) return {changes, changedKeys, activation: plan.activation, findings: plan.findings, introduced: plan.introduced, actions}

  const plannedFs = new OverlayFileSystem(system.fs, changes)
  const planned = plan.edit.changed ? await inspect(plannedFs) : current
  const conflicts = planned.effective.conflicts.filter((c) => touched.has(c.key))
  if (conflicts.length === 0) return {changes, changedKeys, activation: plan.activation, findings: plan.findings, introduced: plan.introduced, actions, planned}

  const fix = await planFix(plannedFs, {...planned.effective, conflicts}, (key) => request.owners?.[key] ?? 'file', request.command)
  actions = fix.actions
  changes = combineChanges(changes, fix.changes)
  changedKeys = [...new Set([...changedKeys, ...fix.changedKeys, ...conflicts.map((c) => c.key)])]
  const config = changes.find((c) => c.path === configFile)
  const asAsked = request.changes.filter((c) => request.asAsked?.includes(c.key))
  if (config !== undefined && config.after !== undefined && asAsked.length > 0) {
    const again = planDaemonJsonEdit(config.after, asAsked, configFile)
    if (again.changed) config.after = again.after
  }
  return {changes, changedKeys, activation: plan.activation, findings: plan.findings, introduced: plan.introduced, actions}
}

/** The warnings a change's result tells: its errors refused it already, and the version notice is said apart. */
export function reportedWarnings(findings: readonly Finding[]): Finding[] {
  return capFindings(findings.filter((f) => f.severity !== 'error' && f.code !== 'version-assumed'))
}
