import type {HeldLock} from '../backup/lock.js'
import {ApplyFailedError, DockcfgError, InvalidConfigError} from '../core/errors.js'
import {readBackup, removeBackup} from '../backup/backups.js'
import {changedSinceBackup, combineChanges, type CommitResult, commitChangeSet, describeCommit, removeEmptyDirs, renderDiff, restoreFromBackup} from '../changes/change-set.js'
import type {FileChange} from '../core/file-change.js'
import {planDaemonJsonEdit} from '../daemon-config/edit.js'
import type {Activation} from '../daemon-config/plan-edit.js'
import type {DockerApi} from '../system/docker-api.js'
import type {ServiceManager} from '../system/service-manager.js'
import {DEFAULT_CONFIG_FILE} from '../core/managed-files.js'
import {liveRestoreAfter, type StoppedContainer, stopContainersHoldingBridge} from './bridge-guard.js'
import {removedKeys} from './config-diff.js'
import {containerGuard, containersARestartStops} from './container-guard.js'
import {during, warn} from './events.js'
import type {System} from '../system/index.js'
import {DOCKER_UNIT, restartFresh, startDocker, stopDocker, unitState, whyNoService, failedStartJournal} from './health.js'
import {abandonedApply, clearPending, type PendingApply, refuseOverAbandoned, writePending} from './pending.js'
import {stagePlannedFiles} from './planned-files.js'
import {type Defer, preflight, reloadJudgesItself} from './preflight.js'
import type {ApplyOptions, ApplyPlan, ApplyResult, Inspector, TreeView} from './plan.js'
import {confirmStateMoves} from './state-guard.js'
import {verifyLive} from './verify.js'
import {capFindings, errorLines} from '../core/findings.js'

/**
 * Applies a planned change safely: preflight on the planned tree, container safety, backup and
 * atomic write, a rollback armed outside this process, reload or restart, health, live
 * verification, and automatic rollback when the daemon does not come back right. It plans
 * nothing: the views and the refusal of errors the change brings come from the pipeline.
 * `lock` is undefined only for a dry run, which writes nothing.
 * Throws InvalidConfigError (3, nothing written), RefusedError (7, nothing changed), or a
 * DockcfgError with exit 4 (rolled back) or 5 (rollback failed too).
 */
export async function applyPlan(system: System, lock: HeldLock | undefined, plan: ApplyPlan, inspect: Inspector, options: ApplyOptions): Promise<ApplyResult> {
  // Work the preflight hands over (the trial dockerd's teardown) runs alongside the apply and is
  // finished before the result, whatever it is, goes back.
  const background: Array<Promise<void>> = []
  try {
    return await applyPlanSteps(system, lock, plan, inspect, options, (work) => background.push(work.catch(() => undefined)))
  } finally {
    await Promise.all(background)
  }
}

async function applyPlanSteps(system: System, lock: HeldLock | undefined, plan: ApplyPlan, inspect: Inspector, options: ApplyOptions, defer: Defer): Promise<ApplyResult> {
  const warnings = [...plan.warnings]
  const changes = plan.changes.filter((c) => c.before !== c.after)
  const diff = await renderDiff(changes)
  const removedFiles = changes.filter((c) => c.after === undefined).map((c) => c.path)
  const base: ApplyResult = {
    changed: changes.length > 0,
    dryRun: options.dryRun,
    diff,
    files: changes.map((c) => c.path),
    removed: removedFiles,
    action: 'none',
    verification: [],
    warnings,
  }
  if (changes.length === 0) return base

  const {current, planned} = plan
  const configFile = current.configFile
  const unitFilesChanged = changes.some((c) => c.path !== configFile)
  const removed = removedKeys(changes.find((c) => c.path === configFile))
  const activation = activationOf(plan.activation, unitFilesChanged, removed)

  // Errors the tree already had are not this change's: a file with two problems is repaired one
  // command at a time (write-only), but dockerd is not restarted into a configuration it would
  // still refuse.
  const remaining = planned.errors.length > 0 ? [`dockerd would still refuse this configuration:\n${errorLines(planned.errors)}`] : []
  const serviceReason = await whyNoService(system, options)
  if (remaining.length > 0 && serviceReason === undefined && activation !== 'none') {
    throw new InvalidConfigError(`dockerd would still refuse the result, so nothing was written or restarted:\n${errorLines(planned.errors)}`, {
      remedy: 'repair the rest too (one command each, with --no-restart), then restart: dockcfg restart',
      details: capFindings(planned.errors),
    })
  }
  const moves = await confirmStateMoves(system, {current, planned}, options)
  warn(options, moves)
  warnings.push(...moves)
  if (plan.notes.findings.length > 0 || plan.notes.actions.length > 0) options.plan?.(plan.notes)
  warn(options, remaining)
  if (options.dryRun) {
    const stops =
      activation === 'restart' && serviceReason === undefined ? await containersARestartStops(await system.docker(current.socket), liveRestoreAfter(planned)) : undefined
    if (stops !== undefined) warn(options, [stops.warning])
    return {
      ...base,
      warnings: [...warnings, ...remaining, ...(stops ? [stops.warning] : [])],
      pending: activation === 'none' ? undefined : activation,
      ...(stops ? {containers: stops.containers} : {}),
    }
  }
  if (lock === undefined) throw new Error('the apply engine writes only under the lock')
  const abandoned = await abandonedApply(system)
  if (abandoned !== undefined && abandoned.backupId !== plan.resolvesPending) throw refuseOverAbandoned(abandoned)

  if (serviceReason !== undefined) {
    const committed = await commitChangeSet(system, lock, plan.command, changes, {createdDirs: plan.createdDirs ?? [], clientDirs: plan.clientDirs ?? []})
    await removeEmptyDirs(system, plan.emptiedDirs ?? [])
    return {
      ...base,
      warnings: [...warnings, ...remaining],
      action: 'written',
      backupId: committed.backup.id,
      ...undoOf(system, current, committed.backup.id),
      pending: activation === 'none' ? undefined : activation,
      pendingReason: serviceReason,
    }
  }

  const services = await system.services()
  const api = await system.docker(current.socket)
  // A reload reaches only a running dockerd; a stopped one is started, and that start needs the full preflight.
  const reloadOnly = activation === 'reload' && reloadJudgesItself(plan.changedKeys) && (await isRunning(services, api))
  const askDockerd = async (asReload: boolean) => {
    options.progress?.('preflight: asking dockerd about the new configuration')
    // Files the new configuration names (TLS keys and certificates) may be part of this very change.
    const staged = await stagePlannedFiles(system, planned.configText, changes)
    const outcome = await during(options, 'preflight', () => preflight(system, {...planned, configText: staged.configText}, {reloadOnly: asReload, defer}).finally(staged.cleanup))
    if (!outcome.ok) throw new InvalidConfigError(`preflight (${outcome.method}) failed, nothing was written: ${outcome.detail}`, {details: outcome})
    options.progress?.(`preflight: ${outcome.method}: ${outcome.detail}`)
    return outcome
  }
  const check = await askDockerd(reloadOnly)

  // Seen running just now, and the preflight without a trial takes no time: asked again, systemd
  // would only say the same. Should dockerd die meanwhile, its reload is never confirmed: rollback.
  const running = reloadOnly || (await runningElseStopped(system, services, api, {stopIfDown: activation !== 'none', timeoutMs: options.timeoutMs}))
  let extraChanges: FileChange[] = []
  let containers: ApplyResult['containers']
  let stoppedForBridge: StoppedContainer[] = []
  if (activation === 'restart' && running) {
    const guard = await containerGuard(api, plan.changedKeys, liveRestoreAfter(planned), options)
    containers = guard.containers
    if (guard.enableLiveRestore) extraChanges = liveRestoreChange(changes, configFile, planned.config)
    const bridge = await stopContainersHoldingBridge(api, {changedKeys: plan.changedKeys, planned}, options)
    stoppedForBridge = bridge.stopped
    warn(options, bridge.warnings)
    warnings.push(...bridge.warnings)
  }
  const toWrite = combineChanges(changes, extraChanges)
  // Where the journal ends before anything changes, read alongside the backup: what dockerd logs
  // about the reload or start (a refusal, a failure) comes after it.
  const cursor = services.journalCursor().catch(() => undefined)
  // Fires once a healthy start has surely been given its chance. Firing while this run is still
  // busy (say, with its own rollback) is harmless: the timer's run waits for our lock and then
  // finds the pending record gone.
  const timerSeconds = rollbackTimerSeconds(options.timeoutMs)
  let armed: PendingApply | undefined
  // The rollback is armed between the backup (what the timer restores) and the first write: a
  // kill anywhere from there on leaves a timer that puts the host back.
  const committed = await commitChangeSet(system, lock, plan.command, toWrite, {
    createdDirs: plan.createdDirs ?? [],
    clientDirs: plan.clientDirs ?? [],
    beforeWrite: async (backup) => {
      // Finishing an abandoned apply by hand: its timer must not fire into the middle of this run.
      if (abandoned !== undefined) await services.disarmTimer(abandoned.timerUnit)
      const pending = {
        backupId: backup.id,
        command: plan.command,
        pid: system.host.pid,
        startedAt: system.clock.now().toISOString(),
        timerUnit: timerUnitFor(backup.id),
        timerSeconds,
      }
      await armRollback(system, services, pending)
      armed = pending
    },
  }).catch(async (error: unknown) => {
    if (armed === undefined || !(error instanceof Error)) throw error
    // A failed write puts back what was written: then there is nothing for the timer to undo. If
    // even that failed, the timer stays armed, to restore the backup when it fires.
    const backup = await readBackup(system, armed.backupId)
    if ((await changedSinceBackup(system, backup).catch(() => ['?'])).length > 0) {
      error.message += `; the rollback timer ${armed.timerUnit}.timer stays armed and restores backup ${armed.backupId} in ${armed.timerSeconds} s (now: dockcfg rollback ${armed.backupId})`
      throw error
    }
    const left = stillArmed(await disarm(system, services, armed.timerUnit), armed.timerUnit, armed.backupId)
    if (left !== undefined) error.message += `; ${left}`
    // Disarmed, with the files as they were: the backup records a change that never happened.
    else await removeBackup(system, armed.backupId).catch(() => undefined)
    throw error
  })
  const timerUnit = timerUnitFor(committed.backup.id)
  options.progress?.(
    `${describeCommit(
      toWrite.map((c) => c.path),
      removedFiles,
    )} (backup ${committed.backup.id})`,
  )

  const undo = {deadlineMs: options.timeoutMs, timerUnit, socket: current.socket, options, stoppedContainers: stoppedForBridge, files: toWrite.map((c) => c.path), warnings}
  try {
    // What was written is what `planned` describes, unless live-restore was added to it.
    const after = extraChanges.length > 0 ? await inspect(system.fs) : planned
    const outcome = await activate(system, services, after, {
      activation,
      running,
      unitFilesChanged,
      options,
      enableLiveRestoreFirst: extraChanges.length > 0,
      cursor,
    })
    const verification = outcome.ok
      ? await verifyLive(await system.docker(after.socket), verifiedKeys(plan.changedKeys, extraChanges), after.merged, {
          hosts: after.hosts,
          socketHostPath: (p) => system.fs.hostPath(p),
          network: system.network,
          interfaceAddresses: (name) => interfaceAddresses(system, name),
        })
      : []
    const mismatches = verification.filter((v) => v.status === 'mismatch')
    if (outcome.ok && mismatches.length === 0) {
      const left = stillArmed(await disarm(system, services, timerUnit), timerUnit, committed.backup.id)
      if (left !== undefined) warn(options, [left])
      await removeEmptyDirs(system, plan.emptiedDirs ?? [])
      return {
        ...base,
        files: toWrite.map((c) => c.path),
        action: outcome.action,
        backupId: committed.backup.id,
        ...undoOf(system, current, committed.backup.id),
        preflight: check,
        verification,
        ...(containers ? {containers} : {}),
        warnings: [...warnings, ...outcome.warnings, ...(left === undefined ? [] : [left])],
      }
    }
    const reason = outcome.ok
      ? `the change is not live: ${mismatches.map((m) => `${m.key} expected ${JSON.stringify(m.expected)}, dockerd has ${JSON.stringify(m.actual)}`).join('; ')}`
      : outcome.reason
    return await rollBack(system, services, committed, {...undo, reason, journal: outcome.ok ? [] : outcome.journal, action: outcome.action})
  } catch (error) {
    if (error instanceof DockcfgError) throw error
    // Anything unexpected after the write must still leave the host as it was.
    return await rollBack(system, services, committed, {...undo, reason: (error as Error).message, journal: [], action: activation})
  }
}

/**
 * The request's verdict, raised to a restart where a reload cannot do the job: a unit file
 * changed (only a restart re-reads ExecStart), or a key was removed from daemon.json. dockerd's
 * reload only copies the keys the file *sets* (reload.go: `if conf.IsValueSet(...)`), so a removed
 * `live-restore` or `debug` stayed in force after SIGHUP: seen on 20.10.24 when a rollback dropped
 * `"live-restore": true` and /info still said true.
 */
export function activationOf(requested: Activation, unitFilesChanged: boolean, removedConfigKeys: readonly string[]): Activation {
  if (unitFilesChanged) return 'restart'
  if (requested === 'reload' && removedConfigKeys.length > 0) return 'restart'
  return requested
}

/**
 * Whether dockerd is up and answers. When it is down (maybe between automatic restarts of a
 * failing start) and `stopIfDown`, it is stopped for good first, or systemd's next retry could
 * start it on a half-written set of files. Throws when it does not stop in time.
 */
async function isRunning(services: ServiceManager, api: DockerApi): Promise<boolean> {
  return (await unitState(services)).ActiveState === 'active' && (await api.ping())
}

async function runningElseStopped(system: System, services: ServiceManager, api: DockerApi, options: {stopIfDown: boolean; timeoutMs: number}): Promise<boolean> {
  const running = await isRunning(services, api)
  if (!running && options.stopIfDown) {
    const stop = await stopDocker(services, system.clock, system.clock.now().getTime() + options.timeoutMs)
    if (!stop.ok) throw new DockcfgError(`nothing was written: ${stop.outcome.reason}`, {remedy: 'systemctl status docker'})
  }
  return running
}

function liveRestoreChange(changes: readonly FileChange[], configFile: string, config: Record<string, unknown>): FileChange[] {
  if (config['live-restore'] === true) return []
  const current = changes.find((c) => c.path === configFile)
  // Same editor as `set`, so the user's formatting survives.
  const edit = planDaemonJsonEdit(current?.after, [{key: 'live-restore', value: true}], configFile)
  return [{path: configFile, before: current?.before, after: edit.after}]
}

function verifiedKeys(changedKeys: readonly string[], extra: readonly FileChange[]): string[] {
  return extra.length > 0 && !changedKeys.includes('live-restore') ? [...changedKeys, 'live-restore'] : [...changedKeys]
}

/**
 * `dockcfg rollback ID`, with the --root and --config-file this run used, when it can work: not
 * when the configuration being replaced was one dockerd refuses (a `fix` of a flag/file
 * conflict), since a rollback to it would be refused in turn.
 */
function undoOf(system: System, current: TreeView, backupId: string): {undo?: string} {
  if (current.errors.length > 0) return {}
  const root = system.isLiveHost ? [] : ['--root', system.fs.root]
  const configFile = current.configFile === DEFAULT_CONFIG_FILE ? [] : ['--config-file', current.configFile]
  return {undo: ['dockcfg', 'rollback', backupId, ...root, ...configFile].map(shellWord).join(' ')}
}

/** A word as a POSIX shell reads it back unchanged. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

function timerUnitFor(backupId: string): string {
  return `dockcfg-rollback-${backupId.toLowerCase().replace(/[^a-z0-9-]/g, '')}`
}

export function rollbackTimerSeconds(timeoutMs: number): number {
  return Math.ceil(timeoutMs / 1000) + 15
}

/** IPv4 addresses of an interface from `ip -j`; undefined when ip cannot tell (not installed, no such link). */
async function interfaceAddresses(system: System, name: string): Promise<string[] | undefined> {
  const result = await system.processes.run('ip', ['-j', '-4', 'addr', 'show', 'dev', name], {timeoutMs: 10_000})
  if (result.exitCode !== 0) return undefined
  try {
    const links = JSON.parse(result.stdout) as Array<{addr_info?: Array<{local?: string; prefixlen?: number}>}>
    return links.flatMap((l) => (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`))
  } catch {
    return undefined
  }
}

/**
 * Arms the timer first, then writes the record it acts on: killed between the two, the timer
 * finds no record and does nothing (nothing was written yet). Throws, with nothing written and
 * nothing left armed, when systemd-run fails: an apply never goes ahead without its rollback.
 */
async function armRollback(system: System, services: ServiceManager, pending: PendingApply): Promise<void> {
  try {
    await services.armTimer(pending.timerUnit, pending.timerSeconds, [...system.host.selfCommand(), 'rollback', pending.backupId, '--auto'])
    await system.checkpoint('timer-armed')
    await writePending(system, pending)
    await system.checkpoint('pending-recorded')
  } catch (error) {
    const left = stillArmed(await disarm(system, services, pending.timerUnit), pending.timerUnit, pending.backupId)
    throw new DockcfgError(`nothing was written: the rollback timer could not be armed: ${(error as Error).message}${left ? `; ${left}` : ''}`, {
      remedy: 'dockcfg applies a change only with a rollback armed outside itself (systemd-run); check that systemd-run works: systemd-run --on-active=60 true',
    })
  }
}

interface Disarmed {
  /** The timer is not armed any more. */
  stopped: boolean
  /** The pending record is gone: a timer that still fires finds nothing to do. */
  cleared: boolean
}

/** Stops the rollback timer and clears the record it acts on; says which of the two worked. */
async function disarm(system: System, services: ServiceManager, timerUnit: string): Promise<Disarmed> {
  const stopped = await services.disarmTimer(timerUnit).catch(() => false)
  const cleared = await clearPending(system).then(
    () => true,
    () => false,
  )
  return {stopped, cleared}
}

/**
 * What is still armed after disarm(), and how to stop it; undefined when nothing is. After exit 5
 * this matters most: seen on a test host, a timer left armed put the broken backup back a minute
 * later, over the admin's repair.
 */
function stillArmed(d: Disarmed, timerUnit: string, backupId: string): string | undefined {
  if (d.stopped) return undefined
  if (d.cleared) return `the rollback timer ${timerUnit}.timer could not be stopped; it will find nothing to do when it fires, but stop it: systemctl stop ${timerUnit}.timer`
  return `the rollback timer ${timerUnit}.timer is STILL ARMED and will restore backup ${backupId} when it fires, over anything changed meanwhile: stop it now with systemctl stop ${timerUnit}.timer`
}

type Activated = {ok: true; action: 'reloaded' | 'restarted' | 'written'; warnings: string[]} | {ok: false; reason: string; journal: string[]; action: 'reload' | 'restart'}

async function activate(
  system: System,
  services: ServiceManager,
  view: TreeView,
  ctx: {activation: Activation; running: boolean; unitFilesChanged: boolean; options: ApplyOptions; enableLiveRestoreFirst: boolean; cursor: Promise<string | undefined>},
): Promise<Activated> {
  const api = await system.docker(view.socket)
  if (ctx.unitFilesChanged) await services.daemonReload()
  if (ctx.activation === 'reload' || ctx.enableLiveRestoreFirst) {
    if (ctx.running) {
      ctx.options.progress?.('reloading dockerd (SIGHUP): containers keep running')
      const reloaded = await during(ctx.options, 'waiting for dockerd to confirm the reload', () => reload(system, services, api, ctx.cursor))
      if (!reloaded.ok) return {ok: false, reason: reloaded.reason, journal: reloaded.journal, action: 'reload'}
      if (ctx.activation === 'reload') return {ok: true, action: 'reloaded', warnings: []}
      const info = await api.info()
      if (info.LiveRestoreEnabled !== true) return {ok: false, reason: 'live-restore did not switch on by reload; the restart was not attempted', journal: [], action: 'reload'}
    } else if (ctx.activation === 'reload') {
      // dockerd is not running: a reload has nothing to signal; starting it applies everything.
      ctx.activation = 'restart'
    }
  }
  ctx.options.progress?.('restarting dockerd')
  const deadline = system.clock.now().getTime() + ctx.options.timeoutMs
  const health = await during(ctx.options, 'waiting for dockerd to come back', () => restartFresh(services, api, system.clock, {deadline, whileStopping: ctx.cursor}))
  if (health.healthy) return {ok: true, action: 'restarted', warnings: []}
  const journal = await failedStartJournal(services, health.state.InvocationID, await ctx.cursor)
  return {ok: false, reason: health.reason, journal, action: 'restart'}
}

/** dockerd's words for a reload it refused (config.Reload, daemon.Reload, the authorization check before it). */
export const RELOAD_REFUSED =
  /Error reloading configuration|unable to configure the Docker daemon|file configuration validation failed|Error reconfiguring the daemon|Error validating authorization plugin/

/**
 * Sends SIGHUP and waits for dockerd's verdict: its `reload` event is the yes, a refusal in the
 * journal the no. The event also proves that the dockerd which reloaded is the one that was
 * running: events live in the daemon's memory, so a dockerd restarted instead of reloaded has no
 * such event since `since`, and the wait ends in "did not confirm" and a rollback. The events are
 * asked for with sub-second `since`/`until` (dockerd parses "seconds.nanoseconds") up to now, so
 * each look answers at once (an `until` in the future holds the request open until then). Looks
 * come quickly at first, a reload takes milliseconds; the journal (a process per look) is read
 * once the event is late, which is when a refusal has had time to be logged.
 */
async function reload(
  system: System,
  services: ServiceManager,
  api: DockerApi,
  journalEnd: Promise<string | undefined>,
): Promise<{ok: true} | {ok: false; reason: string; journal: string[]}> {
  const cursor = await journalEnd
  const since = system.clock.now().getTime() / 1000
  await services.reload(DOCKER_UNIT)
  const sent = system.clock.now().getTime()
  const deadline = sent + 15_000
  for (let wait = RELOAD_POLL_FIRST_MS; system.clock.now().getTime() < deadline; wait = Math.min(wait * 2, RELOAD_POLL_MAX_MS)) {
    await system.clock.sleep(wait)
    const events = await api.daemonEvents(since, system.clock.now().getTime() / 1000).catch(() => [])
    if (events.some((e) => e.Action === 'reload')) return {ok: true}
    if (system.clock.now().getTime() - sent < RELOAD_JOURNAL_AFTER_MS) continue
    const journal = await services.journal(DOCKER_UNIT, {cursor})
    const refused = journal.find((l) => RELOAD_REFUSED.test(l))
    if (refused) return {ok: false, reason: `dockerd refused the reload: ${refused}`, journal}
  }
  return {ok: false, reason: 'dockerd did not confirm the reload within 15 s', journal: await services.journal(DOCKER_UNIT, {cursor})}
}

const RELOAD_JOURNAL_AFTER_MS = 80
const RELOAD_POLL_FIRST_MS = 10
const RELOAD_POLL_MAX_MS = 200

/**
 * Puts every file back, restarts dockerd on the previous configuration and waits for it. Always
 * throws: exit 4 when the host is back as it was, exit 5 (with the exact state) when not.
 */
async function rollBack(
  system: System,
  services: ServiceManager,
  committed: CommitResult,
  ctx: {
    reason: string
    journal: string[]
    action: string
    deadlineMs: number
    timerUnit: string
    socket: string
    options: ApplyOptions
    /** Stopped by the bridge guard for this change: the previous configuration runs them again. */
    stoppedContainers: readonly StoppedContainer[]
    /** What the change wrote, and the warnings told so far: the failure reports them as a result would. */
    files: string[]
    warnings: readonly string[]
  },
): Promise<never> {
  ctx.options.progress?.(`rolling back: ${ctx.reason}`)
  const journalText = ctx.journal.length > 0 ? `\njournal of the failed ${ctx.action}:\n${ctx.journal.map((l) => `  ${l}`).join('\n')}` : ''
  let restored: string[] = []
  try {
    const api = await system.docker(ctx.socket)
    const state = await unitState(services)
    const deadline = system.clock.now().getTime() + ctx.deadlineMs
    // A refused reload leaves dockerd running its old configuration: putting the files back is the
    // whole rollback, and a restart would only cost containers.
    const stillRunning = ctx.action === 'reload' && state.ActiveState === 'active' && (await api.ping())
    // Otherwise dockerd goes down *before* the files go back (see stopDocker): systemd's automatic
    // restart must not start it on a half-restored set.
    const stop = stillRunning ? undefined : await stopDocker(services, system.clock, deadline)
    restored = await restoreFromBackup(system, committed.backup)
    await services.daemonReload()
    await system.checkpoint('rollback-restored')
    if (stop !== undefined) {
      if (!stop.ok) throw new Error(stop.outcome.reason)
      const stopped = stop.stopped
      const health = await during(ctx.options, 'waiting for dockerd to come back on the previous configuration', () =>
        startDocker(services, api, system.clock, {deadline, stopped}),
      )
      if (!health.healthy) throw new Error(health.reason)
    }
    const containers = await restartStopped(api, ctx.stoppedContainers, ctx.options)
    const left = stillArmed(await disarm(system, services, ctx.timerUnit), ctx.timerUnit, committed.backup.id)
    throw new ApplyFailedError(
      `${ctx.reason}. The previous configuration was restored (${restored.join(', ')}) and dockerd is running it again.${containers.text}${left ? ` Note: ${left}.` : ''}${journalText}`,
      {
        changed: false,
        action: 'rolled-back',
        files: ctx.files,
        restored,
        backupId: committed.backup.id,
        reason: ctx.reason,
        journal: ctx.journal,
        warnings: [...ctx.warnings, ...(left ? [left] : [])],
        ...containers.details,
      },
    )
  } catch (error) {
    if (error instanceof DockcfgError) throw error
    const state = await unitState(services).catch(() => undefined)
    // Nothing may fire later and put these files back over a repair by hand.
    const left = stillArmed(await disarm(system, services, ctx.timerUnit), ctx.timerUnit, committed.backup.id)
    throw new ApplyFailedError(
      `${ctx.reason}. The rollback failed too: ${(error as Error).message}. docker.service is ${state ? `${state.ActiveState}/${state.SubState}` : 'in an unknown state'}; ` +
        `${restored.length > 0 ? `the files were restored from backup ${committed.backup.id}` : `the files were NOT restored; backup ${committed.backup.id} holds the previous versions`}; ` +
        `${left ?? `the rollback timer ${ctx.timerUnit}.timer is disarmed, so nothing will change these files behind your back`}.` +
        `${ctx.stoppedContainers.length > 0 ? ` The container(s) stopped for this change are still stopped: ${ctx.stoppedContainers.map((c) => c.name).join(', ')} (docker start them once dockerd runs).` : ''}${journalText}`,
      {
        changed: true,
        action: 'rollback-failed',
        files: ctx.files,
        restored,
        backupId: committed.backup.id,
        reason: ctx.reason,
        journal: ctx.journal,
        warnings: [...ctx.warnings],
        rollbackError: (error as Error).message,
        ...(state ? {service: {activeState: state.ActiveState, subState: state.SubState}} : {}),
        timer: {unit: `${ctx.timerUnit}.timer`, armed: left !== undefined},
        ...(ctx.stoppedContainers.length > 0
          ? {containersNotStarted: ctx.stoppedContainers.map((c) => ({name: c.name, error: 'stopped for this change; not started again'}))}
          : {}),
      },
      {
        remedy: `${left ? `systemctl stop ${ctx.timerUnit}.timer; ` : ''}inspect with: journalctl -u docker -n 50; restore by hand with: dockcfg rollback ${committed.backup.id}`,
      },
    )
  }
}

/**
 * Starts again the containers the bridge guard stopped for a change that was rolled back: they
 * were stopped only so the new default bridge could be built. Says which started and which not.
 */
async function restartStopped(
  api: DockerApi,
  stopped: readonly StoppedContainer[],
  options: ApplyOptions,
): Promise<{text: string; details: {containersStarted?: string[]; containersNotStarted?: Array<{name: string; error: string}>}}> {
  if (stopped.length === 0) return {text: '', details: {}}
  const started: string[] = []
  const failed: Array<{name: string; error: string}> = []
  for (const c of stopped) {
    try {
      await api.startContainer(c.id, options.timeoutMs)
      started.push(c.name)
    } catch (error) {
      failed.push({name: c.name, error: (error as Error).message})
    }
  }
  if (started.length > 0) options.progress?.(`started again the container(s) stopped for this change: ${started.join(', ')}`)
  const text =
    (started.length > 0 ? ` The container(s) stopped for this change were started again: ${started.join(', ')}.` : '') +
    (failed.length > 0
      ? ` Could not start again: ${failed.map((f) => `${f.name} (${f.error})`).join('; ')}; start them with: docker start ${failed.map((f) => f.name).join(' ')}.`
      : '')
  return {text, details: {containersStarted: started, ...(failed.length > 0 ? {containersNotStarted: failed} : {})}}
}
