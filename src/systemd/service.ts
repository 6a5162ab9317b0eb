/**
 * The effective ExecStart of docker.service, computed the way systemd 252 computes it: fragment
 * and drop-ins (resolve.ts), unit-file syntax (unit-file.ts), ExecStart= words and prefixes
 * (exec.ts), Environment=/EnvironmentFile= (environment.ts), then exec-time `$VAR` expansion.
 * Each argv element carries its origin so the CLI can say which file and line put it there.
 */

import * as path from 'node:path'

import type {FileSystem} from '../system/fs.js'
import {parseEnvFile, parseEnvironmentValue} from './environment.js'
import {expandArgv, parseExecValue, type ExecCommand, type ExpansionResult} from './exec.js'
import {resolveUnitFiles, type DropInFile} from './resolve.js'
import {expandSpecifiers, type SpecifierContext} from './specifiers.js'
import {parseShell} from './shell.js'
import {parseUnitFile, type UnitFile} from './unit-file.js'

export interface Diagnostic {
  message: string
  file?: string | undefined
  line?: number | undefined
  /** For errors: the lines systemd 252 writes to the journal when it refuses to start the unit. */
  journal?: string[]
}

export interface Directive {
  section: string | undefined
  key: string
  value: string
  file: string
  line: number
  endLine: number
  /** Why systemd does not use it, when it does not. */
  ignored?: string
}

export interface ArgvOrigin {
  value: string
  /** The unit file and line of the ExecStart= that produced this element. */
  file: string
  line: number
  /**
   * Which word of the configured ExecStart= produced this element (`$OPTS` may produce several).
   * Absent for elements a `sh -c` script produced.
   */
  wordIndex?: number
  /** Set when the element came out of `$NAME` / `${NAME}`. */
  viaVariable?: string
  /** Where that variable was set (Environment= line or EnvironmentFile line). */
  variableFile?: string
  variableLine?: number
}

export interface EnvVariable {
  value: string
  file: string
  line: number
  source: 'Environment' | 'EnvironmentFile' | 'manager'
}

export interface EnvironmentFileUse {
  /** The path as configured (specifiers resolved, `-` removed). */
  path: string
  optional: boolean
  /** The unit file line that names it. */
  file: string
  line: number
  /** Files it matched (globs may match several); empty when missing. */
  loaded: string[]
}

export interface ExecStartEntry {
  command: ExecCommand
  file: string
  line: number
}

export interface ResolvedService {
  unitName: string
  /** Tree path of the unit fragment, undefined when there is no unit (or it is masked). */
  unitPath: string | undefined
  masked: boolean
  /** Lower-priority unit files the fragment hides (e.g. the vendor unit when /etc has a copy). */
  shadowedUnits: string[]
  /** Effective drop-ins in the order systemd applies them. */
  dropInPaths: string[]
  dropIns: DropInFile[]
  /** Every assignment of the fragment and drop-ins, in application order. */
  directives: Directive[]
  /** Effective Type= (explicit, or systemd's default). */
  type: string
  typeExplicit: boolean
  /** All effective ExecStart= commands, as configured (before `$VAR` expansion). */
  execStart: ExecStartEntry[]
  /** Prefix characters (`-@:+!`) of the effective ExecStart, '' when none. */
  execStartPrefixes: string
  /**
   * The argv the daemon receives, null when systemd would not run ExecStart at all. Equal to
   * `processArgv` except for a `/bin/sh -c '...'` wrapper, where it is the command the shell runs
   * (see `wrapper`).
   */
  argv: string[] | null
  argvOrigins: ArgvOrigin[] | null
  /** The argv systemd itself hands to the ExecStart program. */
  processArgv: string[] | null
  /** Set when ExecStart is not dockerd itself. */
  wrapper?: {kind: 'shell' | 'env' | 'other'; program: string; interpreted: boolean; note: string}
  environment: Record<string, EnvVariable>
  environmentFiles: EnvironmentFileUse[]
  warnings: Diagnostic[]
  errors: Diagnostic[]
}

export interface ResolveServiceOptions {
  /** Unit name; default `docker.service`. */
  unit?: string
  /** Search path override (highest priority first). */
  searchPath?: readonly string[]
  /**
   * The manager's own environment, lowest precedence. Default: Debian 12's PATH, which is all a
   * system manager passes on that matters for ExecStart expansion.
   */
  managerEnvironment?: Record<string, string>
  /** Host facts for specifiers that need them (%H, %m, ...). */
  specifiers?: Omit<SpecifierContext, 'unitName' | 'fragmentPath'>
}

const DEFAULT_MANAGER_ENV: Record<string, string> = {PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'}
const KNOWN_SECTIONS = new Set(['Unit', 'Service', 'Install'])
const SERVICE_TYPES = new Set(['simple', 'exec', 'forking', 'oneshot', 'dbus', 'notify', 'idle'])
// Set by systemd itself at exec time; we cannot know their values.
const RUNTIME_VARIABLES = new Set([
  'MAINPID',
  'MANAGERPID',
  'INVOCATION_ID',
  'NOTIFY_SOCKET',
  'LISTEN_FDS',
  'LISTEN_PID',
  'LISTEN_FDNAMES',
  'JOURNAL_STREAM',
  'SYSTEMD_EXEC_PID',
  'WATCHDOG_PID',
  'WATCHDOG_USEC',
  'RUNTIME_DIRECTORY',
  'STATE_DIRECTORY',
  'CACHE_DIRECTORY',
  'LOGS_DIRECTORY',
  'CONFIGURATION_DIRECTORY',
  'CREDENTIALS_DIRECTORY',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
])
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'busybox'])

function globToRegExp(glob: string): RegExp {
  let re = '^'
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2)
      if (close < 0) re += '\\['
      else {
        let body = glob.slice(i + 1, close)
        if (body.startsWith('!')) body = '^' + body.slice(1)
        re += `[${body.replace(/\\/g, '\\\\')}]`
        i = close
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(re + '$')
}

/** glob(3) over the tree: every existing path matching `pattern`, sorted like glob does. */
async function globTree(fs: FileSystem, pattern: string): Promise<string[]> {
  if (!/[*?[]/.test(pattern)) {
    const st = await fs.stat(pattern)
    return st ? [pattern] : []
  }
  const parts = pattern.split('/').filter(Boolean)
  let current = ['/']
  for (const part of parts) {
    const next: string[] = []
    for (const base of current) {
      if (!/[*?[]/.test(part)) {
        const candidate = path.posix.join(base, part)
        if (await fs.lstat(candidate)) next.push(candidate)
        continue
      }
      const re = globToRegExp(part)
      for (const name of await fs.list(base)) {
        if (name.startsWith('.') && !part.startsWith('.')) continue
        if (re.test(name)) next.push(path.posix.join(base, name))
      }
    }
    current = next.sort()
  }
  const existing: string[] = []
  for (const p of current) if (await fs.stat(p)) existing.push(p)
  return existing
}

function describeWrapper(argv: string[]): ResolvedService['wrapper'] {
  const program = argv[0] ?? ''
  const exe = path.posix.basename(program)
  if (SHELLS.has(exe) && shellScriptIndex(argv) !== undefined) {
    return {
      kind: 'shell',
      program,
      interpreted: false,
      note: `ExecStart runs a shell (${program} -c ...): systemd hands the script to the shell, which expands the variables and runs the command at start time; the dockerd arguments shown are dockcfg's reading of that script`,
    }
  }
  if (exe === 'env') return {kind: 'env', program, interpreted: false, note: `ExecStart runs dockerd through env(1); the arguments after the program name are passed on by env`}
  if (!/^dockerd?(-current|-latest)?$/.test(exe)) {
    return {kind: 'other', program, interpreted: false, note: `ExecStart runs ${program}, not dockerd: arguments go to that program, which may add, drop or rewrite dockerd flags`}
  }
  return undefined
}

function shellScriptIndex(argv: string[]): number | undefined {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string
    if (!a.startsWith('-')) return undefined
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(a)) return i + 1 < argv.length ? i + 1 : undefined
  }
  return undefined
}

/** Reads the script of `sh -c '...'` and returns the docker command in it, with origins. */
function interpretShellWrapper(
  argv: string[],
  envVars: ReadonlyMap<string, EnvVariable>,
  at: {file: string; line: number},
): {origins: ArgvOrigin[]; unsupported: string[]} | undefined {
  const index = shellScriptIndex(argv)
  if (index === undefined) return undefined
  const parsed = parseShell(argv[index] as string, (name) => envVars.get(name)?.value)
  const words = (c: {words: Array<{value: string}>}): string[] => c.words.map((w) => w.value)
  const pick = parsed.commands.find((c) => /^docker/.test(path.posix.basename(words(c)[0] === 'exec' ? (words(c)[1] ?? '') : (words(c)[0] ?? '')))) ?? parsed.commands[0]
  if (!pick) return undefined
  const list = pick.words[0]?.value === 'exec' ? pick.words.slice(1) : pick.words
  return {origins: list.map((w) => argvOrigin(w.value, at, w.viaVariable, envVars)), unsupported: parsed.unsupported}
}

/** An argv element at the ExecStart= line `at`; one that came out of a variable also names where that was set. */
function argvOrigin(value: string, at: {file: string; line: number}, viaVariable: string | undefined, envVars: ReadonlyMap<string, EnvVariable>, wordIndex?: number): ArgvOrigin {
  const origin: ArgvOrigin = {value, file: at.file, line: at.line}
  if (wordIndex !== undefined) origin.wordIndex = wordIndex
  if (viaVariable === undefined) return origin
  origin.viaVariable = viaVariable
  const v = envVars.get(viaVariable)
  if (v) {
    origin.variableFile = v.file
    origin.variableLine = v.line
  }
  return origin
}

/**
 * Computes how systemd 252 would start `options.unit` (default docker.service) under the tree of
 * `fs`: the unit and drop-ins in effect, every directive with its origin, the environment, and
 * the exact argv of ExecStart (null, with `errors`, when systemd would refuse to run it).
 */
export async function resolveDockerService(fs: FileSystem, options: ResolveServiceOptions = {}): Promise<ResolvedService> {
  const unitName = options.unit ?? 'docker.service'
  const files = await resolveUnitFiles(fs, unitName, options.searchPath ? {searchPath: options.searchPath} : {})
  const warnings: Diagnostic[] = files.warnings.map((message) => ({message}))
  const errors: Diagnostic[] = []
  const result: ResolvedService = {
    unitName,
    unitPath: files.fragment?.path,
    masked: files.masked,
    shadowedUnits: files.shadowed.map((c) => c.path),
    dropInPaths: files.dropIns.map((d) => d.path),
    dropIns: files.dropIns,
    directives: [],
    type: 'simple',
    typeExplicit: false,
    execStart: [],
    execStartPrefixes: '',
    argv: null,
    argvOrigins: null,
    processArgv: null,
    environment: {},
    environmentFiles: [],
    warnings,
    errors,
  }

  if (files.masked) {
    errors.push({message: `Unit ${unitName} is masked.`, journal: [`Failed to start ${unitName}: Unit ${unitName} is masked.`]})
    return result
  }
  if (!files.fragment) {
    errors.push({message: `Unit ${unitName} not found.`, journal: [`Failed to start ${unitName}: Unit ${unitName} not found.`]})
    return result
  }

  const specCtx: SpecifierContext = {...options.specifiers, unitName, fragmentPath: files.fragment.path}
  const sources: UnitFile[] = []
  for (const p of [files.fragment.path, ...files.dropIns.filter((d) => !d.masked).map((d) => d.path)]) {
    const text = await fs.readText(p)
    if (text === undefined) {
      warnings.push({message: `cannot read ${p}`, file: p})
      continue
    }
    sources.push(parseUnitFile(text, p))
  }

  let description: string | undefined
  let restart = 'no'
  let typeValue: string | undefined
  let execStart: ExecStartEntry[] = []
  let environment: Array<{name: string; value: string; file: string; line: number}> = []
  let envFileSpecs: Array<{raw: string; file: string; line: number}> = []
  let unsetEnvironment: string[] = []
  let loadFailed = false

  for (const unit of sources) {
    const fatal = unit.entries.find((e) => e.kind === 'invalid' && e.fatal)
    if (fatal && fatal.kind === 'invalid') {
      loadFailed = true
      errors.push({
        message: `${unit.path}:${fatal.line}: ${fatal.problem}: systemd refuses the whole file`,
        file: unit.path,
        line: fatal.line,
        journal: [`${unit.path}:${fatal.endLine}: ${fatal.problem}`, `${unitName}: Failed to load configuration: Bad message`],
      })
      continue
    }
    let unknownSection: string | undefined
    for (const e of unit.entries) {
      if (e.kind === 'section') {
        unknownSection = KNOWN_SECTIONS.has(e.name) || e.name.startsWith('X-') ? undefined : e.name
        if (unknownSection !== undefined) warnings.push({message: `Unknown section '${e.name}'. Ignoring.`, file: unit.path, line: e.line})
        continue
      }
      if (e.kind === 'invalid') {
        warnings.push({message: `${e.problem} (${e.text})`, file: unit.path, line: e.line})
        continue
      }
      if (e.kind !== 'assignment') continue
      const directive: Directive = {section: e.section, key: e.key, value: e.value, file: unit.path, line: e.line, endLine: e.endLine}
      result.directives.push(directive)
      if (e.section === undefined) {
        directive.ignored = 'Assignment outside of section'
        warnings.push({message: `Assignment outside of section. Ignoring: ${e.key}=${e.value}`, file: unit.path, line: e.line})
        continue
      }
      if (unknownSection !== undefined) {
        directive.ignored = `in unknown section [${unknownSection}]`
        continue
      }
      const at = {file: unit.path, line: e.line}
      if (e.section === 'Unit' && e.key === 'Description') description = e.value
      if (e.section !== 'Service') {
        if (['ExecStart', 'Environment', 'EnvironmentFile', 'Type'].includes(e.key)) {
          directive.ignored = `${e.key}= belongs in [Service]`
          warnings.push({message: `Unknown key name '${e.key}' in section '${e.section}', ignoring.`, ...at})
        }
        continue
      }
      switch (e.key) {
        case 'Type':
          if (e.value === '') typeValue = undefined
          else if (SERVICE_TYPES.has(e.value)) typeValue = e.value
          else {
            directive.ignored = 'invalid service type'
            warnings.push({message: `Failed to parse service type, ignoring: ${e.value}`, ...at})
          }
          break
        case 'Restart':
          restart = e.value === '' ? 'no' : e.value
          break
        case 'ExecStart': {
          const parsed = parseExecValue(e.value, specCtx)
          for (const w of parsed.warnings) warnings.push({message: w, ...at})
          if (parsed.kind === 'reset') execStart = []
          else if (parsed.kind === 'commands') for (const command of parsed.commands) execStart.push({command, ...at})
          else if (parsed.kind === 'ignored') {
            directive.ignored = parsed.message
            warnings.push({message: parsed.message, ...at})
          } else {
            loadFailed = true
            directive.ignored = parsed.message
            errors.push({
              message: `${parsed.message}: systemd marks the unit as having a bad setting and will not start it`,
              ...at,
              journal: [`${unit.path}:${e.endLine}: ${parsed.message}`, `Failed to start ${unitName}: Unit ${unitName} has a bad unit file setting.`],
            })
          }
          break
        }
        case 'Environment': {
          const parsed = parseEnvironmentValue(e.value, (word) => {
            const r = expandSpecifiers(word, specCtx)
            return r.ok ? {ok: true, value: r.value} : {ok: false, message: r.message}
          })
          for (const w of parsed.warnings) warnings.push({message: w, ...at})
          if (parsed.reset) environment = []
          for (const a of parsed.assignments) {
            environment = environment.filter((x) => x.name !== a.name)
            environment.push({...a, ...at})
          }
          break
        }
        case 'EnvironmentFile':
          if (e.value === '') envFileSpecs = []
          else envFileSpecs.push({raw: e.value, ...at})
          break
        case 'UnsetEnvironment':
          if (e.value === '') unsetEnvironment = []
          else unsetEnvironment.push(...e.value.split(/\s+/).filter(Boolean))
          break
        case 'PassEnvironment':
          if (e.value !== '') warnings.push({message: `PassEnvironment=${e.value}: values come from the service manager's environment, which is not modelled`, ...at})
          break
        default:
          break
      }
    }
  }

  result.execStart = execStart
  result.typeExplicit = typeValue !== undefined
  result.type = typeValue ?? (execStart.length > 0 ? 'simple' : 'oneshot')

  // EnvironmentFile= is read at start time; a missing required file aborts the start.
  const envVars = new Map<string, EnvVariable>()
  for (const [name, value] of Object.entries(options.managerEnvironment ?? DEFAULT_MANAGER_ENV)) {
    envVars.set(name, {value, file: '(service manager)', line: 0, source: 'manager'})
  }
  for (const a of environment) envVars.set(a.name, {value: a.value, file: a.file, line: a.line, source: 'Environment'})

  let missingRequired: EnvironmentFileUse | undefined
  for (const spec of envFileSpecs) {
    const expanded = expandSpecifiers(spec.raw, specCtx)
    if (!expanded.ok) {
      warnings.push({message: `Failed to resolve unit specifiers in ${spec.raw}, ignoring`, file: spec.file, line: spec.line})
      continue
    }
    const optional = expanded.value.startsWith('-')
    const configured = optional ? expanded.value.slice(1) : expanded.value
    if (!configured.startsWith('/')) {
      warnings.push({message: `EnvironmentFile= path is not absolute, ignoring: ${configured}`, file: spec.file, line: spec.line})
      continue
    }
    const use: EnvironmentFileUse = {path: configured, optional, file: spec.file, line: spec.line, loaded: []}
    result.environmentFiles.push(use)
    if (missingRequired) continue
    const matches = await globTree(fs, configured)
    if (matches.length === 0) {
      if (!optional) missingRequired = use
      continue
    }
    for (const match of matches) {
      const text = await fs.readText(match)
      if (text === undefined) {
        if (!optional) missingRequired = use
        continue
      }
      use.loaded.push(match)
      const parsed = parseEnvFile(text)
      for (const w of parsed.warnings) warnings.push({message: w.message, file: match, line: w.line})
      for (const a of parsed.assignments) envVars.set(a.name, {value: a.value, file: match, line: a.line, source: 'EnvironmentFile'})
    }
  }
  for (const u of unsetEnvironment) {
    const eq = u.indexOf('=')
    if (eq < 0) envVars.delete(u)
    else if (envVars.get(u.slice(0, eq))?.value === u.slice(eq + 1)) envVars.delete(u.slice(0, eq))
  }
  for (const [name, v] of envVars) if (v.source !== 'manager') result.environment[name] = v

  const first = execStart[0]
  if (first) result.execStartPrefixes = first.command.prefixes

  if (loadFailed) return result
  if (execStart.length === 0 && result.type !== 'oneshot') {
    errors.push({
      message: `${unitName}: Service has no ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.`,
      journal: [
        `${unitName}: Service has no ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.`,
        `Failed to start ${unitName}: Unit ${unitName} has a bad unit file setting.`,
      ],
    })
    return result
  }
  if (execStart.length > 1 && result.type !== 'oneshot') {
    const lines = execStart.map((x) => `${x.file}:${x.line}`).join(', ')
    errors.push({
      message: `${unitName}: Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing. (ExecStart= at ${lines}; a drop-in that replaces ExecStart must first reset it with an empty 'ExecStart=')`,
      journal: [
        `${unitName}: Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.`,
        `Failed to start ${unitName}: Unit ${unitName} has a bad unit file setting.`,
      ],
    })
    return result
  }
  if (!first) return result
  if (execStart.length > 1) warnings.push({message: `Type=oneshot with ${execStart.length} ExecStart= commands: they run one after another; argv is the first one's`})

  if (missingRequired) {
    const restarts = ['always', 'on-failure', 'on-abnormal'].includes(restart)
    errors.push({
      message: `required EnvironmentFile=${missingRequired.path} does not exist (no '-' prefix): systemd will not start ${unitName}`,
      file: missingRequired.file,
      line: missingRequired.line,
      journal: [
        `${unitName}: Failed to load environment files: No such file or directory`,
        `${unitName}: Failed to run 'start' task: No such file or directory`,
        ...(restarts ? [`${unitName}: Start request repeated too quickly.`] : []),
        `${unitName}: Failed with result 'resources'.`,
        description ? `Failed to start ${unitName} - ${description}.` : `Failed to start ${unitName}.`,
      ],
    })
    return result
  }

  const command = first.command
  let origins: ArgvOrigin[]
  let literal: ExpansionResult['literal'] = []
  if (command.flags.noEnvExpand) {
    origins = command.argv.map((value, wordIndex) => argvOrigin(value, first, undefined, envVars, wordIndex))
  } else {
    const expanded = expandArgv(command.argv, envVars)
    origins = expanded.argv.map((el) => argvOrigin(el.value, first, el.viaVariable, envVars, el.wordIndex))
    for (const u of expanded.unset) {
      const what = u.braced ? `\${${u.name}} expands to an empty string` : `$${u.name} is not set, so that word is dropped`
      const runtime = RUNTIME_VARIABLES.has(u.name) ? ' (systemd sets it at start time; its value is not modelled)' : ''
      warnings.push({message: `${what}${runtime}`, file: first.file, line: first.line})
    }
    literal = expanded.literal
  }
  result.processArgv = origins.map((o) => o.value)
  result.argv = result.processArgv
  result.argvOrigins = origins
  const wrapper = describeWrapper(result.processArgv)
  // In a `sh -c` script the shell, not systemd, expands $NAME: passing it on literally is the point.
  const scriptIndex = wrapper?.kind === 'shell' ? shellScriptIndex(result.processArgv) : undefined
  const script = scriptIndex === undefined ? undefined : result.processArgv[scriptIndex]
  for (const l of literal) {
    if (script?.includes(l.text)) continue
    warnings.push({
      message: `${l.text} inside a word is not expanded by systemd (only a whole-word $NAME or \${NAME} is): it is passed literally`,
      file: first.file,
      line: first.line,
    })
  }
  if (wrapper) {
    result.wrapper = wrapper
    if (wrapper.kind === 'shell') {
      const interpreted = interpretShellWrapper(result.processArgv, envVars, first)
      if (interpreted) {
        result.argv = interpreted.origins.map((o) => o.value)
        result.argvOrigins = interpreted.origins
        result.wrapper.interpreted = true
        for (const u of interpreted.unsupported) warnings.push({message: `shell wrapper: ${u}; the interpreted argv may be wrong`, file: first.file, line: first.line})
      }
    }
    warnings.push({message: wrapper.note, file: first.file, line: first.line})
  }
  return result
}
