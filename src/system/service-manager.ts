import type {ProcessRunner} from './process.js'

/**
 * The systemd seam: everything dockcfg asks of the service manager goes through systemctl,
 * journalctl and systemd-run, run via the process seam. Unit tests substitute a fake; the e2e
 * suite runs the real ones inside booted test hosts.
 */
export interface ServiceManager {
  /** systemd is PID 1 and answers (false in containers without systemd, or with --root). */
  available(): Promise<boolean>
  show(unit: string, properties: readonly string[]): Promise<Record<string, string>>
  daemonReload(): Promise<void>
  resetFailed(units: readonly string[]): Promise<void>
  /**
   * One `systemctl --no-block restart` for all units: once issued, systemd carries the jobs out
   * whatever becomes of dockcfg. Returns systemctl's exit status and stderr; callers judge success
   * by state, not by this.
   */
  restart(units: readonly string[]): Promise<{exitCode: number; stderr: string}>
  reload(unit: string): Promise<{exitCode: number; stderr: string}>
  /**
   * One `systemctl start` for all units: systemd orders the jobs (After=) in one transaction. With
   * `waitMs`, systemctl waits (at most that long) until the jobs are done, as a job of a
   * Type=notify unit is done when the daemon says it is ready or has failed; without, --no-block.
   */
  start(units: readonly string[], options?: {waitMs?: number}): Promise<{exitCode: number; stderr: string}>
  /** One `systemctl stop` for all units; `waitMs` as for start. */
  stop(units: readonly string[], options?: {waitMs?: number}): Promise<{exitCode: number; stderr: string}>
  /** Journal lines of one unit invocation (InvocationID), or since a cursor. */
  journal(unit: string, options: {invocationId?: string; cursor?: string; lines?: number}): Promise<string[]>
  /** Current end of the journal, to read only what comes after. */
  journalCursor(): Promise<string | undefined>
  /**
   * Arms a transient timer that runs `command` after `seconds` even if dockcfg dies. Returns the
   * unit name to disarm.
   */
  armTimer(name: string, seconds: number, command: readonly string[]): Promise<void>
  /** Stops the timer; true when it is not armed any more (also when it never was, or already fired). */
  disarmTimer(name: string): Promise<boolean>
}

export class SystemctlServiceManager implements ServiceManager {
  constructor(private readonly processes: ProcessRunner) {}

  async available(): Promise<boolean> {
    const result = await this.processes.run('systemctl', ['is-system-running'], {timeoutMs: 5000})
    return !result.failedToStart && /^(running|degraded|starting|initializing)/.test(result.stdout.trim())
  }

  async show(unit: string, properties: readonly string[]): Promise<Record<string, string>> {
    const result = await this.processes.run('systemctl', ['show', unit, ...properties.map((p) => `--property=${p}`)], {timeoutMs: 10_000})
    const out: Record<string, string> = {}
    for (const line of result.stdout.split('\n')) {
      const eq = line.indexOf('=')
      if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1)
    }
    return out
  }

  async daemonReload(): Promise<void> {
    await this.checked('systemctl', ['daemon-reload'])
  }

  async resetFailed(units: readonly string[]): Promise<void> {
    // reset-failed on a unit that is not failed is fine; on an unknown unit it errors, which is harmless here.
    await this.processes.run('systemctl', ['reset-failed', ...units], {timeoutMs: 10_000})
  }

  restart(units: readonly string[]) {
    return this.action('restart', ...units)
  }

  reload(unit: string) {
    return this.action('reload', unit)
  }

  start(units: readonly string[], options: {waitMs?: number} = {}) {
    return options.waitMs === undefined ? this.action('start', ...units) : this.waited('start', units, options.waitMs)
  }

  stop(units: readonly string[], options: {waitMs?: number} = {}) {
    return options.waitMs === undefined ? this.action('stop', ...units) : this.waited('stop', units, options.waitMs)
  }

  async journal(unit: string, options: {invocationId?: string; cursor?: string; lines?: number}): Promise<string[]> {
    const args = ['--no-pager', '-o', 'cat']
    if (options.invocationId) args.push(`_SYSTEMD_INVOCATION_ID=${options.invocationId}`)
    else args.push('-u', unit)
    if (options.cursor) args.push(`--after-cursor=${options.cursor}`)
    if (options.lines) args.push('-n', String(options.lines))
    const result = await this.processes.run('journalctl', args, {timeoutMs: 10_000})
    return result.stdout.split('\n').filter((l) => l.trim() !== '')
  }

  async journalCursor(): Promise<string | undefined> {
    const result = await this.processes.run('journalctl', ['--no-pager', '-n', '0', '--show-cursor'], {timeoutMs: 10_000})
    return /cursor:\s*(\S+)/.exec(result.stdout)?.[1]
  }

  async armTimer(name: string, seconds: number, command: readonly string[]): Promise<void> {
    // Without AccuracySec systemd may fire the timer up to a minute late (testbed notes).
    await this.checked('systemd-run', [`--unit=${name}`, `--on-active=${seconds}`, '--timer-property=AccuracySec=100ms', '--collect', '--quiet', ...command])
  }

  async disarmTimer(name: string): Promise<boolean> {
    // A blocking stop that succeeded has left the timer inactive. It fails for a timer that already
    // fired and was collected: then the state after it is what counts.
    const stop = await this.processes.run('systemctl', ['stop', `${name}.timer`], {timeoutMs: 10_000})
    if (stop.exitCode === 0) return true
    const state = (await this.show(`${name}.timer`, ['ActiveState'])).ActiveState
    return state === 'inactive' || state === 'failed'
  }

  private async action(verb: string, ...units: string[]): Promise<{exitCode: number; stderr: string}> {
    // --no-block: with TimeoutStartSec=0 a blocking restart can hang forever; callers poll with their own deadline.
    const result = await this.processes.run('systemctl', ['--no-block', verb, ...units], {timeoutMs: 60_000})
    return {exitCode: result.exitCode, stderr: result.stderr.trim()}
  }

  /**
   * A blocking job, bounded: when the bound ends systemctl is stopped, not the job, which systemd
   * carries out whatever becomes of dockcfg (just as with --no-block); callers judge by state.
   * Waiting on systemd's own answer instead of polling its state saves the polling interval.
   */
  private async waited(verb: string, units: readonly string[], waitMs: number): Promise<{exitCode: number; stderr: string}> {
    const result = await this.processes.run('systemctl', [verb, ...units], {timeoutMs: Math.max(1000, waitMs)})
    return {exitCode: result.exitCode, stderr: result.stderr.trim()}
  }

  private async checked(file: string, args: readonly string[]): Promise<void> {
    const result = await this.processes.run(file, args, {timeoutMs: 60_000})
    if (result.exitCode !== 0) throw new Error(`${[file, ...args].join(' ')} failed (exit ${result.exitCode}): ${result.stderr.trim()}`)
  }
}
