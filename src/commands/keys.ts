import {Args} from '@oclif/core'

import {DockcfgCommand} from '../cli/base-command.js'
import type {CommandResults} from '../cli/contract.js'
import {renderKeyDetail, renderKeysTable} from '../output/keys.js'
import {describeOption, listOptions} from '../registry/describe.js'

export default class Keys extends DockcfgCommand {
  static override summary = 'List every daemon.json key dockerd knows, or show one in detail.'
  static override description = 'Type, command-line flag, whether a reload applies it, the dockerd versions that know it, and what it does.'
  static override examples = ['<%= config.bin %> keys', '<%= config.bin %> keys bip', '<%= config.bin %> keys --json']
  static override args = {key: Args.string({description: 'one key to describe', required: false})}

  async run(): Promise<CommandResults['keys']> {
    const {args} = await this.parse(Keys)
    if (args.key !== undefined) {
      const one = describeOption(args.key)
      if (!this.jsonEnabled()) this.log(renderKeyDetail(one))
      return {keys: [one]}
    }
    const keys = listOptions()
    if (!this.jsonEnabled()) this.log(renderKeysTable(keys))
    return {keys}
  }
}
