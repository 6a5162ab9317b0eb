import {linkSync, lstatSync, readFileSync, rmSync} from 'node:fs'
import * as path from 'node:path'

import {createExclusive, writeTempFile} from './atomic-write.js'

/**
 * The file primitives dockcfg's lock is made of (src/backup/lock.ts decides what they mean). Host
 * paths: the lock's path is resolved once, by the caller, with FileSystem.hostPathForWrite.
 */
export interface LockFiles {
  /** Creates `file` holding exactly `content` in one step; false when something is at that name already. */
  create(file: string, content: string): Promise<boolean>
  /** A regular file's content, never following a link; undefined when nothing is there, 'unreadable' for anything else. */
  read(file: string): Promise<string | 'unreadable' | undefined>
  /** When the file was last modified (ms since the epoch); undefined when it cannot be told. */
  modifiedAt(file: string): Promise<number | undefined>
  isDirectory(file: string): Promise<boolean>
  remove(file: string): Promise<void>
}

export const hostLockFiles: LockFiles = {
  /**
   * Written aside in full, then hard-linked into place (link fails if the name exists). An O_EXCL
   * create would show waiters an empty file for a moment, indistinguishable from a broken one.
   */
  async create(file, content) {
    // Not fsynced: a reboot makes every lock stale anyway (boot id), so only completeness matters.
    const temporary = await writeTempFile(path.dirname(file), path.basename(file), content, {mode: 0o644, durable: false})
    try {
      linkSync(temporary, file)
      return true
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST') return false
      if (code !== 'EPERM' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error
      // A filesystem without hard links: plain O_EXCL (the short empty-file window is covered by
      // the lock's age rule for unreadable records).
      try {
        await createExclusive(file, content, 0o644)
        return true
      } catch (fallbackError) {
        if ((fallbackError as NodeJS.ErrnoException).code === 'EEXIST') return false
        throw fallbackError
      }
    } finally {
      rmSync(temporary, {force: true})
    }
  },
  async read(file) {
    try {
      // Never open anything but a regular file: reading a FIFO planted there would block forever.
      if (!lstatSync(file).isFile()) return 'unreadable'
      return readFileSync(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      return 'unreadable'
    }
  },
  async modifiedAt(file) {
    try {
      return lstatSync(file).mtimeMs
    } catch {
      return undefined
    }
  },
  async isDirectory(file) {
    return lstatSync(file, {throwIfNoEntry: false})?.isDirectory() ?? false
  },
  remove: async (file) => rmSync(file, {force: true}),
}
