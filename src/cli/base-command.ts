import {Command, Flags, type Interfaces, ux} from '@oclif/core'

import {redactJson, redactText} from '../changes/redact.js'
import {ApplyFailedError, DockcfgError, type PlainExitCode, UsageError} from '../core/errors.js'
import {ExitCode, type ExitCodeValue} from '../core/exit-codes.js'
import {stringifyJson} from '../json/stringify.js'
import type {JsonValue} from '../json/value.js'
import type {ErrorDocument, ErrorFields} from './contract.js'

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
      // dockerd reads no file at all for an empty --config-file; dockcfg's names the file it reads
      // and writes, so an empty one names nothing.
      parse: async (value) => {
        if (value === '') throw new UsageError('--config-file is empty: give the path of daemon.json inside the tree', {remedy: 'leave the flag out for /etc/docker/daemon.json'})
        return value
      },
    }),
    'dockerd-version': Flags.string({
      description: 'validate for this dockerd version instead of asking the installed dockerd (useful with --root)',
      helpGroup: 'GLOBAL',
    }),
  }

  /**
   * oclif reads `--yes=no` as `--yes` plus a stray argument "no": the flag would be ON and the word
   * would become a value (a backup id, a key's value). A value given to a switch is refused first.
   */
  override async init(): Promise<void> {
    await super.init()
    const flags: Record<string, {type: string; char?: string}> = {...this.ctor.baseFlags, ...this.ctor.flags}
    if (this.ctor.enableJsonFlag) flags.json = {type: 'boolean'}
    refuseSwitchValues(this.argv, flags)
  }

  /**
   * A path given with `flag`: an empty or blank one is refused (exit 2) rather than resolved to the
   * current directory, where it would put, say, a CA key.
   */
  protected pathFlag(flag: string, value: string): string {
    if (value.trim() === '') throw new UsageError(`${flag} needs a path; an empty one would mean the current directory`, {remedy: `give ${flag} DIR`})
    return value
  }

  /**
   * For commands whose paths are always this machine's (a CA, a request, a client bundle): a
   * --root given to them is refused rather than ignored, so nobody believes a key went into an image.
   */
  protected refuseRoot(root: string): void {
    if (root === '/') return
    throw new UsageError(`--root does not apply to dockcfg ${this.id?.replaceAll(':', ' ') ?? 'this command'}: its paths are on this machine`, {
      remedy: 'give the paths of this machine, without --root',
    })
  }

  /**
   * oclif's logJson colours through a tokenizer and a cycle check that cost the square of the
   * nesting, on JSON.stringify, which overflows the stack on values daemon.json may hold (10,000
   * levels): the result is printed by the serializer that does neither. Every --json document,
   * success or error, of every command passes here: the one place the redaction rule
   * (src/changes/redact.ts) applies to JSON output.
   */
  override logJson(json: unknown): void {
    ux.stdout(stringifyJson(redactJson(json), {indent: 2}))
  }

  /**
   * Human output passes the same rule: a proxy or mirror password in daemon.json or on the command
   * line shows in `show`, in a finding that quotes a value, or in an error message.
   */
  override log(message = '', ...args: unknown[]): void {
    super.log(redactText(message), ...args)
  }

  override logToStderr(message = '', ...args: unknown[]): void {
    super.logToStderr(redactText(message), ...args)
  }

  protected override async catch(error: Interfaces.CommandError): Promise<unknown> {
    const exitCode = exitCodeOf(error)
    const dockcfg = error instanceof DockcfgError ? error : undefined
    if (this.jsonEnabled()) {
      // One error shape and the table's exit code for every failure, oclif's own included.
      this.logJson(errorDocument(error))
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

/**
 * The --json form of any failure (schemas/error.schema.json): name, message, the table's exit code,
 * a DockcfgError's remedy and details, and for an apply that failed after writing (exit 4, 5) where
 * the host stands, in the terms of a result (`changed`, `action`, `files`, `backupId`, ...).
 */
export function errorDocument(error: Error): ErrorDocument {
  const dockcfg = error instanceof DockcfgError ? error : undefined
  const exitCode = exitCodeOf(error)
  const body: ErrorFields = {
    // oclif's own parse errors (unknown flag, missing argument, bad value) are plain Errors: they
    // are usage errors like dockcfg's, and a script matches one name for all of them.
    name: dockcfg === undefined && exitCode === ExitCode.Usage ? 'UsageError' : error.name,
    message: error.message,
    ...(dockcfg?.remedy ? {remedy: dockcfg.remedy} : {}),
    // Plain data by DockcfgError's contract ("included verbatim"), which JSON carries as it is.
    ...(dockcfg?.details ? {details: dockcfg.details as JsonValue} : {}),
  }
  if (error instanceof ApplyFailedError) return {error: {...body, exitCode: error.exitCode}, ...error.failure}
  // Only ApplyFailedError gives exit 4 or 5 (DockcfgError's constructor takes neither), and no failure exits 0.
  return {error: {...body, exitCode: exitCode as PlainExitCode}}
}

export function exitCodeOf(error: Error): ExitCodeValue {
  if (error instanceof DockcfgError) return error.exitCode
  const oclifExit = (error as {oclif?: {exit?: number}}).oclif?.exit
  if (oclifExit === 2) return ExitCode.Usage
  return ExitCode.Unexpected
}

/** Refuses `--switch=VALUE` and `-s=VALUE` for boolean flags, up to a `--` that ends the flags. */
export function refuseSwitchValues(argv: readonly string[], flags: Readonly<Record<string, {type: string; char?: string}>>): void {
  for (const arg of argv) {
    if (arg === '--') return
    const match = /^(--([^=]+)|-([A-Za-z]))=/s.exec(arg)
    if (match === null) continue
    const name = match[2] ?? Object.entries(flags).find(([, f]) => f.char !== undefined && f.char === match[3])?.[0]
    if (name === undefined || flags[name]?.type !== 'boolean') continue
    throw new UsageError(`--${name} takes no value (got ${JSON.stringify(arg)}): give --${name} to turn it on, or leave it out`)
  }
}
