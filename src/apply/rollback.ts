import {backupContent, type BackupManifest, listBackups, newestBackupId, readBackup} from '../backup/backups.js'
import {acquireLock, type LockHandle} from '../backup/lock.js'
import {checkRestorable} from '../backup/restorable.js'
import {DockcfgError, UsageError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {changedSinceBackup, type FileChange, removeEmptyDirs, restoreFromBackup} from '../changes/change-set.js'
import {activationFor} from '../daemon-config/operations.js'
import type {System} from '../system/index.js'
import {changedConfigKeys} from './config-diff.js'
import {type ApplyOptions, type ApplyResult, applyChanges, type Inspector} from './apply.js'
import {startDocker, stopDocker} from './health.js'
import {clearPending, isAbandoned, type PendingApply, readPending} from './pending.js'
import {withLockToWrite} from '../backup/lock.js'

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
  return {backups, ...(pending ? {pending: {...pending, abandoned: isAbandoned(pending)}} : {})}
}

/**
 * `dockcfg rollback [ID]`: puts the files of a backup (default: the newest) back and applies them
 * through the same safe path as any change, so a rollback is itself backed up, verified, and
 * undone if dockerd does not come back.
 */
export async function rollbackTo(
  system: System,
  id: string | undefined,
  configFile: string,
  inspect: Inspector,
  options: ApplyOptions,
): Promise<ApplyResult & {backupId?: string; restoredFrom: string}> {
  return withLockToWrite(system, 'dockcfg rollback', options, () => planAndApplyRollback(system, id, configFile, inspect, options))
}

async function planAndApplyRollback(
  system: System,
  id: string | undefined,
  configFile: string,
  inspect: Inspector,
  options: ApplyOptions,
): Promise<ApplyResult & {backupId?: string; restoredFrom: string}> {
  const chosen = id ?? (await newestBackupId(system))
  if (chosen === undefined) throw new UsageError('there is no backup to roll back to', {remedy: 'dockcfg history lists the backups'})
  const manifest = checkRestorable(await readBackup(system, chosen), chosen, [configFile, (await inspect(system.fs)).configFile])
  const changes: FileChange[] = []
  for (const file of manifest.files) {
    const bytes = await backupContent(system, manifest, file)
    changes.push({path: file.path, before: await system.fs.readText(file.path), after: bytes?.toString('utf8'), newFileMode: file.mode ?? 0o644})
  }
  const changedKeys = changedConfigKeys(changes.find((c) => c.path === configFile))
  const pending = await readPending(system)
  options.progress?.(`rolling back to backup ${manifest.id}`)
  const result = await applyChanges(
    system,
    {
      command: `dockcfg rollback ${manifest.id}`,
      changes,
      changedKeys,
      activation: activationFor(changedKeys),
      ...(pending?.backupId === manifest.id ? {resolvesPending: manifest.id} : {}),
      emptiedDirs: manifest.createdDirs ?? [],
    },
    inspect,
    options,
  )
  return {...result, restoredFrom: manifest.id}
}

/**
 * What the armed timer runs (`dockcfg rollback ID --auto`) when an apply did not disarm it in
 * time: the dockcfg that armed it died or hung. Restores the files, restarts dockerd on them and
 * clears the pending record. Does nothing when that apply already settled.
 */
export async function autoRollback(system: System, id: string, inspect: Inspector): Promise<{restored: string[]; healthy: boolean; skipped?: string; warning?: string}> {
  const first = await readPending(system)
  if (first === undefined || first.backupId !== id) return {restored: [], healthy: true, skipped: 'no unfinished apply for this backup: nothing to do'}
  // The apply that armed us may still be running (a slow start, its own rollback): wait for its
  // lock, then look again, or both would restart dockerd at once. A lock still held after that is
  // a hung dockcfg, which is exactly what this timer is for: go ahead without it.
  let lock: LockHandle | undefined
  let warning: string | undefined
  try {
    lock = await acquireLock(system, `dockcfg rollback ${id} --auto`, {timeoutMs: Math.max(60, 2 * first.timerSeconds) * 1000})
  } catch (error) {
    warning = `${(error as Error).message}; restoring anyway`
  }
  try {
    const pending = await readPending(system)
    if (pending === undefined || pending.backupId !== id) return {restored: [], healthy: true, skipped: 'the apply settled while this timer waited for it: nothing to do'}
    return {...(await restoreAndRestart(system, id, inspect)), ...(warning ? {warning} : {})}
  } finally {
    await lock?.release()
  }
}

async function restoreAndRestart(system: System, id: string, inspect: Inspector): Promise<{restored: string[]; healthy: boolean; skipped?: string}> {
  const view = await inspect(system.fs)
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
    throw new DockcfgError(`automatic rollback restored ${restored.join(', ')} from backup ${id}, but dockerd did not come back: ${health.reason}`, {
      exitCode: ExitCode.RollbackFailed,
    })
  }
  return {restored, healthy: true}
}
