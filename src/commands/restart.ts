import {applyFlags, applyOptions} from '../cli/apply-flags.js'
import {DockcfgCommand} from '../cli/base-command.js'
import type {CommandResults} from '../cli/contract.js'
import {runRestart} from '../operations/restart.js'
import {commandReporter} from '../output/progress.js'
import {createSystem} from '../system/index.js'

export default class Restart extends DockcfgCommand {
  static override summary = 'Restart dockerd on its current configuration, safely.'
  static override description =
    'Refuses when dockerd would not start with its configuration, asks before stopping running containers (live-restore off), and waits until the API answers.'
  static override examples = ['<%= config.bin %> restart', '<%= config.bin %> restart --yes --timeout 120']
  static override flags = {
    yes: applyFlags.yes,
    timeout: applyFlags.timeout,
    'dry-run': applyFlags['dry-run'],
  }

  async run(): Promise<CommandResults['restart']> {
    const {flags} = await this.parse(Restart)
    const system = createSystem({root: flags.root})
    const result = await runRestart(system, {
      configFile: flags['config-file'],
      dockerdVersion: flags['dockerd-version'],
      apply: applyOptions({...flags, 'no-restart': false, 'keep-containers': false}, {report: commandReporter(this.jsonEnabled(), system.clock)}),
    })
    // Warnings and the preflight's verdict were told as they happened.
    if (!this.jsonEnabled()) this.logToStderr(result.action === 'restarted' ? `dockerd restarted (pid ${result.pid}) and answers` : `not restarted: ${result.reason}`)
    return result
  }
}
