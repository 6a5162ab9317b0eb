import {randomUUID} from 'node:crypto'
import * as path from 'node:path'

import {DockcfgError, RefusedError} from '../core/errors.js'
import {writeFailure} from '../system/host-errors.js'
import type {System} from '../system/index.js'
import {removeLeftovers} from './leftovers.js'

/**
 * A cross-process lock so two dockcfg runs never interleave their read-modify-write of the same
 * tree. An O_EXCL file holding pid and boot id: no native addon, and a holder that died (SIGKILL,
 * reboot) is recognised as stale instead of blocking forever.
 *
 * The held lock is a value: whatever writes under it (the apply engine, commitChangeSet) takes it
 * as a parameter, so who holds it is in the signatures. src/operations/pipeline.ts takes it.
 */
export interface HeldLock {
  /** The lock file (host path). */
  readonly file: string
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
const LOCK_WAIT_MS = 10 * 60_000

export interface LockOptions {
  timeoutMs?: number
  /** Told once, when the lock is busy, who holds it. */
  onWait?: (message: string) => void
}

/** Waits (LOCK_WAIT_MS unless told otherwise) until this run holds the lock. */
export async function acquireLock(system: System, command: string, options: LockOptions = {}): Promise<HeldLock> {
  const {timeoutMs = LOCK_WAIT_MS, onWait} = options
  const treePath = lockPath(system)
  const file = system.fs.hostPathForWrite(treePath)
  const files = system.lockFiles
  // Not root, a read-only tree or a full disk: the seam's own message (exit 7 or 3), nothing written.
  await system.fs.mkdirp(path.posix.dirname(treePath), 0o755)
  const me: LockOwner = {pid: system.host.pid, bootId: system.host.bootId(), command, since: system.clock.now().toISOString(), token: randomUUID()}
  const deadline = system.clock.now().getTime() + timeoutMs
  let told = false
  for (;;) {
    if (await files.create(file, JSON.stringify(me)).catch((error: unknown) => Promise.reject(writeFailure(error, treePath, file)))) {
      const handle: HeldLock = {
        file,
        release: async () => {
          const owner = await readOwner(system, file)
          if (owner !== 'unreadable' && owner?.token === me.token) await files.remove(file)
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
    const owner = await readOwner(system, file)
    if (owner === undefined) continue
    // An abandoned lock that was broken: try again at once. One that cannot be broken right now
    // (another waiter is breaking it) is waited for like a held one.
    if ((await isAbandoned(system, file, owner)) && (await breakAbandoned(system, file, owner, me).catch((error: unknown) => Promise.reject(writeFailure(error, treePath, file)))))
      continue
    const who = owner === 'unreadable' ? 'an unreadable owner record' : `pid ${owner.pid}, "${owner.command}", since ${owner.since}`
    if (system.clock.now().getTime() > deadline) {
      throw new RefusedError(`another dockcfg run holds the lock ${treePath} (${who}); nothing was changed`, {
        remedy: 'run the command again once it has finished; a lock whose process is gone is cleared automatically',
      })
    }
    if (!told) onWait?.(`waiting for another dockcfg run to finish (${who})`)
    told = true
    await system.clock.sleep(100)
  }
}

/** An owner record that cannot be read is only abandoned once it is old: it may be mid-write. */
const UNREADABLE_GRACE_MS = 30_000

async function isAbandoned(system: System, file: string, owner: LockOwner | 'unreadable'): Promise<boolean> {
  if (owner !== 'unreadable') return isStale(system, owner)
  const modified = await system.lockFiles.modifiedAt(file)
  return modified !== undefined && system.clock.now().getTime() - modified > UNREADABLE_GRACE_MS
}

/**
 * Removes a lock whose holder is gone. Two waiters may both see it abandoned; without care the
 * slower one would delete the lock the faster one has just taken. So removal happens under a
 * second, short-lived lock (`.break`), and only if the file still holds the record seen as
 * abandoned.
 */
async function breakAbandoned(system: System, file: string, seen: LockOwner | 'unreadable', me: LockOwner): Promise<boolean> {
  const files = system.lockFiles
  const breaker = `${file}.break`
  if (!(await files.create(breaker, JSON.stringify(me)))) {
    // Held for a few system calls only; a breaker whose holder died is cleared like a lock, and
    // only if it still is the one found abandoned.
    const holder = await readOwner(system, breaker)
    if (holder !== undefined && (await isAbandoned(system, breaker, holder))) {
      const again = await readOwner(system, breaker)
      if (sameRecord(again, holder)) await files.remove(breaker)
    }
    return false
  }
  try {
    const now = await readOwner(system, file)
    if (sameRecord(now, seen) && (await isAbandoned(system, file, seen))) {
      if (await files.isDirectory(file)) {
        throw new DockcfgError(`${file} is a directory where dockcfg keeps its lock`, {remedy: `remove it (rmdir ${file}) and run the command again`})
      }
      await files.remove(file)
      return true
    }
    return false
  } finally {
    await files.remove(breaker)
  }
}

function sameRecord(a: LockOwner | 'unreadable' | undefined, b: LockOwner | 'unreadable'): boolean {
  if (a === undefined) return false
  if (a === 'unreadable' || b === 'unreadable') return a === b
  return a.token === b.token
}

/** The owner record; undefined when there is no lock file (any more). */
async function readOwner(system: System, file: string): Promise<LockOwner | 'unreadable' | undefined> {
  const text = await system.lockFiles.read(file)
  if (text === undefined || text === 'unreadable') return text
  try {
    return JSON.parse(text) as LockOwner
  } catch {
    return 'unreadable'
  }
}

function isStale(system: System, owner: LockOwner): boolean {
  return owner.bootId !== system.host.bootId() || !system.host.isAlive(owner.pid)
}
