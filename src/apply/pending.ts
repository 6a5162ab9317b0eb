import type {System} from '../system/index.js'

/**
 * The record of an apply in flight. Written before dockerd is touched and removed once the outcome
 * is settled, so a run that died half-way (SIGKILL, dropped SSH) is visible to the next dockcfg
 * run and to the armed rollback timer.
 */
export const PENDING_FILE = '/var/lib/dockcfg/pending-apply.json'

export interface PendingApply {
  backupId: string
  command: string
  pid: number
  startedAt: string
  /** Transient systemd unit that restores the backup unless disarmed. */
  timerUnit: string
  /** Seconds after startedAt at which the timer fires. */
  timerSeconds: number
}

export async function writePending(system: System, pending: PendingApply): Promise<void> {
  await system.fs.mkdirp('/var/lib/dockcfg', 0o755)
  await system.fs.writeAtomic(PENDING_FILE, `${JSON.stringify(pending, null, 2)}\n`, {mode: 0o600})
}

export async function readPending(system: System): Promise<PendingApply | undefined> {
  const text = await system.fs.readText(PENDING_FILE)
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as PendingApply
  } catch {
    return undefined
  }
}

export async function clearPending(system: System): Promise<void> {
  await system.fs.remove(PENDING_FILE)
}

/** A pending record whose process is gone: the apply that wrote it never finished. */
export function isAbandoned(pending: PendingApply): boolean {
  try {
    process.kill(pending.pid, 0)
    return pending.pid === process.pid
  } catch {
    return true
  }
}
