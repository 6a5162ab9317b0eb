import {Flags} from '@oclif/core'

import {applyFlags, applyOptions} from '../cli/apply-flags.js'
import {DockcfgCommand} from '../cli/base-command.js'
import type {CommandResults} from '../cli/contract.js'
import {runFix} from '../operations/fix.js'
import {renderApplyResult} from '../output/apply.js'
import {commandReporter} from '../output/progress.js'
import {createSystem} from '../system/index.js'

export default class Fix extends DockcfgCommand {
  static override summary = 'Resolve every flag-vs-daemon.json conflict by giving each directive one owner, and apply it safely.'
  static override description = `dockerd refuses to start when a directive is set on its command line (docker.service ExecStart,
drop-ins, environment files) and in daemon.json. By default daemon.json keeps the setting (list values from both
sides are merged, so -H fd:// and "hosts": ["tcp://..."] become "hosts": ["fd://", "tcp://..."] and local access
keeps working) and the flag leaves ExecStart. The command line is only changed with a drop-in in
/etc/systemd/system/docker.service.d/ (an existing drop-in that sets ExecStart is edited instead).`
  static override examples = ['<%= config.bin %> fix --dry-run', '<%= config.bin %> fix', '<%= config.bin %> fix --prefer flags --yes']
  static override flags = {
    prefer: Flags.string({description: 'which side keeps a conflicting directive', options: ['file', 'flags'], default: 'file'}),
    ...applyFlags,
  }

  async run(): Promise<CommandResults['fix']> {
    const {flags} = await this.parse(Fix)
    const system = createSystem({root: flags.root})
    const result = await runFix(system, {
      configFile: flags['config-file'],
      owner: flags.prefer as 'file' | 'flags',
      dockerdVersion: flags['dockerd-version'],
      command: `dockcfg fix --prefer ${flags.prefer}`,
      apply: applyOptions(flags, {report: commandReporter(this.jsonEnabled(), system.clock)}),
    })
    if (!this.jsonEnabled()) {
      // Each conflict was told with the plan, before anything happened.
      if (result.conflicts.length === 0) this.logToStderr('no flag/file conflicts: nothing to fix')
      else renderApplyResult(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)})
    }
    return result
  }
}
