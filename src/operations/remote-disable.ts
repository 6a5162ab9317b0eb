import {stringEntries} from '../daemon-config/values.js'
import {type DisableRequest, type DisableResult, planRemoteShutdown, type RemoteShutdownPlan} from '../remote/disable.js'
import type {System} from '../system/index.js'
import {type KeyRequest, planKeyChanges} from './key-changes.js'
import {onEffectiveTree, runChange} from './pipeline.js'

/**
 * `dockcfg remote disable`: removes every tcp:// listener (from daemon.json and, through the same
 * one-owner rule as `fix`, from ExecStart) and applies it safely; local access stays.
 */
export async function runRemoteDisable(system: System, request: DisableRequest): Promise<DisableResult> {
  return runChange(system, onEffectiveTree(request), {
    plan: async (tree) => {
      const shutdown = await planRemoteShutdown(system, tree.current.effective, request.purge)
      const keys = await planKeyChanges(system, tree, {...disableKeyRequest(shutdown), command: request.command})
      return {
        changes: [...keys.changes, ...shutdown.purgeChanges],
        changedKeys: keys.changedKeys,
        activation: keys.activation,
        notes: {actions: [...removingNote(shutdown), ...keys.actions, ...shutdown.actions]},
        shutdown,
        actions: [...keys.actions, ...shutdown.actions],
      }
    },
    result: (applied, plan, tree) => ({
      ...applied,
      removed: plan.shutdown.removed,
      hosts: plan.shutdown.removed.length > 0 ? stringEntries(plan.shutdown.hosts) : tree.current.hosts,
      actions: plan.actions,
      purged: plan.shutdown.purgeChanges.map((c) => c.path),
      dockerdVersion: tree.version,
    }),
  })
}

/** What switching remote access off asks of the key planner: `hosts` without its tcp:// entries, as asked when it changes. */
export function disableKeyRequest(shutdown: RemoteShutdownPlan): KeyRequest {
  return {changes: [{key: 'hosts', value: shutdown.hosts}, ...shutdown.keys], touched: ['hosts'], asAsked: shutdown.hosts === undefined ? [] : ['hosts']}
}

/** The plan's first note: which listeners go and what stays. */
export function removingNote(shutdown: RemoteShutdownPlan): string[] {
  return shutdown.removed.length > 0 ? [`removing ${shutdown.removed.join(', ')}; local access stays on ${stringEntries(shutdown.hosts).join(', ')}`] : []
}
