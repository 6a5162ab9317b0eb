import {Args, Flags} from '@oclif/core'

import {DockcfgCommand} from '../cli/base-command.js'
import {changeKeys, type ChangeKeysResult} from '../daemon-config/change-keys.js'
import {renderChange} from '../output/change.js'
import {createSystem} from '../system/index.js'

export default class Unset extends DockcfgCommand {
  static override summary = 'Remove a key from daemon.json so dockerd uses its default.'
  static override examples = ['<%= config.bin %> unset bip', '<%= config.bin %> unset hosts --dry-run']
  static override args = {key: Args.string({description: 'daemon.json key', required: true})}
  static override flags = {
    'dry-run': Flags.boolean({description: 'show the diff and what would happen; write nothing'}),
  }

  async run(): Promise<ChangeKeysResult> {
    const {args, flags} = await this.parse(Unset)
    // Any key may be removed, including one dockerd does not know: that is how such a file is repaired.
    const result = await changeKeys(createSystem({root: flags.root}), {
      configFile: flags['config-file'],
      changes: [{key: args.key, value: undefined}],
      dryRun: flags['dry-run'],
      dockerdVersion: flags['dockerd-version'],
      command: `dockcfg unset ${args.key}`,
    })
    if (!this.jsonEnabled()) renderChange(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)})
    return result
  }
}
