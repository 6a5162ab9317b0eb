import {type ApplyOptions, type ApplyResult, applyChanges} from '../apply/apply.js'
import type {FileChange} from '../changes/change-set.js'
import type {KeyChange} from '../daemon-config/edit.js'
import {resolveDockerdVersion} from '../dockerd/version.js'
import {inspectEffective} from '../effective/effective.js'
import {treeInspector} from '../effective/tree-view.js'
import type {System} from '../system/index.js'
import {TLS_DIR, TLS_KEYS, TLS_PATHS, clientBundlePaths, parseTcpListener} from './layout.js'
import {planListeners} from './plan.js'
import {withLockToWrite} from '../backup/lock.js'

export interface DisableRequest {
  configFile: string
  dockerdVersion: string | undefined
  /** Also remove the TLS keys from daemon.json and delete the certificates and keys in /etc/docker/tls. */
  purge: boolean
  command: string
  apply: ApplyOptions
}

export interface DisableResult extends ApplyResult {
  /** The TCP listeners removed. */
  removed: string[]
  /** The listeners left: local access. */
  hosts: string[]
  actions: string[]
  /** Files deleted by --purge (backed up first, like every change). */
  purged: string[]
  dockerdVersion: string | undefined
}

/** The local socket dockerd serves when nothing else is left, as the stock packages configure it. */
const DEFAULT_SOCKET = 'unix:///var/run/docker.sock'

/**
 * `dockcfg remote disable`: removes every tcp:// listener (from daemon.json and, through the same
 * one-owner rule as `fix`, from ExecStart) and applies it safely; local access stays. With purge
 * the TLS keys leave daemon.json and the files under /etc/docker/tls are deleted (backed up first).
 */
export async function disableRemote(system: System, request: DisableRequest): Promise<DisableResult> {
  return withLockToWrite(system, request.command, request.apply, () => planAndApplyDisable(system, request))
}

async function planAndApplyDisable(system: System, request: DisableRequest): Promise<DisableResult> {
  const {version} = await resolveDockerdVersion(system, request.dockerdVersion)
  const current = await inspectEffective(system.fs, {configFile: request.configFile, dockerdVersion: version})
  const removed = current.hosts.filter((h) => parseTcpListener(h) !== undefined)
  const remaining = current.hosts.filter((h) => parseTcpListener(h) === undefined)
  const actions: string[] = []
  const keys: KeyChange[] = request.purge ? TLS_KEYS.map((key) => ({key, value: undefined})) : []
  const tlsStays = !request.purge && (current.daemonJson.parsed.value.tlsverify !== undefined || current.daemonJson.parsed.value.tls === true)
  // Nothing to remove: daemon.json's hosts stays exactly as it is.
  let hosts = current.daemonJson.parsed.value.hosts as string[] | undefined
  if (removed.length > 0) {
    hosts = remaining
    if (hosts.length === 0) {
      // With no host at all and TLS still on, dockerd would listen on tcp://localhost:2376 by
      // default; name the local socket explicitly instead.
      hosts = [DEFAULT_SOCKET]
      actions.push(`no local listener was configured: ${DEFAULT_SOCKET} takes the place of the TCP listeners`)
    }
  }
  const plan = await planListeners(system, current, {hosts, keys, command: request.command, configFile: request.configFile, dockerdVersion: version})
  const fileChanges: FileChange[] = []
  if (request.purge) {
    for (const p of [TLS_PATHS.key, TLS_PATHS.cert, TLS_PATHS.ca, TLS_PATHS.caKey, ...Object.values(clientBundlePaths(TLS_PATHS.clientDir))]) {
      const before = await system.fs.readText(p)
      if (before !== undefined) fileChanges.push({path: p, before, after: undefined})
    }
  } else if (tlsStays && removed.length > 0) {
    actions.push(`the TLS settings and ${TLS_DIR} stay, so remote enable can switch the listener back on; --purge removes them`)
  }
  const inspector = treeInspector({configFile: request.configFile, dockerdVersion: version})
  const applied = await applyChanges(
    system,
    {
      command: request.command,
      changes: [...plan.changes, ...fileChanges],
      changedKeys: plan.changedKeys,
      activation: plan.activation,
      plan: {actions: [...(removed.length > 0 ? [`removing ${removed.join(', ')}; local access stays on ${(hosts ?? []).join(', ')}`] : []), ...plan.actions, ...actions]},
    },
    inspector,
    request.apply,
  )
  return {
    ...applied,
    removed,
    hosts: removed.length > 0 ? (hosts ?? []) : current.hosts,
    actions: [...plan.actions, ...actions],
    purged: fileChanges.map((c) => c.path),
    dockerdVersion: version,
  }
}
