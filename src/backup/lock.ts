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

export async function acquireLock(system: System, command: string, timeoutMs = 15_000): Promise<LockHandle> {
  const treePath = lockPath(system)
  const file = system.fs.hostPath(treePath)
  await fsp.mkdir(path.dirname(file), {recursive: true, mode: 0o755})
  const me: LockOwner = {pid: process.pid, bootId: await bootId(), command, since: system.clock.now().toISOString(), token: randomUUID()}
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await fsp.writeFile(file, JSON.stringify(me), {flag: 'wx', mode: 0o644})
      return {
        release: async () => {
          const owner = await readOwner(file)
          if (owner?.token === me.token) await fsp.rm(file, {force: true})
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const owner = await readOwner(file)
    if (owner === undefined || (await isStale(owner))) {
      await fsp.rm(file, {force: true})
      continue
    }
    if (Date.now() > deadline) {
      throw new DockcfgError(`another dockcfg run holds the lock ${treePath} (pid ${owner.pid}, "${owner.command}", since ${owner.since})`, {
        remedy: 'wait for it to finish; if that process is gone, the lock is cleared automatically',
      })
    }
    await system.clock.sleep(100)
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await fsp.readFile(file, 'utf8')) as LockOwner
  } catch {
    // A half-written or unreadable lock file is treated like a stale one.
    return undefined
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
