import type {Stats} from 'node:fs'
import * as path from 'node:path'

import {DockcfgError, InvalidConfigError, RefusedError} from '../core/errors.js'

/**
 * What the host's filesystem says, in the terms of the exit-code table: a full disk, a quota or a
 * read-only filesystem means the change cannot be made (exit 3, like a configuration dockerd would
 * refuse), a permission denied means dockcfg was not run as root (exit 7). Every message names the
 * file and the cause on one line and the remedy separately, never a bare errno.
 */

/** A write to `treePath` (at `hostPath` on this machine) failed; nothing of it is left behind. */
export function writeFailure(error: unknown, treePath: string, hostPath: string): Error {
  if (error instanceof DockcfgError) return error
  const code = errnoOf(error)
  const shown = shownPath(treePath)
  const dir = shownPath(path.posix.dirname(path.posix.resolve('/', treePath)))
  const hostDir = shownPath(path.dirname(hostPath))
  switch (code) {
    case 'ENOSPC':
      return new InvalidConfigError(`nothing was written: the file system holding ${dir} is full (ENOSPC writing ${shown})`, {
        remedy: `free space on it (df -h ${hostDir}), then run the command again`,
      })
    case 'EDQUOT':
      return new InvalidConfigError(`nothing was written: the disk quota on the file system holding ${dir} is used up (EDQUOT writing ${shown})`, {
        remedy: `free space within the quota or raise it (quota -s), then run the command again`,
      })
    case 'EROFS':
      return new InvalidConfigError(`nothing was written: the file system holding ${dir} is read-only (EROFS writing ${shown})`, {
        remedy: `make it writable (findmnt -T ${hostDir} shows its mount), or pass --dry-run to only see the change`,
      })
    case 'EACCES':
    case 'EPERM':
      return new RefusedError(`nothing was written: permission denied writing ${shown} (${code})`, {remedy: permissionRemedy(hostDir)})
    default:
      return new DockcfgError(`nothing was written: cannot write ${shown}: ${messageOf(error)}`)
  }
}

/** Reading `treePath` failed. */
export function readFailure(error: unknown, treePath: string): Error {
  if (error instanceof DockcfgError) return error
  const code = errnoOf(error)
  const shown = shownPath(treePath)
  switch (code) {
    case 'ELOOP':
      return new InvalidConfigError(`${shown}: too many levels of symbolic links (a link loop), so it cannot be read`, {remedy: 'point the link at a regular file'})
    case 'ENAMETOOLONG':
      return new InvalidConfigError(`${shown}: file name too long (ENAMETOOLONG), so it cannot be read`, {remedy: 'use a shorter path'})
    case 'EACCES':
    case 'EPERM':
      return new RefusedError(`permission denied reading ${shown} (${code})`, {remedy: permissionRemedy(shownPath(path.posix.dirname(treePath)))})
    case 'EISDIR':
      return notRegularFile(treePath, 'a directory')
    case 'ENXIO':
      return notRegularFile(treePath, 'a socket')
    default:
      return new DockcfgError(`cannot read ${shown}: ${messageOf(error)}`)
  }
}

/**
 * dockerd and systemd read configuration only from regular files. A FIFO would make a reader wait
 * forever for a writer, a device could be endless: both are refused before a byte is read.
 */
export function notRegularFile(treePath: string, kind: string): InvalidConfigError {
  return new InvalidConfigError(`${shownPath(treePath)} is ${kind}, not a regular file: dockerd and systemd read configuration only from regular files`, {
    remedy: 'replace it with a regular file',
  })
}

export function fileKind(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)'
  if (stats.isDirectory()) return 'a directory'
  if (stats.isSocket()) return 'a socket'
  if (stats.isCharacterDevice()) return 'a character device'
  if (stats.isBlockDevice()) return 'a block device'
  if (stats.isSymbolicLink()) return 'a symbolic link'
  return 'a regular file'
}

function permissionRemedy(dir: string): string {
  return process.geteuid?.() === 0 ? `check the owner, mode and attributes of ${dir} (ls -ld, lsattr -d)` : 'run dockcfg as root (sudo dockcfg …)'
}

/** A path for a one-line message: control characters escaped, an absurdly long one shortened. */
export function shownPath(p: string): string {
  const short = p.length > 160 ? `${p.slice(0, 80)}…${p.slice(-60)} (${p.length} characters)` : p
  return [...short].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) ? JSON.stringify(short) : short
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
