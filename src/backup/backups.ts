import {createHash, randomBytes} from 'node:crypto'

import {DockcfgError, RefusedError, UsageError} from '../core/errors.js'
import type {System} from '../system/index.js'
import {byCodeUnits} from '../core/order.js'

/**
 * Backups of every file dockcfg is about to replace, kept under /var/lib/dockcfg/backups (inside
 * --root) with a manifest, so `dockcfg history` can list them and `dockcfg rollback` (or the armed
 * rollback timer) can restore the exact previous bytes, including "this file did not exist".
 */
export const BACKUP_DIR = '/var/lib/dockcfg/backups'

export interface BackedUpFile {
  path: string
  /** False when the file did not exist: restoring means deleting it. */
  existed: boolean
  mode?: number
  uid?: number
  gid?: number
  sha256?: string
  /** Name of the copy inside the backup directory. */
  copy?: string
}

export interface BackupManifest {
  id: string
  time: string
  command: string
  files: BackedUpFile[]
  /**
   * Directories the change created (they did not exist before it): a restore removes them again,
   * deepest first, when nothing but what the change wrote was in them.
   */
  createdDirs?: string[]
  /**
   * Client bundle directories outside /etc/docker/tls the change wrote (remote enable
   * --client-out): the only other places whose ca.pem, cert.pem, key.pem a rollback may restore.
   */
  clientDirs?: string[]
}

export async function createBackup(
  system: System,
  command: string,
  paths: readonly string[],
  createdDirs: readonly string[] = [],
  clientDirs: readonly string[] = [],
): Promise<BackupManifest> {
  const now = system.clock.now()
  // Milliseconds in the id make ids sort in the order the backups were taken (history, the
  // default of `rollback`), even for changes made within the same second.
  const id = `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`
  const dir = `${BACKUP_DIR}/${id}`
  await system.fs.mkdirp(dir, 0o700)
  try {
    const files: BackedUpFile[] = []
    for (const [index, path] of paths.entries()) {
      const bytes = await system.fs.readBytes(path)
      if (bytes === undefined) {
        files.push({path, existed: false})
        continue
      }
      const stat = await system.fs.stat(path)
      const copy = `file-${index}`
      // Backups may hold TLS keys: never more readable than root-only.
      await system.fs.writeAtomic(`${dir}/${copy}`, bytes, {mode: 0o600})
      files.push({path, existed: true, mode: (stat?.mode ?? 0o644) & 0o7777, uid: stat?.uid, gid: stat?.gid, sha256: sha256(bytes), copy})
    }
    const manifest: BackupManifest = {
      id,
      time: now.toISOString(),
      command,
      files,
      ...(createdDirs.length > 0 ? {createdDirs: [...createdDirs]} : {}),
      ...(clientDirs.length > 0 ? {clientDirs: [...clientDirs]} : {}),
    }
    await system.fs.writeAtomic(`${dir}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`, {mode: 0o600})
    return manifest
  } catch (error) {
    // A backup that could not be finished (a full disk) is no backup: nothing is written after it
    // fails. Should the removal fail too, the next run clears it (src/backup/leftovers.ts).
    await removeBackup(system, id).catch(() => undefined)
    throw error
  }
}

/** Removes a backup whose change was never written (its commit failed and was undone). */
export async function removeBackup(system: System, id: string): Promise<void> {
  await system.fs.remove(`${BACKUP_DIR}/${id}`)
}

export async function listBackups(system: System): Promise<BackupManifest[]> {
  return (await parsedManifests(system)).flatMap(({id, manifest}) => (isManifestOf(manifest, id) ? [manifest] : []))
}

/**
 * The newest backup, by its directory: what `rollback` without an id restores. A newest manifest
 * that history cannot list (damaged, tampered) is still the newest, and readBackup's checks refuse
 * it, rather than an older backup being restored in its place.
 */
export async function newestBackupId(system: System): Promise<string | undefined> {
  return (await parsedManifests(system)).at(-1)?.id
}

/**
 * Every backup directory with a manifest that is JSON, oldest first. A manifest cut short by a
 * crash is not a usable backup: skipped.
 */
async function parsedManifests(system: System): Promise<Array<{id: string; manifest: unknown}>> {
  const found: Array<{id: string; manifest: unknown}> = []
  for (const id of await system.fs.list(BACKUP_DIR)) {
    if (!BACKUP_ID.test(id)) continue
    const text = await system.fs.readText(`${BACKUP_DIR}/${id}/manifest.json`)
    if (text === undefined) continue
    try {
      found.push({id, manifest: JSON.parse(text)})
    } catch {
      // Cut short: see above.
    }
  }
  return found.sort((a, b) => byCodeUnits(a.id, b.id))
}

/** The shape history relies on: the manifest of backup `id`, listing its files. */
function isManifestOf(value: unknown, id: string): value is BackupManifest {
  const m = value as Partial<BackupManifest> | null
  return (
    typeof m === 'object' &&
    m !== null &&
    m.id === id &&
    typeof m.time === 'string' &&
    typeof m.command === 'string' &&
    Array.isArray(m.files) &&
    m.files.every((f) => typeof f === 'object' && f !== null && typeof f.path === 'string' && typeof f.existed === 'boolean')
  )
}

/** The ids createBackup makes: the UTC time to the millisecond, a dash, 3 random bytes in hex. */
export const BACKUP_ID = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/

/** Refuses (exit 2) anything but a backup id before it becomes part of a path. */
export function checkBackupId(id: string): void {
  if (!BACKUP_ID.test(id)) {
    throw new UsageError(`${JSON.stringify(id)} is not a backup id (they look like 20261127T174512345Z-3fa2c1)`, {remedy: 'dockcfg history lists the backups'})
  }
}

export async function readBackup(system: System, id: string): Promise<BackupManifest> {
  checkBackupId(id)
  const text = await system.fs.readText(`${BACKUP_DIR}/${id}/manifest.json`)
  if (text === undefined) throw new UsageError(`no backup with id ${id}`, {remedy: 'dockcfg history lists the backups'})
  try {
    return JSON.parse(text) as BackupManifest
  } catch {
    throw new RefusedError(`backup ${id} is damaged: its manifest is not valid JSON. Nothing was written`, {remedy: 'dockcfg history lists the backups'})
  }
}

/** The bytes a backup holds for one file (undefined: the file did not exist). */
export async function backupContent(system: System, manifest: BackupManifest, file: BackedUpFile): Promise<Buffer | undefined> {
  if (!file.existed || file.copy === undefined) return undefined
  const bytes = await system.fs.readBytes(`${BACKUP_DIR}/${manifest.id}/${file.copy}`)
  if (bytes === undefined || sha256(bytes) !== file.sha256) {
    throw new DockcfgError(`backup ${manifest.id} is damaged: the copy of ${file.path} is missing or does not match its checksum`)
  }
  return bytes
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex')
}
