import {commitChangeSet, renderDiff} from '../changes/change-set.js'
import {resolveDockerdVersion} from '../dockerd/version.js'
import type {System} from '../system/index.js'
import type {KeyChange} from './edit.js'
import type {Finding} from './findings.js'
import {type Activation, planDaemonJsonChanges} from './operations.js'

export interface ChangeKeysRequest {
  configFile: string
  changes: KeyChange[]
  dryRun: boolean
  dockerdVersion: string | undefined
  /** The command line, recorded in the backup manifest. */
  command: string
}

/** The typed result of `set` and `unset` (also their --json output). */
export interface ChangeKeysResult {
  file: string
  changed: boolean
  changedKeys: string[]
  dryRun: boolean
  /** Unified diff of the file (empty when nothing changes). */
  diff: string
  /** Backup holding the previous bytes (absent on dry runs and no-ops). */
  backupId?: string
  /** What the running dockerd needs for the change to take effect. */
  activation: Activation
  /** Warnings about the resulting file (errors refuse the change before this point). */
  warnings: Finding[]
  dockerdVersion: string | undefined
}

/**
 * Plans a change to daemon.json keys and, unless it is a dry run or changes nothing, writes it
 * with a backup. Throws InvalidConfigError (exit 3, nothing written) when dockerd would refuse the
 * result.
 */
export async function changeKeys(system: System, request: ChangeKeysRequest): Promise<ChangeKeysResult> {
  const {version} = await resolveDockerdVersion(system, request.dockerdVersion)
  const plan = await planDaemonJsonChanges(system, request.configFile, request.changes, version)
  const diff = await renderDiff([plan.change])
  const result: ChangeKeysResult = {
    file: request.configFile,
    changed: plan.edit.changed,
    changedKeys: plan.edit.changedKeys,
    dryRun: request.dryRun,
    diff,
    activation: plan.activation,
    warnings: plan.findings.filter((f) => f.severity !== 'error' && f.code !== 'version-assumed'),
    dockerdVersion: version,
  }
  if (request.dryRun || !plan.edit.changed) return result
  const committed = await commitChangeSet(system, request.command, [plan.change])
  return {...result, backupId: committed.backup.id}
}
