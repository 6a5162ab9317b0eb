import {applyPlan} from '../apply/apply.js'
import type {ApplyOptions, ApplyResult, Inspector, PlanNotes, TreeView} from '../apply/plan.js'
import {warn} from '../apply/events.js'
import {abandonedApplyWarnings} from '../apply/pending.js'
import {acquireLock, type HeldLock} from '../backup/lock.js'
import type {FileChange} from '../core/file-change.js'
import {InvalidConfigError} from '../core/errors.js'
import {capFindings, errorLines, type Finding, introducedFindings} from '../core/findings.js'
import type {Activation} from '../daemon-config/plan-edit.js'
import {resolveDockerdVersion} from '../dockerd/version.js'
import {type EffectiveView, effectiveInspector} from './tree-view.js'
import type {System} from '../system/index.js'
import {OverlayFileSystem} from '../system/overlay-fs.js'

/**
 * The one path every write command takes: lock -> dockerd version -> inspect once -> plan ->
 * refuse errors the change brings -> hand the plan to the engine (src/apply/apply.ts) -> result.
 * Only this module takes the lock; what runs under it gets the held lock as a parameter.
 */

/** What a write command is given by its flags. */
export interface OperationRequest {
  /** --config-file; ExecStart's own --config-file wins when it has one (that is the file dockerd reads). */
  configFile: string
  /** --dockerd-version. */
  dockerdVersion: string | undefined
  /** The command line, recorded in the lock, the backup manifest and the drop-in header. */
  command: string
  apply: ApplyOptions
}

/** The pipeline's own needs: how a tree is inspected once the dockerd version is known. */
export interface PipelineRequest<V extends TreeView> {
  command: string
  dockerdVersion: string | undefined
  inspector: (dockerdVersion: string | undefined) => Inspector<V>
  apply: ApplyOptions
}

/** The real inspection: the effective configuration of the tree (src/effective/) dockerd reads with `configFile`. */
export function onEffectiveTree<T extends {configFile: string}>(request: T): T & {inspector: (dockerdVersion: string | undefined) => Inspector<EffectiveView>} {
  return {...request, inspector: (dockerdVersion) => effectiveInspector({configFile: request.configFile, dockerdVersion})}
}

/** How the tree of a request is found: the dockerd version asked for, and how to inspect once it is known. */
export type TreeSource<V extends TreeView> = Pick<PipelineRequest<V>, 'dockerdVersion' | 'inspector'>

/** The tree as this run found it. `lock` is undefined only for a dry run, which writes nothing. */
export interface CurrentTree<V extends TreeView> {
  lock: HeldLock | undefined
  version: string | undefined
  current: V
  inspect: Inspector<V>
}

/** What an operation plans: the engine's input, less what the pipeline knows. */
export interface ChangePlan<V extends TreeView = TreeView> {
  /** The command the backup records, when it says more than the one that took the lock (`dockcfg rollback ID`). */
  command?: string
  changes: FileChange[]
  changedKeys: string[]
  activation: Activation
  notes?: Partial<PlanNotes>
  /** The planned view, when the planner already inspected the tree with exactly `changes`. */
  planned?: V
  resolvesPending?: string
  createdDirs?: readonly string[]
  clientDirs?: readonly string[]
  emptiedDirs?: readonly string[]
}

/**
 * Takes the lock (not for a dry run: it writes nothing, and must work on a read-only tree),
 * resolves the dockerd version and inspects the tree once, then runs `body` holding the lock,
 * so a command reads, plans and writes as one step: two `dockcfg set` runs queue instead of the
 * second finding daemon.json changed under its plan.
 */
export async function withCurrentTree<V extends TreeView, R>(system: System, request: PipelineRequest<V>, body: (tree: CurrentTree<V>) => Promise<R>): Promise<R> {
  const {apply} = request
  const lock = apply.dryRun ? undefined : await acquireLock(system, request.command, apply.progress ? {onWait: apply.progress} : {})
  try {
    return await body(await inspectCurrent(system, lock, request))
  } finally {
    await lock?.release()
  }
}

/** The dockerd version and the one inspection of the tree, under `lock` (already held). */
export async function inspectCurrent<V extends TreeView>(system: System, lock: HeldLock | undefined, request: TreeSource<V>): Promise<CurrentTree<V>> {
  const {version} = await resolveDockerdVersion(system, request.dockerdVersion)
  const inspect = request.inspector(version)
  return {lock, version, current: await inspect(system.fs), inspect}
}

/**
 * A write command end to end: `plan` gets the current tree, `result` the engine's outcome (still
 * under the lock, so a follow-up such as remote enable's self-check and undo cannot interleave
 * with another run). `abandon` undoes what planning itself did (directories it created) when the
 * change does not go through.
 */
export async function runChange<V extends TreeView, P extends ChangePlan<V>, R>(
  system: System,
  request: PipelineRequest<V>,
  operation: {
    plan: (tree: CurrentTree<V>) => Promise<P>
    result: (applied: ApplyResult, plan: P, tree: CurrentTree<V>) => Promise<R> | R
    abandon?: (plan: P) => Promise<void>
  },
): Promise<R> {
  return withCurrentTree(system, request, async (tree) => {
    const plan = await operation.plan(tree)
    let applied: ApplyResult
    try {
      applied = await applyChange(system, tree, request, plan)
    } catch (error) {
      await operation.abandon?.(plan)
      throw error
    }
    return operation.result(applied, plan, tree)
  })
}

/**
 * Hands a plan to the engine: the planned view (inspected here unless the planner already did),
 * and the one check of errors the change brings. Errors the tree already had are the engine's
 * business (written, never restarted into).
 */
export async function applyChange<V extends TreeView>(system: System, tree: CurrentTree<V>, request: PipelineRequest<V>, plan: ChangePlan<V>): Promise<ApplyResult> {
  const warnings = await abandonedApplyWarnings(system)
  warn(request.apply, warnings)
  const {current} = tree
  const changed = plan.changes.some((c) => c.before !== c.after)
  const planned = !changed ? current : (plan.planned ?? (await tree.inspect(new OverlayFileSystem(system.fs, plan.changes))))
  if (changed) refuseIntroducedErrors(introducedFindings(current.errors, planned.errors))
  return applyPlan(
    system,
    tree.lock,
    {
      command: plan.command ?? request.command,
      changes: plan.changes,
      changedKeys: plan.changedKeys,
      activation: plan.activation,
      current,
      planned,
      notes: {findings: plan.notes?.findings ?? [], actions: plan.notes?.actions ?? []},
      warnings,
      ...(plan.resolvesPending === undefined ? {} : {resolvesPending: plan.resolvesPending}),
      ...(plan.createdDirs === undefined ? {} : {createdDirs: plan.createdDirs}),
      ...(plan.clientDirs === undefined ? {} : {clientDirs: plan.clientDirs}),
      ...(plan.emptiedDirs === undefined ? {} : {emptiedDirs: plan.emptiedDirs}),
    },
    tree.inspect,
    request.apply,
  )
}

/**
 * Refuses a change that brings errors (exit 3, nothing written): the one check every planner and
 * the pipeline use. `file` places findings that name no file of their own.
 */
export function refuseIntroducedErrors(introduced: readonly Finding[], file?: string): void {
  const errors = introduced.filter((f) => f.severity === 'error')
  if (errors.length > 0) throw new InvalidConfigError(`dockerd would refuse the result; nothing was written:\n${errorLines(errors, file)}`, {details: capFindings(errors)})
}

/**
 * The rollback timer's run: waits for the lock of the apply that armed it, then goes ahead with
 * it, or, when that run still holds it (a hung dockcfg is exactly what the timer is for), without
 * it and with a warning.
 */
export async function withTimerLock<R>(
  system: System,
  command: string,
  timeoutMs: number,
  body: (lock: HeldLock | undefined, warning: string | undefined) => Promise<R>,
): Promise<R> {
  let lock: HeldLock | undefined
  let warning: string | undefined
  try {
    lock = await acquireLock(system, command, {timeoutMs})
  } catch (error) {
    warning = `${(error as Error).message}; restoring anyway`
  }
  try {
    return await body(lock, warning)
  } finally {
    await lock?.release()
  }
}
