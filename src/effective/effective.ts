import {DEFAULT_CONFIG_FILE} from '../core/managed-files.js'
import {findNodeAtLocation} from 'jsonc-parser'

import {daemonJsonFindings, validateMerged} from '../daemon-config/validate.js'
import type {Finding} from '../core/findings.js'
import {readDaemonJsonText} from '../daemon-config/load.js'
import {type ParsedDaemonJson, parseDaemonJson} from '../daemon-config/parse.js'
import {stringEntries} from '../daemon-config/values.js'
import {type ParsedDockerdArgv, type ParsedFlag, parseDockerdArgv} from '../dockerd/argv.js'
import {OPTIONS, findOption} from '../registry/index.js'
import type {OptionSpec} from '../registry/types.js'
import type {FileSystem} from '../system/fs.js'
import {type OpenRcDockerConfig, readOpenRcDockerConfig} from '../systemd/openrc.js'
import {type ArgvOrigin, type ResolvedService, resolveDockerService} from '../systemd/service.js'
import {type Conflict, conflictMessage, findConflicts, flagsOfConflict} from './conflicts.js'
import {flagValueAsJson} from './flag-values.js'
import {byCodeUnits} from '../core/order.js'
import type {JsonValue} from '../json/value.js'

// fix.ts and tests take it from here, next to the Setting values it produces.
export {flagValueAsJson} from './flag-values.js'

/** Where a setting's value comes from. */
export type Origin =
  | {kind: 'file'; file: string; line?: number}
  | {kind: 'flag'; flag: string; file: string; line: number; viaVariable?: string; variableFile?: string; variableLine?: number}
  | {kind: 'default'}

export interface Setting {
  key: string
  value: JsonValue
  origin: Origin
  /** Further places a list setting's flag values come from (all on the command line). */
  moreOrigins?: Origin[]
  /** Other places that also set it (a conflict when dockerd sees both). */
  alsoSetBy?: Origin[]
}

/** dockerd's configuration as it would start: daemon.json plus the command line systemd builds. */
export interface EffectiveConfig {
  configFile: string
  /** True when ExecStart names the file with --config-file (it then wins over the default path). */
  configFileFromFlag: boolean
  daemonJson: {exists: boolean; text: string; parsed: ParsedDaemonJson}
  service: ResolvedService
  /** Set on an OpenRC host (no docker.service): where the command line came from instead. */
  openrc?: OpenRcDockerConfig
  argv: string[] | null
  commandLine: ParsedDockerdArgv | undefined
  settings: Setting[]
  conflicts: Array<Conflict & {message: string; flagOrigins: Origin[]; fileOrigin: Origin}>
  /** Everything that stops dockerd or surprises: daemon.json findings, conflicts, command-line problems. */
  findings: Finding[]
  hosts: string[]
  /** The unix socket dockcfg uses to reach the daemon (tree path). */
  socket: string
  dockerdVersion: string | undefined
}

/**
 * Computes the effective configuration of the tree behind `fs` (the live host, a --root tree or a
 * planned view). Reads only.
 */
export async function inspectEffective(fs: FileSystem, options: {configFile?: string | undefined; dockerdVersion: string | undefined}): Promise<EffectiveConfig> {
  const version = options.dockerdVersion
  const service = await resolveDockerService(fs)
  const openrc = service.unitPath === undefined && !service.masked ? await readOpenRc(fs) : undefined
  // Without a docker.service, an OpenRC host (Alpine, Gentoo) starts dockerd from /etc/init.d/docker
  // with $DOCKER_OPTS from /etc/conf.d/docker: that is the command line that meets daemon.json.
  const argv = openrc ? [openrc.binary.value, ...openrc.args.map((a) => a.value)] : service.argv
  const argvOrigins: ArgvOrigin[] | null = openrc
    ? [
        {value: openrc.binary.value, file: openrc.binary.line ? openrc.path : OPENRC_INITD_DOCKER, line: openrc.binary.line ?? 0},
        // The variable is both where the word is written and what carries it: describeOrigin
        // then says "in $DOCKER_OPTS (/etc/conf.d/docker line N)", not "in ExecStart".
        ...openrc.args.map((a) => ({...a, variableFile: a.file, variableLine: a.line})),
      ]
    : service.argvOrigins
  const commandLine = argv === null ? undefined : parseDockerdArgv(argv, version)
  const configFlag = commandLine?.flags.filter((f) => f.name === 'config-file').at(-1)
  const configFile = configFlag?.value ?? options.configFile ?? DEFAULT_CONFIG_FILE
  // dockerd loads a file only `if opts.configFile != ""`: an empty --config-file means none at all
  // (seen on 20.10.24: it started past a daemon.json that was not JSON).
  const noFile = configFile === ''
  const text = noFile ? undefined : await readDaemonJsonText(fs, configFile)
  const parsed = parseDaemonJson(text ?? '{}', configFile, {dockerdVersion: version})
  const findings: Finding[] = text === undefined ? [] : daemonJsonFindings(parsed, version)
  const flagOrigin = (f: ParsedFlag): Origin => originOf(f, argvOrigins)

  if (noFile && configFlag !== undefined) {
    findings.push({
      code: 'config-file-empty',
      severity: 'warning',
      message: 'ExecStart passes an empty --config-file: dockerd reads no configuration file, so no daemon.json applies',
      ...whereOrigin(flagOrigin(configFlag)),
    })
  } else if (configFlag !== undefined && text === undefined) {
    findings.push({
      code: 'config-file-missing',
      severity: 'error',
      message: `ExecStart passes --config-file ${configFile}, which does not exist: dockerd refuses to start ("no such file or directory")`,
      ...whereOrigin(flagOrigin(configFlag)),
    })
  }

  const conflicts = commandLine && parsed.decodable ? findConflicts(commandLine.flags, parsed.value, version) : []
  const detailed = conflicts.map((c) => ({
    ...c,
    message: conflictMessage([c], version),
    flagOrigins: flagsOfConflict(c, commandLine!.flags, version).map(flagOrigin),
    fileOrigin: fileOrigin(parsed, c.key),
  }))
  if (detailed.length > 0) {
    // Every place the flag is given (the unit line and $DOCKER_OPTS, say): all must go for the fix.
    const where = detailed.map((c) => `${c.key}: ${[...new Set(c.flagOrigins.map(describeOrigin))].join(', ')} and ${describeOrigin(c.fileOrigin)}`).join('; ')
    findings.push({
      code: 'flag-file-conflict',
      severity: 'error',
      key: detailed.map((c) => c.key).join(','),
      message: `dockerd refuses to start: unable to configure the Docker daemon with file ${configFile}: ${conflictMessage(conflicts, version)} (${where})`,
      ...whereOrigin(detailed[0]!.fileOrigin),
      checkedAt: 'config',
      hint: 'give each directive one owner: dockcfg fix (daemon.json keeps it) or dockcfg fix --prefer flags',
    })
  }

  if (openrc) {
    findings.push({
      code: 'openrc',
      severity: 'info',
      message: `no ${service.unitName}: dockerd is started by OpenRC (${OPENRC_INITD_DOCKER}) with $DOCKER_OPTS from ${openrc.path}`,
    })
    for (const w of openrc.warnings) findings.push({code: 'openrc-warning', severity: 'warning', message: w.message, file: openrc.path, ...(w.line ? {line: w.line} : {})})
  } else if (service.unitPath === undefined && !service.masked) {
    // No unit at all (an image tree, a host with another init): daemon.json alone is what there
    // is to check, which is not a reason to refuse anything.
    findings.push({code: 'no-systemd-unit', severity: 'info', message: `no ${service.unitName} in this tree: only ${configFile} is checked`})
  } else {
    for (const d of service.errors)
      findings.push({code: 'systemd-refuses', severity: 'error', message: d.message, ...(d.file ? {file: d.file} : {}), ...(d.line ? {line: d.line} : {})})
  }
  // An unset $DOCKER_OPTS is how stock Debian runs (its environment file is optional): worth
  // knowing, not worth a warning.
  for (const d of service.warnings)
    findings.push({
      code: 'systemd-warning',
      severity: /is not set, so that word is dropped/.test(d.message) ? 'info' : 'warning',
      message: d.message,
      ...(d.file ? {file: d.file} : {}),
      ...(d.line ? {line: d.line} : {}),
    })
  const commandFile = openrc?.path ?? service.execStart[0]?.file ?? service.unitPath
  for (const w of commandLine?.warnings ?? []) findings.push({code: 'command-line', severity: 'warning', message: w, ...(commandFile ? {file: commandFile} : {})})
  for (const v of commandLine?.invalid ?? []) {
    const origin = argvOrigins?.[v.index]
    findings.push({code: 'invalid-flag-value', severity: 'error', message: v.message, ...(origin ? {file: origin.file, line: origin.line} : {})})
  }
  for (const u of commandLine?.unknown ?? []) {
    const origin = argvOrigins?.[u.index]
    findings.push({
      code: 'unknown-flag',
      severity: 'error',
      message: `dockerd does not know the command-line argument ${JSON.stringify(u.word)} and refuses to start`,
      ...(origin ? {file: origin.file, line: origin.line} : {}),
    })
  }

  const settings = buildSettings(parsed, commandLine?.flags ?? [], flagOrigin)
  findings.push(...crossSourceFindings(settings))
  if (parsed.decodable) findings.push(...commandLineValueFindings(settings, parsed, findings, version))
  const hosts = effectiveHosts(settings)
  return {
    configFile,
    configFileFromFlag: configFlag !== undefined,
    daemonJson: {exists: text !== undefined, text: text ?? '', parsed},
    service,
    ...(openrc ? {openrc} : {}),
    argv,
    commandLine,
    settings,
    conflicts: detailed,
    findings,
    hosts,
    socket: localSocket(hosts),
    dockerdVersion: version,
  }
}

/** The init script that starts dockerd on an OpenRC host; its presence alone marks one. */
export const OPENRC_INITD_DOCKER = '/etc/init.d/docker'

/** /etc/conf.d/docker when this looks like an OpenRC host (init script or conf.d present). */
async function readOpenRc(fs: FileSystem): Promise<OpenRcDockerConfig | undefined> {
  const conf = await readOpenRcDockerConfig(fs)
  if (conf.exists) return conf
  return (await fs.stat(OPENRC_INITD_DOCKER)) !== undefined ? conf : undefined
}

function originOf(f: ParsedFlag, origins: ArgvOrigin[] | null): Origin {
  const o = origins?.[f.index]
  const flag = `--${f.name}`
  if (o === undefined) return {kind: 'flag', flag, file: '(command line)', line: 0}
  return {
    kind: 'flag',
    flag,
    file: o.file,
    line: o.line,
    ...(o.viaVariable ? {viaVariable: o.viaVariable} : {}),
    ...(o.variableFile ? {variableFile: o.variableFile} : {}),
    ...(o.variableLine ? {variableLine: o.variableLine} : {}),
  }
}

function fileOrigin(parsed: ParsedDaemonJson, key: string): Origin {
  const node = parsed.tree ? findNodeAtLocation(parsed.tree, [key]) : undefined
  return node?.parent ? {kind: 'file', file: parsed.file, line: parsed.position(node.parent.offset).line} : {kind: 'file', file: parsed.file}
}

/**
 * fileOrigin's line for every top-level key at once (the first occurrence, as findNodeAtLocation
 * finds it): asking once per key cost the square of the number of keys.
 */
function keyLines(parsed: ParsedDaemonJson): Map<string, number> {
  const lines = new Map<string, number>()
  if (parsed.tree?.type !== 'object') return lines
  for (const property of parsed.tree.children ?? []) {
    const key = property.children?.[0]?.value
    if (property.children?.length === 2 && typeof key === 'string' && !lines.has(key)) lines.set(key, parsed.position(property.offset).line)
  }
  return lines
}

/** Where a value comes from, in the words findings and `dockcfg show` use (file and line, flag, variable). */
export function describeOrigin(o: Origin): string {
  if (o.kind === 'default') return "dockerd's default"
  if (o.kind === 'file') return `${o.file}${o.line ? ` line ${o.line}` : ''}`
  if (o.viaVariable !== undefined && o.variableFile === o.file && o.variableLine === o.line) return `${o.flag} in $${o.viaVariable} (${o.file} line ${o.line})`
  const via = o.viaVariable ? ` via $${o.viaVariable}${o.variableFile ? ` (${o.variableFile}${o.variableLine ? ` line ${o.variableLine}` : ''})` : ''}` : ''
  return `${o.flag} in ExecStart (${o.file} line ${o.line})${via}`
}

function whereOrigin(o: Origin): Pick<Finding, 'file' | 'line'> {
  if (o.kind === 'file') return {file: o.file, ...(o.line ? {line: o.line} : {})}
  if (o.kind === 'flag') return {file: o.file, line: o.line}
  return {}
}

function buildSettings(parsed: ParsedDaemonJson, flags: readonly ParsedFlag[], flagOrigin: (f: ParsedFlag) => Origin): Setting[] {
  const settings = new Map<string, Setting>()
  const lines = keyLines(parsed)
  for (const [key, value] of Object.entries(parsed.value)) {
    const line = lines.get(key)
    settings.set(key, {key, value, origin: line === undefined ? {kind: 'file', file: parsed.file} : {kind: 'file', file: parsed.file, line}})
  }
  const byOption = new Map<string, ParsedFlag[]>()
  for (const f of flags) if (f.option) byOption.set(f.option.key, [...(byOption.get(f.option.key) ?? []), f])
  for (const [key, group] of byOption) {
    const option = findOption(key) as OptionSpec
    const value = flagValueAsJson(
      option,
      group.map((f) => f.value),
    )
    // A repeatable flag can come from several places (`-H fd://` in the unit, `-H tcp://...` through
    // $DOCKER_OPTS): every distinct place is named, not just the first.
    const origins = distinctOrigins(group.map(flagOrigin))
    const existing = settings.get(key)
    if (existing) existing.alsoSetBy = origins
    else settings.set(key, {key, value, origin: origins[0] as Origin, ...(origins.length > 1 ? {moreOrigins: origins.slice(1)} : {})})
  }
  for (const option of OPTIONS) {
    if (!settings.has(option.key) && option.defaultValue !== undefined && option.removed === undefined) {
      settings.set(option.key, {key: option.key, value: option.defaultValue, origin: {kind: 'default'}})
    }
  }
  return [...settings.values()].sort((a, b) => byCodeUnits(a.key, b.key))
}

function distinctOrigins(origins: readonly Origin[]): Origin[] {
  const seen = new Set<string>()
  return origins.filter((o) => {
    const id = JSON.stringify(o)
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}

/** Start-fatal combinations that span daemon.json and the command line (dockerd-options.md 1.2). */
function crossSourceFindings(settings: readonly Setting[]): Finding[] {
  const get = (key: string) => settings.find((s) => s.key === key)
  // One side in daemon.json, the other on the command line: each source alone was checked already.
  const crosses = (a: Setting, b: Setting) => a.origin.kind !== b.origin.kind && a.origin.kind !== 'default' && b.origin.kind !== 'default'
  const out: Finding[] = []
  const bip = get('bip')
  const bridge = get('bridge')
  if (bip && bridge && crosses(bip, bridge) && bridge.value !== '') {
    out.push({
      code: 'bip-with-bridge',
      severity: 'error',
      key: 'bip',
      checkedAt: 'start',
      message: `bip (${describeOrigin(bip.origin)}) and bridge (${describeOrigin(bridge.origin)}) together: dockerd refuses to start ("You specified -b & --bip, mutually exclusive options")`,
    })
  }
  const icc = get('icc')
  const iptables = get('iptables')
  if (icc && iptables && icc.value === false && iptables.value === false && crosses(icc, iptables)) {
    out.push({
      code: 'icc-without-iptables',
      severity: 'error',
      key: 'icc',
      checkedAt: 'start',
      message: `icc=false (${describeOrigin(icc.origin)}) needs iptables, which is off (${describeOrigin(iptables.origin)}): dockerd refuses to start`,
    })
  }
  return out
}

/** Value kinds whose flag form converts to exactly the daemon.json value dockerd builds from it. */
const FAITHFUL_FLAG_KINDS = new Set([
  'string',
  'boolean',
  'nullable-boolean',
  'integer',
  'string-list',
  'string-map',
  'bool-map',
  'address-pools',
  'ulimits',
  'runtimes',
  'nested-map',
])

const CROSS_SOURCE_CODES = new Set(['bip-with-bridge', 'icc-without-iptables'])

/** Findings about keys and their life cycle in the file, which say nothing about a flag's value. */
const FILE_ONLY_CODES = new Set([
  'key-case',
  'key-deprecated',
  'key-ignored',
  'key-not-yet',
  'key-removed',
  'unknown-key',
  'rejected-key',
  'ignored-key',
  'nested-key-ignored',
  'unknown-object-ignored',
  'null-value',
  'version-assumed',
])

/**
 * dockerd applies the same rules to a value whether it came from daemon.json or a flag (it merges
 * both into one configuration first). So the command line's values are checked with the same rules,
 * on the merged configuration: `--bip=10.0.0.0/24` (a network address) or `--dns 1.1.1.1,8.8.8.8`
 * (one invalid entry) in ExecStart, or `--bip` on the command line with a `fixed-cidr` in daemon.json
 * outside it. Only what the file alone did not already show is reported, placed at the flag.
 */
function commandLineValueFindings(settings: readonly Setting[], parsed: ParsedDaemonJson, reported: readonly Finding[], version: string | undefined): Finding[] {
  // dockerd reads an empty string option as "not set" (`--bip=` with ${FLANNEL_SUBNET} unset).
  const fromFlags = settings.filter((s) => s.origin.kind === 'flag' && FAITHFUL_FLAG_KINDS.has(findOption(s.key)?.kind ?? '') && s.value !== '')
  if (fromFlags.length === 0) return []
  const all = validateMerged(parsed, fromFlags, version)
  // What the file alone shows was reported already, with its position in the file.
  const known = new Set(reported.map((f) => `${f.code}|${f.key ?? ''}`))
  // crossSourceFindings already explains these combinations, naming both places.
  const crossed = new Set(reported.filter((f) => CROSS_SOURCE_CODES.has(f.code)).map((f) => f.key))
  const byKey = new Map(settings.map((s) => [s.key, s]))
  const out: Finding[] = []
  for (const {finding: f, involves} of all) {
    if (f.severity === 'info' || FILE_ONLY_CODES.has(f.code) || known.has(`${f.code}|${f.key ?? ''}`) || crossed.has(f.key)) continue
    const setting = f.key === undefined ? undefined : byKey.get(f.key.split('.')[0] as string)
    const origin = setting?.origin
    if (origin?.kind === 'flag') {
      // A repeated flag may come from several places (the unit and $DOCKER_OPTS): name them all.
      const places = [origin, ...(setting?.moreOrigins ?? [])].map(describeOrigin).join('; ')
      out.push({...f, message: `${f.message} (on the command line: ${places})`, file: origin.file, line: origin.line})
    } else if (origin?.kind === 'file') {
      // A file key that a flag's value makes wrong (fixed-cidr outside a --bip): name the flags the
      // message is about, or all of them when it names none.
      const named = fromFlags.filter((s) => involves.includes(s.key))
      const flags = (named.length > 0 ? named : fromFlags).map((s) => describeOrigin(s.origin)).join(', ')
      out.push({...f, message: `${f.message} (together with the command line: ${flags})`, file: origin.file, ...(origin.line ? {line: origin.line} : {})})
    }
  }
  return out
}

function effectiveHosts(settings: readonly Setting[]): string[] {
  // A "hosts" of the wrong JSON type is a finding of its own (dockerd cannot decode the file); the
  // socket dockcfg talks to is chosen from whatever string entries there are.
  const all = stringEntries(settings.find((s) => s.key === 'hosts')?.value)
  return all.length > 0 ? all : ['unix:///var/run/docker.sock']
}

/** The local socket to talk to: the first unix:// listener; fd:// means docker.socket's path. */
function localSocket(hosts: readonly string[]): string {
  const unix = hosts.find((h) => h.startsWith('unix://'))
  if (unix) return unix.slice('unix://'.length)
  return '/var/run/docker.sock'
}
