import {Command, Flags, type Interfaces, ux} from '@oclif/core'

import {DockcfgError} from './errors.js'
import {ExitCode, type ExitCodeValue} from './exit-codes.js'
import {stringifyJson} from '../json/stringify.js'

/**
 * What every dockcfg command shares: `--root`, `--config-file`, `--dockerd-version`, `--json`, and
 * the one place where a thrown error becomes a message and an exit code.
 */
export abstract class DockcfgCommand extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    root: Flags.directory({
      // A mistyped --root must not become a fresh tree that `set` quietly fills.
      exists: true,
      description: 'operate on the filesystem tree under DIR (e.g. an image being built) instead of this host; services are never touched unless DIR is /',
      default: '/',
      helpGroup: 'GLOBAL',
    }),
    'config-file': Flags.string({
      description: 'daemon.json path inside the tree',
      default: '/etc/docker/daemon.json',
      helpGroup: 'GLOBAL',
    }),
    'dockerd-version': Flags.string({
      description: 'validate for this dockerd version instead of asking the installed dockerd (useful with --root)',
      helpGroup: 'GLOBAL',
    }),
  }

  /** Writes a human message to stderr, keeping stdout for data. */
  protected say(message: string): void {
    if (!this.jsonEnabled()) this.logToStderr(message)
  }

  /**
   * oclif's logJson colours through a tokenizer and a cycle check that cost the square of the
   * nesting, on JSON.stringify, which overflows the stack on values daemon.json may hold (10,000
   * levels): the result is printed by the serializer that does neither.
   */
  override logJson(json: unknown): void {
    ux.stdout(stringifyJson(json, {indent: 2}))
  }

  protected override async catch(error: Interfaces.CommandError): Promise<unknown> {
    const exitCode = exitCodeOf(error)
    const dockcfg = error instanceof DockcfgError ? error : undefined
    if (this.jsonEnabled()) {
      // One error shape and the table's exit code for every failure, oclif's own included.
      this.logJson({
        error: {name: error.name, message: error.message, exitCode, ...(dockcfg?.remedy ? {remedy: dockcfg.remedy} : {}), ...(dockcfg?.details ? {details: dockcfg.details} : {})},
      })
      this.exit(exitCode)
    }
    if (dockcfg) {
      this.logToStderr(`dockcfg: ${dockcfg.message}`)
      if (dockcfg.remedy) this.logToStderr(`hint: ${dockcfg.remedy}`)
      this.exit(exitCode)
    }
    // oclif's own errors (bad flags, missing arguments: exit 2) print as oclif prints them.
    return super.catch(error)
  }
}

function exitCodeOf(error: Interfaces.CommandError): ExitCodeValue {
  if (error instanceof DockcfgError) return error.exitCode
  const oclifExit = (error as {oclif?: {exit?: number}}).oclif?.exit
  if (oclifExit === 2) return ExitCode.Usage
  return ExitCode.Unexpected
}
