import {DockcfgCommand} from '../cli/base-command.js'
import {history, type HistoryResult} from '../apply/rollback.js'
import {renderTable} from '../output/table.js'
import {createSystem} from '../system/index.js'

export default class History extends DockcfgCommand {
  static override summary = 'List the backups dockcfg made before each change (newest last).'
  static override examples = ['<%= config.bin %> history', '<%= config.bin %> history --json']

  async run(): Promise<HistoryResult> {
    const {flags} = await this.parse(History)
    const result = await history(createSystem({root: flags.root}))
    if (!this.jsonEnabled()) {
      if (result.backups.length === 0) this.logToStderr('no backups yet')
      else
        this.log(
          renderTable(
            ['ID', 'TIME', 'COMMAND', 'FILES'],
            result.backups.map((b) => [b.id, b.time, b.command, b.files.map((f) => (f.existed ? f.path : `${f.path} (new)`)).join(', ')]),
          ),
        )
      if (result.pending) {
        this.logToStderr(
          result.pending.abandoned
            ? `warning: an apply did not finish: "${result.pending.command}" (started ${result.pending.startedAt}); restore with: dockcfg rollback ${result.pending.backupId}`
            : `an apply is running now: "${result.pending.command}" (pid ${result.pending.pid})`,
        )
      }
    }
    return result
  }
}
