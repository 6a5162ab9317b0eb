import * as path from 'node:path'

import type {FileChange} from '../core/file-change.js'
import {stringifyJson} from '../json/stringify.js'
import {fileReadingKeys} from '../registry/index.js'
import type {System} from '../system/index.js'
import {jsonObject} from './config-diff.js'
import {scratchDir} from './preflight.js'

/** daemon.json keys that name a file dockerd reads while loading its configuration (OptionSpec.readsFile). */
const FILE_KEYS = fileReadingKeys()

/**
 * Preflight runs before anything is written, but dockerd reads the files some keys name (TLS
 * certificates and keys, the seccomp profile) while loading its configuration: a change that adds
 * those files together with the keys (`remote enable`) would fail preflight only because the files
 * are not there yet. This stages the planned contents in a root-only scratch directory and points
 * the candidate configuration at the copies, so preflight sees exactly what dockerd will see.
 * Returns the configuration unchanged (and nothing to clean up) when no such key names a planned file.
 */
export async function stagePlannedFiles(system: System, configText: string, changes: readonly FileChange[]): Promise<{configText: string; cleanup: () => Promise<void>}> {
  const planned = new Map(changes.filter((c) => c.after !== undefined).map((c) => [path.posix.resolve('/', c.path), c.after as string]))
  const unchanged = {configText, cleanup: async () => {}}
  if (planned.size === 0) return unchanged
  const config = jsonObject(configText)
  // Not a JSON object: preflight reports that itself.
  if (config === undefined) return unchanged
  const hits = FILE_KEYS.filter((k) => typeof config[k] === 'string' && planned.has(path.posix.resolve('/', config[k] as string)))
  if (hits.length === 0) return unchanged
  // A root-only directory and 0600 files: the staged copies may be private keys.
  const dir = await scratchDir(system, 'staged')
  for (const key of hits) {
    const staged = `${dir}/${key}`
    await system.fs.writeAtomic(staged, planned.get(path.posix.resolve('/', config[key] as string)) as string, {mode: 0o600})
    config[key] = system.fs.hostPath(staged)
  }
  return {configText: stringifyJson(config), cleanup: () => system.fs.remove(dir)}
}
