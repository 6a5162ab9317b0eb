import type {HeldLock} from '../backup/lock.js'
import {DockcfgError, InvalidConfigError} from '../core/errors.js'
import {capFindings, errorLines} from '../core/findings.js'
import type {System} from '../system/index.js'
import type {ApplyOptions, ApplyResult, TreeView} from './plan.js'
import {liveRestoreAfter, pendingBridgeKeys, stopContainersHoldingBridge} from './bridge-guard.js'
import {containerGuard} from './container-guard.js'
import {during, warn} from './events.js'
import {failedStartJournal, restartAsOneJob, unitState} from './health.js'
import {abandonedApply, refuseOverAbandoned} from './pending.js'
import {preflight} from './preflight.js'
import type {PreflightOutcome} from './plan.js'

/** The typed result of `dockcfg restart`. */
export interface RestartResult {
  action: 'restarted' | 'none'
  reason?: string
  preflight?: PreflightOutcome
  containers?: ApplyResult['containers']
  /** dockerd's new main PID (systemd's MainPID). */
  pid?: number
  warnings: string[]
}

/**
 * Restarts dockerd on its current configuration (`view`, inspected under `lock`), safely: refuses
 * (exit 3) when dockerd would not start with it, guards running containers like an apply, then
 * waits for health. There is nothing to roll back to, so a failed start is reported with its
 * journal (exit 1). `lock` is undefined only for a dry run, which stops before the restart.
 */
export async function restartDaemon(system: System, lock: HeldLock | undefined, view: TreeView, options: ApplyOptions, warnings: string[]): Promise<RestartResult> {
  if (view.errors.length > 0) {
    throw new InvalidConfigError(`dockerd would refuse its current configuration, so it was not restarted:\n${errorLines(view.errors)}`, {
      remedy: 'dockcfg validate explains each problem; dockcfg fix resolves flag/file conflicts',
      details: capFindings(view.errors),
    })
  }
  if (options.dryRun) return {action: 'none', reason: 'dry run', warnings}
  if (lock === undefined) throw new Error('dockerd is restarted only under the lock')
  const abandoned = await abandonedApply(system)
  if (abandoned !== undefined) throw refuseOverAbandoned(abandoned)
  const services = await system.services()
  options.progress?.('preflight: asking dockerd about the configuration')
  const check = await during(options, 'preflight', () => preflight(system, view))
  if (!check.ok) throw new InvalidConfigError(`preflight (${check.method}) failed; dockerd was not restarted: ${check.detail}`, {details: check})
  options.progress?.(`preflight: ${check.method}: ${check.detail}`)
  const api = await system.docker(view.socket)
  const running = (await unitState(services)).ActiveState === 'active' && (await api.ping())
  const guard = running ? await containerGuard(api, ['(restart)'], liveRestoreAfter(view), {...options, keepContainers: false}) : undefined
  if (running) {
    // A default-bridge change written earlier with --no-restart takes effect now: the same guard as an apply's.
    const context = {hosts: view.hosts, socketHostPath: (p: string) => system.fs.hostPath(p), network: system.network}
    const bridge = await stopContainersHoldingBridge(api, {changedKeys: await pendingBridgeKeys(api, view, context), planned: view}, {...options, keepContainers: false})
    warn(options, bridge.warnings)
    warnings.push(...bridge.warnings)
  }
  options.progress?.('restarting dockerd')
  const cursor = await services.journalCursor()
  const health = await during(options, 'waiting for dockerd to come back', () =>
    restartAsOneJob(services, api, system.clock, {
      deadline: system.clock.now().getTime() + options.timeoutMs,
      issued: () => system.checkpoint('restart-issued'),
    }),
  )
  if (!health.healthy) {
    const journal = await failedStartJournal(services, health.state.InvocationID, cursor)
    throw new DockcfgError(`${health.reason}\njournal of the failed start:\n${journal.map((l) => `  ${l}`).join('\n')}`, {details: {journal}})
  }
  const after = await unitState(services)
  return {action: 'restarted', preflight: check, ...(guard ? {containers: guard.containers} : {}), pid: Number(after.MainPID), warnings}
}
