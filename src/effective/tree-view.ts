import type {Inspector, TreeView} from '../apply/apply.js'
import type {FileSystem} from '../system/fs.js'
import {type EffectiveConfig, inspectEffective} from './effective.js'

/** The apply engine's view of a tree, computed by the effective-configuration model. */
export function toTreeView(effective: EffectiveConfig): TreeView {
  return {
    configFile: effective.configFile,
    config: effective.daemonJson.parsed.value,
    merged: Object.fromEntries(effective.settings.filter((s) => s.origin.kind !== 'default').map((s) => [s.key, s.value])),
    configText: effective.daemonJson.text,
    execArgv: effective.argv,
    hosts: effective.hosts,
    socket: effective.socket,
    errors: effective.findings.filter((f) => f.severity === 'error'),
    dockerdVersion: effective.dockerdVersion,
  }
}

/** The apply engine's Inspector: the tree view of whatever tree (live, overlay, --root) it is given. */
export function treeInspector(options: {configFile: string | undefined; dockerdVersion: string | undefined}): Inspector {
  return async (fs: FileSystem) => toTreeView(await inspectEffective(fs, options))
}
