import {Flags} from '@oclif/core'

import {applyFlags, applyOptions} from '../../cli/apply-flags.js'
import {DockcfgCommand} from '../../cli/base-command.js'
import type {CommandResults} from '../../cli/contract.js'
import {renderRemoteDisabled} from '../../output/remote-access.js'
import {commandReporter} from '../../output/progress.js'
import {runRemoteDisable} from '../../operations/remote-disable.js'
import {createSystem} from '../../system/index.js'

export default class RemoteDisable extends DockcfgCommand {
  static override summary = 'Remove every TCP listener of the Docker API, keeping local access, and apply it safely.'
  static override description = `The tcp:// entries leave daemon.json (and ExecStart, through the same one-owner rule as fix); fd:// and unix
sockets stay. The TLS settings and /etc/docker/tls stay unless --purge is given, which also removes the TLS keys
from daemon.json and deletes the certificates and private keys (backed up first, like every change).`
  static override examples = ['<%= config.bin %> remote disable --yes', '<%= config.bin %> remote disable --purge --yes', '<%= config.bin %> remote disable --dry-run']
  static override flags = {
    purge: Flags.boolean({description: 'also remove the TLS settings and delete the certificates and keys in /etc/docker/tls', default: false}),
    ...applyFlags,
  }

  async run(): Promise<CommandResults['remote:disable']> {
    const {flags, argv} = await this.parse(RemoteDisable)
    const system = createSystem({root: flags.root})
    const result = await runRemoteDisable(system, {
      configFile: flags['config-file'],
      dockerdVersion: flags['dockerd-version'],
      purge: flags.purge,
      command: ['dockcfg', 'remote', 'disable', ...(argv as string[])].join(' '),
      apply: applyOptions(flags, {report: commandReporter(this.jsonEnabled(), system.clock)}),
    })
    if (!this.jsonEnabled()) renderRemoteDisabled(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)})
    return result
  }
}
