import {Args} from '@oclif/core'

import {applyFlags, applyOptions} from '../cli/apply-flags.js'
import {DockcfgCommand} from '../cli/base-command.js'
import type {CommandResults} from '../cli/contract.js'
import {runUnset} from '../operations/set.js'
import {renderApplyResult} from '../output/apply.js'
import {commandReporter} from '../output/progress.js'
import {createSystem} from '../system/index.js'

export default class Unset extends DockcfgCommand {
  static override summary = 'Remove a key from daemon.json so dockerd uses its default, and apply it safely.'
  static override examples = ['<%= config.bin %> unset bip', '<%= config.bin %> unset hosts --dry-run', '<%= config.bin %> unset debug --no-restart']
  static override args = {key: Args.string({description: 'daemon.json key', required: true})}
  static override flags = {...applyFlags}

  async run(): Promise<CommandResults['unset']> {
    const {args, flags} = await this.parse(Unset)
    const system = createSystem({root: flags.root})
    const result = await runUnset(system, {
      key: args.key,
      configFile: flags['config-file'],
      dockerdVersion: flags['dockerd-version'],
      apply: applyOptions(flags, {report: commandReporter(this.jsonEnabled(), system.clock)}),
    })
    if (!this.jsonEnabled()) renderApplyResult(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)})
    return result
  }
}
