import type {Node} from 'jsonc-parser'

import {
  closestKey,
  findOption,
  ignoredFlagNameKey,
  isFlat,
  isKnownKey,
  NEWEST_KNOWN_VERSION,
  normalizeVersion,
  optionStatus,
  rejectedStructKey,
  usableKeys,
  valueVerdict,
  versionAtLeast,
} from '../registry/index.js'
import type {OptionSpec} from '../registry/types.js'
import {
  type Cidr,
  containsAddress,
  containsCidr,
  formatCidr,
  formatIp,
  type IpAddress,
  isCanonical,
  isIPv4Mapped,
  isLoopback,
  isMulticast,
  lastAddress,
  networkAddress,
  overlaps,
  parseCidr,
  parseIp,
} from '../network/cidr.js'
import {type Finding, MAX_FINDINGS_PER_KIND, type Severity} from '../core/findings.js'
import {nodeValue} from '../json/tree.js'
import type {ParsedDaemonJson} from './parse.js'

export interface ValidateOptions {
  /** Installed (or target) dockerd version; undefined validates for the newest known and says so. */
  dockerdVersion?: string | undefined
}

/** One top-level (or flattened) key as it appears in the file: the last occurrence, as dockerd uses. */
interface Entry {
  key: string
  keyNode: Node
  valueNode: Node
  value: unknown
}

type Where = 'config' | 'start'

interface Report {
  code: string
  severity: Severity
  key?: string | undefined
  node?: Node | undefined
  message: string
  checkedAt?: Where | undefined
  hint?: string | undefined
}

// Spelled out rather than parsed at load: parsing would compile Node's IPv6 pattern on every start,
// for a rule that only IPv6 configurations reach.
const LINK_LOCAL_V6: Cidr = {family: 6, address: 0xfe80n << 112n, prefix: 64}

/** An option name a log driver accepts, from dockerd `since` and up to (not including) `until`. */
type LogOptName = string | {name: string; since?: string; until?: string}

interface LogDriverSpec {
  /** What the driver's ValidateLogOpt accepts; undefined: any name (logentries has `case key:`). */
  options?: readonly LogOptName[]
  /** dockerd's own wording for an option it does not accept. */
  unknown: (opt: string) => string
  /** First dockerd version without the driver. */
  removed?: string
}

/** logger.AttrEnv … AttrLogTag (daemon/logger/loginfo.go): metadata options most drivers take. */
const LOG_ATTRS = ['env', 'env-regex', 'labels', 'labels-regex', 'tag'] as const

const unknownLogOpt = (driver: string) => (opt: string) => `unknown log opt '${opt}' for ${driver} log driver`

/**
 * The drivers daemon/logdrivers_linux.go registers, with the option names each ValidateLogOpt
 * accepts (daemon/logger/<driver>/, read at v20.10.24, every v23.0.0-v28.5.2 tag and every
 * docker-v29 tag up to 29.7.2). etwlogs is Windows-only, so on Linux it is as unknown as a plugin.
 */
const LOG_DRIVERS: Readonly<Record<string, LogDriverSpec>> = {
  'json-file': {options: [...LOG_ATTRS, 'max-file', 'max-size', 'compress'], unknown: unknownLogOpt('json-file')},
  // local/local.go LogOptKeys: the metadata options arrived in docker-v29.5.0.
  local: {
    options: ['max-file', 'max-size', 'compress', ...LOG_ATTRS.map((name) => ({name, since: '29.5.0'}))],
    unknown: (opt) => `unknown log opt '${opt}' for log driver local`,
  },
  journald: {options: LOG_ATTRS, unknown: unknownLogOpt('journald')},
  syslog: {
    options: [...LOG_ATTRS, 'syslog-address', 'syslog-facility', 'syslog-tls-ca-cert', 'syslog-tls-cert', 'syslog-tls-key', 'syslog-tls-skip-verify', 'syslog-format'],
    unknown: unknownLogOpt('syslog'),
  },
  gelf: {
    options: [...LOG_ATTRS, 'gelf-address', 'gelf-compression-level', 'gelf-compression-type', 'gelf-tcp-max-reconnect', 'gelf-tcp-reconnect-delay'],
    unknown: (opt) => `unknown log opt "${opt}" for gelf log driver`,
  },
  fluentd: {
    options: [
      ...LOG_ATTRS,
      'fluentd-address',
      'fluentd-async',
      {name: 'fluentd-async-connect', until: '28.0.0'},
      {name: 'fluentd-async-reconnect-interval', since: '23.0.0'},
      'fluentd-buffer-limit',
      'fluentd-max-retries',
      'fluentd-request-ack',
      'fluentd-retry-wait',
      'fluentd-sub-second-precision',
      {name: 'fluentd-write-timeout', since: '28.2.0'},
      {name: 'fluentd-read-timeout', since: '29.0.0'},
    ],
    unknown: unknownLogOpt('fluentd'),
  },
  // No env/labels: awslogs only takes "tag" of the metadata options.
  awslogs: {
    options: [
      'tag',
      'awslogs-group',
      'awslogs-stream',
      'awslogs-create-group',
      // The constant exists from 23.0, but ValidateLogOpt only lets it through from docker-v29.0.0.
      {name: 'awslogs-create-stream', since: '29.0.0'},
      'awslogs-region',
      'awslogs-endpoint',
      'awslogs-datetime-format',
      'awslogs-multiline-pattern',
      'awslogs-credentials-endpoint',
      'awslogs-force-flush-interval-seconds',
      'awslogs-max-buffered-events',
      {name: 'awslogs-format', since: '23.0.0'},
    ],
    unknown: unknownLogOpt('awslogs'),
  },
  splunk: {
    options: [
      ...LOG_ATTRS,
      'splunk-url',
      'splunk-token',
      'splunk-source',
      'splunk-sourcetype',
      'splunk-index',
      'splunk-capath',
      'splunk-caname',
      'splunk-insecureskipverify',
      'splunk-format',
      'splunk-verify-connection',
      'splunk-gzip',
      'splunk-gzip-level',
      'splunk-index-acknowledgment',
    ],
    unknown: unknownLogOpt('splunk'),
  },
  // No "tag" (a TODO in gcplogging.go).
  gcplogs: {
    options: ['env', 'env-regex', 'labels', 'labels-regex', 'gcp-project', 'gcp-log-cmd', 'gcp-meta-zone', 'gcp-meta-name', 'gcp-meta-id'],
    unknown: (opt) => `"${opt}" is not a valid option for the gcplogs driver`,
  },
  logentries: {removed: '25.0.0', unknown: unknownLogOpt('logentries')},
}

/**
 * Options logger.ValidateLogOpts (daemon/logger/factory.go builtInLogOpts, extended by
 * loggerutils/cache with "cache-" + local's LogOptKeys) handles itself for every driver.
 */
function globalLogOpts(version: string): string[] {
  const local = ['max-file', 'max-size', 'compress', ...(versionAtLeast(version, '29.5.0') ? LOG_ATTRS : [])]
  return ['mode', 'max-buffer-size', 'cache-disabled', ...local.map((o) => `cache-${o}`)]
}

/** The members of nri-opts (daemon/pkg/opts/nri_opts.go NRIOpts), decoded with DisallowUnknownFields. */
const NRI_FIELDS: Readonly<Record<string, 'boolean' | 'string'>> = {
  enable: 'boolean',
  'plugin-path': 'string',
  'plugin-config-path': 'string',
  'socket-path': 'string',
}

/** config.DefaultPluginNamespace: the file cannot change it (containerd-plugin-namespace is refused). */
const PLUGINS_NAMESPACE = 'plugins.moby'

/**
 * Checks decoded daemon.json against everything dockerd `version` would refuse or silently
 * ignore, at config load or only at start (dockerd-options.md sections 1-2). Syntax findings are
 * the parser's job and are not repeated; an undecodable file yields only the version notice.
 */
export function validateDaemonConfig(parsed: ParsedDaemonJson, options: ValidateOptions = {}): Finding[] {
  const v = new Validation(parsed, options.dockerdVersion)
  v.run()
  return v.findings
}

class Validation {
  readonly findings: Finding[] = []
  readonly version: string
  /** Keys that passed their type check, for the cross-key rules. */
  private readonly typed = new Map<string, Entry>()
  /** Unknown keys looked up for a "did you mean". */
  private suggestions = 0

  constructor(
    private readonly parsed: ParsedDaemonJson,
    requested: string | undefined,
  ) {
    const normal = requested === undefined ? undefined : normalizeVersion(requested)
    this.version = normal ?? NEWEST_KNOWN_VERSION
    if (requested === undefined) {
      this.report({
        code: 'version-assumed',
        severity: 'info',
        message: `no dockerd version given: validated for dockerd ${NEWEST_KNOWN_VERSION}, the newest known`,
        hint: 'pass the installed version to get version-specific results',
      })
    } else if (normal === undefined) {
      this.report({
        code: 'version-assumed',
        severity: 'warning',
        message: `"${requested}" is not a dockerd version: validated for dockerd ${NEWEST_KNOWN_VERSION}, the newest known`,
      })
    }
  }

  run(): void {
    const tree = this.parsed.tree
    if (!this.parsed.decodable || tree === undefined || tree.type !== 'object') return
    for (const entry of entriesOf(tree)) this.checkTopLevel(entry)
    this.crossKeyRules()
    this.findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
  }

  // ---- plumbing ---------------------------------------------------------------------------

  private report(r: Report): void {
    const finding: Finding = {code: r.code, severity: r.severity, message: r.message, file: this.parsed.file}
    if (r.key !== undefined) finding.key = r.key
    if (r.node !== undefined) Object.assign(finding, this.position(r.node))
    if (r.checkedAt !== undefined) finding.checkedAt = r.checkedAt
    if (r.hint !== undefined) finding.hint = r.hint
    this.findings.push(finding)
  }

  private position(node: Node): {line: number; column: number} {
    return this.parsed.position(node.offset)
  }

  private atLeast(minimum: string): boolean {
    return versionAtLeast(this.version, minimum)
  }

  private dockerd(): string {
    return `dockerd ${this.version}`
  }

  // ---- key-level checks ---------------------------------------------------------------------

  private checkTopLevel(entry: Entry): void {
    const {key, valueNode} = entry
    const spec = findOption(key)
    if (spec !== undefined && optionStatus(spec, this.version) === 'not-yet') {
      this.notYet(entry, spec)
      return
    }
    if (valueNode.type === 'object' && !isFlat(key, this.version)) {
      this.checkFlattenedObject(entry, spec)
      return
    }
    this.checkKey(entry, spec, undefined)
  }

  /** dockerd replaces a non-flat object by its children before checking keys (section 2.1). */
  private checkFlattenedObject(entry: Entry, spec: OptionSpec | undefined): void {
    const {key, keyNode, valueNode} = entry
    if (spec !== undefined && spec.kind !== 'object') {
      const children = childKeys(valueNode)
      this.report({
        code: 'wrong-type',
        severity: 'error',
        key,
        node: valueNode,
        message: `"${key}" must be ${describeKind(spec)}, not an object${children.length ? `; dockerd flattens the object and refuses its members as unknown directives (${children.join(', ')})` : ''}`,
        checkedAt: 'config',
        hint: kindHint(spec),
      })
      return
    }
    if (spec === undefined) {
      const ignored = ignoredFlagNameKey(key, this.version)
      const caseMatch = caseInsensitiveMatch(key, this.version)
      this.report({
        code: 'unknown-object-ignored',
        severity: 'warning',
        key,
        node: keyNode,
        message: `"${key}" is not a daemon.json key, but because its value is an object dockerd never reports it: it checks the members as top-level keys and drops the rest silently`,
        hint:
          ignored?.meant !== undefined
            ? `did you mean "${ignored.meant}"?`
            : caseMatch !== undefined
              ? `keys are case-sensitive: did you mean "${caseMatch}"?`
              : 'move the members to the top level or delete the key',
      })
    }
    // proxies (or an unknown wrapper): each member is checked as if it were a top-level key.
    for (const child of entriesOf(valueNode)) {
      this.checkKey({...child, key: child.key}, findOption(child.key), spec === undefined ? key : spec.key)
    }
  }

  /**
   * The unknown-key rule, the accepted-but-ignored traps and the version life cycle for one
   * flattened key; then the type and value checks. `parent` is set for members of a flattened object.
   */
  private checkKey(entry: Entry, spec: OptionSpec | undefined, parent: string | undefined): void {
    const {key, keyNode} = entry
    const shown = parent === undefined ? key : `${parent}.${key}`
    if (!isKnownKey(key, this.version)) {
      this.unknownKey(entry, spec, shown)
      return
    }
    if (parent === 'proxies' && ['http-proxy', 'https-proxy', 'no-proxy'].includes(key)) {
      this.checkProxyMember(entry, shown)
      return
    }
    const ignored = ignoredFlagNameKey(key, this.version)
    if (ignored !== undefined) {
      this.report({
        code: 'ignored-key',
        severity: 'warning',
        key: shown,
        node: keyNode,
        message: `"${key}" is accepted by dockerd but silently ignored: ${ignored.note}`,
        hint: ignored.meant === undefined ? 'delete the key' : `use "${ignored.meant}" instead`,
      })
      return
    }
    if (spec === undefined) return
    if (parent !== undefined) {
      // A real key inside an unknown wrapper: present for the conflict check, never applied.
      this.report({
        code: 'nested-key-ignored',
        severity: 'warning',
        key: shown,
        node: keyNode,
        message: `"${key}" inside "${parent}" counts as set for dockerd's flag/file conflict check but is never applied`,
        hint: `move "${key}" to the top level`,
      })
      return
    }
    if (!this.lifeCycle(entry, spec)) return
    if (entry.valueNode.type === 'null') {
      this.report({
        code: 'null-value',
        severity: 'warning',
        key,
        node: entry.valueNode,
        message: `"${key}": null is accepted and ignored by dockerd (the default applies), but still counts as set for the flag/file conflict check`,
        hint: 'delete the key instead',
      })
      return
    }
    if (!this.checkType(entry, spec)) return
    this.typed.set(key, entry)
  }

  private unknownKey(entry: Entry, spec: OptionSpec | undefined, shown: string): void {
    const {key, keyNode} = entry
    const rejected = rejectedStructKey(key)
    if (rejected !== undefined) {
      this.report({
        code: 'rejected-key',
        severity: 'error',
        key: shown,
        node: keyNode,
        message: `"${key}" looks like a daemon.json key (dockerd has a field for it) but every dockerd version refuses it: "the following directives don't match any configuration option: ${key}"`,
        checkedAt: 'config',
        hint: rejected.hint,
      })
      return
    }
    if (spec !== undefined) {
      const status = optionStatus(spec, this.version)
      if (status === 'removed') {
        this.report({
          code: 'key-removed',
          severity: 'error',
          key: shown,
          node: keyNode,
          message: `"${key}" was removed (${spec.removed ?? spec.ignoredSince}); ${this.dockerd()} refuses it as an unknown directive`,
          checkedAt: 'config',
          hint: spec.replacement === undefined ? 'delete the key' : `use ${spec.replacement}`,
        })
        return
      }
      if (spec.kind === 'object') {
        this.report({
          code: 'wrong-type',
          severity: 'error',
          key: shown,
          node: entry.valueNode,
          message: `"${key}" must be an object; as ${describeJson(entry.valueNode)} dockerd refuses it as an unknown directive`,
          checkedAt: 'config',
        })
        return
      }
    }
    const caseMatch = caseInsensitiveMatch(key, this.version)
    if (caseMatch !== undefined) {
      this.report({
        code: 'key-case',
        severity: 'error',
        key: shown,
        node: keyNode,
        message: `"${key}" is not a daemon.json key: keys are case-sensitive and ${this.dockerd()} refuses it as an unknown directive`,
        checkedAt: 'config',
        hint: `write "${caseMatch}"`,
      })
      return
    }
    // Only the first MAX_FINDINGS_PER_KIND unknown keys are listed (capFindings), so only they get a
    // suggestion: a file of 16,000 unknown keys would otherwise spend seconds on hints nobody sees.
    const suggestion = this.suggestions++ < MAX_FINDINGS_PER_KIND ? closestKey(key, this.version) : undefined
    this.report({
      code: 'unknown-key',
      severity: 'error',
      key: shown,
      node: keyNode,
      message: `"${key}" is not a daemon.json key: ${this.dockerd()} refuses the file ("the following directives don't match any configuration option: ${key}")`,
      checkedAt: 'config',
      hint: suggestion === undefined ? 'delete the key (see `dockcfg keys`)' : `did you mean "${suggestion}"?`,
    })
  }

  private notYet(entry: Entry, spec: OptionSpec): void {
    this.report({
      code: 'key-not-yet',
      severity: 'error',
      key: entry.key,
      node: entry.keyNode,
      message: `"${entry.key}" was added in dockerd ${spec.added}; ${this.dockerd()} does not know it and refuses the file as an unknown directive`,
      checkedAt: 'config',
      hint: 'upgrade dockerd or delete the key',
    })
  }

  /** Deprecation and removal of a key dockerd still recognises; false when nothing more is worth checking. */
  private lifeCycle(entry: Entry, spec: OptionSpec): boolean {
    const {key, keyNode} = entry
    const status = optionStatus(spec, this.version)
    const replacement = spec.replacement === undefined ? '' : `; use ${spec.replacement}`
    if (status === 'removed') {
      if (spec.ignoredSince !== undefined && this.atLeast(spec.ignoredSince)) {
        this.report({
          code: 'key-ignored',
          severity: 'warning',
          key,
          node: keyNode,
          message: `"${key}" no longer does anything since dockerd ${spec.ignoredSince}: it is accepted and silently ignored`,
          hint: 'delete the key',
        })
        return false
      }
      if (key === 'oom-score-adjust' && entry.value === 0) {
        this.report({
          code: 'key-deprecated',
          severity: 'warning',
          key,
          node: keyNode,
          message: `"oom-score-adjust" is deprecated; ${this.dockerd()} still accepts 0 but refuses any other value, and 26.0 refuses the key`,
          hint: 'delete the key; set OOMScoreAdjust= in the service unit instead',
        })
        return false
      }
      this.report({
        code: 'key-removed',
        severity: 'error',
        key,
        node: keyNode,
        message: `"${key}" was removed in dockerd ${spec.removed}: ${this.dockerd()} refuses to start with it${replacement}`,
        checkedAt: 'config',
        hint: spec.replacement === undefined ? 'delete the key' : `use ${spec.replacement}`,
      })
      return false
    }
    if (status === 'deprecated') {
      const ignoredNow = key === 'api-cors-header' && this.atLeast('27.0.0')
      this.report({
        code: 'key-deprecated',
        severity: 'warning',
        key,
        node: keyNode,
        message: ignoredNow
          ? `"api-cors-header" is deprecated and ignored by ${this.dockerd()} unless DOCKERD_DEPRECATED_CORS_HEADER is set; 28.0 refuses it`
          : `"${key}" is deprecated since dockerd ${spec.deprecated}${spec.removed === undefined ? '' : ` and refused from ${spec.removed}`}${replacement}`,
        hint: spec.replacement === undefined ? 'delete the key' : `use ${spec.replacement}`,
      })
    }
    return true
  }

  // ---- JSON types -------------------------------------------------------------------------

  /** dockerd decodes with Go's encoding/json into typed fields: a wrong JSON type fails the whole file. */
  private checkType(entry: Entry, spec: OptionSpec): boolean {
    const {key, valueNode} = entry
    const wrong = (node: Node, what: string, extra = '') => {
      this.report({
        code: 'wrong-type',
        severity: 'error',
        key,
        node,
        message: `${what} must be ${extra || describeKind(spec)}, not ${describeJson(node)}: ${this.dockerd()} cannot decode the file`,
        checkedAt: 'config',
        hint: kindHint(spec),
      })
      return false
    }
    const label = `"${key}"`
    switch (spec.kind) {
      case 'string':
        return valueNode.type === 'string' || wrong(valueNode, label)
      case 'boolean':
      case 'nullable-boolean':
        return valueNode.type === 'boolean' || wrong(valueNode, label)
      case 'integer':
        return isIntegerNode(valueNode, this.parsed.text) || wrong(valueNode, label)
      case 'string-list': {
        if (valueNode.type !== 'array') return wrong(valueNode, label)
        let ok = true
        for (const item of valueNode.children ?? []) {
          if (item.type !== 'string' && item.type !== 'null') ok = wrong(item, `every entry of ${label}`, 'a string')
        }
        return ok
      }
      case 'string-map':
      case 'bool-map': {
        if (valueNode.type !== 'object') return wrong(valueNode, label)
        const want = spec.kind === 'string-map' ? 'string' : 'boolean'
        let ok = true
        for (const member of entriesOf(valueNode)) {
          if (member.valueNode.type !== want && member.valueNode.type !== 'null') {
            ok = wrong(member.valueNode, `"${key}.${member.key}"`, want === 'string' ? 'a string (write "10" rather than 10)' : 'true or false')
          }
        }
        return ok
      }
      case 'nested-map': {
        if (valueNode.type !== 'object') return wrong(valueNode, label)
        let ok = true
        for (const driver of entriesOf(valueNode)) {
          if (driver.valueNode.type !== 'object') {
            ok = wrong(driver.valueNode, `"${key}.${driver.key}"`, 'an object of string options')
            continue
          }
          for (const opt of entriesOf(driver.valueNode)) {
            if (opt.valueNode.type !== 'string') ok = wrong(opt.valueNode, `"${key}.${driver.key}.${opt.key}"`, 'a string')
          }
        }
        return ok
      }
      case 'address-pools':
        return this.typeAddressPools(entry, wrong)
      case 'ulimits':
        return this.typeUlimits(entry, wrong)
      case 'runtimes':
        return this.typeRuntimes(entry, wrong)
      case 'object':
        return valueNode.type === 'object' || wrong(valueNode, label)
    }
  }

  private typeAddressPools(entry: Entry, wrong: (node: Node, what: string, extra?: string) => boolean): boolean {
    const {key, valueNode} = entry
    if (valueNode.type !== 'array') return wrong(valueNode, `"${key}"`, 'an array of {"base": "CIDR", "size": N} objects')
    let ok = true
    for (const [i, pool] of (valueNode.children ?? []).entries()) {
      if (pool.type !== 'object') {
        ok = wrong(pool, `entry ${i} of "${key}"`, 'an object {"base": "CIDR", "size": N}')
        continue
      }
      for (const field of entriesOf(pool)) {
        const name = field.key.toLowerCase()
        if (name === 'base' && field.valueNode.type !== 'string') ok = wrong(field.valueNode, `"base" of pool ${i}`, 'a CIDR string')
        else if (name === 'size' && !isIntegerNode(field.valueNode, this.parsed.text)) ok = wrong(field.valueNode, `"size" of pool ${i}`, 'an integer prefix length')
        else if (name !== 'base' && name !== 'size') {
          this.report({
            code: 'address-pool-unknown-field',
            severity: 'warning',
            key,
            node: field.keyNode,
            message: `"${field.key}" in pool ${i} is not a pool field; dockerd ignores it (a pool has only "base" and "size")`,
            hint: 'delete it',
          })
        }
      }
    }
    return ok
  }

  private typeUlimits(entry: Entry, wrong: (node: Node, what: string, extra?: string) => boolean): boolean {
    const {key, valueNode} = entry
    if (valueNode.type !== 'object') return wrong(valueNode, `"${key}"`, 'an object {name: {"Name", "Soft", "Hard"}}')
    let ok = true
    for (const limit of entriesOf(valueNode)) {
      if (limit.valueNode.type !== 'object') {
        ok = wrong(limit.valueNode, `"${key}.${limit.key}"`, 'an object {"Name", "Soft", "Hard"}')
        continue
      }
      for (const field of entriesOf(limit.valueNode)) {
        // Go matches struct field names case-insensitively.
        const name = field.key.toLowerCase()
        if (name === 'name' && field.valueNode.type !== 'string') ok = wrong(field.valueNode, `"${key}.${limit.key}.Name"`, 'a string')
        else if ((name === 'soft' || name === 'hard') && !isIntegerNode(field.valueNode, this.parsed.text))
          ok = wrong(field.valueNode, `"${key}.${limit.key}.${field.key}"`, 'an integer')
      }
    }
    return ok
  }

  private typeRuntimes(entry: Entry, wrong: (node: Node, what: string, extra?: string) => boolean): boolean {
    const {key, valueNode} = entry
    if (valueNode.type !== 'object') return wrong(valueNode, `"${key}"`, 'an object {name: {"path": ..., "runtimeArgs": [...]}}')
    let ok = true
    for (const runtime of entriesOf(valueNode)) {
      if (runtime.valueNode.type !== 'object') {
        ok = wrong(runtime.valueNode, `runtime "${runtime.key}"`, 'an object such as {"path": "/usr/bin/crun"}')
        continue
      }
      for (const field of entriesOf(runtime.valueNode)) {
        const name = field.key.toLowerCase()
        if ((name === 'path' || name === 'runtimetype') && field.valueNode.type !== 'string') ok = wrong(field.valueNode, `"${field.key}" of runtime "${runtime.key}"`, 'a string')
        else if (name === 'runtimeargs' && (field.valueNode.type !== 'array' || (field.valueNode.children ?? []).some((c) => c.type !== 'string'))) {
          ok = wrong(field.valueNode, `"runtimeArgs" of runtime "${runtime.key}"`, 'an array of strings')
        } else if (name === 'options' && field.valueNode.type !== 'object') ok = wrong(field.valueNode, `"options" of runtime "${runtime.key}"`, 'an object')
      }
    }
    return ok
  }

  private checkProxyMember(entry: Entry, shown: string): void {
    if (entry.valueNode.type !== 'string') {
      this.report({
        code: 'wrong-type',
        severity: 'error',
        key: shown,
        node: entry.valueNode,
        message: `"${shown}" must be a string, not ${describeJson(entry.valueNode)}: ${this.dockerd()} cannot decode the file`,
        checkedAt: 'config',
      })
    }
  }

  // ---- value rules --------------------------------------------------------------------------

  private get(key: string): Entry | undefined {
    return this.typed.get(key)
  }

  private str(key: string): string | undefined {
    const value = this.typed.get(key)?.value
    return typeof value === 'string' ? value : undefined
  }

  private bool(key: string): boolean | undefined {
    const value = this.typed.get(key)?.value
    return typeof value === 'boolean' ? value : undefined
  }

  private num(key: string): number | undefined {
    const value = this.typed.get(key)?.value
    return typeof value === 'number' ? value : undefined
  }

  /**
   * The entries of a list key with the node of each, as dockerd decodes them: a null entry is ""
   * (Go leaves a []string element at its zero value), so `"labels": [null]` meets the label rule.
   */
  private listItems(key: string): Array<{text: string; node: Node}> {
    const entry = this.typed.get(key)
    if (entry === undefined) return []
    return (entry.valueNode.children ?? []).filter((n) => n.type === 'string' || n.type === 'null').map((n) => ({text: n.type === 'string' ? String(n.value) : '', node: n}))
  }

  private crossKeyRules(): void {
    // First: mtuRule asks the registry whether the value is in range, zeroValueRule whether an error was reported.
    this.registryValueRules()
    this.bridgeRules()
    this.bridgeV6Rules()
    this.mtuRule()
    this.dnsRules()
    this.addressPoolRules()
    this.labelRules()
    this.registryRules()
    this.logOptsRules()
    this.hostRules()
    this.firewallRules()
    this.execOptsRules()
    this.runtimeRules()
    this.cgroupParentRule()
    this.containerdNamespaceRule()
    this.nriOptsRules()
    this.miscRules()
    this.zeroValueRule()
  }

  /**
   * The registry's value rules for every key: closed value sets and retired values of string keys
   * (OptionSpec.values), bounds of integer keys (OptionSpec.range). Code, severity, message and hint
   * come from the row's refusal.
   */
  private registryValueRules(): void {
    for (const [key, entry] of this.typed) {
      const spec = findOption(key)
      if (spec === undefined) continue
      const verdict = valueVerdict(spec, entry.value, this.version)
      if (verdict === undefined) continue
      const {refusal, hint, retired, range} = verdict
      const fields: Record<string, string | undefined> = {
        key: `"${key}"`,
        value: typeof entry.value === 'string' ? JSON.stringify(entry.value) : String(entry.value),
        raw: String(entry.value),
        dockerd: this.dockerd(),
        removed: retired?.removed,
        min: range?.min === undefined ? undefined : String(range.min),
        max: range?.max === undefined ? undefined : String(range.max),
      }
      this.report({
        code: refusal.code,
        severity: refusal.severity ?? 'error',
        key,
        node: entry.valueNode,
        message: fillTemplate(refusal.message, fields),
        checkedAt: refusal.checkedAt,
        hint: hint === undefined ? undefined : fillTemplate(hint, fields),
      })
    }
  }

  private bridgeRules(): void {
    const bipEntry = this.get('bip')
    const bridge = this.str('bridge')
    let bip: Cidr | undefined
    if (bipEntry !== undefined) {
      const text = String(bipEntry.value)
      bip = parseCidr(text)
      const prefix = this.atLeast('28.0.0') ? 'parse bip failed: ' : 'Error initializing network controller: '
      if (bip === undefined || bip.family !== 4) {
        bip = undefined
        const bare = parseIp(text) !== undefined
        this.report({
          code: 'bip-invalid',
          severity: 'error',
          key: 'bip',
          node: bipEntry.valueNode,
          message: `"bip" ${JSON.stringify(text)} is not an IPv4 address/prefix: dockerd fails at start (${prefix}invalid CIDR address: ${text})`,
          checkedAt: 'start',
          hint: bare ? `add the prefix length, e.g. "${text}/24"` : 'write the bridge address with its prefix, e.g. "192.168.200.1/24"',
        })
      } else if (bip.prefix < 31 && (bip.address === networkAddress(bip) || bip.address === lastAddress(bip))) {
        const which = bip.address === networkAddress(bip) ? 'network' : 'broadcast'
        this.report({
          code: 'bip-not-host-address',
          severity: 'error',
          key: 'bip',
          node: bipEntry.valueNode,
          message: `"bip" ${text} uses the subnet's ${which} address; bip is the bridge's own address and must be a usable host address, so the default bridge cannot be set up at start`,
          checkedAt: 'start',
          hint: `use e.g. "${formatIp({family: 4, value: networkAddress(bip) + 1n})}/${bip.prefix}"`,
        })
      }
      if (bridge !== undefined && bridge !== '') {
        this.report({
          code: 'bip-with-bridge',
          severity: 'error',
          key: 'bip',
          node: bipEntry.keyNode,
          message: `"bip" and "bridge" cannot be combined: dockerd fails at start ("You specified -b & --bip, mutually exclusive options. Please specify only one")`,
          checkedAt: 'start',
          hint: 'give the user-managed bridge its address yourself and drop "bip", or drop "bridge"',
        })
      }
    }

    const fixedEntry = this.get('fixed-cidr')
    if (fixedEntry !== undefined) {
      const text = String(fixedEntry.value)
      const fixed = parseCidr(text)
      if (fixed === undefined || fixed.family !== 4) {
        this.report({
          code: 'fixed-cidr-invalid',
          severity: 'error',
          key: 'fixed-cidr',
          node: fixedEntry.valueNode,
          message: `"fixed-cidr" ${JSON.stringify(text)} is not an IPv4 subnet: dockerd fails at start (parse fixed-cidr failed)`,
          checkedAt: 'start',
          hint: 'write a subnet inside the bridge network, e.g. "192.168.200.128/25"',
        })
      } else if (bip !== undefined && !containsCidr(bip, fixed)) {
        const bigger = overlaps(bip, fixed)
        this.report({
          code: 'fixed-cidr-outside-bip',
          severity: bigger ? 'warning' : 'error',
          key: 'fixed-cidr',
          node: fixedEntry.valueNode,
          message: bigger
            ? `"fixed-cidr" ${text} is larger than the bridge subnet ${formatCidr(bip)}: dockerd allocates from the whole bridge subnet instead`
            : `"fixed-cidr" ${text} is not inside the bridge subnet ${formatCidr(bip)} given by "bip": the default bridge cannot be set up at start`,
          checkedAt: 'start',
          hint: `choose a range inside ${formatCidr(bip)}`,
        })
      }
    }

    const gwEntry = this.get('default-gateway')
    if (gwEntry !== undefined) {
      const text = String(gwEntry.value)
      const gw = parseIp(text)
      if (gw === undefined || gw.family !== 4) {
        this.report({
          code: 'default-gateway-invalid',
          severity: 'error',
          key: 'default-gateway',
          node: gwEntry.valueNode,
          message: `"default-gateway" ${JSON.stringify(text)} is not an IPv4 address: dockerd cannot decode the file`,
          checkedAt: 'config',
        })
      } else if (bip !== undefined && !containsAddress(bip, gw)) {
        this.report({
          code: 'default-gateway-outside-subnet',
          severity: 'error',
          key: 'default-gateway',
          node: gwEntry.valueNode,
          message: `"default-gateway" ${text} is outside the bridge subnet ${formatCidr(bip)}: dockerd fails at start ("default gateway ip must be part of the network")`,
          checkedAt: 'start',
        })
      }
    }
  }

  private bridgeV6Rules(): void {
    const bridge = this.str('bridge')
    const bip6Entry = this.get('bip6')
    let bip6: Cidr | undefined
    if (bip6Entry !== undefined) {
      const text = String(bip6Entry.value)
      bip6 = parseCidr(text)
      const problem = bip6 === undefined ? 'is not an IPv6 address/prefix' : ipv6SubnetProblem(bip6)
      if (problem !== undefined) {
        bip6 = undefined
        this.report({
          code: 'bip6-invalid',
          severity: 'error',
          key: 'bip6',
          node: bip6Entry.valueNode,
          message: `"bip6" ${JSON.stringify(text)} ${problem}: dockerd fails at start (parse bip6 failed)`,
          checkedAt: 'start',
          hint: 'write the bridge address with its prefix, e.g. "fd00:1::1/64"',
        })
      } else if (bip6 !== undefined && bip6.address === networkAddress(bip6)) {
        this.report({
          code: 'bip-not-host-address',
          severity: 'error',
          key: 'bip6',
          node: bip6Entry.valueNode,
          message: `"bip6" ${text} is the subnet-router anycast address; bip6 is the bridge's own address and must be a host address`,
          checkedAt: 'start',
          hint: `use e.g. "${formatIp({family: 6, value: networkAddress(bip6) + 1n})}/${bip6.prefix}"`,
        })
      }
      if (bridge !== undefined && bridge !== '') {
        this.report({
          code: 'bip-with-bridge',
          severity: 'error',
          key: 'bip6',
          node: bip6Entry.keyNode,
          message: '"bip6" and "bridge" cannot be combined: dockerd fails at start ("You specified -b & --bip6, mutually exclusive options")',
          checkedAt: 'start',
        })
      }
    }

    const fixedEntry = this.get('fixed-cidr-v6')
    let fixed6: Cidr | undefined
    if (fixedEntry !== undefined) {
      const text = String(fixedEntry.value)
      fixed6 = parseCidr(text)
      const config = this.atLeast('25.0.0')
      const problem = fixed6 === undefined ? 'is not an IPv6 subnet' : ipv6SubnetProblem(fixed6)
      if (problem !== undefined) {
        const unparsable = fixed6 === undefined || fixed6.family !== 6
        fixed6 = undefined
        this.report({
          code: 'fixed-cidr-v6-invalid',
          severity: config || unparsable ? 'error' : 'warning',
          key: 'fixed-cidr-v6',
          node: fixedEntry.valueNode,
          message: config
            ? `"fixed-cidr-v6" ${JSON.stringify(text)} ${problem}: ${this.dockerd()} refuses the configuration ("invalid fixed-cidr-v6: …")`
            : unparsable
              ? `"fixed-cidr-v6" ${JSON.stringify(text)} ${problem}: dockerd fails at start`
              : `"fixed-cidr-v6" ${JSON.stringify(text)} ${problem}; ${this.dockerd()} accepts it, dockerd 25.0 and later refuse it`,
          checkedAt: config ? 'config' : 'start',
          hint: 'use a unicast prefix such as a ULA (fdxx:…::/64)',
        })
      } else if (fixed6 !== undefined && bip6 !== undefined && !overlaps(bip6, fixed6)) {
        this.report({
          code: 'fixed-cidr-outside-bip',
          severity: 'error',
          key: 'fixed-cidr-v6',
          node: fixedEntry.valueNode,
          message: `"fixed-cidr-v6" ${text} is not inside the bridge subnet ${formatCidr(bip6)} given by "bip6"`,
          checkedAt: 'start',
        })
      }
    }

    const ipv6 = this.bool('ipv6')
    const ipv6Entry = this.get('ipv6')
    if (ipv6 === true && ipv6Entry !== undefined && fixedEntry === undefined && !this.atLeast('28.0.0')) {
      this.report({
        code: 'ipv6-needs-fixed-cidr-v6',
        severity: 'error',
        key: 'ipv6',
        node: ipv6Entry.keyNode,
        message: `"ipv6": true needs "fixed-cidr-v6" before dockerd 28.0: ${this.dockerd()} fails at start ("IPv6 is enabled for the default bridge, but no subnet is configured")`,
        checkedAt: 'start',
        hint: 'add "fixed-cidr-v6", e.g. "fd00:dead:beef::/64"',
      })
    }

    const gwEntry = this.get('default-gateway-v6')
    if (gwEntry !== undefined) {
      const text = String(gwEntry.value)
      const gw = parseIp(text)
      const subnet = bip6 ?? fixed6
      if (gw === undefined || gw.family !== 6) {
        this.report({
          code: 'default-gateway-invalid',
          severity: 'error',
          key: 'default-gateway-v6',
          node: gwEntry.valueNode,
          message: `"default-gateway-v6" ${JSON.stringify(text)} is not an IPv6 address: dockerd cannot decode the file`,
          checkedAt: 'config',
        })
      } else if (subnet !== undefined && !containsAddress(subnet, gw)) {
        this.report({
          code: 'default-gateway-outside-subnet',
          severity: 'error',
          key: 'default-gateway-v6',
          node: gwEntry.valueNode,
          message: `"default-gateway-v6" ${text} is outside the bridge's IPv6 subnet ${formatCidr(subnet)}: dockerd fails at start`,
          checkedAt: 'start',
        })
      }
    }
  }

  /** The bounds themselves are registry rows (OptionSpec.range); this is the IPv6 minimum while ipv6 is on. */
  private mtuRule(): void {
    const entry = this.get('mtu')
    const mtu = this.num('mtu')
    const spec = findOption('mtu')
    if (entry === undefined || mtu === undefined || spec === undefined) return
    if (mtu > 0 && mtu < 1280 && this.bool('ipv6') === true && valueVerdict(spec, mtu, this.version) === undefined) {
      this.report({
        code: 'mtu-out-of-range',
        severity: 'warning',
        key: 'mtu',
        node: entry.valueNode,
        message: `"mtu" ${mtu} is below 1280, the IPv6 minimum, while "ipv6" is on: IPv6 on the default bridge will not work`,
        checkedAt: 'start',
      })
    }
  }

  private dnsRules(): void {
    for (const {text, node} of this.listItems('dns')) {
      if (parseIp(text) !== undefined) continue
      const wording = this.atLeast('29.0.0') ? `ParseAddr(${JSON.stringify(text)}): …` : this.atLeast('25.0.0') ? `invalid IP address: ${text}` : `${text} is not an ip address`
      this.report({
        code: 'dns-invalid',
        severity: 'error',
        key: 'dns',
        node,
        message: `"dns" entry ${JSON.stringify(text)} is not an IP address: ${this.dockerd()} refuses the configuration ("${wording}")`,
        checkedAt: 'config',
        hint: 'list resolver IP addresses, e.g. ["1.1.1.1", "8.8.8.8"]; put domains in "dns-search"',
      })
    }
    for (const {text, node} of this.listItems('dns-search')) {
      if (isValidSearchDomain(text)) continue
      this.report({
        code: 'dns-search-invalid',
        severity: 'error',
        key: 'dns-search',
        node,
        message: `"dns-search" entry ${JSON.stringify(text)} is not a domain: dockerd refuses the configuration ("${text} is not a valid domain")`,
        checkedAt: 'config',
      })
    }
  }

  private addressPoolRules(): void {
    const entry = this.get('default-address-pools')
    if (entry === undefined) return
    const strict = this.atLeast('27.0.0')
    for (const [i, pool] of (entry.valueNode.children ?? []).entries()) {
      const fields = new Map(entriesOf(pool).map((f) => [f.key.toLowerCase(), f]))
      const baseField = fields.get('base')
      const sizeField = fields.get('size')
      if (baseField === undefined) {
        this.report({
          code: 'address-pool-invalid',
          severity: 'error',
          key: 'default-address-pools',
          node: pool,
          message: `pool ${i} has no "base": dockerd fails at start (invalid base pool)`,
          checkedAt: 'start',
        })
        continue
      }
      const baseText = String(baseField.value)
      const base = parseCidr(baseText)
      if (base === undefined) {
        this.report({
          code: 'address-pool-invalid',
          severity: 'error',
          key: 'default-address-pools',
          node: baseField.valueNode,
          message: strict
            ? `pool ${i} "base" ${JSON.stringify(baseText)} is not a CIDR: ${this.dockerd()} cannot decode the file`
            : `pool ${i} "base" ${JSON.stringify(baseText)} is not a CIDR: dockerd fails at start ("invalid base pool")`,
          checkedAt: strict ? 'config' : 'start',
          hint: 'write a subnet such as "10.10.0.0/16"',
        })
        continue
      }
      if (!isCanonical(base)) {
        this.report({
          code: 'address-pool-not-canonical',
          severity: strict ? 'error' : 'warning',
          key: 'default-address-pools',
          node: baseField.valueNode,
          message: strict
            ? `pool ${i} "base" ${baseText} has host bits set: dockerd fails at start ("network at index ${i} (${baseText}) is not in canonical form")`
            : `pool ${i} "base" ${baseText} has host bits set; ${this.dockerd()} accepts it, dockerd 27.0 and later refuse to start`,
          checkedAt: 'start',
          hint: `write "${formatCidr(base)}"`,
        })
      }
      const size = sizeField === undefined ? 0 : Number(sizeField.value)
      const max = base.family === 4 ? 32 : 128
      if (size <= 0 || size < base.prefix || size > max) {
        this.report({
          code: 'address-pool-size',
          severity: 'error',
          key: 'default-address-pools',
          node: sizeField?.valueNode ?? pool,
          message:
            size > max
              ? `pool ${i} "size" ${size} is longer than an IPv${base.family} prefix can be (${max})`
              : size <= 0
                ? `pool ${i} needs a positive "size" (the prefix length of each network): dockerd fails at start ("invalid pools size: ${size}")`
                : `pool ${i} "size" /${size} is shorter than its base /${base.prefix}: dockerd fails at start (each network must fit inside the base)`,
          checkedAt: 'start',
          hint: `use a size between ${base.prefix} and ${base.family === 4 ? 30 : 64}`,
        })
      }
    }
  }

  private labelRules(): void {
    const seen = new Map<string, string>()
    for (const {text, node} of this.listItems('labels')) {
      if (!text.includes('=')) {
        this.report({
          code: 'label-format',
          severity: 'error',
          key: 'labels',
          node,
          message: `label ${JSON.stringify(text)} is not key=value: dockerd refuses the configuration ("bad attribute format: ${text}")`,
          checkedAt: 'config',
          hint: `write "${text}=value"`,
        })
        continue
      }
      const lowered = text.toLowerCase()
      if (['com.docker.', 'io.docker.', 'org.dockerproject.'].some((p) => lowered.startsWith(p))) {
        this.report({
          code: 'label-reserved',
          severity: 'error',
          key: 'labels',
          node,
          message: `label ${text} uses a reserved namespace: dockerd refuses it ("the namespaces com.docker.*, io.docker.*, and org.dockerproject.* are reserved for internal use")`,
          checkedAt: 'config',
          hint: 'use your own reverse-DNS prefix, e.g. com.example.',
        })
        continue
      }
      const name = text.slice(0, text.indexOf('='))
      const earlier = seen.get(name)
      if (earlier !== undefined && earlier !== text) {
        this.report({
          code: 'label-duplicate',
          severity: 'error',
          key: 'labels',
          node,
          message: `label "${name}" is given twice with different values: dockerd refuses the configuration ("conflict labels for ${text} and ${earlier}")`,
          checkedAt: 'config',
          hint: 'keep one of them',
        })
      }
      seen.set(name, text)
    }
  }

  private registryRules(): void {
    const mirrorsChecked: Where = this.atLeast('28.3.0') ? 'config' : 'start'
    for (const {text, node} of this.listItems('registry-mirrors')) {
      const problem = mirrorProblem(text)
      if (problem === undefined) continue
      this.report({
        code: 'mirror-invalid',
        severity: 'error',
        key: 'registry-mirrors',
        node,
        message: `registry mirror ${JSON.stringify(text)}: ${problem}; dockerd refuses it ("invalid mirror: …")${mirrorsChecked === 'start' ? ` when it starts (${this.dockerd()}'s --validate does not check mirrors)` : ''}`,
        checkedAt: mirrorsChecked,
        hint: /^[^:/]+(:\d+)?(\/|$)/.test(text) && !text.includes('://') ? `write "https://${text}"` : 'use an http:// or https:// URL without credentials, query or fragment',
      })
    }
    for (const {text, node} of this.listItems('insecure-registries')) {
      const problem = insecureRegistryProblem(text)
      if (problem === undefined) continue
      this.report({
        code: 'insecure-registry-invalid',
        severity: problem.severity,
        key: 'insecure-registries',
        node,
        message: `insecure registry ${JSON.stringify(text)}: ${problem.message}`,
        checkedAt: 'start',
        hint: 'write host[:port] or a CIDR, e.g. "registry.local:5000" or "10.0.0.0/8"',
      })
    }
  }

  /**
   * Driver options, checked only at start: NewDaemon → defaultLogConfig (daemon/logs.go) runs
   * logger.ValidateLogOpts (daemon/logger/factory.go), then the driver's ValidateLogOpt, when
   * log-opts is not empty, and fails with "failed to set log opts: …". What json-file and local
   * only parse in New() (max-size, max-file, compress) is checked when a container is created:
   * dockerd starts and every container using the default driver fails, so those are warnings.
   */
  private logOptsRules(): void {
    // A log-driver dockerd cannot decode fails the whole file; option checks would only add noise.
    if (this.findings.some((f) => f.key === 'log-driver' && f.severity === 'error')) return
    const driverEntry = this.get('log-driver')
    const named = this.str('log-driver')
    const driver = named === undefined || named === '' ? 'json-file' : named
    const optsEntry = this.get('log-opts')
    const opts = optsEntry === undefined ? [] : entriesOf(optsEntry.valueNode)
    if (driver === 'none') {
      // ValidateLogOpts returns at once for "none": nothing is checked and nothing is used.
      if (optsEntry !== undefined && opts.length > 0) {
        this.report({
          code: 'log-opts-ignored',
          severity: 'info',
          key: 'log-opts',
          node: optsEntry.keyNode,
          message: '"log-opts" has no effect with "log-driver": "none": dockerd neither checks nor uses them',
          hint: 'delete "log-opts"',
        })
      }
      return
    }
    const spec = LOG_DRIVERS[driver]
    const builtIn = spec !== undefined && (spec.removed === undefined || !this.atLeast(spec.removed))
    if (!builtIn && driverEntry !== undefined) {
      const removed = spec?.removed !== undefined ? ` (the built-in "${driver}" driver was removed in dockerd ${spec.removed})` : ''
      const windows = driver === 'etwlogs' ? ' (etwlogs exists only on Windows)' : ''
      this.report({
        code: 'log-driver-unknown',
        severity: 'warning',
        key: 'log-driver',
        node: driverEntry.valueNode,
        message:
          `"log-driver" ${JSON.stringify(driver)} is not a log driver built into ${this.dockerd()}${removed}${windows}, so it must be a logging plugin: ` +
          (opts.length > 0
            ? `unless a plugin of that name is installed, dockerd fails at start ("failed to set log opts: logger: no log driver named '${driver}' is registered")`
            : 'unless a plugin of that name is installed, dockerd starts but creating any container that uses the default driver fails'),
        checkedAt: opts.length > 0 ? 'start' : undefined,
        hint: 'install the plugin (docker plugin install …) first, or use a built-in driver such as "json-file", "local" or "journald"',
      })
    }
    if (optsEntry === undefined || opts.length === 0) return // defaultLogConfig validates a non-empty map only
    const byName = new Map(opts.map((o) => [o.key, o]))
    // A JSON null member decodes to "" in Go's map[string]string.
    const text = (name: string): string => {
      const value = byName.get(name)?.value
      return typeof value === 'string' ? value : ''
    }
    const modern = this.atLeast('23.0.0')
    const fail = (name: string, detail: string, hint?: string) => {
      const opt = byName.get(name)
      this.report({
        code: 'log-opt-invalid',
        severity: 'error',
        key: 'log-opts',
        node: opt?.valueNode ?? optsEntry.keyNode,
        message: `"log-opts" "${name}" ${JSON.stringify(text(name))}: dockerd fails at start ("failed to set log opts: ${detail}")`,
        checkedAt: 'start',
        hint,
      })
    }
    const missing = (name: string, detail: string, hint: string) => {
      this.report({
        code: 'log-opt-missing',
        severity: 'error',
        key: 'log-opts',
        node: optsEntry.keyNode,
        message: `the ${driver} log driver needs "${name}" in "log-opts": dockerd fails at start ("failed to set log opts: ${detail}")`,
        checkedAt: 'start',
        hint,
      })
    }

    // logger.ValidateLogOpts: for every driver, plugins included.
    const mode = text('mode')
    if (byName.has('mode') && !['', 'blocking', 'non-blocking'].includes(mode)) {
      fail('mode', `logger: logging mode not supported: ${mode}`, 'use "blocking" (the default) or "non-blocking"')
    }
    if (byName.has('max-buffer-size')) {
      if (mode !== 'non-blocking') {
        fail('max-buffer-size', "logger: max-buffer-size option is only supported with 'mode=non-blocking'", 'add "mode": "non-blocking", or delete "max-buffer-size"')
      } else if (goSize(text('max-buffer-size'), modern) === undefined) {
        fail('max-buffer-size', 'error parsing option max-buffer-size: invalid size', 'write a size such as "4m"')
      }
    }
    const cacheDisabled = text('cache-disabled')
    if (cacheDisabled !== '' && !isGoBool(cacheDisabled)) fail('cache-disabled', `invalid value for option cache-disabled: ${cacheDisabled}`, 'write "true" or "false"')
    if (!builtIn) return // a plugin validates its own options

    const global = globalLogOpts(this.version)
    const accepted = spec.options?.filter((o) => typeof o === 'string' || this.logOptAvailable(o)).map((o) => (typeof o === 'string' ? o : o.name))
    for (const opt of opts) {
      if (accepted === undefined || global.includes(opt.key) || accepted.includes(opt.key)) continue
      this.report({
        code: 'log-opt-unknown',
        severity: 'error',
        key: 'log-opts',
        node: opt.keyNode,
        message: `"log-opts" "${opt.key}" is not an option of the ${driver} log driver: dockerd fails at start ("failed to set log opts: ${spec.unknown(opt.key)}")`,
        checkedAt: 'start',
        hint: this.logOptHint(driver, opt.key, accepted),
      })
    }

    switch (driver) {
      case 'syslog': {
        // syslog.go ValidateLogOpt: parseAddress, parseFacility, parseLogFormat.
        // v20.10 wants one of the prefixes urlutil.IsTransportURL knows; 23.0+ url.Parse's scheme.
        const address = text('syslog-address')
        const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(address)?.[1]?.toLowerCase() ?? ''
        const schemes = ['unix', 'unixgram', 'udp', 'tcp', 'tcp+tls']
        const bad = modern ? !schemes.includes(scheme) : !schemes.some((s) => address.startsWith(`${s}://`))
        if (address !== '' && bad) {
          fail(
            'syslog-address',
            modern ? `unsupported scheme: '${scheme}'` : `syslog-address should be in form proto://address, got ${address}`,
            'write e.g. "udp://192.0.2.10:514", "tcp+tls://logs.example:6514" or "unix:///dev/log"',
          )
        }
        const facility = text('syslog-facility')
        if (facility !== '' && !SYSLOG_FACILITIES.includes(facility) && !(isGoInt(facility) && Number(facility) >= 0 && Number(facility) <= 23)) {
          fail('syslog-facility', 'invalid syslog facility', 'use a facility name such as "daemon" or "local0", or a number 0-23')
        }
        const format = text('syslog-format')
        if (format !== '' && !['rfc3164', 'rfc5424', 'rfc5424micro'].includes(format)) {
          fail('syslog-format', 'Invalid syslog format', 'use "rfc3164", "rfc5424" or "rfc5424micro", or delete it')
        }
        break
      }
      case 'gelf': {
        // gelf.go ValidateLogOpt: the address is required and decides which other options apply.
        const address = text('gelf-address')
        const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)/.exec(address)
        const scheme = m?.[1]?.toLowerCase()
        const host = (m?.[2] ?? '').replace(/^.*@/, '')
        if (address === '') {
          missing('gelf-address', 'gelf-address is a required parameter', 'add e.g. "gelf-address": "udp://graylog.example:12201"')
          break
        }
        if (scheme !== 'udp' && scheme !== 'tcp') {
          // v20.10 first insists on a urlutil.IsTransportURL prefix.
          const old = !modern && !/^(tcp|tcp\+tls|udp|unix|unixgram):\/\//.test(address)
          fail(
            'gelf-address',
            old ? `gelf-address should be in form proto://address, got ${address}` : 'gelf: endpoint needs to be TCP or UDP',
            'write "udp://host:port" or "tcp://host:port"',
          )
          break
        }
        if (!host.includes(':')) {
          fail('gelf-address', 'gelf: please provide gelf-address as proto://host:port', `add the port, e.g. "${scheme}://${host || 'graylog.example'}:12201"`)
          break
        }
        for (const name of ['gelf-compression-level', 'gelf-compression-type']) {
          if (byName.has(name) && scheme !== 'udp') fail(name, 'compression is only supported on UDP', `delete "${name}" or use a udp:// address`)
        }
        const level = text('gelf-compression-level')
        if (byName.has('gelf-compression-level') && scheme === 'udp' && !(isGoInt(level) && Number(level) >= -1 && Number(level) <= 9)) {
          fail('gelf-compression-level', `unknown value "${level}" for log opt "gelf-compression-level" for gelf log driver`, 'use a level from -1 to 9')
        }
        const type = text('gelf-compression-type')
        if (byName.has('gelf-compression-type') && scheme === 'udp' && !['gzip', 'zlib', 'none'].includes(type)) {
          fail('gelf-compression-type', `unknown value "${type}" for log opt "gelf-compression-type" for gelf log driver`, 'use "gzip", "zlib" or "none"')
        }
        for (const name of ['gelf-tcp-max-reconnect', 'gelf-tcp-reconnect-delay']) {
          if (!byName.has(name)) continue
          if (scheme !== 'tcp') fail(name, `"${name}" is only valid for TCP`, `delete "${name}" or use a tcp:// address`)
          else if (!isGoInt(text(name)) || Number(text(name)) < 0) fail(name, `"${name}" must be a positive integer`, 'write a whole number such as "3"')
        }
        break
      }
      case 'fluentd': {
        // fluentd.go ValidateLogOpt → parseConfig (the address rules changed between releases: not checked).
        const bools = ['fluentd-async', 'fluentd-sub-second-precision', 'fluentd-request-ack', ...(this.atLeast('28.0.0') ? [] : ['fluentd-async-connect'])]
        for (const name of bools) {
          if (text(name) !== '' && !isGoBool(text(name))) fail(name, `strconv.ParseBool: parsing "${text(name)}": invalid syntax`, 'write "true" or "false"')
        }
        const limit = text('fluentd-buffer-limit')
        if (limit !== '' && goSize(limit, modern) === undefined) fail('fluentd-buffer-limit', `invalid size: '${limit}'`, 'write a size such as "8m"')
        const wait = text('fluentd-retry-wait')
        if (wait !== '' && !isGoDuration(wait)) fail('fluentd-retry-wait', `time: invalid duration "${wait}"`, 'write a duration with its unit, e.g. "1s" or "500ms"')
        const retries = text('fluentd-max-retries')
        if (retries !== '' && !/^[0-9]+$/.test(retries)) fail('fluentd-max-retries', `strconv.ParseUint: parsing "${retries}": invalid syntax`, 'write a whole number such as "10"')
        break
      }
      case 'awslogs': {
        // cloudwatchlogs.go ValidateLogOpt.
        if (text('awslogs-group') === '') missing('awslogs-group', "must specify a value for log opt 'awslogs-group'", 'add "awslogs-group": "<log group name>"')
        const bools = ['awslogs-create-group', ...(this.atLeast('29.0.0') ? ['awslogs-create-stream'] : [])]
        for (const name of bools) {
          if (text(name) !== '' && !isGoBool(text(name))) fail(name, `must specify valid value for log opt '${name}'`, 'write "true" or "false"')
        }
        for (const name of ['awslogs-force-flush-interval-seconds', 'awslogs-max-buffered-events']) {
          const value = text(name)
          if (value !== '' && !(isGoInt(value) && Number(value) > 0)) fail(name, `must specify a positive integer for log opt '${name}': ${value}`, 'write a whole number above 0')
        }
        const datetime = byName.has('awslogs-datetime-format')
        const multiline = byName.has('awslogs-multiline-pattern')
        if (datetime && multiline) {
          fail('awslogs-multiline-pattern', "you cannot configure log opt 'awslogs-datetime-format' and 'awslogs-multiline-pattern' at the same time", 'keep only one of them')
        }
        const format = text('awslogs-format')
        if (this.atLeast('23.0.0') && format !== '') {
          if (format !== 'json/emf') fail('awslogs-format', `unsupported log format '${format}'`, 'the only format is "json/emf"')
          else if (datetime || multiline) {
            fail(
              'awslogs-format',
              "you cannot configure log opt 'awslogs-datetime-format' or 'awslogs-multiline-pattern' when log opt 'awslogs-format' is set to 'json/emf'",
              'drop the datetime/multiline option',
            )
          }
        }
        break
      }
      case 'logentries':
        // logentries.go (until 25.0): any option name goes, but the token is required.
        if (text('logentries-token') === '') missing('logentries-token', 'Missing logentries token', 'add "logentries-token"')
        break
      case 'json-file':
      case 'local':
        this.fileLogOptsAtCreate(driver, byName, text, modern)
        break
      default:
        break
    }
  }

  /**
   * json-file and local parse these only in New(), i.e. per container (jsonfilelog.go New;
   * local/config.go newConfig + validateConfig), and stop at the first bad one, as this does.
   */
  private fileLogOptsAtCreate(driver: string, byName: Map<string, Entry>, text: (name: string) => string, modern: boolean): void {
    const warn = (name: string, detail: string, hint: string) => {
      this.report({
        code: 'log-opt-invalid',
        severity: 'warning',
        key: 'log-opts',
        node: byName.get(name)?.valueNode,
        message: `"log-opts" "${name}" ${JSON.stringify(text(name))}: dockerd starts, but creating any container that uses the default ${driver} driver fails ("${detail}")`,
        hint,
      })
    }
    const json = driver === 'json-file'
    if (byName.has('max-size')) {
      const size = goSize(text('max-size'), modern, 1000)
      if (size === undefined) return warn('max-size', `invalid size: '${text('max-size')}'`, 'write a size such as "10m" or "1g"')
      if (json && size <= 0) return warn('max-size', 'max-size must be a positive number', 'write a size such as "10m", or delete it for no limit')
    }
    let files = json ? 1 : 5
    if (byName.has('max-file')) {
      const value = text('max-file')
      if (!isGoInt(value)) return warn('max-file', `strconv.Atoi: parsing "${value}": invalid syntax`, 'write a whole number such as "3"')
      if (json && Number(value) < 1) return warn('max-file', 'max-file cannot be less than 1', 'write a whole number of at least 1')
      if (!json && Number(value) < 0) return warn('max-file', 'max-file must not be negative', 'write a whole number such as "5"')
      files = Number(value)
    }
    let compress = !json // local compresses rotated files unless told not to
    if (byName.has('compress')) {
      const value = text('compress')
      if (!isGoBool(value)) return warn('compress', `strconv.ParseBool: parsing "${value}": invalid syntax`, 'write "true" or "false"')
      compress = GO_TRUE.includes(value)
    }
    if (json && compress && (files === 1 || !byName.has('max-size'))) {
      warn('compress', 'compress cannot be true when max-file is less than 2 or max-size is not set', 'set "max-size" and a "max-file" of 2 or more, or drop "compress"')
    } else if (!json && compress && files <= 1) {
      warn('max-file', 'compression cannot be enabled when max file count is 1', 'raise "max-file" to 2 or more, or add "compress": "false"')
    }
  }

  private logOptAvailable(opt: {since?: string; until?: string}): boolean {
    return (opt.since === undefined || this.atLeast(opt.since)) && (opt.until === undefined || !this.atLeast(opt.until))
  }

  private logOptHint(driver: string, name: string, accepted: readonly string[]): string {
    const gated = LOG_DRIVERS[driver]?.options?.find((o): o is {name: string; since?: string; until?: string} => typeof o !== 'string' && o.name === name)
    if (gated?.since !== undefined && !this.atLeast(gated.since)) return `the ${driver} driver accepts "${name}" from dockerd ${gated.since}; upgrade or delete it`
    if (gated?.until !== undefined && this.atLeast(gated.until)) return `dockerd ${gated.until} dropped "${name}" from the ${driver} driver; delete it`
    const owners = Object.entries(LOG_DRIVERS)
      .filter(([other, s]) => other !== driver && (s.removed === undefined || !this.atLeast(s.removed)))
      .filter(([, s]) => s.options?.some((o) => (typeof o === 'string' ? o === name : o.name === name && this.logOptAvailable(o))) === true)
      .map(([other]) => other)
    if (owners.length > 3) return `most other drivers take "${name}", but the ${driver} driver does not: delete it`
    if (owners.length > 0) return `"${name}" is an option of the ${owners.join('/')} driver${owners.length > 1 ? 's' : ''}: delete it, or change "log-driver"`
    return `the ${driver} driver takes: ${accepted.join(', ')} (plus mode, max-buffer-size and cache-*)`
  }

  private hostRules(): void {
    const tlsEntry = this.get('tls')
    const verifyEntry = this.get('tlsverify')
    const tls = this.bool('tls')
    const tlsverify = this.bool('tlsverify')
    // dockerd: tlsverify present (any value) switches TLS on; tls:true alone also turns verify on.
    const tlsOn = tls === true || verifyEntry !== undefined
    const verifyOn = tlsverify === true || (verifyEntry === undefined && tls === true)
    const explicit = tlsEntry !== undefined || verifyEntry !== undefined
    const hostsChecked: Where = this.atLeast('23.0.0') ? 'config' : 'start'

    for (const {text, node} of this.listItems('hosts')) {
      const parsed = parseDaemonHost(text)
      if (parsed.error !== undefined) {
        this.report({
          code: 'host-invalid',
          severity: 'error',
          key: 'hosts',
          node,
          message: `"hosts" entry ${JSON.stringify(text)}: ${parsed.error}; ${hostsChecked === 'config' ? `${this.dockerd()} refuses the configuration` : `${this.dockerd()} fails at start when it sets up the listeners (--validate cannot catch it)`}`,
          checkedAt: parsed.startOnly === true ? 'start' : hostsChecked,
          hint: 'use unix:///path, tcp://host:port, fd:// or host:port',
        })
        continue
      }
      if (parsed.tcpHost === undefined || verifyOn) continue
      const loopback = isLoopbackHost(parsed.tcpHost)
      const delay = !explicit && !loopback
      this.report({
        code: 'tcp-without-tls',
        severity: 'warning',
        key: 'hosts',
        node,
        message:
          `"hosts" entry ${JSON.stringify(text)} serves the API over TCP without TLS client verification: anyone who can reach it gets root on this host` +
          (delay
            ? '; dockerd also delays its start by 15 s (tls/tlsverify not set explicitly) and announces this will become a hard error'
            : '; dockerd logs a warning and waits 1 s at start'),
        checkedAt: 'start',
        hint: 'set "tlsverify": true with tlscacert/tlscert/tlskey (dockcfg remote enable), or bind to a unix socket',
      })
    }

    const files = ['tlscacert', 'tlscert', 'tlskey'].filter((k) => this.get(k) !== undefined)
    if (tlsOn) {
      if (verifyOn && this.get('tlscacert') === undefined) {
        const at = verifyEntry ?? tlsEntry
        this.report({
          code: 'tls-default-ca',
          severity: 'warning',
          key: 'tlscacert',
          node: at?.keyNode,
          message:
            'TLS client verification is on but "tlscacert" is not set: dockerd falls back to $DOCKER_CERT_PATH or ~/.docker/ca.pem of the user running it, and refuses to start if that file is missing',
          checkedAt: 'config',
          hint: 'set "tlscacert" to the CA that signed your client certificates',
        })
      }
      const missing = ['tlscert', 'tlskey'].filter((k) => this.get(k) === undefined)
      if (missing.length > 0) {
        const at = verifyEntry ?? tlsEntry
        this.report({
          code: 'tls-incomplete',
          severity: 'warning',
          key: missing[0],
          node: at?.keyNode,
          message: `TLS is on but ${missing.map((k) => `"${k}"`).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set: dockerd uses ~/.docker/${missing.map((k) => (k === 'tlscert' ? 'cert.pem' : 'key.pem')).join(' and ~/.docker/')} and refuses the configuration if missing`,
          checkedAt: 'config',
          hint: 'set both "tlscert" and "tlskey"',
        })
      }
    } else if (files.length > 0) {
      const first = this.get(files[0] as string)
      this.report({
        code: 'tls-files-unused',
        severity: 'warning',
        key: files[0],
        node: first?.keyNode,
        message: `${files.map((k) => `"${k}"`).join(', ')} ${files.length > 1 ? 'are' : 'is'} set but TLS is off (no "tls": true or "tlsverify"): the files are not used`,
        hint: 'add "tlsverify": true, or delete the certificate keys',
      })
    }
  }

  private firewallRules(): void {
    const icc = this.bool('icc')
    const iptables = this.bool('iptables')
    const ipv6 = this.bool('ipv6')
    const ip6tables = this.bool('ip6tables')
    const experimental = this.bool('experimental')
    const iccEntry = this.get('icc')
    if (icc === false && iptables === false && iccEntry !== undefined) {
      this.report({
        code: 'icc-needs-iptables',
        severity: 'error',
        key: 'icc',
        node: iccEntry.keyNode,
        message:
          '"icc": false needs iptables, but "iptables" is false: dockerd fails at start ("You specified --iptables=false with --icc=false. ICC=false uses iptables to function.")',
        checkedAt: 'start',
        hint: 'set "iptables": true or drop "icc": false',
      })
    }
    const ip6Entry = this.get('ip6tables')
    if (!this.atLeast('27.0.0')) {
      if (ip6tables === true && experimental !== true && ip6Entry !== undefined) {
        this.report({
          code: 'ip6tables-needs-experimental',
          severity: 'error',
          key: 'ip6tables',
          node: ip6Entry.keyNode,
          message: `"ip6tables": true needs "experimental": true in ${this.dockerd()}: dockerd fails at start ("ip6tables rules are only available if experimental features are enabled")`,
          checkedAt: 'start',
          hint: 'add "experimental": true, or upgrade to dockerd 27+ where ip6tables is on by default',
        })
      }
    } else if (icc === false && ipv6 === true && ip6tables === false && iccEntry !== undefined) {
      this.report({
        code: 'icc-needs-iptables',
        severity: 'error',
        key: 'icc',
        node: iccEntry.keyNode,
        message: '"icc": false with "ipv6": true needs ip6tables, but "ip6tables" is false: dockerd fails at start',
        checkedAt: 'start',
        hint: 'set "ip6tables": true or drop "icc": false',
      })
    }

    const proxyPathEntry = this.get('userland-proxy-path')
    const proxyPath = this.str('userland-proxy-path')
    if (proxyPathEntry !== undefined && proxyPath !== undefined && proxyPath !== '' && !proxyPath.startsWith('/') && this.bool('userland-proxy') !== false) {
      const config = this.atLeast('25.0.0')
      this.report({
        code: 'userland-proxy-path-relative',
        severity: 'error',
        key: 'userland-proxy-path',
        node: proxyPathEntry.valueNode,
        message: config
          ? `"userland-proxy-path" must be absolute: dockerd refuses the configuration ("invalid userland-proxy-path: must be an absolute path: ${proxyPath}")`
          : `"userland-proxy-path" must be an absolute path; ${this.dockerd()} only fails when a port is published`,
        checkedAt: config ? 'config' : 'start',
        hint: 'e.g. "/usr/libexec/docker/docker-proxy"',
      })
    }

    const markEntry = this.get('bridge-accept-fwmark')
    const mark = this.str('bridge-accept-fwmark')
    if (markEntry !== undefined && mark !== undefined && mark !== '') {
      const [value = '', mask] = mark.split('/', 2)
      if (!isUint32(value) || (mark.includes('/') && !isUint32(mask ?? ''))) {
        this.report({
          code: 'fwmark-invalid',
          severity: 'error',
          key: 'bridge-accept-fwmark',
          node: markEntry.valueNode,
          message: `"bridge-accept-fwmark" ${JSON.stringify(mark)} is not mark[/mask] with 32-bit unsigned numbers: dockerd refuses the configuration`,
          checkedAt: 'config',
          hint: 'e.g. "0x1/0xff"',
        })
      }
    }

    const hgEntry = this.get('host-gateway-ip')
    const hgsEntry = this.get('host-gateway-ips')
    if (hgEntry !== undefined) {
      const ip = parseIp(String(hgEntry.value))
      if (ip === undefined) {
        this.report({
          code: 'host-gateway-ip-invalid',
          severity: 'error',
          key: 'host-gateway-ip',
          node: hgEntry.valueNode,
          message: `"host-gateway-ip" ${JSON.stringify(hgEntry.value)} is not an IP address: dockerd cannot decode the file`,
          checkedAt: 'config',
        })
      }
    }
    if (hgEntry !== undefined && hgsEntry !== undefined && this.atLeast('28.0.0')) {
      this.report({
        code: 'host-gateway-ip-conflict',
        severity: 'error',
        key: 'host-gateway-ip',
        node: hgEntry.keyNode,
        message: 'dockerd refuses "host-gateway-ip" and "host-gateway-ips" together ("host-gateway-ip and host-gateway-ips must not both be specified in the config file")',
        checkedAt: 'config',
        hint: 'move the address into "host-gateway-ips" and delete "host-gateway-ip"',
      })
    }
    if (hgsEntry !== undefined) {
      const families = new Map<number, string>()
      for (const {text, node} of this.listItems('host-gateway-ips')) {
        const ip = parseIp(text)
        if (ip === undefined) {
          this.report({
            code: 'host-gateway-ip-invalid',
            severity: 'error',
            key: 'host-gateway-ips',
            node,
            message: `"host-gateway-ips" entry ${JSON.stringify(text)} is not an IP address: dockerd cannot decode the file`,
            checkedAt: 'config',
          })
          continue
        }
        if (families.has(ip.family)) {
          this.report({
            code: 'host-gateway-ip-invalid',
            severity: 'error',
            key: 'host-gateway-ips',
            node,
            message: `"host-gateway-ips" holds a second IPv${ip.family} address: dockerd refuses it ("only one IPv${ip.family} host gateway IP address can be specified")`,
            checkedAt: 'config',
          })
        }
        families.set(ip.family, text)
      }
    }
  }

  private execOptsRules(): void {
    const execChecked = this.atLeast('28.0.0')
    for (const {text, node} of this.listItems('exec-opts')) {
      const eq = text.indexOf('=')
      const name = (eq < 0 ? text : text.slice(0, eq)).trim().toLowerCase()
      const value = eq < 0 ? '' : text.slice(eq + 1).trim()
      let problem: string | undefined
      if (eq < 0 || name === '' || value === '') problem = `must be formatted 'opt=value'`
      else if (name !== 'native.cgroupdriver') problem = name === 'isolation' ? `option '${name}' is only supported on windows` : `unknown option: '${name}'`
      if (problem !== undefined) {
        this.report({
          code: 'exec-opt-invalid',
          severity: execChecked ? 'error' : 'warning',
          key: 'exec-opts',
          node,
          message: execChecked
            ? `"exec-opts" entry ${JSON.stringify(text)}: dockerd refuses the configuration ("invalid exec-opt (${text}): ${problem}")`
            : `"exec-opts" entry ${JSON.stringify(text)} (${problem}) is silently ignored by ${this.dockerd()}; dockerd 28.0 and later refuse it`,
          checkedAt: 'config',
          hint: 'on Linux the only exec-opt is native.cgroupdriver=systemd or =cgroupfs',
        })
      } else if (!['systemd', 'cgroupfs'].includes(value.toLowerCase())) {
        this.report({
          code: 'exec-opt-invalid',
          severity: 'error',
          key: 'exec-opts',
          node,
          message: `cgroup driver ${JSON.stringify(value)} is neither systemd nor cgroupfs: dockerd fails at start`,
          checkedAt: 'start',
          hint: 'use native.cgroupdriver=systemd or native.cgroupdriver=cgroupfs',
        })
      }
    }
  }

  private runtimeRules(): void {
    const runtimesChecked: Where = this.atLeast('25.0.0') ? 'start' : 'config'
    const runtimesEntry = this.get('runtimes')
    const names = new Set<string>()
    if (runtimesEntry !== undefined) {
      for (const runtime of entriesOf(runtimesEntry.valueNode)) {
        names.add(runtime.key)
        if (runtime.key === 'runc') {
          this.report({
            code: 'runtime-reserved',
            severity: 'error',
            key: 'runtimes',
            node: runtime.keyNode,
            message: `the runtime name "runc" is reserved: dockerd refuses it ("runtime name 'runc' is reserved")`,
            checkedAt: runtimesChecked,
            hint: 'pick another name, e.g. "runc-custom"',
          })
          continue
        }
        const fields = new Map(entriesOf(runtime.valueNode).map((f) => [f.key.toLowerCase(), f]))
        for (const field of entriesOf(runtime.valueNode)) {
          const known = ['path', 'runtimeargs', ...(this.atLeast('24.0.0') ? ['runtimetype', 'options'] : [])]
          if (!known.includes(field.key.toLowerCase())) {
            this.report({
              code: 'runtime-unknown-field',
              severity: 'warning',
              key: 'runtimes',
              node: field.keyNode,
              message: `"${field.key}" in runtime "${runtime.key}" is not a runtime field; dockerd silently ignores it`,
              hint:
                field.key.toLowerCase() === 'args'
                  ? 'the arguments field is "runtimeArgs"'
                  : `a runtime has ${known.length > 2 ? '"path", "runtimeArgs", "runtimeType" and "options"' : '"path" and "runtimeArgs"'}`,
            })
          }
        }
        const has = (name: string) => fields.has(name) && String(fields.get(name)?.value ?? '') !== ''
        const problem =
          has('path') && has('runtimetype')
            ? 'cannot configure both path and runtimeType for the same runtime'
            : !has('path') && !has('runtimetype')
              ? 'either a runtimeType or a path must be configured'
              : has('path') && fields.has('options')
                ? 'options cannot be used with a path runtime'
                : has('runtimetype') && (fields.get('runtimeargs')?.valueNode.children?.length ?? 0) > 0
                  ? 'args cannot be used with a runtimeType runtime'
                  : undefined
        if (problem !== undefined) {
          this.report({
            code: 'runtime-invalid',
            severity: 'error',
            key: 'runtimes',
            node: runtime.keyNode,
            message: `runtime "${runtime.key}": ${problem}; dockerd fails at start`,
            checkedAt: 'start',
          })
        }
      }
    }
    const defaultEntry = this.get('default-runtime')
    const name = this.str('default-runtime')
    if (defaultEntry === undefined || name === undefined || name === '') return
    const stock = this.atLeast('25.0.0') ? ['runc', 'io.containerd.runc.v2'] : ['runc', 'io.containerd.runc.v1', 'io.containerd.runc.v2']
    const containerdName = this.atLeast('25.0.0') && /^io\.containerd\.[^.]+\.v[0-9]+$/.test(name)
    if (stock.includes(name) || names.has(name) || containerdName) return
    this.report({
      code: 'default-runtime-unknown',
      severity: 'error',
      key: 'default-runtime',
      node: defaultEntry.valueNode,
      message: `"default-runtime" ${JSON.stringify(name)} is not runc and not defined in "runtimes": dockerd refuses it ("specified default runtime '${name}' does not exist")${runtimesChecked === 'start' ? ' at start' : ''}`,
      checkedAt: runtimesChecked,
      hint: `define it under "runtimes" (or with --add-runtime), or use "runc"`,
    })
  }

  /**
   * verifyDaemonSettings (daemon/daemon_unix.go, same in v20.10.24 and docker-v29.7.2), run by
   * NewDaemon at start: `if conf.CgroupParent != "" && UsingSystemd(conf) { if len(…) <= 6 ||
   * !strings.HasSuffix(…, ".slice") { … } }`. UsingSystemd is also true when no driver is set on a
   * cgroup v2 host booted with systemd (the usual case today); this code cannot see the host, so it
   * only reports when exec-opts names the systemd driver explicitly.
   */
  private cgroupParentRule(): void {
    const entry = this.get('cgroup-parent')
    const parent = this.str('cgroup-parent')
    if (entry === undefined || parent === undefined || parent === '' || this.cgroupDriver() !== 'systemd') return
    if (parent.length > 6 && parent.endsWith('.slice')) return
    const base = parent.replace(/^\/+|\/+$/g, '').replace(/[^a-zA-Z0-9:_.-]+/g, '-')
    this.report({
      code: 'cgroup-parent-not-slice',
      severity: 'error',
      key: 'cgroup-parent',
      node: entry.valueNode,
      message: `"cgroup-parent" ${JSON.stringify(parent)} is not a systemd slice while exec-opts selects the systemd cgroup driver: dockerd fails at start ('cgroup-parent for systemd cgroup should be a valid slice named as "xxx.slice"')`,
      checkedAt: 'start',
      hint: `name a slice, e.g. "${base === '' || base === '.slice' ? 'docker' : base}.slice", or use native.cgroupdriver=cgroupfs`,
    })
  }

  /**
   * The cgroup driver exec-opts selects, as UsingSystemd reads it: before 28.0 getCD takes the first
   * native.cgroupdriver entry (key case-insensitive, value trimmed); from 28.0 parseExecOptions keeps the last.
   */
  private cgroupDriver(): string | undefined {
    let driver: string | undefined
    for (const {text} of this.listItems('exec-opts')) {
      const eq = text.indexOf('=')
      if (eq < 0 || text.slice(0, eq).trim().toLowerCase() !== 'native.cgroupdriver') continue
      driver = text.slice(eq + 1).trim()
      if (!this.atLeast('28.0.0')) return driver
    }
    return driver
  }

  /**
   * verifyDaemonSettings (daemon/daemon_unix.go, v20.10.24 through docker-v29.7.2), at start:
   * `if conf.ContainerdNamespace == conf.ContainerdPluginNamespace`. The plugins namespace is
   * "plugins.moby" unless --containerd-plugins-namespace is passed (no file key can set it). From
   * 26.0, userns-remap appends "-uid.gid" to the plugins namespace first (RemapContainerdNamespaces),
   * so the two cannot be equal then.
   */
  private containerdNamespaceRule(): void {
    const entry = this.get('containerd-namespace')
    const namespace = this.str('containerd-namespace')
    if (entry === undefined || namespace !== PLUGINS_NAMESPACE) return
    const remap = this.str('userns-remap')
    if (remap !== undefined && remap !== '' && this.atLeast('26.0.0')) return
    this.report({
      code: 'containerd-namespace-conflict',
      severity: 'error',
      key: 'containerd-namespace',
      node: entry.valueNode,
      message: `"containerd-namespace" ${JSON.stringify(namespace)} is the namespace dockerd uses for plugins: dockerd fails at start ("containers namespace and plugins namespace cannot be the same"), unless it runs with another --containerd-plugins-namespace`,
      checkedAt: 'start',
      hint: 'pick another name, or delete the key for the default "moby"',
    })
  }

  /**
   * nri-opts decodes into opts.NRIOpts with DisallowUnknownFields (daemon/pkg/opts/nri_opts.go,
   * docker-v29.2.0+) while the file is loaded, so --validate sees these. Go matches the field names
   * case-insensitively. Before 29.2 the key itself is unknown and reported as key-not-yet instead.
   */
  private nriOptsRules(): void {
    const entry = this.get('nri-opts')
    if (entry === undefined) return
    for (const member of entriesOf(entry.valueNode)) {
      const want = NRI_FIELDS[member.key.toLowerCase()]
      if (want === undefined) {
        this.report({
          code: 'nri-opts-unknown-field',
          severity: 'error',
          key: 'nri-opts',
          node: member.keyNode,
          message: `"nri-opts" "${member.key}" is not an NRI option: dockerd cannot decode the file ('json: unknown field "${member.key}"')`,
          checkedAt: 'config',
          hint: `nri-opts takes ${Object.keys(NRI_FIELDS)
            .map((k) => `"${k}"`)
            .join(', ')}`,
        })
      } else if (member.valueNode.type !== want && member.valueNode.type !== 'null') {
        this.report({
          code: 'wrong-type',
          severity: 'error',
          key: 'nri-opts',
          node: member.valueNode,
          message: `"nri-opts.${member.key}" must be ${want === 'boolean' ? 'true or false' : 'a string'}, not ${describeJson(member.valueNode)}: ${this.dockerd()} cannot decode the file`,
          checkedAt: 'config',
          hint: want === 'boolean' ? 'write true or false without quotes' : 'write the path as a string',
        })
      }
    }
  }

  private miscRules(): void {
    const graph = this.get('graph')
    const dataRoot = this.get('data-root')
    if (graph !== undefined && dataRoot !== undefined) {
      this.report({
        code: 'graph-with-data-root',
        severity: 'error',
        key: 'graph',
        node: graph.keyNode,
        message: '"graph" and "data-root" are both set: dockerd refuses the configuration',
        checkedAt: 'config',
        hint: 'delete "graph"',
      })
    }

    const shm = this.get('default-shm-size')
    if (shm !== undefined && !/^\d+(\.\d+)* ?([kKmMgGtTpP])?[iI]?[bB]?$/.test(String(shm.value))) {
      this.report({
        code: 'shm-size-invalid',
        severity: 'error',
        key: 'default-shm-size',
        node: shm.valueNode,
        message: `"default-shm-size" ${JSON.stringify(shm.value)} is not a size: dockerd cannot decode the file ("invalid size")`,
        checkedAt: 'config',
        hint: 'write e.g. "64M" or "1G"',
      })
    }

    const seccomp = this.get('seccomp-profile')
    if (seccomp !== undefined && seccomp.value === 'builtin' && !this.atLeast('23.0.0')) {
      this.report({
        code: 'seccomp-builtin-unsupported',
        severity: 'error',
        key: 'seccomp-profile',
        node: seccomp.valueNode,
        message: `"seccomp-profile": "builtin" is understood from dockerd 23.0; ${this.dockerd()} reads it as a file path and fails at start`,
        checkedAt: 'start',
        hint: 'delete the key (the built-in profile is the default)',
      })
    }

    for (const key of ['cpu-rt-period', 'cpu-rt-runtime']) {
      const entry = this.get(key)
      if (entry !== undefined && this.num(key) !== 0 && this.atLeast('23.0.0')) {
        this.report({
          code: 'cpu-rt-cgroup-v2',
          severity: 'warning',
          key,
          node: entry.keyNode,
          message: `"${key}" is refused on cgroup v2 hosts ("daemon-scoped cpu-rt-period and cpu-rt-runtime are not implemented for cgroup v2"), which most current distributions use`,
          checkedAt: 'config',
          hint: 'delete it unless the host still boots with cgroup v1',
        })
      }
    }

    const minApi = this.get('min-api-version')
    if (minApi !== undefined) {
      const text = String(minApi.value)
      const max = maxApiVersion(this.version)
      const m = /^1\.(\d+)$/.exec(text)
      if (m === null || Number(m[1]) < 24 || Number(m[1]) > max) {
        this.report({
          code: 'min-api-version-invalid',
          severity: 'error',
          key: 'min-api-version',
          node: minApi.valueNode,
          message: `"min-api-version" ${JSON.stringify(text)} must be between 1.24 and 1.${max}: dockerd fails at start ("invalid minimum API version")`,
          checkedAt: 'start',
        })
      }
    }
  }

  /** Section 2.6: a zero number or empty string in the file is replaced by the flag default. */
  private zeroValueRule(): void {
    for (const [key, entry] of this.typed) {
      const spec = findOption(key)
      if (spec === undefined) continue
      const zero = (spec.kind === 'integer' && entry.value === 0) || (spec.kind === 'string' && entry.value === '')
      const meaningful = spec.defaultValue !== undefined && spec.defaultValue !== 0 && spec.defaultValue !== ''
      if (!zero || !meaningful) continue
      // 29.7 keeps an explicit 0 stop timeout; 20.10's counters are pointers, so 0 stays 0 there.
      if (key === 'default-stop-timeout') continue
      if (key.startsWith('max-') && !this.atLeast('23.0.0')) continue
      if (this.findings.some((f) => f.key === key && f.severity === 'error')) continue
      this.report({
        code: 'zero-means-default',
        severity: 'info',
        key,
        node: entry.valueNode,
        message: `"${key}": ${JSON.stringify(entry.value)} is replaced by dockerd's default ${JSON.stringify(spec.defaultValue)}: zero values in daemon.json do not override defaults`,
        hint: `delete the key, or write the value you want`,
      })
    }
  }
}

// ---- pure helpers ---------------------------------------------------------------------------

/** A refusal's message or hint with its {placeholders} filled; an unknown or empty one stays as written. */
function fillTemplate(template: string, fields: Readonly<Record<string, string | undefined>>): string {
  return template.replace(/\{([a-z]+)\}/g, (whole, name: string) => fields[name] ?? whole)
}

/** The members of an object node, one per key: the last occurrence wins, as in Go. */
function entriesOf(objectNode: Node): Entry[] {
  const byKey = new Map<string, Entry>()
  for (const property of objectNode.children ?? []) {
    const keyNode = property.children?.[0]
    const valueNode = property.children?.[1]
    if (keyNode === undefined || valueNode === undefined) continue
    const key = String(keyNode.value)
    byKey.delete(key)
    byKey.set(key, {key, keyNode, valueNode, value: nodeValue(valueNode)})
  }
  return [...byKey.values()].sort((a, b) => a.keyNode.offset - b.keyNode.offset)
}

function childKeys(objectNode: Node): string[] {
  return entriesOf(objectNode).map((e) => e.key)
}

/** Go decodes JSON numbers into int fields only when the literal is an integer (no 1.0, no 1e3). */
function isIntegerNode(node: Node, text: string): boolean {
  if (node.type !== 'number') return false
  return /^-?(0|[1-9][0-9]*)$/.test(text.slice(node.offset, node.offset + node.length))
}

function describeJson(node: Node): string {
  switch (node.type) {
    case 'string':
      return `the string ${JSON.stringify(node.value)}`
    case 'number':
      return `the number ${String(node.value)}`
    case 'boolean':
      return String(node.value)
    case 'null':
      return 'null'
    case 'array':
      return 'an array'
    default:
      return 'an object'
  }
}

function describeKind(spec: OptionSpec): string {
  switch (spec.kind) {
    case 'string':
      return 'a string'
    case 'boolean':
    case 'nullable-boolean':
      return 'true or false'
    case 'integer':
      return 'a whole number'
    case 'string-list':
      return 'an array of strings'
    case 'string-map':
      return 'an object of string values'
    case 'bool-map':
      return 'an object of true/false values'
    case 'address-pools':
      return 'an array of {"base": "CIDR", "size": N} objects'
    case 'ulimits':
      return 'an object of {"Name", "Soft", "Hard"} objects'
    case 'runtimes':
      return 'an object of runtime objects'
    case 'nested-map':
      return 'an object of per-driver option objects'
    case 'object':
      return 'an object'
  }
}

function kindHint(spec: OptionSpec): string | undefined {
  switch (spec.kind) {
    case 'string-list':
      return `write ["…"] even for a single entry, e.g. "${spec.key}": ["value"]`
    case 'integer':
      return `write a bare number, e.g. "${spec.key}": ${typeof spec.defaultValue === 'number' ? spec.defaultValue : 1}`
    case 'boolean':
    case 'nullable-boolean':
      return 'write true or false without quotes'
    case 'string-map':
      return 'quote every value, e.g. "max-file": "3"'
    case 'address-pools':
      return 'e.g. "default-address-pools": [{"base": "10.10.0.0/16", "size": 24}]'
    default:
      return spec.key === 'default-shm-size' ? 'write a size string such as "64M"' : undefined
  }
}

function caseInsensitiveMatch(key: string, version: string): string | undefined {
  const lower = key.toLowerCase()
  if (lower === key) return undefined
  return usableKeys(version).find((k) => k === lower)
}

/** validateIPv6Subnet from the bridge driver (v25+ for fixed-cidr-v6, v28+ for bip6). */
function ipv6SubnetProblem(cidr: Cidr): string | undefined {
  const ip: IpAddress = {family: cidr.family, value: cidr.address}
  if (cidr.family !== 6 || isIPv4Mapped(ip)) return 'is not an IPv6 subnet'
  if (isMulticast(ip)) return 'is a multicast prefix (ff00::/8)'
  if (!(cidr.prefix === 64 && networkAddress(cidr) === LINK_LOCAL_V6.address) && overlaps(cidr, LINK_LOCAL_V6)) return "clashes with the link-local prefix 'fe80::/64'"
  return undefined
}

/** opts.ValidateDNSSearch: "." or a domain name containing at least one letter. */
function isValidSearchDomain(raw: string): boolean {
  const value = raw.replace(/^ +| +$/g, '')
  if (value === '.') return true
  if (!/[a-zA-Z]/.test(value)) return false
  const m = /^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*)\.?\s*$/.exec(value)
  return m !== null && (m[1] ?? '').length < 255
}

/** registry.ValidateMirror. */
function mirrorProblem(text: string): string | undefined {
  const sep = text.indexOf('://')
  if (sep <= 0) return "no scheme: must use either 'https://' or 'http://'"
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return 'not a valid URI'
  }
  const scheme = text.slice(0, sep).toLowerCase()
  if (scheme !== 'http' && scheme !== 'https') return `unsupported scheme "${scheme}": must use either 'https://' or 'http://'`
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#')) return 'query or fragment at the end of the URI'
  if (url.username !== '' || url.password !== '') return 'username/password not allowed in the URI'
  return undefined
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const HOST_PORT = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`)

/** loadInsecureRegistries + ValidateIndexName (checked when the registry service starts). */
function insecureRegistryProblem(raw: string): {severity: Severity; message: string} | undefined {
  if (raw.startsWith('-') || raw.endsWith('-')) return {severity: 'error', message: 'cannot begin or end with a hyphen; dockerd refuses it'}
  let text = raw
  const sep = text.indexOf('://')
  if (sep >= 0) {
    const scheme = text.slice(0, sep).toLowerCase()
    if (scheme !== 'http' && scheme !== 'https') return {severity: 'error', message: "should not contain '://'; dockerd refuses it"}
    text = text.slice(sep + 3)
    if (validHostPort(text)) return {severity: 'warning', message: `the "${scheme}://" prefix does not belong here; dockerd strips it with a warning`}
  }
  if (parseCidr(text) !== undefined || validHostPort(text)) return undefined
  return {severity: 'error', message: 'not a host[:port] or CIDR; dockerd fails at start ("insecure registry … is not valid")'}
}

function validHostPort(text: string): boolean {
  const m = /^(.*?)(?::([0-9]+))?$/.exec(text)
  const port = m?.[2]
  if (port !== undefined && Number(port) > 65535) return false
  return HOST_PORT.test(text) || (m?.[1] !== undefined && parseIp(m[1].replace(/^\[|\]$/g, '')) !== undefined) || parseIp(text) !== undefined
}

/** opts.ParseDaemonHost, plus the listener-time checks dockerd does at start on Linux. */
function parseDaemonHost(raw: string): {error?: string; startOnly?: boolean; tcpHost?: string} {
  const address = raw.trim()
  if (address === '') return {}
  const sep = address.indexOf('://')
  const proto = sep < 0 ? 'tcp' : address.slice(0, sep)
  const rest = sep < 0 ? address : address.slice(sep + 3)
  switch (proto) {
    case 'tcp':
      return parseTcpHost(rest)
    case 'unix':
      return rest.includes('://') ? {error: `invalid unix address: ${rest}`} : {}
    case 'fd':
      if (rest === '' || rest === '*' || /^[0-9]+$/.test(rest)) return {}
      return {error: `failed to parse systemd fd address: should be a number: ${rest}`, startOnly: true}
    case 'npipe':
      return {error: 'npipe:// is a Windows named pipe; dockerd on Linux cannot listen on it', startOnly: true}
    default:
      return {error: `invalid bind address: unsupported proto '${proto}'`}
  }
}

function parseTcpHost(rest: string): {error?: string; tcpHost?: string} {
  if (/[/?#]/.test(rest)) return {error: 'a tcp:// address should not contain a path element'}
  let host: string
  let port: string | undefined
  const bracket = /^\[([^\]]*)\](?::(.*))?$/.exec(rest)
  if (bracket !== null) {
    host = bracket[1] ?? ''
    port = bracket[2]
    if (parseIp(host)?.family !== 6) return {error: `invalid IPv6 address [${host}]`}
  } else {
    const colons = rest.split(':').length - 1
    if (colons > 1) return {error: 'IPv6 addresses need brackets, e.g. tcp://[::1]:2376'}
    const i = rest.indexOf(':')
    host = i < 0 ? rest : rest.slice(0, i)
    port = i < 0 ? undefined : rest.slice(i + 1)
  }
  if (port !== undefined && port !== '' && (!/^[0-9]+$/.test(port) || Number(port) === 0 || Number(port) > 65535)) return {error: `invalid port: ${port}`}
  return {tcpHost: host === '' ? 'localhost' : host}
}

function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true
  const ip = parseIp(host)
  return ip !== undefined && isLoopback(ip)
}

/** strconv.ParseUint(s, 0, 32): decimal, 0x hex, 0o/0 octal, 0b binary; underscores only with a prefix. */
function isUint32(text: string): boolean {
  let value: bigint
  if (/^0[xX](_?[0-9a-fA-F])+$/.test(text)) value = BigInt(`0x${text.slice(2).replace(/_/g, '')}`)
  else if (/^0[bB](_?[01])+$/.test(text)) value = BigInt(`0b${text.slice(2).replace(/_/g, '')}`)
  else if (/^0[oO](_?[0-7])+$/.test(text)) value = BigInt(`0o${text.slice(2).replace(/_/g, '')}`)
  else if (/^0(_?[0-7])+$/.test(text)) value = BigInt(`0o${text.slice(1).replace(/_/g, '')}`)
  else if (/^(0|[1-9][0-9]*)$/.test(text)) value = BigInt(text)
  else return false
  return value <= 0xffffffffn
}

/** strconv.ParseBool. */
const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True']
const GO_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False']

function isGoBool(text: string): boolean {
  return GO_TRUE.includes(text) || GO_FALSE.includes(text)
}

/** strconv.Atoi (base 10: a sign and digits, no underscores); overflow is not modelled. */
function isGoInt(text: string): boolean {
  return /^[+-]?[0-9]+$/.test(text)
}

/** time.ParseDuration: "0", or numbers each with a unit; overflow is not modelled. */
function isGoDuration(text: string): boolean {
  return /^[+-]?(?:0|(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$/.test(text)
}

/**
 * strconv.ParseFloat as far as a size string can reach it. Hexadecimal floats give NaN: whether
 * valid or not, nothing is reported for them.
 */
function goParseFloat(text: string): number | undefined {
  if (/^[+-]?0[xX]/.test(text)) return Number.NaN
  if (!/^[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$/.test(text)) return undefined
  return Number(text.replace(/_/g, ''))
}

/**
 * go-units FromHumanSize (unit 1000) / RAMInBytes (unit 1024), in bytes, or undefined when
 * dockerd refuses the text. v20.10 vendors the regexp parser; 23.0+ the parseSize rewrite.
 */
function goSize(text: string, modern: boolean, unit = 1024): number | undefined {
  const multiplier = (letter: string | undefined): number => unit ** (letter === undefined ? 0 : 'kmgtp'.indexOf(letter.toLowerCase()) + 1)
  if (!modern) {
    const m = /^([0-9]+(?:\.[0-9]+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text)
    return m === null ? undefined : Math.trunc(Number(m[1]) * multiplier(m[2]))
  }
  let sep = -1
  for (let i = text.length - 1; i >= 0 && sep < 0; i--) if ('0123456789. '.includes(text.charAt(i))) sep = i
  if (sep < 0) return undefined
  const num = text.charAt(sep) === ' ' ? text.slice(0, sep) : text.slice(0, sep + 1)
  const suffix = text.slice(sep + 1).toLowerCase()
  const size = goParseFloat(num)
  if (size === undefined || size < 0) return undefined
  if (suffix === '' || suffix === 'b') return Math.trunc(size)
  const letter = suffix.charAt(0)
  if (!'kmgtp'.includes(letter) || suffix.length > 3) return undefined
  if ((suffix.length === 2 && suffix !== `${letter}b`) || (suffix.length === 3 && suffix !== `${letter}ib`)) return undefined
  return Math.trunc(size * multiplier(letter))
}

/** daemon/logger/syslog facilities (numbers 0-23 are accepted too). */
const SYSLOG_FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
]

/** MaxAPIVersion per engine release (section 5), for min-api-version's upper bound. */
function maxApiVersion(version: string): number {
  const table: Array<[string, number]> = [
    ['29.6.0', 55],
    ['29.3.0', 54],
    ['29.2.0', 53],
    ['29.0.0', 52],
    ['28.3.0', 51],
    ['28.2.0', 50],
    ['28.1.0', 49],
    ['28.0.0', 48],
    ['27.2.0', 47],
    ['27.0.0', 46],
    ['26.0.0', 45],
    ['25.0.0', 44],
    ['24.0.0', 43],
    ['23.0.0', 42],
  ]
  for (const [since, api] of table) if (versionAtLeast(version, since)) return api
  return 41
}
