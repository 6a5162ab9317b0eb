import type {TreeView} from '../apply/plan.js'
import {warn} from '../apply/events.js'
import {whyNoService} from '../apply/health.js'
import {abandonedApplyWarnings} from '../apply/pending.js'
import {restartDaemon, type RestartResult} from '../apply/restart.js'
import type {System} from '../system/index.js'
import {onEffectiveTree, type OperationRequest, type PipelineRequest, withCurrentTree} from './pipeline.js'

/** `dockcfg restart`: dockerd again on its current configuration, safely. */
export async function runRestart(system: System, request: Omit<OperationRequest, 'command'>): Promise<RestartResult> {
  return restartOnCurrentTree(system, onEffectiveTree({...request, command: 'dockcfg restart'}))
}

/**
 * Without a service to restart (a --root tree, no systemd) there is nothing to do, and nothing is
 * locked or read. Otherwise locked from the first read: a `set` committing meanwhile must not be
 * preflighted stale.
 */
export async function restartOnCurrentTree<V extends TreeView>(system: System, request: PipelineRequest<V>): Promise<RestartResult> {
  const options = request.apply
  const warnings = await abandonedApplyWarnings(system)
  warn(options, warnings)
  const reason = await whyNoService(system, options)
  if (reason !== undefined) return {action: 'none', reason, warnings}
  return withCurrentTree(system, request, ({lock, current}) => restartDaemon(system, lock, current, options, warnings))
}
