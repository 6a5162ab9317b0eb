import {readFileSync} from 'node:fs'

/**
 * The process seam: who this run is (its pid, how the rollback timer starts it again) and whether
 * another process is still alive. The lock, the pending record and the sweep of leftovers decide
 * "abandoned or not" with it, so tests can play dead and live processes without spawning any.
 */
export interface Host {
  /** This process's pid, as recorded in the lock and the pending record. */
  readonly pid: number
  /** False only when no process has that pid (ESRCH): one we may not signal is alive; so is this one. */
  isAlive(pid: number): boolean
  /** The kernel's boot id: a lock from an earlier boot is abandoned whatever its pid says. */
  bootId(): string
  /** The command line that runs this dockcfg again (node and its script, or the single executable), for the rollback timer. */
  selfCommand(): string[]
}

let cachedBootId: string | undefined

export const processHost: Host = {
  pid: process.pid,
  isAlive(pid) {
    try {
      process.kill(pid, 0)
      return true
    } catch (error) {
      return (error as NodeJS.ErrnoException).code !== 'ESRCH'
    }
  },
  bootId() {
    if (cachedBootId === undefined) {
      try {
        cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
      } catch {
        cachedBootId = 'unknown'
      }
    }
    return cachedBootId
  },
  // A single executable (scripts/build-sea.js) is the program itself: its argv[1] repeats the
  // binary's path, and there may be no node on the host to run a script with. node:sea is asked
  // only here (getBuiltinModule, not an import): loading it costs every other run nothing.
  selfCommand: () => (process.getBuiltinModule('node:sea').isSea() ? [process.execPath] : [process.execPath, process.argv[1] ?? 'dockcfg']),
}
