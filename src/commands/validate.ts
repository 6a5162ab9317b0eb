import {Flags} from '@oclif/core'

import {DockcfgCommand} from '../cli/base-command.js'
import type {CommandResults} from '../cli/contract.js'
import {ExitCode} from '../core/exit-codes.js'
import {UsageError} from '../core/errors.js'
import {MAX_DAEMON_JSON_BYTES} from '../daemon-config/load.js'
import {tooLarge} from '../daemon-config/refusals.js'
import {type Candidate, validateConfiguration} from '../operations/validate.js'
import {renderValidate} from '../output/validate.js'
import {isNotFound, localFileSize, readRegularFile} from '../system/fs.js'
import {readFailure} from '../system/host-errors.js'
import {createSystem} from '../system/index.js'

export default class Validate extends DockcfgCommand {
  static override summary = "Check daemon.json and dockerd's systemd command line the way dockerd would, including what only fails at start."
  static override description = 'Exit 0 when dockerd would accept the configuration (warnings allowed), 3 when it would refuse it.'
  static override examples = ['<%= config.bin %> validate', '<%= config.bin %> validate --file ./candidate.json --dockerd-version 20.10.24', '<%= config.bin %> validate --json']
  static override flags = {
    file: Flags.string({
      description: "check this file (a path on this machine, relative to the current directory) as the daemon.json dockerd would read, with the tree's command line",
    }),
  }

  async run(): Promise<CommandResults['validate']> {
    const {flags} = await this.parse(Validate)
    const result = await validateConfiguration(createSystem({root: flags.root}), {
      file: flags['config-file'],
      dockerdVersion: flags['dockerd-version'],
      ...(flags.file === undefined ? {} : {candidate: await readCandidate(flags.file)}),
    })
    if (!this.jsonEnabled()) renderValidate(result, {log: (s) => this.log(s), say: (s) => this.logToStderr(s)})
    if (!result.valid) process.exitCode = ExitCode.InvalidConfig
    return result
  }
}

/** The --file input; a file the user named must exist (a missing daemon.json is only a default). */
async function readCandidate(file: string): Promise<Candidate> {
  const {resolve} = await import('node:path')
  const absolute = resolve(file)
  const size = await localFileSize(absolute)
  if (size > MAX_DAEMON_JSON_BYTES) throw tooLarge(absolute, size, MAX_DAEMON_JSON_BYTES)
  try {
    // Never waits on a FIFO, refuses a directory: the same read as the tree's own daemon.json.
    return {path: absolute, text: readRegularFile(absolute, file, {followLinks: true}).toString('utf8')}
  } catch (error) {
    if (isNotFound(error)) throw new UsageError(`--file ${file}: no such file`)
    throw readFailure(error, file)
  }
}
