import type {FileChange} from '../changes/change-set.js'
import {combineChanges} from '../changes/change-set.js'
import {type KeyChange, planDaemonJsonEdit} from '../daemon-config/edit.js'
import {capFindings, type Finding} from '../core/findings.js'
import {type Activation, planDaemonJsonChanges} from '../daemon-config/operations.js'
import {type EffectiveConfig, inspectEffective} from '../effective/effective.js'
import {planFix} from '../effective/fix.js'
import {OverlayFileSystem} from '../system/overlay-fs.js'
import type {System} from '../system/index.js'

export interface ListenerPlan {
  changes: FileChange[]
  changedKeys: string[]
  activation: Activation
  /** Warnings and notes about the resulting daemon.json. */
  findings: Finding[]
  /** How `hosts` was given one owner (drop-in written, flags moved). */
  actions: string[]
}

/**
 * Plans daemon.json's `hosts` (the complete listener list wanted) plus other key changes, and gives
 * `hosts` ONE owner the way `dockcfg fix` does: when ExecStart also passes -H (the stock unit's
 * `-H fd://`), the flag moves into daemon.json and a drop-in restarts dockerd without it, so
 * dockerd never sees the directive twice. A conflict that already existed on `hosts` is resolved
 * too, since this command is about listeners. Pure apart from reading the tree.
 */
export async function planListeners(
  system: System,
  current: EffectiveConfig,
  request: {hosts: string[] | undefined; keys: KeyChange[]; command: string; configFile: string; dockerdVersion: string | undefined},
): Promise<ListenerPlan> {
  const keyChanges: KeyChange[] = [{key: 'hosts', value: request.hosts}, ...request.keys]
  const plan = await planDaemonJsonChanges(system, current.configFile, keyChanges, request.dockerdVersion)
  let changes: FileChange[] = [plan.change]
  let actions: string[] = []
  let changedKeys = [...plan.edit.changedKeys]

  const plannedFs = new OverlayFileSystem(system.fs, changes)
  const planned = await inspectEffective(plannedFs, {configFile: request.configFile, dockerdVersion: request.dockerdVersion})
  const touched = new Set(['hosts', ...plan.edit.changedKeys])
  const conflicts = planned.conflicts.filter((c) => touched.has(c.key))
  if (conflicts.length > 0) {
    const fix = await planFix(plannedFs, {...planned, conflicts}, 'file', request.command)
    actions = fix.actions
    changes = combineChanges(changes, fix.changes)
    changedKeys = [...new Set([...changedKeys, ...fix.changedKeys, ...conflicts.map((c) => c.key)])]
    // fix merges the flag's listeners into the file (that is what keeps -H fd:// working); a
    // listener this command removes (a -H tcp:// on the command line) must stay removed, so the
    // list asked for wins.
    const config = changes.find((c) => c.path === current.configFile)
    if (config !== undefined && config.after !== undefined && request.hosts !== undefined) {
      const again = planDaemonJsonEdit(config.after, [{key: 'hosts', value: request.hosts}], current.configFile)
      if (again.changed) config.after = again.after
    }
  }
  return {
    changes,
    changedKeys,
    activation: plan.activation,
    findings: capFindings(plan.findings.filter((f) => f.severity !== 'error' && f.code !== 'version-assumed')),
    actions,
  }
}

/** Removes duplicates, keeping the first occurrence (dockerd would de-duplicate anyway). */
export function uniqueHosts(hosts: readonly string[]): string[] {
  return [...new Set(hosts)]
}
