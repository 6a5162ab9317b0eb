import {DockcfgError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import type {JsonValue} from '../json/value.js'
import {findOption} from '../registry/index.js'
import type {System} from '../system/index.js'
import {keyLine, loadDaemonJson} from './load.js'
import {unknownKey, unparsable} from './refusals.js'

// `get` is the command fleet scripts call most: it reads and parses, and deliberately does not
// import the validator.

export interface GetResult {
  key: string
  file: string
  set: boolean
  value?: JsonValue
  line?: number
  /** dockerd's default when the key is not set (undefined: no fixed default). */
  default?: JsonValue
}

/** Reads one key. A key that is not set is an error (exit 1) that names dockerd's default. */
export async function getKey(system: System, configFile: string, key: string): Promise<GetResult> {
  const spec = findOption(key)
  const doc = await loadDaemonJson(system, configFile, undefined)
  if (!doc.parsed.decodable) throw unparsable(doc.path, doc.parsed.findings)
  const value = doc.parsed.value
  if (Object.prototype.hasOwnProperty.call(value, key)) {
    return {key, file: configFile, set: true, value: value[key], line: keyLine(doc.parsed, key)}
  }
  if (spec === undefined) throw unknownKey(key)
  const result: GetResult = {key, file: configFile, set: false, default: spec.defaultValue}
  const defaultText = spec.defaultValue === undefined ? 'dockerd has no fixed default for it' : `dockerd uses its default: ${JSON.stringify(spec.defaultValue)}`
  throw new DockcfgError(`${key} is not set in ${configFile}; ${defaultText}`, {exitCode: ExitCode.Unexpected, details: result})
}
