import {
  chmodSync,
  closeSync,
  constants as fsConstants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  rmdirSync,
  rmSync,
  statSync,
  type Stats,
} from 'node:fs'
import * as path from 'node:path'

import {replaceFile, systemWriteCalls, type WriteCalls, type WriteOptions} from './atomic-write.js'
import {fileKind, notRegularFile, readFailure, writeFailure} from './host-errors.js'

/**
 * The filesystem seam. Every path a domain module handles is a path *inside the managed tree*
 * (`/etc/docker/daemon.json`), and this seam maps it onto the host under `--root`. Symlinks are
 * resolved inside the tree too, so an image being built under `--root` never leads a write onto
 * the build machine's own /etc.
 */
export interface FileSystem {
  /** The host directory that plays `/` for this invocation. */
  readonly root: string
  /** Host path for a tree path (for messages and for child processes that need real paths). */
  hostPath(treePath: string): string
  /** Host path to write `treePath` at: its directory's links resolved inside the tree. */
  hostPathForWrite(treePath: string): string
  /** A regular file's content; undefined when it does not exist. Anything else there (a FIFO, a directory) is refused, never waited on. */
  readText(treePath: string): Promise<string | undefined>
  readBytes(treePath: string): Promise<Buffer | undefined>
  /** Entry names of a directory; empty when the directory does not exist. */
  list(treePath: string): Promise<string[]>
  stat(treePath: string): Promise<Stats | undefined>
  lstat(treePath: string): Promise<Stats | undefined>
  /** Resolves symlinks inside the tree; the result is a tree path. Missing leaves are allowed. */
  realpath(treePath: string): Promise<string>
  /**
   * Replaces a file atomically with exactly `data` (src/system/atomic-write.ts), or leaves it as it
   * was and throws: exit 3 for a full disk or a read-only filesystem, exit 7 for permission denied.
   * The caller resolves symlinks first (see realpath) so the link itself survives.
   */
  writeAtomic(treePath: string, data: string | Buffer, options: WriteOptions): Promise<void>
  /** Creates the directory (mode exactly `mode`, default 0755) and missing parents (0755). */
  mkdirp(treePath: string, mode?: number): Promise<void>
  remove(treePath: string): Promise<void>
  /** Removes a directory only if it is empty (rmdir); false when it is not empty or not there. */
  removeEmptyDir(treePath: string): Promise<boolean>
}

const MAX_SYMLINK_DEPTH = 40
/** Linux's limits on a path (with its terminating NUL) and on one of its components, in bytes. */
const PATH_MAX = 4096
const NAME_MAX = 255

/**
 * Node's synchronous calls behind the async interface: dockcfg does one thing at a time, and each
 * promise-based call is a round trip through libuv's thread pool. `validate` makes about a hundred
 * of them (unit search paths, a readlink per path component), which cost ~15 ms of waiting on
 * every start (issue 2, `npm run bench`); a write is a dozen calls (atomic-write.ts).
 */
export class HostFileSystem implements FileSystem {
  readonly root: string
  /**
   * Tree paths found to be directories that are not links, so a walk need not lstat them again: a
   * `set` walks the same few prefixes (/etc, /etc/systemd/system, /var/lib/dockcfg/backups/...)
   * hundreds of times. Only what this instance removes can turn one into something else, so
   * removing clears it; a directory swapped for a link by someone else in mid-run was a race before too.
   */
  private readonly knownDirs = new Set<string>()

  /** `writeCalls`: the write(2)/fsync(2) seam of every write, replaced by tests of short writes and full disks. */
  constructor(
    root: string,
    private readonly writeCalls: WriteCalls = systemWriteCalls,
  ) {
    this.root = path.resolve(root)
  }

  hostPath(treePath: string): string {
    return this.hostPathOfNormal(path.posix.resolve('/', treePath))
  }

  /** hostPath for a path already absolute and normal (no `.`, `..`, `//` or trailing `/`). */
  private hostPathOfNormal(normal: string): string {
    return this.root === '/' ? normal : normal === '/' ? this.root : `${this.root}${normal}`
  }

  /**
   * The host path to create, replace or remove `treePath` at: its directory resolved inside the
   * tree, the last component as named (a link there is replaced, not followed). Without this an
   * absolute link in the tree (`/var` -> `/srv/var`) would send the write to this machine's
   * /srv/var, outside --root.
   */
  hostPathForWrite(treePath: string): string {
    const normal = path.posix.resolve('/', treePath)
    if (normal === '/') return this.hostPath('/')
    try {
      const dir = this.resolve(path.posix.dirname(normal)).resolved
      return this.hostPath(path.posix.join(dir, path.posix.basename(normal)))
    } catch (error) {
      throw readFailure(error, treePath)
    }
  }

  async readText(treePath: string): Promise<string | undefined> {
    const bytes = await this.readBytes(treePath)
    return bytes?.toString('utf8')
  }

  async readBytes(treePath: string): Promise<Buffer | undefined> {
    try {
      const {resolved, missing} = this.resolve(treePath)
      // Links are resolved inside the tree already: the last component must not be one now.
      return missing ? undefined : readRegularFile(this.hostPath(resolved), treePath, {followLinks: false})
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw readFailure(error, treePath)
    }
  }

  async list(treePath: string): Promise<string[]> {
    try {
      const {resolved, missing} = this.resolve(treePath)
      return missing ? [] : readdirSync(this.hostPath(resolved)).sort()
    } catch (error) {
      if (isNotFound(error)) return []
      throw readFailure(error, treePath)
    }
  }

  async stat(treePath: string): Promise<Stats | undefined> {
    try {
      const {resolved, missing} = this.resolve(treePath)
      return missing ? undefined : this.lstatHost(this.hostPath(resolved))
    } catch (error) {
      throw readFailure(error, treePath)
    }
  }

  async lstat(treePath: string): Promise<Stats | undefined> {
    try {
      // The directory's links resolved inside the tree, the last component not followed: the entry
      // a write to this path would replace (callers check it for a planted link before writing).
      return this.lstatHost(this.hostPathForWrite(treePath))
    } catch (error) {
      throw readFailure(error, treePath)
    }
  }

  async realpath(treePath: string): Promise<string> {
    try {
      return this.resolve(treePath).resolved
    } catch (error) {
      throw readFailure(error, treePath)
    }
  }

  /**
   * Walks the path component by component so absolute link targets are re-rooted under --root.
   * `missing`: some component does not exist, so neither does the path. Asks lstat rather than
   * trying readlink on everything: a failed call costs a thrown error, and the unit search path
   * alone is ~150 components per run.
   */
  private resolve(treePath: string): {resolved: string; missing: boolean} {
    let resolved = '/'
    let missing = false
    const normal = path.posix.resolve('/', treePath)
    const pending = normal.split('/').filter(Boolean)
    // What the kernel refuses whether or not the file exists: a walk that stops at the first
    // missing component would otherwise call an impossible path merely "missing".
    if (Buffer.byteLength(normal) >= PATH_MAX || pending.some((part) => Buffer.byteLength(part) > NAME_MAX)) {
      throw Object.assign(new Error(`file name too long: ${treePath}`), {code: 'ENAMETOOLONG'})
    }
    let depth = 0
    while (pending.length > 0) {
      const part = pending.shift() as string
      const candidate = part === '.' || part === '..' ? path.posix.join(resolved, part) : resolved === '/' ? `/${part}` : `${resolved}/${part}`
      if (!missing && this.knownDirs.has(candidate)) {
        resolved = candidate
        continue
      }
      const info = missing ? undefined : this.lstatHost(this.hostPathOfNormal(candidate))
      if (info === undefined) missing = true
      else if (info.isDirectory()) this.knownDirs.add(candidate)
      if (!info?.isSymbolicLink()) {
        resolved = candidate
        continue
      }
      if (++depth > MAX_SYMLINK_DEPTH) throw Object.assign(new Error(`too many levels of symbolic links: ${treePath}`), {code: 'ELOOP'})
      const target = readlinkSync(this.hostPathOfNormal(candidate))
      pending.unshift(...target.split('/').filter(Boolean))
      resolved = target.startsWith('/') ? '/' : resolved
    }
    return {resolved, missing}
  }

  /** lstat, undefined when the path is not there (ENOENT, or a parent that is not a directory). */
  private lstatHost(hostPath: string): Stats | undefined {
    try {
      return lstatSync(hostPath, {throwIfNoEntry: false})
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  async writeAtomic(treePath: string, data: string | Buffer, options: WriteOptions): Promise<void> {
    let target = treePath
    try {
      target = this.hostPathForWrite(treePath)
      await replaceFile(target, data, options, this.writeCalls)
    } catch (error) {
      throw writeFailure(error, treePath, target)
    }
  }

  async mkdirp(treePath: string, mode = 0o755): Promise<void> {
    let target = treePath
    try {
      // Through the tree's own links (an image whose /var points at /data/var gets its directories
      // there, inside the tree), never the host's.
      target = this.hostPath(this.resolve(treePath).resolved)
      const missing: string[] = []
      for (let dir = target; this.lstatHost(dir) === undefined && dir !== path.dirname(dir); dir = path.dirname(dir)) missing.unshift(dir)
      // One mkdir per directory rather than a recursive one: that reports a read-only filesystem
      // as ENOENT. mkdir's mode passes through the umask: under `umask 077` an image would get a
      // /etc/docker only root can enter. So set what this call created: `mode` for the directory
      // asked for, 0755 for any parent it had to create (/var/lib on the way to /var/lib/dockcfg/backups/ID).
      for (const dir of missing) {
        try {
          mkdirSync(dir)
        } catch (error) {
          // Made by someone else meanwhile: theirs, mode included.
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue
          throw error
        }
        chmodSync(dir, dir === target ? mode : 0o755)
      }
    } catch (error) {
      throw writeFailure(error, treePath, target)
    }
  }

  async remove(treePath: string): Promise<void> {
    let target = treePath
    try {
      target = this.hostPathForWrite(treePath)
      this.knownDirs.clear()
      rmSync(target, {force: true, recursive: true})
    } catch (error) {
      throw writeFailure(error, treePath, target)
    }
  }

  async removeEmptyDir(treePath: string): Promise<boolean> {
    let target = treePath
    try {
      target = this.hostPathForWrite(treePath)
      this.knownDirs.clear()
      rmdirSync(target)
      return true
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || isNotFound(error)) return false
      throw writeFailure(error, treePath, target)
    }
  }
}

/**
 * Reads a regular file without ever blocking on something that is not one: the kind is checked
 * before the open (opening a device can have effects of its own) and again on the open descriptor
 * (the entry may have been swapped in between), the open does not wait for a FIFO's writer, and
 * the read stops at the size the file had when opened. The one place dockcfg reads configuration
 * bytes: the tree seam above and files named on the command line (`validate --file`).
 */
export function readRegularFile(hostPath: string, shownPath: string, options: {followLinks: boolean}): Buffer {
  const before = options.followLinks ? statSync(hostPath) : lstatSync(hostPath)
  if (!before.isFile()) throw notRegularFile(shownPath, fileKind(before))
  const fd = openSync(hostPath, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | (options.followLinks ? 0 : fsConstants.O_NOFOLLOW))
  try {
    const stats = fstatSync(fd)
    if (!stats.isFile()) throw notRegularFile(shownPath, fileKind(stats))
    if (stats.size === 0) return readToEnd(fd)
    const bytes = Buffer.alloc(stats.size)
    let done = 0
    while (done < bytes.length) {
      const read = readSync(fd, bytes, done, bytes.length - done, done)
      if (read === 0) break
      done += read
    }
    return done === bytes.length ? bytes : bytes.subarray(0, done)
  } finally {
    closeSync(fd)
  }
}

/**
 * procfs and sysfs files (/proc/net/tcp, which preflight reads) say they are empty regular files
 * and hold text all the same: read those to their end, within a bound no such file comes near.
 */
const SIZELESS_READ_MAX = 16 * 1024 * 1024

function readToEnd(fd: number): Buffer {
  const chunks: Buffer[] = []
  let total = 0
  for (;;) {
    const chunk = Buffer.alloc(64 * 1024)
    const read = readSync(fd, chunk, 0, chunk.length, null)
    if (read === 0) return Buffer.concat(chunks, total)
    chunks.push(chunk.subarray(0, read))
    total += read
    if (total > SIZELESS_READ_MAX) throw Object.assign(new Error(`a file that reports no size held more than ${SIZELESS_READ_MAX} bytes`), {code: 'EFBIG'})
  }
}

/** The size of a regular file on this machine (following links); 0 when missing or not one. */
export async function localFileSize(hostPath: string): Promise<number> {
  try {
    const stats = statSync(hostPath)
    return stats.isFile() ? stats.size : 0
  } catch {
    return 0
  }
}

/**
 * A file on this machine that a flag names (certificates under --cert-dir, --ca): its text, or
 * undefined when it is missing or is not a regular file readable by this user (a FIFO there is
 * not waited on). Callers report what is missing in their own terms.
 */
export async function readLocalText(hostPath: string): Promise<string | undefined> {
  try {
    return readRegularFile(hostPath, hostPath, {followLinks: true}).toString('utf8')
  } catch {
    return undefined
  }
}

export function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}
