import {InvalidConfigError} from '../core/errors.js'
import {findOption} from '../registry/index.js'
import type {FileChange} from '../core/file-change.js'
import type {System} from '../system/index.js'
import {daemonJsonFindings as findingsOf} from './validate.js'
import {loadDaemonJson} from './load.js'
import {unparsable} from './refusals.js'
import {type EditPlan, type KeyChange, planDaemonJsonEdit} from './edit.js'
import {type Finding, introducedFindings} from '../core/findings.js'
import {parseDaemonJson} from './parse.js'

/** How a change reaches the running daemon. */
export type Activation = 'none' | 'reload' | 'restart'

export interface DaemonJsonPlan {
  document: Awaited<ReturnType<typeof loadDaemonJson>>
  edit: EditPlan
  change: FileChange
  /** Findings of the resulting file. */
  findings: Finding[]
  /** Findings the change introduces (those the file already had are not news to the user). */
  introduced: Finding[]
  activation: Activation
}

/**
 * Plans changes to daemon.json: the new text, its findings (and those it introduces: refusing
 * errors among them is the caller's one check), and whether dockerd needs a reload or a restart.
 * Pure apart from reading the current file.
 */
export async function planDaemonJsonChanges(system: System, configFile: string, changes: readonly KeyChange[], dockerdVersion: string | undefined): Promise<DaemonJsonPlan> {
  if (configFile === '') {
    throw new InvalidConfigError('ExecStart passes an empty --config-file, so dockerd reads no daemon.json: a change there would not take effect; nothing was written', {
      remedy: 'remove the empty --config-file from ExecStart (dockcfg show says where it is), then run the command again',
    })
  }
  const document = await loadDaemonJson(system, configFile, dockerdVersion)
  // An empty file or a byte-order mark makes 20.10 refuse the file, but any edit repairs it: the
  // editor writes a whole object, without the mark that dockerd cannot decode.
  const errors = document.parsed.findings.filter((f) => f.severity === 'error')
  if (document.exists && !document.parsed.decodable && !errors.every((f) => REPAIRED_BY_EDITING.has(f.code))) throw unparsable(document.path, document.parsed.findings)
  const edit = planDaemonJsonEdit(document.exists ? document.text : undefined, changes, configFile, {dropBom: errors.some((f) => f.code === 'json-bom')})
  const before = findingsOf(document.parsed, dockerdVersion)
  const candidate = parseDaemonJson(edit.after, configFile, {dockerdVersion})
  const findings = findingsOf(candidate, dockerdVersion)
  const introduced = edit.changed ? introducedFindings(before, findings) : []
  return {
    document,
    edit,
    change: {
      path: configFile,
      before: document.exists ? document.text : undefined,
      after: edit.changed ? edit.after : document.exists ? document.text : undefined,
      newFileMode: 0o644,
    },
    findings,
    introduced,
    activation: activationFor(edit.changedKeys),
  }
}

const REPAIRED_BY_EDITING = new Set(['json-empty', 'json-bom'])

/** Reload is enough only when every changed key is one dockerd re-reads on SIGHUP. */
export function activationFor(changedKeys: readonly string[]): Activation {
  if (changedKeys.length === 0) return 'none'
  return changedKeys.every((key) => findOption(key)?.reload === 'yes') ? 'reload' : 'restart'
}
