import type {Inspector, TreeView} from '../apply/plan.js'
import {type EffectiveConfig, inspectEffective} from '../effective/effective.js'

/** The engine's view of a tree, with the effective configuration it was computed from (for planners). */
export interface EffectiveView extends TreeView {
  effective: EffectiveConfig
}

/** The apply engine's view of a tree, computed by the effective-configuration model. */
function toTreeView(effective: EffectiveConfig): TreeView {
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

/** Inspects whatever tree (live, overlay, --root) it is given: the engine's view and the effective configuration behind it. */
export function effectiveInspector(options: {configFile: string | undefined; dockerdVersion: string | undefined}): Inspector<EffectiveView> {
  return async (fs) => {
    const effective = await inspectEffective(fs, options)
    return {...toTreeView(effective), effective}
  }
}
