import {Args, Flags} from '@oclif/core'

import {applyFlags, applyOptions} from '../cli/apply-flags.js'
import {DockcfgCommand} from '../cli/base-command.js'
import type {CommandResults} from '../cli/contract.js'
import {runSet} from '../operations/set.js'
import {renderApplyResult} from '../output/apply.js'
import {commandReporter} from '../output/progress.js'
import {createSystem} from '../system/index.js'

export default class Set extends DockcfgCommand {
  static override summary = 'Set a daemon.json key, typed and validated, and apply it to the running dockerd safely.'
  static override description = `The value is parsed by the key's type: lists take several words, maps take NAME=VALUE words.
Nothing is written unless dockerd would accept the result. A key that is also on dockerd's command line is
given one owner (as \`dockcfg fix\` does) so no conflict can arise. On this host (--root /) the change is then
applied: reload when every changed key allows it, otherwise restart, health check, live verification, and
automatic rollback if dockerd does not come back.

Several keys as ONE change (one backup, one reload or restart): KEY=VALUE pairs, recognised when the first
argument contains "=". Each VALUE is typed as the single word of \`set KEY VALUE\` (a list splits at commas, a
map takes NAME=VALUE: log-opts=max-size=10m); KEY:=JSON gives any key a JSON value, as --json-value does.`
  static override examples = [
    '<%= config.bin %> set bip 192.168.42.1/24',
    '<%= config.bin %> set mtu 1500',
    '<%= config.bin %> set dns 114.114.114.114 8.8.8.8',
    '<%= config.bin %> set live-restore true',
    '<%= config.bin %> set log-opts max-size=10m max-file=3',
    '<%= config.bin %> set default-address-pools base=10.10.0.0/16,size=24',
    `<%= config.bin %> set runtimes --json-value '{"crun":{"path":"/usr/bin/crun"}}'`,
    '<%= config.bin %> set bip=192.168.42.1/24 mtu=1400 dns=10.0.0.2,10.0.0.3',
    `<%= config.bin %> set debug=true 'runtimes:={"crun":{"path":"/usr/bin/crun"}}'`,
    '<%= config.bin %> set debug true --dry-run',
    '<%= config.bin %> set labels env=prod --root /mnt/image',
  ]
  // Not strict: a list or map takes several value words. oclif would then print every argument as
  // repeatable (`KEY...`), so the usage is spelled out.
  static override strict = false
  static override usage = ['set KEY VALUE... [FLAGS]', 'set KEY --json-value JSON [FLAGS]', 'set KEY=VALUE|KEY:=JSON... [FLAGS]']
  static override args = {
    key: Args.string({description: 'daemon.json key (dockcfg keys lists them), or the first KEY=VALUE pair', required: true}),
    value: Args.string({description: 'value word(s)', required: false}),
  }
  static override flags = {
    'json-value': Flags.string({description: 'the value as JSON, for any key'}),
    ...applyFlags,
  }

  async run(): Promise<CommandResults['set']> {
    const {args, argv, flags} = await this.parse(Set)
    const system = createSystem({root: flags.root})
    const result = await runSet(system, {
      key: args.key,
      words: (argv as string[]).slice(1),
      jsonValue: flags['json-value'],
      configFile: flags['config-file'],
      dockerdVersion: flags['dockerd-version'],
      apply: applyOptions(flags, {report: commandReporter(this.jsonEnabled(), system.clock)}),
    })
    if (!this.jsonEnabled()) renderApplyResult(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)})
    return result
  }
}
