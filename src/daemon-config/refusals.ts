/** The errors dockcfg refuses a daemon.json, or a key it does not know, with. */
import {InvalidConfigError, UsageError} from '../core/errors.js'
import {closestKey} from '../registry/index.js'
import {capFindings, errorLines, type Finding} from '../core/findings.js'

export function unknownKey(key: string): UsageError {
  const suggestion = closestKey(key)
  return new UsageError(`unknown daemon.json key "${key}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`, {
    remedy: 'dockcfg keys lists every key dockerd knows',
  })
}

/** A daemon.json over dockcfg's limit (MAX_DAEMON_JSON_BYTES in load.ts): exit 3, before it is read. */
export function tooLarge(path: string, size: number, limit: number): InvalidConfigError {
  return new InvalidConfigError(`${path} is ${size} bytes; dockcfg reads a daemon.json of at most ${limit / 1024 / 1024} MiB (${limit} bytes), so it did not read this one`, {
    remedy: 'a real daemon.json is a few kilobytes: look at what wrote this one (dockerd itself reads a file of any size)',
  })
}

export function unparsable(path: string, findings: readonly Finding[]): InvalidConfigError {
  return new InvalidConfigError(`${path} is not valid JSON, so dockerd refuses it and dockcfg will not edit it:\n${errorLines(findings, path)}`, {
    remedy: 'fix it by hand (dockcfg validate lists every problem), then run the command again',
    details: capFindings(findings),
  })
}
