import {conflictName, flagOnlyFor, flagTakesValue, optionForFlag} from '../registry/index.js'
import type {FlagSpec, OptionSpec} from '../registry/types.js'

/**
 * dockerd's command line, parsed the way dockerd's flag library (pflag) would: `--flag=value`,
 * `--flag value`, `-H value`, `-H=value`, `-Hvalue`, booleans with an optional `=false`, repeatable
 * flags, and the old `docker daemon` / `docker -d` spellings. Every flag is tied to its registry
 * row, so conflict detection and "where does this setting come from" use the same table.
 */
export interface ParsedFlag {
  /** Long flag name as dockerd knows it (`host`, `bip`, `config-file`). */
  name: string
  /** The registry row when the flag sets a daemon.json key; undefined for flag-only switches. */
  option: OptionSpec | undefined
  flag: FlagSpec | undefined
  /** The value given (booleans: "true"/"false"). */
  value: string
  /** Index of the first argv element that carries this flag. */
  index: number
  /** How many argv elements it spans (1 for `--x=v`, 2 for `--x v`). */
  span: number
}

export interface ParsedDockerdArgv {
  /** How dockerd is invoked: plain, through the old docker binary, or not recognisably at all. */
  form: 'dockerd' | 'docker daemon' | 'docker -d' | 'unrecognised'
  /** Index in argv where dockerd's own arguments start. */
  argsStart: number
  flags: ParsedFlag[]
  /** Words dockerd would reject (unknown flags, stray positional words). */
  unknown: Array<{word: string; index: number}>
  warnings: string[]
}

/** Parses a resolved ExecStart argv (element 0 is the program). Pure. */
export function parseDockerdArgv(argv: readonly string[], version?: string): ParsedDockerdArgv {
  const program = argv[0] ?? ''
  const base = program.split('/').pop() ?? ''
  const result: ParsedDockerdArgv = {form: 'unrecognised', argsStart: 1, flags: [], unknown: [], warnings: []}
  if (base === 'dockerd' || base.startsWith('dockerd-')) {
    result.form = 'dockerd'
  } else if (base === 'docker' && argv[1] === 'daemon') {
    result.form = 'docker daemon'
    result.argsStart = 2
  } else if (base === 'docker' && argv.slice(1).some((a) => a === '-d' || a === '--daemon')) {
    result.form = 'docker -d'
  } else {
    result.warnings.push(
      `ExecStart runs ${JSON.stringify(program)}, not dockerd: dockcfg cannot see which options it passes to dockerd, so flag conflicts there go undetected`,
    )
    return result
  }

  for (let i = result.argsStart; i < argv.length; i++) {
    const word = argv[i] as string
    if (result.form === 'docker -d' && (word === '-d' || word === '--daemon')) continue
    if (word === '--') {
      for (let j = i + 1; j < argv.length; j++) result.unknown.push({word: argv[j] as string, index: j})
      break
    }
    if (!word.startsWith('-') || word === '-') {
      result.unknown.push({word, index: i})
      continue
    }
    const long = word.startsWith('--')
    const body = long ? word.slice(2) : word.slice(1)
    const eq = body.indexOf('=')
    let name = eq === -1 ? body : body.slice(0, eq)
    let inline: string | undefined = eq === -1 ? undefined : body.slice(eq + 1)
    // pflag shorthand glued to its value: -Hfd:// or -Dl? Only the first letter names the flag.
    if (!long && name.length > 1) {
      inline = body.slice(1).replace(/^=/, '')
      name = body[0] as string
    }
    const lookup = lookupFlag(name, long, version)
    if (lookup === undefined) {
      result.unknown.push({word, index: i})
      continue
    }
    if (!lookup.takesValue) {
      result.flags.push({name: lookup.long, option: lookup.option, flag: lookup.flag, value: inline ?? 'true', index: i, span: 1})
      continue
    }
    if (inline !== undefined) {
      result.flags.push({name: lookup.long, option: lookup.option, flag: lookup.flag, value: inline, index: i, span: 1})
      continue
    }
    const next = argv[i + 1]
    if (next === undefined) {
      result.warnings.push(`${word} at the end of the command line has no value: dockerd refuses to start ("flag needs an argument")`)
      result.unknown.push({word, index: i})
      continue
    }
    result.flags.push({name: lookup.long, option: lookup.option, flag: lookup.flag, value: next, index: i, span: 2})
    i++
  }
  return result
}

function lookupFlag(
  name: string,
  long: boolean,
  version: string | undefined,
): {long: string; option: OptionSpec | undefined; flag: FlagSpec | undefined; takesValue: boolean} | undefined {
  const found = optionForFlag(name, version)
  if (found !== undefined && (long ? found.flag.long === name : found.flag.short === name)) {
    return {long: found.flag.long, option: found.option, flag: found.flag, takesValue: flagTakesValue(found.option)}
  }
  const only = flagOnlyFor(name)
  if (only !== undefined && (long ? only.flag.long === name : only.flag.short === name)) {
    return {long: only.flag.long, option: undefined, flag: only.flag, takesValue: only.takesValue}
  }
  return undefined
}

/** The daemon.json key a parsed flag is compared against in dockerd's conflict check. */
export function conflictKeyOf(flag: ParsedFlag, version?: string): string {
  return flag.flag === undefined ? flag.name : conflictName(flag.flag, version)
}
