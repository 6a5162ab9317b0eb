import {Flags} from '@oclif/core'

import {DockcfgCommand} from '../cli/base-command.js'
import type {CommandResults} from '../cli/contract.js'
import {runShow} from '../operations/show.js'
import {renderShow} from '../output/show.js'
import {createSystem} from '../system/index.js'

export default class Show extends DockcfgCommand {
  static override summary = 'Show the effective dockerd configuration: every setting, its value and where it comes from.'
  static override description =
    'Merges daemon.json with the command line systemd builds (vendor unit, drop-ins, Environment= and EnvironmentFile=), names the file and line behind each value, and lists every conflict.'
  static override examples = ['<%= config.bin %> show', '<%= config.bin %> show --json', '<%= config.bin %> show --root /mnt/image']
  static override flags = {
    verbose: Flags.boolean({char: 'v', description: "also list settings left at dockerd's defaults", default: false}),
  }

  async run(): Promise<CommandResults['show']> {
    const {flags} = await this.parse(Show)
    const {result, daemonJsonExists} = await runShow(createSystem({root: flags.root}), {configFile: flags['config-file'], dockerdVersion: flags['dockerd-version']})
    if (!this.jsonEnabled()) renderShow(result, {daemonJsonExists, verbose: flags.verbose}, {log: (t) => this.log(t), say: (t) => this.logToStderr(t)})
    return result
  }
}
