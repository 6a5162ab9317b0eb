import {DockcfgCommand} from '../cli/base-command.js'
import type {CommandResults} from '../cli/contract.js'
import {history} from '../apply/rollback.js'
import {renderHistory} from '../output/history.js'
import {createSystem} from '../system/index.js'

export default class History extends DockcfgCommand {
  static override summary = 'List the backups dockcfg made before each change (newest last).'
  static override examples = ['<%= config.bin %> history', '<%= config.bin %> history --json']

  async run(): Promise<CommandResults['history']> {
    const {flags} = await this.parse(History)
    const result = await history(createSystem({root: flags.root}))
    if (!this.jsonEnabled()) renderHistory(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)})
    return result
  }
}
