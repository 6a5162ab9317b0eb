import type {ApplyStateResult} from '../operations/apply-state.js'
import {renderApplyResult} from './apply.js'
import type {Out} from './out.js'

/** `dockcfg apply` for a person: the change as every write command shows it, then what became of remote access. */
export function renderApplyState(result: ApplyStateResult, out: Out, options: {check: boolean}): void {
  renderApplyResult(result, out)
  const remote = result.remote
  if (remote?.enabled === true) {
    const c = remote.certificates
    if (c) out.say(`remote: ${remote.listener}, CA ${c.ca.subject} (${c.ca.source}${c.ca.reused ? ', kept' : ''}), server certificate ${c.server.reused ? 'kept' : 'issued'}`)
    if (remote.selfCheck?.ok) out.say(`self-check: ${remote.selfCheck.endpoint} answers over mutual TLS (${remote.selfCheck.verdict})`)
  }
  if (options.check) out.say(result.changed ? 'changes pending (exit 8)' : 'no changes pending')
}
