import type {ApplyResult} from '../apply/plan.js'
import {type Owner, planFix} from '../effective/fix.js'
import type {System} from '../system/index.js'
import {onEffectiveTree, type OperationRequest, runChange} from './pipeline.js'

/** The typed result of `dockcfg fix`. */
export interface FixResult extends ApplyResult {
  conflicts: Array<{key: string; message: string}>
  actions: string[]
  owner: Owner
  newExecStart?: string[]
}

/** `dockcfg fix`: finds every flag/file conflict, plans one owner for each, and applies the plan safely. */
export async function runFix(system: System, request: OperationRequest & {owner: Owner}): Promise<FixResult> {
  return runChange(system, onEffectiveTree(request), {
    plan: async ({current}) => {
      const {conflicts} = current.effective
      const plan = await planFix(system.fs, current.effective, request.owner, request.command)
      return {
        ...plan,
        changedKeys: [...new Set([...plan.changedKeys, ...conflicts.map((c) => c.key)])],
        activation: 'restart' as const,
        notes: {actions: [...conflicts.map((c) => `conflict: ${c.message}`), ...plan.actions]},
      }
    },
    result: (applied, plan, {current}) => ({
      ...applied,
      conflicts: current.effective.conflicts.map((c) => ({key: c.key, message: c.message})),
      actions: plan.actions,
      owner: request.owner,
      ...(plan.newArgv ? {newExecStart: plan.newArgv} : {}),
    }),
  })
}
