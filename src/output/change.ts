import type {ChangeKeysResult} from '../daemon-config/change-keys.js'
import {renderFinding} from './findings.js'

interface Out {
  /** stdout: data (the diff of a dry run). */
  log(text: string): void
  /** stderr: messages. */
  say(text: string): void
}

/** Human rendering of a set/unset result: the diff is data, everything else is a message. */
export function renderChange(result: ChangeKeysResult, out: Out): void {
  for (const warning of result.warnings) out.say(renderFinding(warning))
  if (!result.changed) {
    out.say(`${result.file}: already as requested; nothing to do`)
    return
  }
  if (result.dryRun) {
    out.log(result.diff.trimEnd())
    out.say(`dry run: ${result.file} not written; dockerd would need a ${result.activation} to apply it`)
    return
  }
  out.say(`wrote ${result.file} (${result.changedKeys.join(', ')}); previous version saved as backup ${result.backupId}`)
  out.say(
    result.activation === 'reload'
      ? 'dockerd must reload its configuration for this to take effect: systemctl reload docker'
      : 'dockerd must be restarted for this to take effect: systemctl restart docker',
  )
}
