import * as path from 'node:path'

import {removeEmptyDirs} from '../changes/change-set.js'
import {ApplyFailedError, UsageError} from '../core/errors.js'
import {writeDockerContext} from '../remote/docker-context.js'
import type {ApplyResult} from '../apply/plan.js'
import type {FileChange} from '../core/file-change.js'
import {connectInstructions, type EnableRequest, type EnableResult, ensurePrivateDirs, exposureText, planRemoteAccess, type RemoteAccessPlan, selfCheck} from '../remote/enable.js'
import type {System} from '../system/index.js'
import {type KeyRequest, planKeyChanges, reportedWarnings} from './key-changes.js'
import {type CurrentTree, onEffectiveTree, type PipelineRequest, runChange} from './pipeline.js'
import {rollbackUnderLock} from './rollback.js'
import type {EffectiveView} from './tree-view.js'

/**
 * `dockcfg remote enable`: the listener, its certificates and client verification, with `hosts`
 * given one owner, applied as one change (certificate files included, so a failed restart rolls
 * them back with daemon.json and the drop-in). Then, still under the lock, the listener is checked
 * over mutual TLS, and the change undone when it does not pass.
 */
export async function runRemoteEnable(system: System, request: EnableRequest): Promise<EnableResult> {
  const pipeline = onEffectiveTree(request)
  return runChange(system, pipeline, {
    plan: async (tree) => {
      const access = await planRemoteAccess(system, tree.current.effective, request)
      if (request.context !== undefined && !access.insecure && access.certificates?.client === undefined) {
        // The context is for this machine: it needs a client certificate this run can hand it.
        throw new UsageError(`--context needs a client bundle from this run, and ${access.certificates?.ca.source === 'shared' ? 'a shared CA' : 'this CA'} gives none here`, {
          remedy: 'add --client-out DIR (a client bundle is written there and stored in the context too), or run remote client-cert --context on the control machine',
        })
      }
      // The store is read and checked now (a planted link, a meta.json the CLI would refuse), so that it cannot fail after dockerd was changed.
      if (request.context !== undefined) await storeContext(request.context, access.listener, access, true)
      const keys = await planKeyChanges(system, tree, {...enableKeyRequest(access), command: request.command})
      const changes = [...keys.changes, ...access.certChanges]
      const createdDirs = await enablePrivateDirs(system, access, changes, request.apply.dryRun)
      const findings = reportedWarnings(keys.findings)
      const actions = [...keys.actions, ...access.actions]
      // A plaintext listener's exposure is said once, louder, by the command: not as a finding too.
      const told = access.insecure ? findings.filter((f) => f.code !== 'tcp-without-tls') : findings
      const clientDirs = request.clientOut !== undefined && !access.insecure ? [path.posix.resolve('/', request.clientOut)] : []
      return {changes, changedKeys: keys.changedKeys, activation: keys.activation, createdDirs, clientDirs, notes: {findings: told, actions}, access, findings, actions}
    },
    // The engine put every file back (new ones deleted); the directories made for them go too.
    abandon: (plan) => removeEmptyDirs(system, plan.createdDirs),
    result: async (applied, plan, tree) => {
      const {access} = plan
      const result: EnableResult = {
        ...applied,
        mode: access.insecure ? 'insecure' : 'tls',
        listener: access.listener,
        hosts: access.hosts,
        actions: plan.actions,
        findings: plan.findings,
        ...(access.certificates ? {certificates: access.certificates} : {}),
        ...(access.insecure ? {exposure: exposureText(access.address, access.port)} : {}),
        connect: connectInstructions(access.listener, access.insecure, access.certificates, request.identity?.dnsNames[0] ?? system.network.hostname()),
        dockerdVersion: tree.version,
      }
      const checked = await checkListener(system, {tree, pipeline, applied, access, request})
      if (checked !== undefined) result.selfCheck = checked
      // Last, once the change stands: a context pointing at a listener that was rolled back would only mislead.
      if (request.context !== undefined) result.context = await storeContext(request.context, result.connect.endpoint, access, applied.dryRun)
      return result
    },
  })
}

/**
 * What enabling remote access asks of the key planner: the listener list and the TLS keys. `hosts`
 * is the command's business even when unchanged (its conflict with -H is resolved), and the list
 * asked for wins over fix's merge with the flags.
 */
export function enableKeyRequest(access: RemoteAccessPlan): KeyRequest {
  return {changes: [{key: 'hosts', value: access.hosts}, ...access.keys], touched: ['hosts'], asAsked: ['hosts']}
}

/** The directories new private keys go into, created root-only now (not for a dry run, nor when nothing is written). */
export async function enablePrivateDirs(system: System, access: RemoteAccessPlan, changes: readonly FileChange[], dryRun: boolean): Promise<string[]> {
  const willWrite = !dryRun && changes.some((c) => c.before !== c.after)
  return willWrite && !access.insecure ? ensurePrivateDirs(system, access.certChanges) : []
}

/**
 * The new listener checked over mutual TLS, still under the lock; when it does not pass, the whole
 * change is put back through the engine (exit 4). Only a dockerd this command just restarted is
 * checked: an unchanged host may be one dockcfg cannot start or reach.
 */
export async function checkListener(
  system: System,
  run: {
    tree: CurrentTree<EffectiveView>
    pipeline: PipelineRequest<EffectiveView>
    applied: ApplyResult
    access: RemoteAccessPlan
    request: Pick<EnableRequest, 'apply' | 'configFile'>
  },
): Promise<EnableResult['selfCheck']> {
  const {applied, access} = run
  const live = applied.action === 'restarted' || applied.action === 'reloaded'
  if (access.insecure || !live || access.selfTestClient === undefined) return undefined
  const check = await selfCheck(system, access.listener, access.selfTestClient)
  if (!check.ok && applied.backupId !== undefined) await undo(system, run.tree, run.pipeline, {...applied, backupId: applied.backupId}, run.request, check)
  return check
}

/** The listener does not pass its own check: put everything back through the engine, then fail (exit 4). */
async function undo(
  system: System,
  tree: CurrentTree<EffectiveView>,
  pipeline: PipelineRequest<EffectiveView>,
  applied: {backupId: string; files: string[]; warnings: string[]},
  request: Pick<EnableRequest, 'apply' | 'configFile'>,
  check: NonNullable<EnableResult['selfCheck']>,
): Promise<never> {
  const reason = `the new listener does not pass its mutual-TLS self-check at ${check.endpoint}: ${check.findings.map((f) => f.message).join('; ')}`
  request.apply.progress?.(`rolling back: ${reason}`)
  const {backupId, files, warnings} = applied
  let restored: string[]
  try {
    const apply = {...request.apply, yes: true, keepContainers: false, dryRun: false, noRestart: false}
    restored = (await rollbackUnderLock(system, tree, {...pipeline, apply}, backupId, request.configFile)).files
  } catch (error) {
    throw new ApplyFailedError(
      `${reason}. The rollback failed too: ${(error as Error).message}`,
      {changed: true, action: 'rollback-failed', files, restored: [], backupId, reason, journal: [], warnings, rollbackError: (error as Error).message},
      {remedy: `dockcfg rollback ${backupId}`},
    )
  }
  throw new ApplyFailedError(`${reason}. The previous configuration was restored and dockerd is running it again.`, {
    changed: false,
    action: 'rolled-back',
    files,
    restored,
    backupId,
    reason,
    journal: [],
    warnings,
  })
}

/** The client bundle of this run (its material is what the self-check presented) as a docker context reaching `endpoint`. */
async function storeContext(
  context: NonNullable<EnableRequest['context']>,
  endpoint: string,
  access: RemoteAccessPlan,
  dryRun: boolean,
): Promise<NonNullable<EnableResult['context']>> {
  const client = access.insecure ? undefined : access.selfTestClient
  return writeDockerContext(
    context.store,
    context.configDir,
    {
      name: context.name,
      host: endpoint,
      ...(client ? {tls: {caPem: client.caPem, certPem: client.certPem, keyPem: client.keyPem}} : {}),
      description: `${endpoint} (dockcfg)`,
    },
    {dryRun},
  )
}
