import * as path from 'node:path'

import {backupContent, type BackupManifest, createBackup, removeBackup} from '../backup/backups.js'
import type {HeldLock} from '../backup/lock.js'
import {ApplyFailedError, DockcfgError} from '../core/errors.js'
import {redactText, secretFiles, secretPlaceholder} from './redact.js'
import type {FileChange} from '../core/file-change.js'
import type {System} from '../system/index.js'

/**
 * The plan/apply boundary. Domain code computes FileChanges purely (what each file holds now, what
 * it should hold); only commitChangeSet performs I/O. --dry-run renders the same plan as a diff.
 */

export interface CommitResult {
  backup: BackupManifest
  written: string[]
}

/** Later changes to the same file replace earlier ones, keeping the original `before`. */
export function combineChanges(first: readonly FileChange[], second: readonly FileChange[]): FileChange[] {
  const byPath = new Map(first.map((c) => [c.path, {...c}]))
  for (const c of second) {
    const earlier = byPath.get(c.path)
    byPath.set(c.path, earlier ? {...earlier, after: c.after} : {...c})
  }
  return [...byPath.values()]
}

/** What a commit did, file by file, for the user: "wrote A, B; removed C" (a restored deletion is no write). */
export function describeCommit(files: readonly string[], removed: readonly string[]): string {
  const written = files.filter((f) => !removed.includes(f))
  return [written.length > 0 ? `wrote ${written.join(', ')}` : '', removed.length > 0 ? `removed ${removed.join(', ')}` : ''].filter((s) => s !== '').join('; ')
}

/**
 * A unified diff of every file the plan touches, as `diff -u` would show it, redacted by the one
 * rule (src/changes/redact.ts): a secret file shows its size and digest, never its content.
 */
export async function renderDiff(changes: readonly FileChange[]): Promise<string> {
  const {createTwoFilesPatch} = await import('diff')
  const shown = changes.filter((c) => c.before !== c.after)
  const secret = secretFiles(shown.map((c) => ({path: c.path, texts: [c.before, c.after]})))
  const text = (content: string | undefined, path: string): string => (content === undefined ? '' : secret.has(path) ? secretPlaceholder(content) : content)
  const diff = shown
    .map((c) =>
      createTwoFilesPatch(
        c.before === undefined ? '/dev/null' : `a${c.path}`,
        c.after === undefined ? '/dev/null' : `b${c.path}`,
        text(c.before, c.path),
        text(c.after, c.path),
        undefined,
        undefined,
        {context: 3},
      )
        .split('\n')
        .slice(1) // drop the "====" banner line
        .join('\n'),
    )
    .join('')
  return redactText(diff)
}

/**
 * Writes a plan under the lock its caller holds: refuses if any file changed since the plan was
 * made (someone else edited it meanwhile), backs every file up, then writes each atomically. If a
 * write fails half-way the files already written are put back, so a failure leaves the tree as it was.
 */
export async function commitChangeSet(
  system: System,
  // Only a holder of the lock writes: backups, and the refusal below, assume nobody else does.
  _lock: HeldLock,
  command: string,
  changes: readonly FileChange[],
  options: {
    /**
     * Runs once the backup exists and before the first file is written (an apply arms its rollback
     * there, so no kill can leave files written without it). If it throws, nothing is written and
     * the backup is deleted.
     */
    beforeWrite?: (backup: BackupManifest) => Promise<void>
    /** Directories the caller created for this change beforehand (remote enable's private key directories). */
    createdDirs?: readonly string[]
    /** Client bundle directories the change writes outside /etc/docker/tls (BackupManifest.clientDirs). */
    clientDirs?: readonly string[]
  } = {},
): Promise<CommitResult> {
  const effective = changes.filter((c) => c.before !== c.after)
  for (const change of effective) {
    const now = await system.fs.readText(change.path)
    if (now !== change.before) {
      throw new DockcfgError(`${change.path} changed while dockcfg was planning; nothing was written`, {remedy: 'run the command again'})
    }
  }
  const backup = await createBackup(
    system,
    command,
    effective.map((c) => c.path),
    [...new Set([...(options.createdDirs ?? []), ...(await missingDirs(system, effective))])],
    options.clientDirs ?? [],
  )
  await system.checkpoint('backup-taken')
  if (options.beforeWrite) {
    try {
      await options.beforeWrite(backup)
    } catch (error) {
      await removeBackup(system, backup.id)
      throw error
    }
  }
  const written: string[] = []
  try {
    for (const change of effective) {
      await writeOne(system, change)
      written.push(change.path)
      await system.checkpoint(`wrote-${written.length}`)
    }
  } catch (error) {
    await undoPartialCommit(system, backup, written, error)
    // The files are as they were, so the backup is only clutter in history; but a rollback armed
    // by beforeWrite still names it: its caller disarms that first, then drops the backup.
    if (!options.beforeWrite) await removeBackup(system, backup.id).catch(() => undefined)
    throw error
  }
  return {backup, written}
}

/**
 * A write failed (a full disk, say): puts back the files already written, so the caller's error
 * ("nothing was written") holds. When a file cannot be put back, the tree is half-written: that is
 * said exactly (exit 5), and the backup kept.
 */
async function undoPartialCommit(system: System, backup: BackupManifest, written: readonly string[], cause: unknown): Promise<void> {
  try {
    await restoreFromBackup(system, backup, written)
    await removeEmptyDirs(system, backup.createdDirs ?? [])
  } catch (restoreError) {
    throw new ApplyFailedError(
      `${withoutClaim(cause)}; putting back what was already written failed too (${withoutClaim(restoreError)}): the tree may be half-written (already replaced: ${written.join(', ')})`,
      {
        changed: true,
        action: 'rollback-failed',
        files: [...written],
        restored: [],
        backupId: backup.id,
        reason: withoutClaim(cause),
        journal: [],
        warnings: [],
        rollbackError: withoutClaim(restoreError),
      },
      {remedy: `once the cause is fixed, restore the previous files with: dockcfg rollback ${backup.id}`},
    )
  }
}

/** A write error's cause without its "nothing was written" (true of that write, not of the commit). */
function withoutClaim(error: unknown): string {
  return (error as Error).message.replace(/^nothing was written: /, '')
}

/** The directories writing these changes will create (every missing level), as writeOne resolves them. */
async function missingDirs(system: System, changes: readonly FileChange[]): Promise<string[]> {
  const missing: string[] = []
  for (const change of changes) {
    if (change.after === undefined) continue
    const target = await system.fs.realpath(change.path)
    for (let dir = path.posix.dirname(target); dir !== '/' && (await system.fs.lstat(dir)) === undefined; dir = path.posix.dirname(dir)) missing.push(dir)
  }
  return missing
}

async function writeOne(system: System, change: FileChange): Promise<void> {
  const target = await system.fs.realpath(change.path)
  if (change.after === undefined) {
    await system.fs.remove(target)
    return
  }
  const stat = await system.fs.stat(target)
  await system.fs.mkdirp(path.posix.dirname(target))
  await system.fs.writeAtomic(target, change.after, {
    mode: stat ? stat.mode & 0o7777 : (change.newFileMode ?? 0o644),
    uid: stat?.uid,
    gid: stat?.gid,
  })
}

/**
 * Puts files back exactly as a backup recorded them (bytes, mode, owner; deleting files that did not
 * exist). `only` limits the restore to some paths. Returns the paths restored.
 */
export async function restoreFromBackup(system: System, backup: BackupManifest, only?: readonly string[]): Promise<string[]> {
  const restored: string[] = []
  for (const file of backup.files) {
    if (only !== undefined && !only.includes(file.path)) continue
    const target = await system.fs.realpath(file.path)
    const bytes = await backupContent(system, backup, file)
    if (bytes === undefined) {
      await system.fs.remove(target)
    } else {
      await system.fs.mkdirp(path.posix.dirname(target))
      await system.fs.writeAtomic(target, bytes, {mode: file.mode ?? 0o644, uid: file.uid, gid: file.gid})
    }
    restored.push(file.path)
  }
  await removeEmptyDirs(system, backup.createdDirs ?? [])
  return restored
}

/**
 * Removes directories, deepest first, that are empty: those a change created
 * (BackupManifest.createdDirs) once the files it wrote in them are gone. One that holds anything
 * else (someone put a file there since) stays, and so do its parents.
 */
export async function removeEmptyDirs(system: System, dirs: readonly string[]): Promise<void> {
  for (const dir of [...new Set(dirs)].sort((a, b) => b.length - a.length)) {
    // rmdir, not a recursive remove: a file that appears there meanwhile keeps the directory.
    if ((await system.fs.lstat(dir))?.isDirectory()) await system.fs.removeEmptyDir(dir)
  }
}

/** Files of a backup that no longer hold what it recorded (its bytes, or "did not exist"). */
export async function changedSinceBackup(system: System, backup: BackupManifest): Promise<string[]> {
  const changed: string[] = []
  for (const file of backup.files) {
    const now = await system.fs.readBytes(file.path)
    const then = await backupContent(system, backup, file)
    if (now === undefined ? then !== undefined : then === undefined || !now.equals(then)) changed.push(file.path)
  }
  return changed
}
