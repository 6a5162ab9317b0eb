import {RefusedError} from '../core/errors.js'
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

/**
 * A pending record whose process is gone: the apply that wrote it never finished. Our own pid in
 * it is a dead run's, reused: this run has written no record yet.
 */
export function isAbandoned(system: System, pending: PendingApply): boolean {
  return pending.pid === system.host.pid || !system.host.isAlive(pending.pid)
}

/** An apply that died half-way: its pending record outlived its process. */
export async function abandonedApply(system: System): Promise<PendingApply | undefined> {
  const pending = await readPending(system)
  return pending !== undefined && isAbandoned(system, pending) ? pending : undefined
}

function describeAbandoned(pending: PendingApply): string {
  return `an earlier apply did not finish: "${pending.command}" (pid ${pending.pid}, started ${pending.startedAt}); its rollback timer ${pending.timerUnit} restores backup ${pending.backupId} ${pending.timerSeconds} s after the start unless it already ran`
}

/** Says so when an earlier apply died half-way. */
export async function abandonedApplyWarnings(system: System): Promise<string[]> {
  const pending = await abandonedApply(system)
  return pending === undefined ? [] : [`${describeAbandoned(pending)}. To restore now: dockcfg rollback ${pending.backupId}`]
}

/**
 * A change on top of an apply that died half-way is refused: its armed timer would later restore
 * the files that apply backed up (undoing this change), and this change's own backup would hold
 * the half-applied state as "previous". `dockcfg rollback ID` (or waiting for the timer) settles it.
 */
export function refuseOverAbandoned(pending: PendingApply): RefusedError {
  return new RefusedError(`${describeAbandoned(pending)}; nothing was changed`, {
    remedy: `wait for the timer (dockcfg history shows when it is done), or restore now with: dockcfg rollback ${pending.backupId}`,
    details: {pending},
  })
}
