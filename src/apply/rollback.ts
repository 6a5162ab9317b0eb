import {type BackupManifest, listBackups, readBackup} from '../backup/backups.js'
import type {HeldLock} from '../backup/lock.js'
import {checkRestorable} from '../backup/restorable.js'
import {ApplyFailedError} from '../core/errors.js'
import {changedSinceBackup, removeEmptyDirs, restoreFromBackup} from '../changes/change-set.js'
import type {System} from '../system/index.js'
import type {TreeView} from './plan.js'
import {startDocker, stopDocker} from './health.js'
import {clearPending, isAbandoned, type PendingApply, readPending} from './pending.js'

/** One backup as `dockcfg history` lists it. */
export interface HistoryEntry {
  id: string
  time: string
  command: string
  files: Array<{path: string; existed: boolean}>
}

export interface HistoryResult {
  backups: HistoryEntry[]
  /** An apply that has not finished (running now, or died half-way). */
  pending?: PendingApply & {abandoned: boolean}
}

export async function history(system: System): Promise<HistoryResult> {
  const backups = (await listBackups(system)).map((m) => ({id: m.id, time: m.time, command: m.command, files: m.files.map((f) => ({path: f.path, existed: f.existed}))}))
  const pending = await readPending(system)
  return {backups, ...(pending ? {pending: {...pending, abandoned: isAbandoned(system, pending)}} : {})}
}

/** What the rollback timer's run did. */
export interface AutoRollbackResult {
  restored: string[]
  healthy: boolean
  skipped?: string
  warning?: string
}

/**
 * The rollback timer's work once it is sure the apply that armed it did not settle: restores the
 * files of backup `id`, restarts dockerd on them and clears the pending record. `lock` is
 * undefined when the run that armed the timer hangs holding it: this is what the timer is for.
 */
export async function restoreAndRestart(system: System, _lock: HeldLock | undefined, view: TreeView, id: string): Promise<AutoRollbackResult> {
  const manifest: BackupManifest = checkRestorable(await readBackup(system, id), id, [view.configFile])
  // The apply arms this timer before its first write: killed before writing anything, it left
  // the host as it was, and restarting dockerd would only cost running containers.
  if ((await changedSinceBackup(system, manifest)).length === 0) {
    // Killed between creating a directory and writing into it, it may have left that behind.
    await removeEmptyDirs(system, manifest.createdDirs ?? [])
    await clearPending(system)
    return {restored: [], healthy: true, skipped: `the apply of backup ${id} was stopped before it wrote anything: nothing to undo`}
  }
  const services = await system.services()
  const api = await system.docker(view.socket)
  const deadline = system.clock.now().getTime() + 120_000
  // Down first, then the files (see stopDocker): no automatic restart on a half-restored set.
  const stop = await stopDocker(services, system.clock, deadline)
  const restored = await restoreFromBackup(system, manifest)
  await services.daemonReload()
  const health = stop.ok ? await startDocker(services, api, system.clock, {deadline, stopped: stop.stopped}) : stop.outcome
  await clearPending(system)
  if (!health.healthy) {
    throw new ApplyFailedError(`automatic rollback restored ${restored.join(', ')} from backup ${id}, but dockerd did not come back: ${health.reason}`, {
      changed: true,
      action: 'rollback-failed',
      files: restored,
      restored,
      backupId: id,
      reason: 'the apply that armed the rollback timer did not settle',
      journal: [],
      warnings: [],
      rollbackError: health.reason,
    })
  }
  return {restored, healthy: true}
}
