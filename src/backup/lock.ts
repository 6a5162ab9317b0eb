import {AsyncLocalStorage} from 'node:async_hooks'
import {randomUUID} from 'node:crypto'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'

import {DockcfgError, RefusedError} from '../core/errors.js'
import {createExclusive, writeTempFile} from '../system/atomic-write.js'
import {writeFailure} from '../system/host-errors.js'
import type {System} from '../system/index.js'
import {removeLeftovers} from './leftovers.js'

/**
 * A cross-process lock so two dockcfg runs never interleave their read-modify-write of the same
 * tree. An O_EXCL file holding pid and boot id: no native addon, and a holder that died (SIGKILL,
 * reboot) is recognised as stale instead of blocking forever.
 */
export interface LockHandle {
  release(): Promise<void>
}

interface LockOwner {
  pid: number
  bootId: string
  command: string
  since: string
  token: string
}

export function lockPath(system: System): string {
  // On a live host /run is a tmpfs that a reboot clears, and /run/dockcfg is root's alone: in the
  // world-writable /run/lock any local user could plant a lock and stall every dockcfg run, the
  // rollback timer's included. An image tree under --root gets its lock beside the backups so
  // nothing is left in the image's /run.
  return system.isLiveHost ? '/run/dockcfg/dockcfg.lock' : '/var/lib/dockcfg/dockcfg.lock'
}

/**
 * How long a command waits for another run to finish: long enough for an apply (preflight, the
 * restart, the health wait, a rollback), so fleet runs queue instead of failing.
 */
export const LOCK_WAIT_MS = 10 * 60_000

export interface LockOptions {
  timeoutMs?: number
  /** Told once, when the lock is busy, who holds it. */
  onWait?: (message: string) => void
}

/**
 * Runs `body` holding the lock, so a command reads, plans and writes as one step: two `dockcfg set`
 * runs on different keys queue instead of the second finding daemon.json changed under its plan.
 * Inside `body`, acquireLock on the same tree is a no-op (the apply engine takes it again).
 */
export async function withLock<T>(system: System, command: string, body: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const file = system.fs.hostPathForWrite(lockPath(system))
  const handle = await acquireLock(system, command, {timeoutMs: LOCK_WAIT_MS, ...options})
  try {
    return await heldLocks.run(new Set([...(heldLocks.getStore() ?? []), file]), body)
  } finally {
    await handle.release()
  }
}

/** withLock, except for a dry run: it writes nothing, and must work on a read-only tree. */
export function withLockToWrite<T>(
  system: System,
  command: string,
  apply: {dryRun: boolean; progress?: ((message: string) => void) | undefined},
  body: () => Promise<T>,
): Promise<T> {
  return apply.dryRun ? body() : withLock(system, command, body, apply.progress ? {onWait: apply.progress} : {})
}

/** The lock files held by the current withLock() call chain. */
const heldLocks = new AsyncLocalStorage<ReadonlySet<string>>()

export async function acquireLock(system: System, command: string, options: LockOptions = {}): Promise<LockHandle> {
  const {timeoutMs = 15_000, onWait} = options
  const treePath = lockPath(system)
  const file = system.fs.hostPathForWrite(treePath)
  if (heldLocks.getStore()?.has(file)) return {release: async () => {}}
  // Not root, a read-only tree or a full disk: the seam's own message (exit 7 or 3), nothing written.
  await system.fs.mkdirp(path.posix.dirname(treePath), 0o755)
  const me: LockOwner = {pid: process.pid, bootId: await bootId(), command, since: system.clock.now().toISOString(), token: randomUUID()}
  const deadline = Date.now() + timeoutMs
  let told = false
  for (;;) {
    if (await tryCreate(file, me).catch((error: unknown) => Promise.reject(writeFailure(error, treePath, file)))) {
      const handle = {
        release: async () => {
          const owner = await readOwner(file)
          if (owner !== 'unreadable' && owner?.token === me.token) await fsp.rm(file, {force: true})
        },
      }
      try {
        // Only the holder may clear what killed runs left: nobody else writes while it holds the lock.
        await removeLeftovers(system, path.posix.dirname(treePath))
      } catch (error) {
        await handle.release()
        throw error
      }
      return handle
    }
    const owner = await readOwner(file)
    if (owner === undefined) continue
    // An abandoned lock that was broken: try again at once. One that cannot be broken right now
    // (another waiter is breaking it) is waited for like a held one.
    if ((await isAbandoned(file, owner)) && (await breakAbandoned(file, owner, me).catch((error: unknown) => Promise.reject(writeFailure(error, treePath, file))))) continue
    const who = owner === 'unreadable' ? 'an unreadable owner record' : `pid ${owner.pid}, "${owner.command}", since ${owner.since}`
    if (Date.now() > deadline) {
      throw new RefusedError(`another dockcfg run holds the lock ${treePath} (${who}); nothing was changed`, {
        remedy: 'run the command again once it has finished; a lock whose process is gone is cleared automatically',
      })
    }
    if (!told) onWait?.(`waiting for another dockcfg run to finish (${who})`)
    told = true
    await system.clock.sleep(100)
  }
}

/**
 * Creates the lock file with its complete content in one step: written aside in full, then
 * hard-linked into place (link fails if the name exists). An O_EXCL create would show waiters an
 * empty file for a moment, indistinguishable from a broken one.
 */
async function tryCreate(file: string, owner: LockOwner): Promise<boolean> {
  const record = JSON.stringify(owner)
  // Not fsynced: a reboot makes every lock stale anyway (boot id), so only completeness matters.
  const temporary = await writeTempFile(path.dirname(file), path.basename(file), record, {mode: 0o644, durable: false})
  try {
    await fsp.link(temporary, file)
    return true
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return false
    if (code !== 'EPERM' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error
    // A filesystem without hard links: plain O_EXCL (the short empty-file window is covered by
    // the age rule for unreadable locks).
    try {
      await createExclusive(file, record, 0o644)
      return true
    } catch (fallbackError) {
      if ((fallbackError as NodeJS.ErrnoException).code === 'EEXIST') return false
      throw fallbackError
    }
  } finally {
    await fsp.rm(temporary, {force: true})
  }
}

/** An owner record that cannot be read is only abandoned once it is old: it may be mid-write. */
const UNREADABLE_GRACE_MS = 30_000

async function isAbandoned(file: string, owner: LockOwner | 'unreadable'): Promise<boolean> {
  if (owner !== 'unreadable') return isStale(owner)
  try {
    return Date.now() - (await fsp.lstat(file)).mtimeMs > UNREADABLE_GRACE_MS
  } catch {
    return false
  }
}

/**
 * Removes a lock whose holder is gone. Two waiters may both see it abandoned; without care the
 * slower one would delete the lock the faster one has just taken. So removal happens under a
 * second, short-lived lock (`.break`), and only if the file still holds the record seen as
 * abandoned.
 */
async function breakAbandoned(file: string, seen: LockOwner | 'unreadable', me: LockOwner): Promise<boolean> {
  const breaker = `${file}.break`
  if (!(await tryCreate(breaker, me))) {
    // Held for a few system calls only; a breaker whose holder died is cleared like a lock, and
    // only if it still is the one found abandoned.
    const holder = await readOwner(breaker)
    if (holder !== undefined && (await isAbandoned(breaker, holder))) {
      const again = await readOwner(breaker)
      if (sameRecord(again, holder)) await fsp.rm(breaker, {force: true})
    }
    return false
  }
  try {
    const now = await readOwner(file)
    if (sameRecord(now, seen) && (await isAbandoned(file, seen))) {
      if ((await fsp.lstat(file).catch(() => undefined))?.isDirectory()) {
        throw new DockcfgError(`${file} is a directory where dockcfg keeps its lock`, {remedy: `remove it (rmdir ${file}) and run the command again`})
      }
      await fsp.rm(file, {force: true})
      return true
    }
    return false
  } finally {
    await fsp.rm(breaker, {force: true})
  }
}

function sameRecord(a: LockOwner | 'unreadable' | undefined, b: LockOwner | 'unreadable'): boolean {
  if (a === undefined) return false
  if (a === 'unreadable' || b === 'unreadable') return a === b
  return a.token === b.token
}

/** The owner record; undefined when there is no lock file (any more). */
async function readOwner(file: string): Promise<LockOwner | 'unreadable' | undefined> {
  let text: string
  try {
    // Never open anything but a regular file: reading a FIFO planted there would block forever.
    if (!(await fsp.lstat(file)).isFile()) return 'unreadable'
    text = await fsp.readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    return 'unreadable'
  }
  try {
    return JSON.parse(text) as LockOwner
  } catch {
    return 'unreadable'
  }
}

async function isStale(owner: LockOwner): Promise<boolean> {
  if (owner.bootId !== (await bootId())) return true
  try {
    process.kill(owner.pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

let cachedBootId: string | undefined
async function bootId(): Promise<string> {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = (await fsp.readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim()
    } catch {
      cachedBootId = 'unknown'
    }
  }
  return cachedBootId
}
