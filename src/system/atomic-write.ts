import {closeSync, constants, fchmodSync, fchownSync, fstatSync, fsyncSync, lstatSync, openSync, readSync, renameSync, rmSync, writeSync} from 'node:fs'
import * as path from 'node:path'

import {DockcfgError} from '../core/errors.js'

/** The mode and owner a written file gets. */
export interface WriteOptions {
  mode: number
  uid?: number | undefined
  gid?: number | undefined
}

/**
 * The two system calls whose results decide whether a file holds what was meant: write(2), which
 * may write fewer bytes than asked (a nearly full disk does exactly that), and fsync(2), where a
 * filesystem may report ENOSPC or EIO late. A seam, so tests can make them short or failing
 * without replacing node:fs for the whole process (a test's may answer later, as a promise).
 *
 * Every call here is synchronous: dockcfg does one thing at a time, each promise-based call is a
 * round trip through libuv's thread pool, and node:fs/promises alone costs a write command on
 * Node 20 eight more internal modules to load.
 */
export interface WriteCalls {
  /** One write(2) of `length` bytes from `offset` at file position `position`; returns the count written. */
  write(fd: number, data: Uint8Array, offset: number, length: number, position: number): number | Promise<number>
  sync(fd: number): void | Promise<void>
}

export const systemWriteCalls: WriteCalls = {
  write: (fd, data, offset, length, position) => writeSync(fd, data, offset, length, position),
  sync: (fd) => fsyncSync(fd),
}

/**
 * Temporary files are named `.<name>.dockcfg-<pid>-<random>.tmp`: hidden, in the directory of the
 * file they replace (a rename never crosses filesystems), and recognisable, so a run killed
 * mid-write leaves something the next run can identify and remove (only once <pid> is gone).
 */
const TEMP_NAME = /^\..*\.dockcfg-(\d+)-[0-9a-f]{8}\.tmp$/

export function tempNameFor(name: string): string {
  // NAME_MAX is 255 bytes; the suffix takes at most 40 of them.
  const base =
    Buffer.byteLength(name) > 200
      ? Buffer.from(name)
          .subarray(0, 200)
          .toString('utf8')
          .replace(/\uFFFD+$/, '')
      : name
  // Web Crypto rather than node:crypto: this module is on every command's start-up path (get,
  // validate), and node:crypto would load there whether or not anything is written.
  return `.${base}.dockcfg-${process.pid}-${Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(4))).toString('hex')}.tmp`
}

/** The pid that wrote a temporary file with this name; undefined when the name is not one of dockcfg's. */
export function tempFileWriter(name: string): number | undefined {
  const match = TEMP_NAME.exec(name)
  return match ? Number(match[1]) : undefined
}

/**
 * Replaces `target` (a host path) so that it holds exactly `data` or is left as it was: a new
 * temporary file in the same directory gets every byte (written in a loop, since one write may be
 * short), its owner and mode, an fsync, and a check that it holds what was meant; only then is it
 * renamed over the target, and the directory fsynced so the rename survives a power cut. Any
 * failure removes the temporary file.
 */
export async function replaceFile(target: string, data: string | Uint8Array, options: WriteOptions, calls: WriteCalls = systemWriteCalls): Promise<void> {
  const dir = path.dirname(target)
  const owner = options.uid !== undefined && options.gid !== undefined ? {uid: options.uid, gid: options.gid} : currentOwner(target)
  const temp = await writeTempFile(dir, path.basename(target), data, {...options, ...owner}, calls)
  try {
    renameSync(temp, target)
  } catch (error) {
    rmSync(temp, {force: true})
    throw error
  }
  try {
    syncDirectory(dir)
  } catch (error) {
    throw new DockcfgError(`${target} was replaced, but flushing its directory to disk failed: ${(error as Error).message}`)
  }
}

/**
 * Writes a complete temporary file beside `name` in `dir` and returns its path; the caller moves
 * it into place (rename, or link for the lock). On any failure nothing is left behind.
 */
export async function writeTempFile(
  dir: string,
  name: string,
  data: string | Uint8Array,
  options: WriteOptions & {durable?: boolean},
  calls: WriteCalls = systemWriteCalls,
): Promise<string> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  const temp = path.join(dir, tempNameFor(name))
  // O_EXCL|O_NOFOLLOW: never reuse or write through anything already at that name.
  const fd = openSync(temp, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
  let open = true
  try {
    await writeAll(fd, bytes, calls)
    // Owner before mode: chown clears set-id bits. fchmod because open's mode passes the umask.
    if (options.uid !== undefined && options.gid !== undefined) chownUnlessUnprivileged(fd, options.uid, options.gid)
    fchmodSync(fd, options.mode)
    if (options.durable !== false) await calls.sync(fd)
    verify(fd, bytes, temp)
    open = false
    // close(2) may report a deferred write error (NFS): it counts like any other.
    closeSync(fd)
    return temp
  } catch (error) {
    if (open) closeQuietly(fd)
    rmSync(temp, {force: true})
    throw error
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // The error that brought us here is the one to report.
  }
}

/** Loops until every byte is written: a short count is progress, an error or no progress at all is failure. */
async function writeAll(fd: number, bytes: Uint8Array, calls: WriteCalls): Promise<void> {
  let done = 0
  while (done < bytes.length) {
    const written = await calls.write(fd, bytes, done, bytes.length - done, done)
    if (!(written > 0)) throw Object.assign(new Error(`write(2) made no progress after ${done} of ${bytes.length} bytes`), {code: 'EIO'})
    done += written
  }
}

/**
 * The temporary file must hold exactly the bytes meant for the target before it replaces it:
 * size, then content read back (the files dockcfg writes are small, so this is cheap).
 */
function verify(fd: number, bytes: Uint8Array, temp: string): void {
  const size = fstatSync(fd).size
  const back = Buffer.alloc(size)
  let done = 0
  while (done < size) {
    const bytesRead = readSync(fd, back, done, size - done, done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  if (size !== bytes.length || done !== size || !back.equals(bytes)) {
    throw Object.assign(new Error(`${temp} holds ${size} bytes that differ from the ${bytes.length} written`), {code: 'EIO'})
  }
}

/** The owner of an existing target, kept by its replacement (unless the caller names one). */
function currentOwner(target: string): {uid?: number; gid?: number} {
  const stat = lstatSync(target, {throwIfNoEntry: false})
  return stat ? {uid: stat.uid, gid: stat.gid} : {}
}

/**
 * A user who is not root may write a tree they own (an image under --root) but cannot give files
 * away: keeping the owner is then impossible and not needed.
 */
function chownUnlessUnprivileged(fd: number, uid: number, gid: number): void {
  try {
    fchownSync(fd, uid, gid)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (process.geteuid?.() !== 0 && (code === 'EPERM' || code === 'EINVAL')) return
    throw error
  }
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY)
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/**
 * Creates `file` with its complete content where no name may be replaced (O_EXCL): the lock on a
 * filesystem without hard links. Removed again when the content cannot be written in full.
 */
export async function createExclusive(file: string, data: string, mode: number, calls: WriteCalls = systemWriteCalls): Promise<void> {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode)
  let open = true
  try {
    await writeAll(fd, Buffer.from(data, 'utf8'), calls)
    open = false
    closeSync(fd)
  } catch (error) {
    if (open) closeQuietly(fd)
    rmSync(file, {force: true})
    throw error
  }
}
