import {type ApplyOptions, type ApplyResult, applyChanges} from '../apply/apply.js'
import {combineChanges, type FileChange} from '../changes/change-set.js'
import {resolveDockerdVersion} from '../dockerd/version.js'
import {inspectEffective} from '../effective/effective.js'
import {planFix} from '../effective/fix.js'
import {treeInspector} from '../effective/tree-view.js'
import {OverlayFileSystem} from '../system/overlay-fs.js'
import type {System} from '../system/index.js'
import type {KeyChange} from './edit.js'
import {capFindings, type Finding} from '../core/findings.js'
import {type Activation, planDaemonJsonChanges} from './operations.js'
import {unknownKey} from './refusals.js'
import {findOption} from '../registry/index.js'
import {withLockToWrite} from '../backup/lock.js'

export interface ChangeKeysRequest {
  /** --config-file; ExecStart's own --config-file wins when it has one (that is the file dockerd reads). */
  configFile: string
  changes: KeyChange[]
  dockerdVersion: string | undefined
  /** The command line, recorded in the backup manifest and the drop-in header. */
  command: string
  apply: ApplyOptions
}

/** The typed result of `set` and `unset` (also their --json output). */
export interface ChangeKeysResult extends ApplyResult {
  file: string
  changedKeys: string[]
  /** What the change needs from dockerd: nothing, a reload (SIGHUP) or a restart. */
  activation: Activation
  /** Warnings the change introduces (errors refuse the change before this point). */
  findings: Finding[]
  /** How a key that is also on dockerd's command line was given one owner. */
  actions: string[]
  dockerdVersion: string | undefined
}

/**
 * Plans a change to daemon.json keys, resolves any flag/file conflict it would create the way
 * `fix` does, and applies it through the safe-apply engine. Throws InvalidConfigError (exit 3,
 * nothing written) when dockerd would refuse the result.
 */
export async function changeKeys(system: System, request: ChangeKeysRequest): Promise<ChangeKeysResult> {
  return withLockToWrite(system, request.command, request.apply, () => planAndApplyKeys(system, request))
}

async function planAndApplyKeys(system: System, request: ChangeKeysRequest): Promise<ChangeKeysResult> {
  const {version} = await resolveDockerdVersion(system, request.dockerdVersion)
  const current = await inspectEffective(system.fs, {configFile: request.configFile, dockerdVersion: version})
  // Removing a key dockerd does not know is how such a file is repaired; one that is not in the
  // file either is a typo ("unset mut"), not a successful no-op.
  for (const change of request.changes) {
    if (change.value === undefined && findOption(change.key) === undefined && !Object.hasOwn(current.daemonJson.parsed.value, change.key)) throw unknownKey(change.key)
  }
  const plan = await planDaemonJsonChanges(system, current.configFile, request.changes, version)
  let changes: FileChange[] = [plan.change]
  let actions: string[] = []

  if (plan.edit.changed) {
    const plannedFs = new OverlayFileSystem(system.fs, changes)
    const planned = await inspectEffective(plannedFs, {configFile: request.configFile, dockerdVersion: version})
    // Any conflict on a key this command sets is resolved now, whether the change creates it or
    // it was already there: the user just said which value they want.
    const onChangedKeys = planned.conflicts.filter((c) => plan.edit.changedKeys.includes(c.key))
    if (onChangedKeys.length > 0) {
      const fix = await planFix(plannedFs, {...planned, conflicts: onChangedKeys}, 'file', request.command)
      actions = fix.actions
      changes = combineChanges(changes, fix.changes)
    }
  }

  const inspector = treeInspector({configFile: request.configFile, dockerdVersion: version})
  const findings = capFindings(plan.introduced.filter((f) => f.severity !== 'error' && f.code !== 'version-assumed'))
  const result = await applyChanges(
    system,
    {command: request.command, changes, changedKeys: plan.edit.changedKeys, activation: plan.activation, plan: {findings, actions}},
    inspector,
    request.apply,
  )
  return {
    ...result,
    file: current.configFile,
    changedKeys: plan.edit.changedKeys,
    activation: plan.activation,
    findings,
    actions,
    dockerdVersion: version,
  }
}
