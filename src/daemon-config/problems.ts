import {InvalidConfigError, UsageError} from '../cli/errors.js'
import {closestKey} from '../registry/index.js'
import {errorLines} from './findings.js'
import type {DaemonJsonDocument} from './load.js'

export function unknownKey(key: string): UsageError {
  const suggestion = closestKey(key)
  return new UsageError(`unknown daemon.json key "${key}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`, {
    remedy: 'dockcfg keys lists every key dockerd knows',
  })
}

export function unparsable(doc: DaemonJsonDocument): InvalidConfigError {
  return new InvalidConfigError(`${doc.path} is not valid JSON, so dockerd refuses it and dockcfg will not edit it:\n${errorLines(doc.parsed.findings, doc.path)}`, {
    remedy: 'fix it by hand (dockcfg validate lists every problem), then run the command again',
    details: doc.parsed.findings,
  })
}
