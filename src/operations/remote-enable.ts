import * as path from 'node:path'

import {removeEmptyDirs} from '../changes/change-set.js'
import {capFindings} from '../core/findings.js'
import {ApplyFailedError} from '../core/errors.js'
import {connectInstructions, type EnableRequest, type EnableResult, ensurePrivateDirs, exposureText, planRemoteAccess, selfCheck} from '../remote/enable.js'
import type {System} from '../system/index.js'
import {planKeyChanges} from './key-changes.js'
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
      const keys = await planKeyChanges(system, tree, {
        changes: [{key: 'hosts', value: access.hosts}, ...access.keys],
        command: request.command,
        touched: ['hosts'],
        asAsked: ['hosts'],
      })
      const changes = [...keys.changes, ...access.certChanges]
      const willWrite = !request.apply.dryRun && changes.some((c) => c.before !== c.after)
      const createdDirs = willWrite && !access.insecure ? await ensurePrivateDirs(system, access.certChanges) : []
      const findings = capFindings(keys.findings.filter((f) => f.severity !== 'error' && f.code !== 'version-assumed'))
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
      // Only a dockerd this command just restarted is checked: an unchanged host may be one dockcfg cannot start or reach.
      const live = applied.action === 'restarted' || applied.action === 'reloaded'
      if (!access.insecure && live && access.selfTestClient !== undefined) {
        result.selfCheck = await selfCheck(system, access.listener, access.selfTestClient)
        if (!result.selfCheck.ok && applied.backupId !== undefined) await undo(system, tree, pipeline, {...applied, backupId: applied.backupId}, request, result.selfCheck)
      }
      return result
    },
  })
}

/** The listener does not pass its own check: put everything back through the engine, then fail (exit 4). */
async function undo(
  system: System,
  tree: CurrentTree<EffectiveView>,
  pipeline: PipelineRequest<EffectiveView>,
  applied: {backupId: string; files: string[]; warnings: string[]},
  request: EnableRequest,
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
