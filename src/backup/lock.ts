import {AsyncLocalStorage} from 'node:async_hooks'
import {randomUUID} from 'node:crypto'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'

import {DockcfgError} from '../cli/errors.js'
import type {System} from '../system/index.js'

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
  // On a live host /run/lock is a tmpfs that a reboot clears; an image tree under --root gets its
  // lock beside the backups so nothing is left in the image's /run.
  return system.isLiveHost ? '/run/lock/dockcfg.lock' : '/var/lib/dockcfg/dockcfg.lock'
}

/**
 * Runs `body` holding the lock, so a command reads, plans and writes as one step: two `dockcfg set`
 * runs on different keys queue instead of the second finding daemon.json changed under its plan.
 * Inside `body`, acquireLock on the same tree is a no-op (the apply engine takes it again).
 */
export async function withLock<T>(system: System, command: string, body: () => Promise<T>): Promise<T> {
  const file = system.fs.hostPath(lockPath(system))
  const handle = await acquireLock(system, command)
  try {
    return await heldLocks.run(new Set([...(heldLocks.getStore() ?? []), file]), body)
  } finally {
    await handle.release()
  }
}

/** withLock, except for a dry run: it writes nothing, and must work on a read-only tree. */
export function withLockToWrite<T>(system: System, command: string, apply: {dryRun: boolean}, body: () => Promise<T>): Promise<T> {
  return apply.dryRun ? body() : withLock(system, command, body)
}

/** The lock files held by the current withLock() call chain. */
const heldLocks = new AsyncLocalStorage<ReadonlySet<string>>()

export async function acquireLock(system: System, command: string, timeoutMs = 15_000): Promise<LockHandle> {
  const treePath = lockPath(system)
  const file = system.fs.hostPath(treePath)
  if (heldLocks.getStore()?.has(file)) return {release: async () => {}}
  await system.fs.mkdirp(path.posix.dirname(treePath), 0o755)
  const me: LockOwner = {pid: process.pid, bootId: await bootId(), command, since: system.clock.now().toISOString(), token: randomUUID()}
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await tryCreate(file, me)) {
      return {
        release: async () => {
          const owner = await readOwner(file)
          if (owner !== 'unreadable' && owner?.token === me.token) await fsp.rm(file, {force: true})
        },
      }
    }
    const owner = await readOwner(file)
    if (owner === undefined) continue
    if (await isAbandoned(file, owner)) {
      await breakAbandoned(file, owner, me)
      continue
    }
    if (Date.now() > deadline) {
      const who = owner === 'unreadable' ? 'an unreadable owner record' : `pid ${owner.pid}, "${owner.command}", since ${owner.since}`
      throw new DockcfgError(`another dockcfg run holds the lock ${treePath} (${who})`, {
        remedy: 'wait for it to finish; if that process is gone, the lock is cleared automatically',
      })
    }
    await system.clock.sleep(100)
  }
}

/**
 * Creates the lock file with its complete content in one step: written aside, then hard-linked
 * into place (link fails if the name exists). An O_EXCL create would show waiters an empty file
 * for a moment, indistinguishable from a broken one.
 */
async function tryCreate(file: string, owner: LockOwner): Promise<boolean> {
  const temporary = `${file}.${owner.token}.tmp`
  await fsp.writeFile(temporary, JSON.stringify(owner), {flag: 'wx', mode: 0o644})
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
      await fsp.writeFile(file, JSON.stringify(owner), {flag: 'wx', mode: 0o644})
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
    return Date.now() - (await fsp.stat(file)).mtimeMs > UNREADABLE_GRACE_MS
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
async function breakAbandoned(file: string, seen: LockOwner | 'unreadable', me: LockOwner): Promise<void> {
  const breaker = `${file}.break`
  if (!(await tryCreate(breaker, me))) {
    // Held for a few system calls only; a breaker whose holder died is cleared like a lock.
    const holder = await readOwner(breaker)
    if (holder !== undefined && (await isAbandoned(breaker, holder))) await fsp.rm(breaker, {force: true})
    return
  }
  try {
    const now = await readOwner(file)
    const unchanged = seen === 'unreadable' ? now === 'unreadable' : now !== undefined && now !== 'unreadable' && now.token === seen.token
    if (unchanged && (await isAbandoned(file, seen))) await fsp.rm(file, {force: true})
  } finally {
    await fsp.rm(breaker, {force: true})
  }
}

/** The owner record; undefined when there is no lock file (any more). */
async function readOwner(file: string): Promise<LockOwner | 'unreadable' | undefined> {
  let text: string
  try {
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
