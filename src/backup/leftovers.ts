import * as path from 'node:path'

import {tempFileWriter} from '../system/atomic-write.js'
import type {System} from '../system/index.js'
import {BACKUP_DIR, type BackupManifest} from './backups.js'

/** Backup ids as createBackup makes them: only such directories are ever removed. */
const BACKUP_ID = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/

/** Directories dockcfg writes whatever the backups say: its state, daemon.json's home, the drop-ins. */
const STATE_DIRS = ['/etc/docker', '/etc/systemd/system/docker.service.d', '/var/lib/dockcfg', BACKUP_DIR]

/**
 * How many of the newest backups are looked at. Every run that takes the lock sweeps before it
 * writes anything, so what a killed run left is swept by the next one, and that run's backup is
 * then the newest (a rollback, automatic or not, restores through a new backup too). A few more
 * than one, for backups made within the same millisecond or across a small step back of the clock.
 * Looking at every backup would make each run slower with each change ever made.
 */
const NEWEST_BACKUPS = 3

/**
 * Clears what a run killed mid-write (kill -9, power cut) left behind, called by the lock's holder
 * right after taking it:
 * - backup directories without a manifest: createBackup writes the manifest last, so such a
 *   directory is a backup that was never finished, and no change was written after it. Backups are
 *   only created under the lock, so none of them is being written by anyone else now.
 * - dockcfg's temporary files (src/system/atomic-write.ts) whose writer is gone, in every directory
 *   dockcfg writes: the fixed ones, the lock's, and those of every file the newest backups name (a
 *   file is always backed up before it is written, so its directory is known even for a custom
 *   --config-file). A temporary file of a live process is kept: a run waiting for the lock writes
 *   one beside the lock file.
 */
export async function removeLeftovers(system: System, lockDir: string): Promise<void> {
  const dirs = new Set([...STATE_DIRS, lockDir])
  const files = new Set<string>()
  // Ids sort by the time they were taken (createBackup).
  const newest = (await system.fs.list(BACKUP_DIR))
    .filter((id) => BACKUP_ID.test(id))
    .sort()
    .slice(-NEWEST_BACKUPS)
  for (const id of newest) {
    const dir = `${BACKUP_DIR}/${id}`
    if (!(await system.fs.lstat(dir))?.isDirectory()) continue
    dirs.add(dir)
    const manifest = await system.fs.readText(`${dir}/manifest.json`)
    if (manifest === undefined) {
      await system.fs.remove(dir)
      dirs.delete(dir)
      continue
    }
    for (const file of filesOf(manifest)) files.add(file)
  }
  for (const file of files) {
    // A path that no longer resolves (a link loop planted since) has no directory to sweep.
    const real = await system.fs.realpath(file).catch(() => undefined)
    if (real !== undefined) dirs.add(path.posix.dirname(real))
  }
  for (const dir of dirs) {
    // Housekeeping must not stop the command: a directory that cannot be listed keeps its leftovers.
    for (const name of await system.fs.list(dir).catch(() => [])) {
      const writer = tempFileWriter(name)
      if (writer !== undefined && writer !== system.host.pid && !system.host.isAlive(writer)) await system.fs.remove(`${dir}/${name}`)
    }
  }
}

/** The paths a manifest names; none from one that does not parse (history skips it too). */
function filesOf(manifestText: string): string[] {
  try {
    const files = (JSON.parse(manifestText) as Partial<BackupManifest>).files
    return Array.isArray(files) ? files.map((f) => f?.path).filter((p): p is string => typeof p === 'string' && p.startsWith('/')) : []
  } catch {
    return []
  }
}
