import type {ApplyOptions, ApplyResult} from '../apply/plan.js'
import type {FileChange} from '../core/file-change.js'
import type {KeyChange} from '../daemon-config/edit.js'
import type {EffectiveConfig} from '../effective/effective.js'
import type {System} from '../system/index.js'
import {TLS_KEYS, clientBundlePaths, parseTcpListener} from './layout.js'
import {TLS_DIR, TLS_PATHS} from '../core/managed-files.js'

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

/** What `remote disable` decides before daemon.json's keys are planned. */
export interface RemoteShutdownPlan {
  /** The TCP listeners that go. */
  removed: string[]
  /**
   * daemon.json's `hosts` afterwards; undefined when the file has none and keeps none. Entries that
   * are not strings stay where they were: validation reports them (dockerd cannot decode the file),
   * and disabling remote access is no licence to drop them silently.
   */
  hosts: unknown[] | undefined
  keys: KeyChange[]
  /** --purge: the certificate and key files, deleted. */
  purgeChanges: FileChange[]
  /** Told after the one-owner actions. */
  actions: string[]
}

/** The local socket dockerd serves when nothing else is left, as the stock packages configure it. */
const DEFAULT_SOCKET = 'unix:///var/run/docker.sock'

/**
 * Plans `dockcfg remote disable` on the tree as it is (`current`): every tcp:// listener goes,
 * local access stays. With purge the TLS keys leave daemon.json and the files under
 * /etc/docker/tls are deleted (backed up first, like every change).
 */
export async function planRemoteShutdown(system: System, current: EffectiveConfig, purge: boolean): Promise<RemoteShutdownPlan> {
  const removed = current.hosts.filter((h) => parseTcpListener(h) !== undefined)
  const remaining = current.hosts.filter((h) => parseTcpListener(h) === undefined)
  const actions: string[] = []
  const keys: KeyChange[] = purge ? TLS_KEYS.map((key) => ({key, value: undefined})) : []
  const tlsStays = !purge && (current.daemonJson.parsed.value.tlsverify !== undefined || current.daemonJson.parsed.value.tls === true)
  // Nothing to remove: daemon.json's hosts stays exactly as it is.
  const fileHosts: unknown = current.daemonJson.parsed.value.hosts
  let hosts = Array.isArray(fileHosts) ? (fileHosts as unknown[]) : undefined
  if (removed.length > 0) {
    // daemon.json's own list when it has one (then the command line has no -H: dockerd refuses
    // both), with only the tcp:// entries gone; otherwise what the -H flags leave.
    hosts = hosts === undefined ? remaining : hosts.filter((h) => typeof h !== 'string' || parseTcpListener(h) === undefined)
    if (!hosts.some((h) => typeof h === 'string')) {
      // With no host at all and TLS still on, dockerd would listen on tcp://localhost:2376 by
      // default; name the local socket explicitly instead.
      hosts = [DEFAULT_SOCKET, ...hosts]
      actions.push(`no local listener was configured: ${DEFAULT_SOCKET} takes the place of the TCP listeners`)
    }
  }
  const purgeChanges: FileChange[] = []
  if (purge) {
    for (const p of [TLS_PATHS.key, TLS_PATHS.cert, TLS_PATHS.ca, TLS_PATHS.caKey, ...Object.values(clientBundlePaths(TLS_PATHS.clientDir))]) {
      const before = await system.fs.readText(p)
      if (before !== undefined) purgeChanges.push({path: p, before, after: undefined})
    }
  } else if (tlsStays && removed.length > 0) {
    actions.push(`the TLS settings and ${TLS_DIR} stay, so remote enable can switch the listener back on; --purge removes them`)
  }
  return {removed, hosts, keys, purgeChanges, actions}
}
