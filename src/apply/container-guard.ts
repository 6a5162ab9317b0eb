import {RefusedError} from '../core/errors.js'
import type {DockerApi} from '../system/docker-api.js'
import {defaultBridgeKeys} from '../registry/index.js'
import type {ApplyOptions, ApplyResult} from './plan.js'

/** Keys whose change rebuilds the default bridge: live-restore cannot carry containers across. */
const BRIDGE_KEYS = new Set(defaultBridgeKeys())

/**
 * What a dry run says about a restart: the running containers it would stop (live-restore off
 * before or after it), asked of the running dockerd. Undefined when none would stop, or when
 * dockerd does not answer (a dry run never fails for that: the real run's guard asks again).
 */
export async function containersARestartStops(
  api: DockerApi,
  liveRestoreAfter: boolean,
): Promise<{containers: NonNullable<ApplyResult['containers']>; warning: string} | undefined> {
  try {
    const info = await api.info()
    const list = await api.runningContainers()
    const containers = {running: list.length, names: list.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')), liveRestore: info.LiveRestoreEnabled === true}
    if (containers.running === 0 || (containers.liveRestore && liveRestoreAfter)) return undefined
    const names = `${containers.names.slice(0, 10).join(', ')}${containers.running > 10 ? ', …' : ''}`
    const allow = containers.liveRestore ? '--yes' : '--yes, or --keep-containers to keep them'
    return {containers, warning: `the restart would stop ${containers.running} running container(s): ${names}; the change needs ${allow}`}
  } catch {
    return undefined
  }
}

/**
 * Containers survive a restart only when live-restore is on in the dockerd that stops (it leaves
 * them running) AND in the one that starts: with it off, dockerd's restore shuts down every
 * container it finds alive (daemon.go restore: `else if !daemon.configStore.LiveRestoreEnabled`).
 * `liveRestoreAfter` is live-restore in the configuration the restart starts dockerd on.
 */
export async function containerGuard(
  api: DockerApi,
  changedKeys: readonly string[],
  liveRestoreAfter: boolean,
  options: ApplyOptions,
): Promise<{containers: NonNullable<ApplyResult['containers']>; enableLiveRestore: boolean}> {
  const info = await api.info()
  const list = await api.runningContainers()
  const containers = {running: list.length, names: list.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')), liveRestore: info.LiveRestoreEnabled === true}
  if (containers.running === 0 || (containers.liveRestore && liveRestoreAfter)) return {containers, enableLiveRestore: false}
  const which = `${containers.running} running container(s): ${containers.names.slice(0, 10).join(', ')}${containers.running > 10 ? ', …' : ''}`
  if (containers.liveRestore) {
    // Switching live-restore off: the new dockerd stops what the old one left running.
    if (options.yes) return {containers, enableLiveRestore: false}
    if (options.confirm && (await options.confirm(`dockerd will start with live-restore off and stop ${which}. Continue?`))) return {containers, enableLiveRestore: false}
    throw new RefusedError(`dockerd would start with live-restore off and stop ${which}; nothing was changed`, {
      remedy: 'pass --yes to accept, or keep live-restore on',
      details: containers,
    })
  }
  if (options.keepContainers) {
    const bridge = changedKeys.filter((k) => BRIDGE_KEYS.has(k))
    if (bridge.length > 0) {
      throw new RefusedError(`--keep-containers cannot protect ${which}: ${bridge.join(', ')} rebuilds the default bridge, which live-restore cannot carry containers across`, {
        remedy: 'stop the containers yourself, or accept the restart with --yes',
      })
    }
    return {containers, enableLiveRestore: true}
  }
  if (options.yes) return {containers, enableLiveRestore: false}
  if (options.confirm && (await options.confirm(`Restarting dockerd will stop ${which}. Continue?`))) return {containers, enableLiveRestore: false}
  throw new RefusedError(`restarting dockerd would stop ${which} (live-restore is off); nothing was changed`, {
    remedy: 'pass --yes to accept, or --keep-containers to switch live-restore on by reload first',
    details: containers,
  })
}
