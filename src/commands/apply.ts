import {Flags} from '@oclif/core'

import {applyFlags, applyOptions} from '../cli/apply-flags.js'
import type {CommandResults} from '../cli/contract.js'
import {DockcfgCommand} from '../cli/base-command.js'
import {ExitCode} from '../core/exit-codes.js'
import {documentTooLarge, MAX_DOCUMENT_BYTES, parseDesiredState} from '../desired-state/document.js'
import {runApplyState} from '../operations/apply-state.js'
import {renderApplyState} from '../output/apply-state.js'
import {commandReporter} from '../output/progress.js'
import {readLocalText} from '../system/fs.js'
import {createSystem} from '../system/index.js'
import {readInputDocument} from '../system/input.js'

export default class Apply extends DockcfgCommand {
  static override summary = 'Bring the host to a desired state (daemon settings, owners, remote access) in one safe change; idempotent.'
  static override description = `The document (JSON, -f FILE or -f - for standard input):
  {"daemon": {"bip": "192.168.42.1/24", "mtu": 1400, "dns": ["10.0.0.2"], "debug": null},
   "owners": {"hosts": "file"},
   "remote": {"enabled": true, "address": "0.0.0.0", "port": 2376, "ca": "/etc/dockcfg/fleet-ca", "san": ["docker1.example.com"]}}
"daemon" holds daemon.json keys (null removes one; other keys stay unless --replace, which makes daemon.json
exactly "daemon"). "owners" says which side keeps a directive given in daemon.json and on dockerd's command
line ("file" or "flags", as fix --prefer). "remote" is {"enabled": false} or the listener remote enable would
set up ("address", "port", "ca": a CA directory on this machine, "san", "insecure"); without it remote access
stays as it is. Unknown fields are refused (exit 2), bad values with the document's line and column (exit 3),
before anything is written. Everything is applied as ONE change: one backup, one reload or restart, one
rollback. The same document again changes nothing. --check is a dry run that exits 8 when changes are pending.`
  static override examples = [
    '<%= config.bin %> apply -f state.json',
    '<%= config.bin %> apply -f state.json --check --json',
    `echo '{"daemon": {"debug": true}}' | <%= config.bin %> apply -f -`,
    '<%= config.bin %> apply -f state.json --replace --dry-run',
    '<%= config.bin %> apply -f state.json --root /mnt/image',
  ]
  static override flags = {
    file: Flags.string({char: 'f', description: 'the desired-state document (a path on this machine), or - for standard input', required: true}),
    replace: Flags.boolean({description: 'daemon.json becomes exactly the document\'s "daemon" (remote\'s keys added); other keys are removed', default: false}),
    check: Flags.boolean({description: 'a dry run that exits 8 when changes are pending, 0 when the host is already as described', default: false}),
    ...applyFlags,
  }

  async run(): Promise<CommandResults['apply']> {
    const {flags, argv} = await this.parse(Apply)
    const input = await readInputDocument(flags.file, MAX_DOCUMENT_BYTES, documentTooLarge)
    const system = createSystem({root: flags.root})
    const dryRun = flags['dry-run'] || flags.check
    const result = await runApplyState(system, {
      document: parseDesiredState(input.text, input.name),
      replace: flags.replace,
      configFile: flags['config-file'],
      dockerdVersion: flags['dockerd-version'],
      command: ['dockcfg', 'apply', ...(argv as string[])].join(' '),
      apply: applyOptions({...flags, 'dry-run': dryRun}, {report: commandReporter(this.jsonEnabled(), system.clock)}),
      readLocalFile: readLocalText,
    })
    if (!this.jsonEnabled()) renderApplyState(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)}, {check: flags.check})
    if (flags.check && result.changed) process.exitCode = ExitCode.ChangesPending
    return result
  }
}
