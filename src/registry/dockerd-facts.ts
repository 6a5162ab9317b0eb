import {versionAtLeast} from './index.js'

/** Facts about dockerd itself (not about one daemon.json key) that validation checks values against. */

/** The members of nri-opts (daemon/pkg/opts/nri_opts.go NRIOpts), decoded with DisallowUnknownFields. */
export const NRI_FIELDS: Readonly<Record<string, 'boolean' | 'string'>> = {
  enable: 'boolean',
  'plugin-path': 'string',
  'plugin-config-path': 'string',
  'socket-path': 'string',
}

/** config.DefaultPluginNamespace: the file cannot change it (containerd-plugin-namespace is refused). */
export const PLUGINS_NAMESPACE = 'plugins.moby'

/** MaxAPIVersion per engine release (section 5), for min-api-version's upper bound. */
export function maxApiVersion(version: string): number {
  const table: Array<[string, number]> = [
    ['29.6.0', 55],
    ['29.3.0', 54],
    ['29.2.0', 53],
    ['29.0.0', 52],
    ['28.3.0', 51],
    ['28.2.0', 50],
    ['28.1.0', 49],
    ['28.0.0', 48],
    ['27.2.0', 47],
    ['27.0.0', 46],
    ['26.0.0', 45],
    ['25.0.0', 44],
    ['24.0.0', 43],
    ['23.0.0', 42],
  ]
  for (const [since, api] of table) if (versionAtLeast(version, since)) return api
  return 41
}

/** The GET /info field that shows the running daemon's value of a key (dockerd-options.md section 5). */
export const INFO_FIELDS: Readonly<Record<string, string>> = {
  debug: 'Debug',
  'live-restore': 'LiveRestoreEnabled',
  'log-driver': 'LoggingDriver',
  'storage-driver': 'Driver',
  'data-root': 'DockerRootDir',
}

/** The option of the default bridge network (GET /networks/bridge) that shows the running "mtu". */
export const BRIDGE_MTU_OPTION = 'com.docker.network.driver.mtu'

/** The label namespaces dockerd keeps for itself (daemon.ValidateLabels refuses them, compared in lower case). */
export const RESERVED_LABEL_NAMESPACES: readonly string[] = ['com.docker.', 'io.docker.', 'org.dockerproject.']

/** The cgroup drivers native.cgroupdriver names on Linux. */
export const CGROUP_DRIVERS: readonly string[] = ['systemd', 'cgroupfs']

/** The runtimes dockerd `version` has without a "runtimes" entry (25.0 dropped io.containerd.runc.v1). */
export function stockRuntimes(version: string): readonly string[] {
  return versionAtLeast(version, '25.0.0') ? ['runc', 'io.containerd.runc.v2'] : ['runc', 'io.containerd.runc.v1', 'io.containerd.runc.v2']
}
