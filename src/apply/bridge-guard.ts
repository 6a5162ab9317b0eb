import {RefusedError} from '../core/errors.js'
import type {DockerApi} from '../system/docker-api.js'
import {parseGoBool} from '../dockerd/strconv.js'
import {parseDockerdArgv} from '../dockerd/argv.js'
import {defaultBridgeKeys} from '../registry/index.js'
import type {ApplyOptions, TreeView} from './plan.js'
import {type VerifyContext, verifyLive} from './verify.js'

const BRIDGE_KEYS = new Set(defaultBridgeKeys())

/**
 * A restart with live-restore keeps containers running, and dockerd then keeps the default bridge
 * as it was: daemon/daemon_unix.go initNetworkController skips configureNetworking while
 * `activeSandboxes` is not empty ("there are running containers, updated network configuration
 * will not take affect", the same from 20.10.24 to 29). `activeSandboxes` holds every container
 * restore found alive whose network mode is not `container:<id>` (daemon/daemon.go restore), on
 * any network. So `set bip` or `set mtu` restarted, verification found the old bridge and the
 * change was rolled back, exit 4 with no remedy (issue 9 item 18).
 *
 * This predicts it before anything is written: when the running dockerd has live-restore on, the
 * new configuration keeps it on, and a default-bridge key changes, the containers that would keep
 * the old bridge are named and the change refused (exit 7), unless the user agrees (--yes, or yes
 * on a TTY) to stop them first. Returns what it did, for the result's warnings, and the containers
 * it stopped, which a rollback starts again (the old configuration never needed them stopped).
 */
export async function stopContainersHoldingBridge(
  api: DockerApi,
  request: {changedKeys: readonly string[]; planned: Pick<TreeView, 'config' | 'execArgv' | 'dockerdVersion'>},
  options: Pick<ApplyOptions, 'yes' | 'keepContainers' | 'confirm' | 'progress' | 'timeoutMs'>,
): Promise<{warnings: string[]; stopped: StoppedContainer[]}> {
  const none = {warnings: [], stopped: []}
  const bridge = request.changedKeys.filter((k) => BRIDGE_KEYS.has(k))
  if (bridge.length === 0 || !liveRestoreAfter(request.planned)) return none
  if ((await api.info()).LiveRestoreEnabled !== true) return none
  const holding = (await api.runningContainers()).filter((c) => !(c.HostConfig?.NetworkMode ?? '').startsWith('container:'))
  if (holding.length === 0) return none
  const names = holding.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, ''))
  const which = `${holding.length} running container(s) (${names.slice(0, 10).join(', ')}${holding.length > 10 ? ', …' : ''})`
  const why = `with live-restore on, dockerd keeps the default bridge as it is while containers survive the restart, so ${bridge.join(', ')} would not take effect`
  if (options.keepContainers) {
    throw new RefusedError(`--keep-containers cannot keep ${which}: ${why}; nothing was changed`, {
      remedy: `stop them yourself (docker stop ${names.join(' ')}), or let dockcfg stop them with --yes instead of --keep-containers`,
    })
  }
  const agreed = options.yes || (options.confirm !== undefined && (await options.confirm(`${why[0]?.toUpperCase()}${why.slice(1)}. Stop ${which} first?`)))
  if (!agreed) {
    throw new RefusedError(`${why}: ${which} would keep the old one; nothing was changed`, {
      remedy: `stop them (docker stop ${names.join(' ')}), or pass --yes to let dockcfg stop them before the restart`,
      details: {containers: names, keys: bridge},
    })
  }
  options.progress?.(`stopping ${which} so the new default bridge can be built`)
  const stopped: StoppedContainer[] = []
  for (const [i, c] of holding.entries()) {
    await api.stopContainer(c.Id, options.timeoutMs)
    stopped.push({id: c.Id, name: names[i] as string})
  }
  return {warnings: [`stopped ${which} before the restart: ${why} otherwise`], stopped}
}

export interface StoppedContainer {
  id: string
  name: string
}

/** live-restore in the planned configuration: daemon.json, else the `--live-restore` flag. */
export function liveRestoreAfter(planned: Pick<TreeView, 'config' | 'execArgv' | 'dockerdVersion'>): boolean {
  const fromFile = planned.config['live-restore']
  if (typeof fromFile === 'boolean') return fromFile
  const flag = parseDockerdArgv(planned.execArgv ?? [], planned.dockerdVersion).flags.findLast((f) => f.name === 'live-restore')
  return flag !== undefined && parseGoBool(flag.value) === true
}

/**
 * The default-bridge keys whose value the running dockerd does not have yet (a change written with
 * --no-restart), as far as the API shows them: what a plain restart of `view` would change. Read
 * only when the configuration keeps live-restore on, the one case the guard is about.
 */
export async function pendingBridgeKeys(api: DockerApi, view: Pick<TreeView, 'config' | 'execArgv' | 'dockerdVersion' | 'merged'>, context: VerifyContext): Promise<string[]> {
  if (!liveRestoreAfter(view)) return []
  const live = await verifyLive(api, [...BRIDGE_KEYS], view.merged, context)
  return live.filter((item) => item.status === 'mismatch').map((item) => item.key)
}
