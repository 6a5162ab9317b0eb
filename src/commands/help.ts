import {Args, Command, loadHelpClass} from '@oclif/core'

/**
 * `dockcfg help [COMMAND...]`: the same help as `--help`, reachable the way most CLIs spell it.
 * oclif leaves this command to @oclif/plugin-help; a plugin costs a second package.json,
 * manifest and module graph on every start, and this is all that plugin's command does.
 */
export default class Help extends Command {
  static override summary = 'Show help for dockcfg or for one command or topic.'
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help set', '<%= config.bin %> help remote enable']
  static override strict = false
  static override args = {command: Args.string({description: 'command or topic, words separated by spaces', required: false})}

  async run(): Promise<void> {
    const {argv} = await this.parse(Help)
    const HelpClass = await loadHelpClass(this.config)
    await new HelpClass(this.config, this.config.pjson.oclif.helpOptions).showHelp(argv as string[])
  }
}
