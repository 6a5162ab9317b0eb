import type {HistoryResult} from '../apply/rollback.js'
import {renderTable} from './table.js'
import type {Out} from './out.js'

/** `dockcfg history` for a person: the backups as a table, and an apply that is running or did not finish. */
export function renderHistory(result: HistoryResult, out: Out): void {
  if (result.backups.length === 0) out.say('no backups yet')
  else
    out.log(
      renderTable(
        ['ID', 'TIME', 'COMMAND', 'FILES'],
        result.backups.map((b) => [b.id, b.time, b.command, b.files.map((f) => (f.existed ? f.path : `${f.path} (new)`)).join(', ')]),
      ),
    )
  if (result.pending) {
    out.say(
      result.pending.abandoned
        ? `warning: an apply did not finish: "${result.pending.command}" (started ${result.pending.startedAt}); restore with: dockcfg rollback ${result.pending.backupId}`
        : `an apply is running now: "${result.pending.command}" (pid ${result.pending.pid})`,
    )
  }
}
