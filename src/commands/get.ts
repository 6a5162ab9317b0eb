import {Args} from '@oclif/core'

import {DockcfgCommand} from '../cli/base-command.js'
import type {CommandResults} from '../cli/contract.js'
import {getKey} from '../daemon-config/get-key.js'
import {stringifyJson} from '../json/stringify.js'
import {createSystem} from '../system/index.js'

export default class Get extends DockcfgCommand {
  static override summary = 'Print the value of one daemon.json key.'
  static override description = "Strings print bare, everything else as JSON. A key that is not set exits 1 and names dockerd's default."
  static override examples = ['<%= config.bin %> get bip', '<%= config.bin %> get dns --json', '<%= config.bin %> get log-opts --root /mnt/image']
  static override args = {key: Args.string({description: 'daemon.json key', required: true})}

  async run(): Promise<CommandResults['get']> {
    const {args, flags} = await this.parse(Get)
    const result = await getKey(createSystem({root: flags.root}), flags['config-file'], args.key)
    if (!this.jsonEnabled()) this.log(typeof result.value === 'string' ? result.value : stringifyJson(result.value))
    return result
  }
}
