import {constants as fsConstants, lstatSync, readdirSync, readFileSync, readlinkSync, type Stats} from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'

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
  readText(treePath: string): Promise<string | undefined>
  readBytes(treePath: string): Promise<Buffer | undefined>
  /** Entry names of a directory; empty when the directory does not exist. */
  list(treePath: string): Promise<string[]>
  stat(treePath: string): Promise<Stats | undefined>
  lstat(treePath: string): Promise<Stats | undefined>
  /** Resolves symlinks inside the tree; the result is a tree path. Missing leaves are allowed. */
  realpath(treePath: string): Promise<string>
  /**
   * Replaces a file atomically: temp file in the same directory, fsync, rename, fsync of the
   * directory. The caller resolves symlinks first (see realpath) so the link itself survives.
   */
  writeAtomic(treePath: string, data: string | Buffer, options: WriteOptions): Promise<void>
  /** Creates the directory (mode exactly `mode`, default 0755) and missing parents (0755). */
  mkdirp(treePath: string, mode?: number): Promise<void>
  remove(treePath: string): Promise<void>
  /** Removes a directory only if it is empty (rmdir); false when it is not empty or not there. */
  removeEmptyDir(treePath: string): Promise<boolean>
}

export interface WriteOptions {
  mode: number
  uid?: number | undefined
  gid?: number | undefined
}

const MAX_SYMLINK_DEPTH = 40

/**
 * Reads use Node's synchronous calls behind the async interface: dockcfg does one thing at a time,
 * and each promise-based call is a round trip through libuv's thread pool. `validate` makes about
 * a hundred of them (unit search paths, a readlink per path component), which cost ~15 ms of
 * waiting on every start (issue 2, `npm run bench`). Writes stay asynchronous.
 */
export class HostFileSystem implements FileSystem {
  readonly root: string

  constructor(root: string) {
    this.root = path.resolve(root)
  }

  hostPath(treePath: string): string {
    const normal = path.posix.resolve('/', treePath)
    return this.root === '/' ? normal : path.join(this.root, normal)
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
    const dir = this.resolve(path.posix.dirname(normal)).resolved
    return this.hostPath(path.posix.join(dir, path.posix.basename(normal)))
  }

  async readText(treePath: string): Promise<string | undefined> {
    const bytes = await this.readBytes(treePath)
    return bytes?.toString('utf8')
  }

  async readBytes(treePath: string): Promise<Buffer | undefined> {
    const {resolved, missing} = this.resolve(treePath)
    if (missing) return undefined
    try {
      return readFileSync(this.hostPath(resolved))
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  async list(treePath: string): Promise<string[]> {
    const {resolved, missing} = this.resolve(treePath)
    if (missing) return []
    try {
      return readdirSync(this.hostPath(resolved)).sort()
    } catch (error) {
      if (isNotFound(error)) return []
      throw error
    }
  }

  async stat(treePath: string): Promise<Stats | undefined> {
    const {resolved, missing} = this.resolve(treePath)
    return missing ? undefined : this.lstatHost(this.hostPath(resolved))
  }

  async lstat(treePath: string): Promise<Stats | undefined> {
    // The directory's links resolved inside the tree, the last component not followed: the entry
    // a write to this path would replace (callers check it for a planted link before writing).
    return this.lstatHost(this.hostPathForWrite(treePath))
  }

  async realpath(treePath: string): Promise<string> {
    return this.resolve(treePath).resolved
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
    const pending = path.posix.resolve('/', treePath).split('/').filter(Boolean)
    let depth = 0
    while (pending.length > 0) {
      const part = pending.shift() as string
      const candidate = path.posix.join(resolved, part)
      const info = missing ? undefined : this.lstatHost(this.hostPath(candidate))
      if (info === undefined) missing = true
      if (!info?.isSymbolicLink()) {
        resolved = candidate
        continue
      }
      if (++depth > MAX_SYMLINK_DEPTH) throw new Error(`too many levels of symbolic links: ${treePath}`)
      const target = readlinkSync(this.hostPath(candidate))
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
    const target = this.hostPathForWrite(treePath)
    const {default: writeFileAtomic} = await import('write-file-atomic')
    await writeFileAtomic(target, data, {
      mode: options.mode,
      chown: options.uid === undefined || options.gid === undefined ? undefined : {uid: options.uid, gid: options.gid},
      fsync: true,
    })
    // write-file-atomic syncs the file but not the directory entry; without this a power cut can
    // lose the rename and bring the old file back.
    const dir = await fsp.open(path.dirname(target), fsConstants.O_RDONLY | fsConstants.O_DIRECTORY)
    try {
      await dir.sync()
    } finally {
      await dir.close()
    }
  }

  async mkdirp(treePath: string, mode = 0o755): Promise<void> {
    // Through the tree's own links (an image whose /var points at /data/var gets its directories
    // there, inside the tree), never the host's.
    const target = this.hostPath(this.resolve(treePath).resolved)
    const first = await fsp.mkdir(target, {recursive: true, mode})
    if (first === undefined) return
    // mkdir's mode passes through the umask: under `umask 077` an image would get a /etc/docker
    // only root can enter. So set what this call created: `mode` for the directory asked for,
    // 0755 for any parent it had to create (/var/lib on the way to /var/lib/dockcfg/backups/ID).
    for (let dir = target; ; dir = path.dirname(dir)) {
      await fsp.chmod(dir, dir === target ? mode : 0o755)
      if (dir === first || dir === path.dirname(dir)) break
    }
  }

  async remove(treePath: string): Promise<void> {
    await fsp.rm(this.hostPathForWrite(treePath), {force: true, recursive: true})
  }

  async removeEmptyDir(treePath: string): Promise<boolean> {
    try {
      await fsp.rmdir(this.hostPathForWrite(treePath))
      return true
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || isNotFound(error)) return false
      throw error
    }
  }
}

export function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}
