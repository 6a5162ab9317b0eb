import {versionAtLeast} from './index.js'

/**
 * What dockerd's log drivers accept on Linux: the facts the log-opts rule (src/daemon-config/rules/log-opts.ts)
 * checks daemon.json's "log-driver" and "log-opts" against.
 */

/** An option name a log driver accepts, from dockerd `since` and up to (not including) `until`. */
export type LogOptName = string | {name: string; since?: string; until?: string}

export interface LogDriverSpec {
  /** What the driver's ValidateLogOpt accepts; undefined: any name (logentries has `case key:`). */
  options?: readonly LogOptName[]
  /** dockerd's own wording for an option it does not accept. */
  unknown: (opt: string) => string
  /** First dockerd version without the driver. */
  removed?: string
}

/** logger.AttrEnv … AttrLogTag (daemon/logger/loginfo.go): metadata options most drivers take. */
export const LOG_ATTRS = ['env', 'env-regex', 'labels', 'labels-regex', 'tag'] as const

const unknownLogOpt = (driver: string) => (opt: string) => `unknown log opt '${opt}' for ${driver} log driver`

/**
 * The drivers daemon/logdrivers_linux.go registers, with the option names each ValidateLogOpt
 * accepts (daemon/logger/<driver>/, read at v20.10.24, every v23.0.0-v28.5.2 tag and every
 * docker-v29 tag up to 29.7.2). etwlogs is Windows-only, so on Linux it is as unknown as a plugin.
 */
export const LOG_DRIVERS: Readonly<Record<string, LogDriverSpec>> = {
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
export function globalLogOpts(version: string): string[] {
  const local = ['max-file', 'max-size', 'compress', ...(versionAtLeast(version, '29.5.0') ? LOG_ATTRS : [])]
  return ['mode', 'max-buffer-size', 'cache-disabled', ...local.map((o) => `cache-${o}`)]
}

/** daemon/logger/syslog facilities (numbers 0-23 are accepted too). */
export const SYSLOG_FACILITIES = [
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

/** The transports the syslog driver's syslog-address takes (syslog.go parseAddress). */
export const SYSLOG_SCHEMES: readonly string[] = ['unix', 'unixgram', 'udp', 'tcp', 'tcp+tls']

/** syslog-format values (syslog.go parseLogFormat). */
export const SYSLOG_FORMATS: readonly string[] = ['rfc3164', 'rfc5424', 'rfc5424micro']

/** gelf-compression-type values (gelf.go ValidateLogOpt). */
export const GELF_COMPRESSION_TYPES: readonly string[] = ['gzip', 'zlib', 'none']
