import {type ApplyOptions, type ApplyResult, applyChanges} from '../apply/apply.js'
import {resolveDockerdVersion} from '../dockerd/version.js'
import type {System} from '../system/index.js'
import {inspectEffective} from './effective.js'
import {type Owner, planFix} from './fix.js'
import {treeInspector} from './tree-view.js'
import {withLockToWrite} from '../backup/lock.js'

/** The typed result of `dockcfg fix`. */
export interface FixResult extends ApplyResult {
  conflicts: Array<{key: string; message: string}>
  actions: string[]
  owner: Owner
  newExecStart?: string[]
}

/** Finds every flag/file conflict, plans one owner for each, and applies the plan safely. */
export async function fixConflicts(
  system: System,
  request: {configFile: string; owner: Owner; dockerdVersion: string | undefined; command: string; apply: ApplyOptions},
): Promise<FixResult> {
  return withLockToWrite(system, request.command, request.apply, () => planAndApplyFix(system, request))
}

async function planAndApplyFix(
  system: System,
  request: {configFile: string; owner: Owner; dockerdVersion: string | undefined; command: string; apply: ApplyOptions},
): Promise<FixResult> {
  const {version} = await resolveDockerdVersion(system, request.dockerdVersion)
  const effective = await inspectEffective(system.fs, {configFile: request.configFile, dockerdVersion: version})
  const plan = await planFix(system.fs, effective, request.owner, request.command)
  const inspector = treeInspector({configFile: request.configFile, dockerdVersion: version})
  const result = await applyChanges(
    system,
    {
      command: request.command,
      changes: plan.changes,
      changedKeys: [...new Set([...plan.changedKeys, ...effective.conflicts.map((c) => c.key)])],
      activation: 'restart',
      plan: {actions: [...effective.conflicts.map((c) => `conflict: ${c.message}`), ...plan.actions]},
    },
    inspector,
    request.apply,
  )
  return {
    ...result,
    conflicts: effective.conflicts.map((c) => ({key: c.key, message: c.message})),
    actions: plan.actions,
    owner: request.owner,
    ...(plan.newArgv ? {newExecStart: plan.newArgv} : {}),
  }
}
