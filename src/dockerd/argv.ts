import {conflictName, flagExistsIn, flagOnlyFor, flagTakesValue, optionForFlag} from '../registry/index.js'
import type {FlagSpec, OptionSpec} from '../registry/types.js'
import {parseGoBool, parseGoInt} from './strconv.js'

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
  /** Known flags whose value dockerd cannot parse (`--mtu=`, `--debug=maybe`): it refuses to start. */
  invalid: Array<{word: string; index: number; message: string}>
  warnings: string[]
}

/** Binaries that are the docker client (docker, RHEL's docker-current / docker-latest), not dockerd. */
const DOCKER_CLIENT = /^docker(-current|-latest)?$/
/** Where distributions install dockerd itself; anything else named dockerd is a wrapper script. */
const BINARY_DIRS = new Set(['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/bin', '/sbin', ''])

/** Parses a resolved ExecStart argv (element 0 is the program). Pure. */
export function parseDockerdArgv(argv: readonly string[], version?: string): ParsedDockerdArgv {
  const program = argv[0] ?? ''
  const base = program.split('/').pop() ?? ''
  const dir = program.slice(0, program.length - base.length).replace(/\/$/, '')
  const result: ParsedDockerdArgv = {form: 'unrecognised', argsStart: 1, flags: [], unknown: [], invalid: [], warnings: []}
  const daemonSwitch = (a: string) => a === '-d' || a === '--daemon'
  if ((base === 'dockerd' || base.startsWith('dockerd-')) && !(argv.slice(1).some(daemonSwitch) && !BINARY_DIRS.has(dir))) {
    result.form = 'dockerd'
  } else if (base === 'dockerd') {
    // CoreOS's /usr/lib/coreos/dockerd is a shell wrapper that hands its arguments to the old
    // `docker --daemon`; dockerd proper has no --daemon and would refuse it. Read it as that form.
    result.form = 'docker -d'
    result.warnings.push(
      `${program} is a wrapper script given the old --daemon switch: its other arguments are read as dockerd flags, on the assumption that it passes them on unchanged`,
    )
  } else if (DOCKER_CLIENT.test(base) && argv[1] === 'daemon') {
    result.form = 'docker daemon'
    result.argsStart = 2
    result.warnings.push(
      `${base} daemon is the pre-dockerd form (removed in Docker 17.12): it only starts a daemon where that old docker binary is installed; the flags are read as dockerd's`,
    )
  } else if (DOCKER_CLIENT.test(base) && argv.slice(1).some(daemonSwitch)) {
    result.form = 'docker -d'
    result.warnings.push(
      `${base} -d is the pre-dockerd form (removed in Docker 1.10): it only starts a daemon where that old docker binary is installed; the flags are read as dockerd's`,
    )
  } else if (DOCKER_CLIENT.test(base)) {
    // `docker deamon -H fd://` (a real typo in the corpus) starts the client, which rejects the
    // unknown subcommand and exits: no daemon runs at all.
    result.warnings.push(
      `ExecStart runs the docker client ${JSON.stringify(program)}${argv[1] === undefined ? '' : ` with ${JSON.stringify(argv[1])}`}, which is neither \`docker daemon\` nor \`docker -d\`: no daemon is started`,
    )
    return result
  } else {
    result.warnings.push(`ExecStart runs ${JSON.stringify(program)}, not dockerd: dockcfg cannot see which options it passes to dockerd, so flag conflicts there go undetected`)
    return result
  }

  const add = (lookup: Lookup, raw: string, index: number, span: number, word: string) => {
    const problem = valueProblem(lookup, raw)
    if (problem !== undefined) {
      result.invalid.push({word, index, message: problem})
      return
    }
    result.flags.push({name: lookup.long, option: lookup.option, flag: lookup.flag, value: lookup.takesValue ? raw : normalizeBool(raw), index, span})
  }

  // The loop follows pflag's FlagSet.parseArgs / parseLongArg / parseShortArg, which dockerd uses.
  for (let i = result.argsStart; i < argv.length; i++) {
    const word = argv[i] as string
    if (result.form === 'docker -d' && daemonSwitch(word)) continue
    if (word === '--') {
      for (let j = i + 1; j < argv.length; j++) result.unknown.push({word: argv[j] as string, index: j})
      break
    }
    if (!word.startsWith('-') || word === '-') {
      // dockerd takes no positional arguments ("accepts no arguments").
      result.unknown.push({word, index: i})
      continue
    }
    if (word.startsWith('--')) {
      const body = word.slice(2)
      const eq = body.indexOf('=')
      const name = eq === -1 ? body : body.slice(0, eq)
      const lookup = name === '' || name.startsWith('-') ? undefined : lookupFlag(name, true, version, result.warnings)
      if (lookup === undefined) {
        result.unknown.push({word, index: i})
        continue
      }
      if (eq !== -1) add(lookup, body.slice(eq + 1), i, 1, word)
      else if (!lookup.takesValue) add(lookup, 'true', i, 1, word)
      else if (i + 1 < argv.length) {
        // pflag takes the next word whatever it looks like, even `--x --y` makes "--y" the value.
        add(lookup, argv[i + 1] as string, i, 2, word)
        i++
      } else missingValue(result, word, i)
      continue
    }
    // Shorthand cluster: `-D`, `-Dl debug`, `-DH fd://`, `-Hfd://`, `-H=fd://`, `-D=false`. Each
    // boolean letter stands alone; the first letter that takes a value swallows the rest of the
    // word (after an optional '='), or the next word.
    let rest = word.slice(1)
    while (rest.length > 0) {
      const letter = rest[0] as string
      const lookup = lookupFlag(letter, false, version, result.warnings)
      if (lookup === undefined) {
        result.unknown.push({word, index: i})
        break
      }
      if (rest.length > 2 && rest[1] === '=') {
        add(lookup, rest.slice(2), i, 1, word)
        break
      }
      if (!lookup.takesValue) {
        add(lookup, 'true', i, 1, word)
        rest = rest.slice(1)
        continue
      }
      if (rest.length > 1) {
        add(lookup, rest.slice(1), i, 1, word)
        break
      }
      if (i + 1 < argv.length) {
        add(lookup, argv[i + 1] as string, i, 2, word)
        i++
      } else missingValue(result, word, i)
      break
    }
  }
  return result
}

function missingValue(result: ParsedDockerdArgv, word: string, index: number): void {
  result.warnings.push(`${word} at the end of the command line has no value: dockerd refuses to start ("flag needs an argument")`)
  result.unknown.push({word, index})
}

/** Go's strconv.ParseBool, which pflag uses for boolean flags. */

/** Booleans are recorded as dockerd holds them ("true"/"false"), as its conflict message prints them. */
function normalizeBool(raw: string): string {
  return parseGoBool(raw) === true ? 'true' : 'false'
}

/** Why pflag would refuse the value (dockerd then exits before reading anything), or undefined. */
function valueProblem(lookup: Lookup, raw: string): string | undefined {
  const flag = `--${lookup.long}`
  if (!lookup.takesValue) {
    if (parseGoBool(raw) !== undefined) return undefined
    return `invalid argument ${JSON.stringify(raw)} for ${flag}: not a boolean (strconv.ParseBool), so dockerd refuses to start`
  }
  if (lookup.option?.kind === 'integer' && parseGoInt(raw) === undefined) {
    return `invalid argument ${JSON.stringify(raw)} for ${flag}: not an integer (strconv.ParseInt), so dockerd refuses to start`
  }
  return undefined
}

interface Lookup {
  long: string
  option: OptionSpec | undefined
  flag: FlagSpec | undefined
  takesValue: boolean
}

function lookupFlag(name: string, long: boolean, version: string | undefined, warnings: string[]): Lookup | undefined {
  const found = optionForFlag(name, version)
  if (found !== undefined && (long ? found.flag.long === name : found.flag.short === name)) {
    if (!exists(found.option, found.flag, version, warnings)) return undefined
    return {long: found.flag.long, option: found.option, flag: found.flag, takesValue: flagTakesValue(found.option)}
  }
  const only = flagOnlyFor(name)
  if (only !== undefined && (long ? only.flag.long === name : only.flag.short === name)) {
    if (!exists(undefined, only.flag, version, warnings)) return undefined
    return {long: only.flag.long, option: undefined, flag: only.flag, takesValue: only.takesValue}
  }
  return undefined
}

/**
 * A flag outside the given dockerd version's range (`--graph` on 24+, `--validate` before 23) is an
 * unknown flag to that dockerd. Without a version nothing is gated: the host's dockerd is unknown,
 * and calling an old unit's flags fatal on a guess would be worse than not checking them.
 */
function exists(option: OptionSpec | undefined, flag: FlagSpec, version: string | undefined, warnings: string[]): boolean {
  if (version === undefined || flagExistsIn(option, flag, version)) return true
  const since = flag.since ?? option?.added
  const range = flag.until !== undefined ? `removed in ${flag.until}` : since !== undefined ? `added in ${since}` : 'not in this version'
  warnings.push(`dockerd ${version} has no --${flag.long} (${range})`)
  return false
}

/** The daemon.json key a parsed flag is compared against in dockerd's conflict check. */
export function conflictKeyOf(flag: ParsedFlag, version?: string): string {
  return flag.flag === undefined ? flag.name : conflictName(flag.flag, version)
}
