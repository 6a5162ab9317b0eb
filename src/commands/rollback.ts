import {Args, Flags} from '@oclif/core'

import {applyFlags, applyOptions} from '../cli/apply-flags.js'
import {DockcfgCommand} from '../cli/base-command.js'
import type {CommandResults} from '../cli/contract.js'
import {runAutoRollback, runRollback} from '../operations/rollback.js'
import {renderApplyResult} from '../output/apply.js'
import {commandReporter} from '../output/progress.js'
import {createSystem} from '../system/index.js'

export default class Rollback extends DockcfgCommand {
  static override summary = 'Restore the files of a backup (default: the newest) and apply them safely.'
  static override description = 'The rollback is itself a change: backed up, preflighted, verified, and undone if dockerd does not come back.'
  static override examples = ['<%= config.bin %> rollback', '<%= config.bin %> rollback 20261127T174512345Z-3fa2c1 --yes']
  static override args = {id: Args.string({description: 'backup id (dockcfg history lists them)', required: false})}
  static override flags = {
    ...applyFlags,
    auto: Flags.boolean({description: 'run by the rollback timer an apply arms; not for interactive use', hidden: true, default: false}),
  }

  async run(): Promise<CommandResults['rollback']> {
    const {args, flags} = await this.parse(Rollback)
    const system = createSystem({root: flags.root})
    const tree = {configFile: flags['config-file'], dockerdVersion: flags['dockerd-version']}
    if (flags.auto) {
      const result = await runAutoRollback(system, {...tree, id: args.id ?? ''})
      if (result.warning) this.logToStderr(`warning: ${result.warning}`)
      this.logToStderr(result.skipped ?? `automatic rollback: restored ${result.restored.join(', ')}; dockerd is running again`)
      return result
    }
    const result = await runRollback(system, {
      ...tree,
      id: args.id,
      apply: applyOptions(flags, {report: commandReporter(this.jsonEnabled(), system.clock)}),
    })
    if (!this.jsonEnabled()) renderApplyResult(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)})
    return result
  }
}
