import type {ApplyResult, TreeView} from '../apply/plan.js'
import {changedConfigKeys} from '../apply/config-diff.js'
import {readPending} from '../apply/pending.js'
import {type AutoRollbackResult, restoreAndRestart} from '../apply/rollback.js'
import {backupContent, newestBackupId, readBackup} from '../backup/backups.js'
import {checkRestorable} from '../backup/restorable.js'
import type {FileChange} from '../core/file-change.js'
import {UsageError} from '../core/errors.js'
import {activationFor} from '../daemon-config/plan-edit.js'
import type {System} from '../system/index.js'
import {
  applyChange,
  type ChangePlan,
  type CurrentTree,
  inspectCurrent,
  onEffectiveTree,
  type OperationRequest,
  type PipelineRequest,
  runChange,
  type TreeSource,
  withTimerLock,
} from './pipeline.js'

export type RollbackResult = ApplyResult & {backupId?: string; restoredFrom: string}

/**
 * `dockcfg rollback [ID]`: puts the files of a backup (default: the newest) back and applies them
 * through the same safe path as any change, so a rollback is itself backed up, verified, and
 * undone if dockerd does not come back.
 */
export async function runRollback(system: System, request: Omit<OperationRequest, 'command'> & {id: string | undefined}): Promise<RollbackResult> {
  return rollbackOnTree(system, onEffectiveTree({...request, command: 'dockcfg rollback'}), request.id, request.configFile)
}

export async function rollbackOnTree<V extends TreeView>(system: System, request: PipelineRequest<V>, id: string | undefined, configFile: string): Promise<RollbackResult> {
  return runChange(system, request, {
    plan: (tree) => planRollback(system, tree, id, configFile, request),
    result: (applied, plan) => ({...applied, restoredFrom: plan.restoredFrom}),
  })
}

/**
 * Rolls back to backup `id` under a lock this run already holds: remote enable's undo after a
 * failed self-check, on the tree as the change it undoes left it.
 */
export async function rollbackUnderLock<V extends TreeView>(
  system: System,
  tree: CurrentTree<V>,
  request: PipelineRequest<V>,
  id: string,
  configFile: string,
): Promise<RollbackResult> {
  const now = await inspectCurrent(system, tree.lock, request)
  const plan = await planRollback(system, now, id, configFile, request)
  return {...(await applyChange(system, now, request, plan)), restoredFrom: plan.restoredFrom}
}

async function planRollback<V extends TreeView>(
  system: System,
  tree: CurrentTree<V>,
  id: string | undefined,
  configFile: string,
  request: PipelineRequest<V>,
): Promise<ChangePlan<V> & {restoredFrom: string}> {
  const chosen = id ?? (await newestBackupId(system))
  if (chosen === undefined) throw new UsageError('there is no backup to roll back to', {remedy: 'dockcfg history lists the backups'})
  const manifest = checkRestorable(await readBackup(system, chosen), chosen, [configFile, tree.current.configFile])
  const changes: FileChange[] = []
  for (const file of manifest.files) {
    const bytes = await backupContent(system, manifest, file)
    changes.push({path: file.path, before: await system.fs.readText(file.path), after: bytes?.toString('utf8'), newFileMode: file.mode ?? 0o644})
  }
  const changedKeys = changedConfigKeys(changes.find((c) => c.path === configFile))
  const pending = await readPending(system)
  request.apply.progress?.(`rolling back to backup ${manifest.id}`)
  return {
    command: `dockcfg rollback ${manifest.id}`,
    changes,
    changedKeys,
    activation: activationFor(changedKeys),
    ...(pending?.backupId === manifest.id ? {resolvesPending: manifest.id} : {}),
    emptiedDirs: manifest.createdDirs ?? [],
    // The backup this rollback takes holds the same client bundles, so it names the same directories.
    ...(manifest.clientDirs === undefined ? {} : {clientDirs: manifest.clientDirs}),
    restoredFrom: manifest.id,
  }
}

/**
 * What the armed timer runs (`dockcfg rollback ID --auto`) when an apply did not disarm it in
 * time: the dockcfg that armed it died or hung. Does nothing when that apply already settled.
 */
export async function runAutoRollback(system: System, request: {id: string; configFile: string; dockerdVersion: string | undefined}): Promise<AutoRollbackResult> {
  return autoRollbackOnTree(system, onEffectiveTree(request), request.id)
}

export async function autoRollbackOnTree<V extends TreeView>(system: System, request: TreeSource<V>, id: string): Promise<AutoRollbackResult> {
  const first = await readPending(system)
  if (first === undefined || first.backupId !== id) return {restored: [], healthy: true, skipped: 'no unfinished apply for this backup: nothing to do'}
  // The apply that armed us may still be running (a slow start, its own rollback): wait for its
  // lock, then look again, or both would restart dockerd at once.
  return withTimerLock(system, `dockcfg rollback ${id} --auto`, Math.max(60, 2 * first.timerSeconds) * 1000, async (lock, warning) => {
    const pending = await readPending(system)
    if (pending === undefined || pending.backupId !== id) return {restored: [], healthy: true, skipped: 'the apply settled while this timer waited for it: nothing to do'}
    const {current} = await inspectCurrent(system, lock, request)
    return {...(await restoreAndRestart(system, lock, current, id)), ...(warning ? {warning} : {})}
  })
}
