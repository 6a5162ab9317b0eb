import type {ApplyResult} from '../apply/plan.js'
import {describeCommit} from '../changes/change-set.js'
import type {Out} from './out.js'

/**
 * Human rendering of any configuration change, once it is done: the diff is data, everything else
 * a message. Only what is new: warnings, the plan, the preflight's verdict and the writes were
 * told as they happened (ApplyOptions.progress and plan).
 */
export function renderApplyResult(result: ApplyResult, out: Out): void {
  if (!result.changed) {
    out.say('already as requested; nothing to do')
    return
  }
  if (result.dryRun) {
    out.log(result.diff.trimEnd())
    out.say(`dry run: nothing written${result.pending ? `; dockerd would need a ${result.pending}` : ''}`)
    return
  }
  const undo =
    result.backupId === undefined
      ? ''
      : result.undo
        ? ` (backup ${result.backupId}; undo with: ${result.undo})`
        : ` (backup ${result.backupId}; no undo: dockerd refused the configuration it replaced)`
  if (result.action === 'written') {
    out.say(`${describeCommit(result.files, result.removed)}${undo}`)
    if (result.pending) {
      out.say(`not applied (${result.pendingReason ?? 'no service manager'}): dockerd needs a ${result.pending}: systemctl ${result.pending} docker`)
    }
    return
  }
  out.say(`dockerd ${result.action}${undo}`)
  for (const v of result.verification) {
    const mark = v.status === 'verified' ? 'live' : v.status === 'not-observable' ? 'applied, not observable' : 'MISMATCH'
    out.say(`  ${v.key}: ${mark}${v.detail && v.status !== 'not-observable' ? ` (${v.detail})` : ''}`)
  }
}
