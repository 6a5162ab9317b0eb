import {isGoDuration, isGoInt, parseGoBool, parseGoSize} from '../../dockerd/strconv.js'
import {GELF_COMPRESSION_TYPES, globalLogOpts, LOG_DRIVERS, SYSLOG_FACILITIES, SYSLOG_FORMATS, SYSLOG_SCHEMES} from '../../registry/log-drivers.js'
import type {RuleContext} from './context.js'
import type {Value} from './value.js'

/**
 * Driver options, checked only at start: NewDaemon → defaultLogConfig (daemon/logs.go) runs
 * logger.ValidateLogOpts (daemon/logger/factory.go), then the driver's ValidateLogOpt, when
 * log-opts is not empty, and fails with "failed to set log opts: …". What json-file and local
 * only parse in New() (max-size, max-file, compress) is checked when a container is created:
 * dockerd starts and every container using the default driver fails, so those are warnings.
 */
export function logOptsRules(ctx: RuleContext): void {
  // A log-driver dockerd cannot decode fails the whole file; option checks would only add noise.
  if (ctx.hasError('log-driver')) return
  const driverEntry = ctx.get('log-driver')
  const named = ctx.str('log-driver')
  const driver = named === undefined || named === '' ? 'json-file' : named
  const optsEntry = ctx.get('log-opts')
  const opts = optsEntry === undefined ? [] : optsEntry.members()
  if (driver === 'none') {
    // ValidateLogOpts returns at once for "none": nothing is checked and nothing is used.
    if (optsEntry !== undefined && opts.length > 0) {
      ctx.report({
        code: 'log-opts-ignored',
        involves: ['log-driver'],
        severity: 'info',
        key: 'log-opts',
        at: optsEntry.keyAt,
        message: '"log-opts" has no effect with "log-driver": "none": dockerd neither checks nor uses them',
        hint: 'delete "log-opts"',
      })
    }
    return
  }
  const spec = LOG_DRIVERS[driver]
  const builtIn = spec !== undefined && (spec.removed === undefined || !ctx.atLeast(spec.removed))
  if (!builtIn && driverEntry !== undefined) {
    const removed = spec?.removed !== undefined ? ` (the built-in "${driver}" driver was removed in dockerd ${spec.removed})` : ''
    const windows = driver === 'etwlogs' ? ' (etwlogs exists only on Windows)' : ''
    ctx.report({
      code: 'log-driver-unknown',
      severity: 'warning',
      key: 'log-driver',
      at: driverEntry.at,
      message:
        `"log-driver" ${JSON.stringify(driver)} is not a log driver built into ${ctx.dockerd()}${removed}${windows}, so it must be a logging plugin: ` +
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
  const modern = ctx.atLeast('23.0.0')
  const fail = (name: string, detail: string, hint?: string) => {
    const opt = byName.get(name)
    ctx.report({
      code: 'log-opt-invalid',
      severity: 'error',
      key: 'log-opts',
      at: opt?.at ?? optsEntry.keyAt,
      message: `"log-opts" "${name}" ${JSON.stringify(text(name))}: dockerd fails at start ("failed to set log opts: ${detail}")`,
      checkedAt: 'start',
      hint,
    })
  }
  const missing = (name: string, detail: string, hint: string) => {
    ctx.report({
      code: 'log-opt-missing',
      severity: 'error',
      key: 'log-opts',
      at: optsEntry.keyAt,
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
    } else if (parseGoSize(text('max-buffer-size'), modern) === undefined) {
      fail('max-buffer-size', 'error parsing option max-buffer-size: invalid size', 'write a size such as "4m"')
    }
  }
  const cacheDisabled = text('cache-disabled')
  if (cacheDisabled !== '' && parseGoBool(cacheDisabled) === undefined)
    fail('cache-disabled', `invalid value for option cache-disabled: ${cacheDisabled}`, 'write "true" or "false"')
  if (!builtIn) return // a plugin validates its own options

  const global = globalLogOpts(ctx.version)
  const accepted = spec.options?.filter((o) => typeof o === 'string' || logOptAvailable(ctx, o)).map((o) => (typeof o === 'string' ? o : o.name))
  for (const opt of opts) {
    if (accepted === undefined || global.includes(opt.key) || accepted.includes(opt.key)) continue
    ctx.report({
      code: 'log-opt-unknown',
      severity: 'error',
      key: 'log-opts',
      at: opt.keyAt,
      message: `"log-opts" "${opt.key}" is not an option of the ${driver} log driver: dockerd fails at start ("failed to set log opts: ${spec.unknown(opt.key)}")`,
      checkedAt: 'start',
      hint: logOptHint(ctx, driver, opt.key, accepted),
    })
  }

  switch (driver) {
    case 'syslog': {
      // syslog.go ValidateLogOpt: parseAddress, parseFacility, parseLogFormat.
      // v20.10 wants one of the prefixes urlutil.IsTransportURL knows; 23.0+ url.Parse's scheme.
      const address = text('syslog-address')
      const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(address)?.[1]?.toLowerCase() ?? ''
      const schemes = SYSLOG_SCHEMES
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
      if (format !== '' && !SYSLOG_FORMATS.includes(format)) {
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
      if (byName.has('gelf-compression-type') && scheme === 'udp' && !GELF_COMPRESSION_TYPES.includes(type)) {
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
      const bools = ['fluentd-async', 'fluentd-sub-second-precision', 'fluentd-request-ack', ...(ctx.atLeast('28.0.0') ? [] : ['fluentd-async-connect'])]
      for (const name of bools) {
        if (text(name) !== '' && parseGoBool(text(name)) === undefined) fail(name, `strconv.ParseBool: parsing "${text(name)}": invalid syntax`, 'write "true" or "false"')
      }
      const limit = text('fluentd-buffer-limit')
      if (limit !== '' && parseGoSize(limit, modern) === undefined) fail('fluentd-buffer-limit', `invalid size: '${limit}'`, 'write a size such as "8m"')
      const wait = text('fluentd-retry-wait')
      if (wait !== '' && !isGoDuration(wait)) fail('fluentd-retry-wait', `time: invalid duration "${wait}"`, 'write a duration with its unit, e.g. "1s" or "500ms"')
      const retries = text('fluentd-max-retries')
      if (retries !== '' && !/^[0-9]+$/.test(retries)) fail('fluentd-max-retries', `strconv.ParseUint: parsing "${retries}": invalid syntax`, 'write a whole number such as "10"')
      break
    }
    case 'awslogs': {
      // cloudwatchlogs.go ValidateLogOpt.
      if (text('awslogs-group') === '') missing('awslogs-group', "must specify a value for log opt 'awslogs-group'", 'add "awslogs-group": "<log group name>"')
      const bools = ['awslogs-create-group', ...(ctx.atLeast('29.0.0') ? ['awslogs-create-stream'] : [])]
      for (const name of bools) {
        if (text(name) !== '' && parseGoBool(text(name)) === undefined) fail(name, `must specify valid value for log opt '${name}'`, 'write "true" or "false"')
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
      if (ctx.atLeast('23.0.0') && format !== '') {
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
      fileLogOptsAtCreate(ctx, driver, byName, text, modern)
      break
    default:
      break
  }
}

/**
 * json-file and local parse these only in New(), i.e. per container (jsonfilelog.go New;
 * local/config.go newConfig + validateConfig), and stop at the first bad one, as this does.
 */
function fileLogOptsAtCreate(ctx: RuleContext, driver: string, byName: Map<string, Value>, text: (name: string) => string, modern: boolean): void {
  const warn = (name: string, detail: string, hint: string) => {
    ctx.report({
      code: 'log-opt-invalid',
      severity: 'warning',
      key: 'log-opts',
      at: byName.get(name)?.at,
      message: `"log-opts" "${name}" ${JSON.stringify(text(name))}: dockerd starts, but creating any container that uses the default ${driver} driver fails ("${detail}")`,
      hint,
    })
  }
  const json = driver === 'json-file'
  if (byName.has('max-size')) {
    const size = parseGoSize(text('max-size'), modern, 1000)
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
    if (parseGoBool(value) === undefined) return warn('compress', `strconv.ParseBool: parsing "${value}": invalid syntax`, 'write "true" or "false"')
    compress = parseGoBool(value) === true
  }
  if (json && compress && (files === 1 || !byName.has('max-size'))) {
    warn('compress', 'compress cannot be true when max-file is less than 2 or max-size is not set', 'set "max-size" and a "max-file" of 2 or more, or drop "compress"')
  } else if (!json && compress && files <= 1) {
    warn('max-file', 'compression cannot be enabled when max file count is 1', 'raise "max-file" to 2 or more, or add "compress": "false"')
  }
}

function logOptAvailable(ctx: RuleContext, opt: {since?: string; until?: string}): boolean {
  return (opt.since === undefined || ctx.atLeast(opt.since)) && (opt.until === undefined || !ctx.atLeast(opt.until))
}

function logOptHint(ctx: RuleContext, driver: string, name: string, accepted: readonly string[]): string {
  const gated = LOG_DRIVERS[driver]?.options?.find((o): o is {name: string; since?: string; until?: string} => typeof o !== 'string' && o.name === name)
  if (gated?.since !== undefined && !ctx.atLeast(gated.since)) return `the ${driver} driver accepts "${name}" from dockerd ${gated.since}; upgrade or delete it`
  if (gated?.until !== undefined && ctx.atLeast(gated.until)) return `dockerd ${gated.until} dropped "${name}" from the ${driver} driver; delete it`
  const owners = Object.entries(LOG_DRIVERS)
    .filter(([other, s]) => other !== driver && (s.removed === undefined || !ctx.atLeast(s.removed)))
    .filter(([, s]) => s.options?.some((o) => (typeof o === 'string' ? o === name : o.name === name && logOptAvailable(ctx, o))) === true)
    .map(([other]) => other)
  if (owners.length > 3) return `most other drivers take "${name}", but the ${driver} driver does not: delete it`
  if (owners.length > 0) return `"${name}" is an option of the ${owners.join('/')} driver${owners.length > 1 ? 's' : ''}: delete it, or change "log-driver"`
  return `the ${driver} driver takes: ${accepted.join(', ')} (plus mode, max-buffer-size and cache-*)`
}
