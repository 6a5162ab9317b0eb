import {Flags} from '@oclif/core'

import {DockcfgCommand} from '../cli/base-command.js'
import {resolveDockerdVersion} from '../dockerd/version.js'
import {inspectEffective, type Origin} from '../effective/effective.js'
import {renderFinding} from '../output/findings.js'
import {renderSettings} from '../output/show.js'
import {createSystem} from '../system/index.js'
import {capFindings, type Finding} from '../core/findings.js'

/** The typed result of `dockcfg show`. */
export interface ShowResult {
  configFile: string
  unit: string | undefined
  dropIns: string[]
  environmentFiles: string[]
  execStart: string[] | null
  settings: Array<{key: string; value: unknown; origin: Origin; moreOrigins?: Origin[]; alsoSetBy?: Origin[]}>
  conflicts: Array<{key: string; message: string; flag: Origin[]; file: Origin}>
  findings: Finding[]
  dockerdVersion: string | undefined
}

export default class Show extends DockcfgCommand {
  static override summary = 'Show the effective dockerd configuration: every setting, its value and where it comes from.'
  static override description =
    'Merges daemon.json with the command line systemd builds (vendor unit, drop-ins, Environment= and EnvironmentFile=), names the file and line behind each value, and lists every conflict.'
  static override examples = ['<%= config.bin %> show', '<%= config.bin %> show --json', '<%= config.bin %> show --root /mnt/image']
  static override flags = {
    verbose: Flags.boolean({char: 'v', description: "also list settings left at dockerd's defaults", default: false}),
  }

  async run(): Promise<ShowResult> {
    const {flags} = await this.parse(Show)
    const system = createSystem({root: flags.root})
    const {version} = await resolveDockerdVersion(system, flags['dockerd-version'])
    const e = await inspectEffective(system.fs, {configFile: flags['config-file'], dockerdVersion: version})
    const result: ShowResult = {
      configFile: e.configFile,
      unit: e.service.unitPath,
      dropIns: e.service.dropInPaths,
      environmentFiles: e.service.environmentFiles.flatMap((f) => f.loaded),
      execStart: e.argv,
      settings: e.settings.map((s) => ({
        key: s.key,
        value: s.value,
        origin: s.origin,
        ...(s.moreOrigins ? {moreOrigins: s.moreOrigins} : {}),
        ...(s.alsoSetBy ? {alsoSetBy: s.alsoSetBy} : {}),
      })),
      conflicts: e.conflicts.map((c) => ({key: c.key, message: c.message, flag: c.flagOrigins, file: c.fileOrigin})),
      findings: capFindings(e.findings),
      dockerdVersion: version,
    }
    if (!this.jsonEnabled()) {
      this.log(`unit:        ${result.unit ?? '(no docker.service found)'}`)
      for (const d of result.dropIns) this.log(`drop-in:     ${d}`)
      for (const f of result.environmentFiles) this.log(`environment: ${f}`)
      this.log(`daemon.json: ${result.configFile}${e.daemonJson.exists ? '' : ' (missing)'}`)
      this.log(`ExecStart:   ${result.execStart ? result.execStart.join(' ') : '(none)'}`)
      this.log('')
      this.log(renderSettings(e.settings, flags.verbose))
      if (!flags.verbose) this.logToStderr('(defaults hidden; --verbose shows them)')
      for (const f of result.findings.filter((x) => x.severity !== 'info')) this.logToStderr(renderFinding(f))
    }
    return result
  }
}
