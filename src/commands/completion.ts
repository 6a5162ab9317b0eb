import {Args} from '@oclif/core'

import {DockcfgCommand} from '../cli/base-command.js'
import type {CommandResults} from '../cli/contract.js'
import {bashCompletion, type CompletionCommand, zshCompletion} from '../completion/script.js'
import {usableKeys} from '../registry/index.js'

export default class Completion extends DockcfgCommand {
  static override summary = 'Print a shell completion script (commands, flags, and every daemon.json key).'
  static override examples = ['<%= config.bin %> completion bash > /etc/bash_completion.d/dockcfg', 'source <(<%= config.bin %> completion zsh)']
  static override args = {shell: Args.string({description: 'shell', options: ['bash', 'zsh'], default: 'bash'})}

  async run(): Promise<CommandResults['completion']> {
    const {args} = await this.parse(Completion)
    const commands: CompletionCommand[] = this.config.commands
      .filter((c) => !c.hidden)
      .map((c) => ({
        words: c.id.split(':'),
        flags: Object.entries(c.flags)
          .filter(([, f]) => !f.hidden)
          .map(([name]) => name)
          .filter((name) => !['root', 'config-file', 'dockerd-version', 'json', 'help'].includes(name)),
        takesKey: ['get', 'set', 'unset', 'keys'].includes(c.id),
        // `set KEY <TAB>` offers the registry's accepted values for keys with a closed set.
        takesValue: c.id === 'set',
      }))
    const keys = usableKeys()
    const script = args.shell === 'zsh' ? zshCompletion(commands, keys) : bashCompletion(commands, keys)
    if (!this.jsonEnabled()) this.log(script)
    return {shell: args.shell === 'zsh' ? 'zsh' : 'bash', script}
  }
}
