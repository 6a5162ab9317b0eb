import semver from 'semver'
import {describe, expect, it} from 'vitest'

import {flagsIn} from '../../../src/registry/index.js'
import {FLAG_ONLY, IGNORED_FLAG_NAME_KEYS, OPTIONS, REJECTED_STRUCT_KEYS} from '../../../src/registry/options.js'

const keys = OPTIONS.map((o) => o.key)
// Releases at which the flag set changes (dockerd-options.md section 0 and the tag diff).
const VERSIONS = ['20.10.0', '20.10.24', '23.0.0', '24.0.0', '25.0.0', '26.0.0', '27.0.1', '27.3.0', '28.0.0', '28.1.0', '28.2.0', '29.0.0', '29.2.0', '29.7.0', '29.7.2']

describe('OPTIONS table invariants', () => {
  it('has every key exactly once', () => {
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('covers every key of sections 1.2-1.5 of the reference', () => {
    const expected = [
      // 1.2
      'bip',
      'bip6',
      'fixed-cidr',
      'fixed-cidr-v6',
      'ipv6',
      'default-gateway',
      'default-gateway-v6',
      'mtu',
      'dns',
      'dns-opts',
      'dns-search',
      'default-address-pools',
      'default-network-opts',
      'ip',
      'ip-forward',
      'ip-forward-no-drop',
      'ip-masq',
      'iptables',
      'ip6tables',
      'icc',
      'userland-proxy',
      'userland-proxy-path',
      'bridge',
      'allow-direct-routing',
      'bridge-accept-fwmark',
      'firewall-backend',
      'network-control-plane-mtu',
      'host-gateway-ip',
      'host-gateway-ips',
      // 1.3
      'hosts',
      'tls',
      'tlsverify',
      'tlscacert',
      'tlscert',
      'tlskey',
      'group',
      // 1.4
      'debug',
      'log-level',
      'log-format',
      'raw-logs',
      'log-driver',
      'log-opts',
      'labels',
      'registry-mirrors',
      'insecure-registries',
      'authorization-plugins',
      'live-restore',
      'max-concurrent-downloads',
      'max-concurrent-uploads',
      'max-download-attempts',
      'shutdown-timeout',
      'default-stop-timeout',
      'features',
      'experimental',
      'default-runtime',
      'runtimes',
      'exec-opts',
      'default-ulimits',
      'default-shm-size',
      'default-ipc-mode',
      'default-cgroupns-mode',
      'cgroup-parent',
      'cpu-rt-period',
      'cpu-rt-runtime',
      'init',
      'init-path',
      'seccomp-profile',
      'selinux-enabled',
      'no-new-privileges',
      'userns-remap',
      'rootless',
      'storage-driver',
      'storage-opts',
      'data-root',
      'exec-root',
      'pidfile',
      'containerd',
      'containerd-namespace',
      'cri-containerd',
      'cdi-spec-dirs',
      'metrics-addr',
      'node-generic-resources',
      'swarm-default-advertise-addr',
      'network-diagnostic-port',
      'proxies',
      'builder',
      'nri-opts',
      'min-api-version',
      // 1.5
      'graph',
      'cluster-store',
      'cluster-advertise',
      'cluster-store-opts',
      'deprecated-key-path',
      'oom-score-adjust',
      'api-cors-header',
      'allow-nondistributable-artifacts',
      'disable-legacy-registry',
    ]
    expect([...keys].sort()).toEqual([...expected].sort())
  })

  it('points every namedKey at a key of the table', () => {
    for (const spec of OPTIONS) {
      for (const flag of spec.flags) {
        if (flag.namedKey !== undefined) expect(keys, `${spec.key} --${flag.long}`).toContain(flag.namedKey)
      }
    }
  })

  it('defines every flag long name and shorthand at most once per version', () => {
    for (const version of VERSIONS) {
      const longs = flagsIn(version).map((m) => m.flag.long)
      const shorts = flagsIn(version).flatMap((m) => (m.flag.short === undefined ? [] : [m.flag.short]))
      expect(new Set(longs).size, `long names at ${version}`).toBe(longs.length)
      expect(new Set(shorts).size, `shorthands at ${version}`).toBe(shorts.length)
    }
  })

  it('uses valid semver for every version field', () => {
    for (const spec of OPTIONS) {
      for (const v of [spec.added, spec.deprecated, spec.removed, spec.ignoredSince, spec.skipUnknownCheckSince]) {
        if (v !== undefined) expect(semver.valid(v), `${spec.key}: ${v}`).toBe(v)
      }
      for (const flag of spec.flags) {
        for (const v of [flag.since, flag.until, flag.namedSince]) if (v !== undefined) expect(semver.valid(v), `--${flag.long}: ${v}`).toBe(v)
      }
      if (spec.added !== undefined && spec.removed !== undefined) expect(semver.lt(spec.added, spec.removed)).toBe(true)
      if (spec.deprecated !== undefined && spec.removed !== undefined) expect(semver.lte(spec.deprecated, spec.removed)).toBe(true)
    }
  })

  it('has exactly one conflict-exempt key: runtimes', () => {
    expect(OPTIONS.filter((o) => o.conflictExempt === true).map((o) => o.key)).toEqual(['runtimes'])
  })

  it('marks exactly the section 2.1 "flat options" as flat', () => {
    const flat = OPTIONS.filter((o) => o.flat === true)
      .map((o) => o.key)
      .sort()
    expect(flat).toEqual(['builder', 'cluster-store-opts', 'default-network-opts', 'default-ulimits', 'features', 'log-opts', 'nri-opts', 'runtimes'])
    expect(OPTIONS.find((o) => o.key === 'proxies')?.flat).toBeUndefined()
  })

  it('puts exactly the section 2.2 skip-list keys in the skip list', () => {
    expect(
      OPTIONS.filter((o) => o.skipUnknownCheck === true)
        .map((o) => o.key)
        .sort(),
    ).toEqual(['allow-nondistributable-artifacts', 'builder', 'deprecated-key-path', 'features', 'min-api-version'])
  })

  it('records the life cycles of section 1.5', () => {
    const life = (key: string) => {
      const o = OPTIONS.find((x) => x.key === key)
      return [o?.added, o?.deprecated, o?.removed, o?.ignoredSince]
    }
    expect(life('graph')).toEqual([undefined, '17.5.0', '23.0.0', undefined])
    expect(life('cluster-store')).toEqual([undefined, '20.10.0', '23.0.0', undefined])
    expect(life('oom-score-adjust')).toEqual([undefined, '24.0.0', '25.0.0', undefined])
    expect(life('api-cors-header')).toEqual([undefined, '27.0.0', '28.0.0', undefined])
    expect(life('allow-nondistributable-artifacts')).toEqual([undefined, '28.0.0', undefined, '28.1.0'])
    expect(life('deprecated-key-path')?.[3]).toBe('24.0.0')
    expect(life('host-gateway-ip')).toEqual([undefined, '28.0.0', undefined, undefined])
    expect(life('host-gateway-ips')[0]).toBe('28.0.0')
    expect(life('default-stop-timeout')[0]).toBe('29.7.0')
    expect(life('nri-opts')[0]).toBe('29.2.0')
  })

  it('gives every key a kind, reload, checkedAt and one-line description', () => {
    for (const spec of OPTIONS) {
      expect(spec.description.length, spec.key).toBeGreaterThan(10)
      expect(spec.description, spec.key).not.toContain('\n')
      expect(['yes', 'no']).toContain(spec.reload)
      expect(['config', 'start', 'none']).toContain(spec.checkedAt)
    }
  })

  it('uses the one-letter shorthands dockerd defines', () => {
    const shorts = Object.fromEntries([...OPTIONS.flatMap((o) => o.flags), ...FLAG_ONLY.map((f) => f.flag)].flatMap((f) => (f.short === undefined ? [] : [[f.short, f.long]])))
    expect(shorts).toEqual({b: 'bridge', G: 'group', H: 'host', D: 'debug', l: 'log-level', s: 'storage-driver', p: 'pidfile', g: 'graph', v: 'version', h: 'help', r: 'restart'})
  })
})

describe('REJECTED_STRUCT_KEYS (section 1.6)', () => {
  it('lists the five struct fields without a flag, none of them a table key', () => {
    expect(REJECTED_STRUCT_KEYS.map((r) => r.key).sort()).toEqual([
      'containerd-plugin-namespace',
      'default-init',
      'resolv-conf',
      'swarm-raft-election-tick',
      'swarm-raft-heartbeat-tick',
    ])
    for (const r of REJECTED_STRUCT_KEYS) expect(keys).not.toContain(r.key)
  })
})

describe('IGNORED_FLAG_NAME_KEYS (section 1.7)', () => {
  it('holds the keys the reference lists for dockerd 29, each mapped to the key probably meant', () => {
    const at29 = IGNORED_FLAG_NAME_KEYS.filter((e) => (e.since === undefined || semver.gte('29.7.2', e.since)) && (e.until === undefined || semver.lt('29.7.2', e.until)))
    const meant = Object.fromEntries(at29.map((e) => [e.key, e.meant]))
    expect(meant).toEqual({
      'add-runtime': 'runtimes',
      'authorization-plugin': 'authorization-plugins',
      'cdi-spec-dir': 'cdi-spec-dirs',
      'config-file': undefined,
      'containerd-plugins-namespace': undefined,
      'default-address-pool': 'default-address-pools',
      'default-network-opt': 'default-network-opts',
      'default-ulimit': 'default-ulimits',
      'dns-opt': 'dns-opts',
      'exec-opt': 'exec-opts',
      feature: 'features',
      host: 'hosts',
      'insecure-registry': 'insecure-registries',
      label: 'labels',
      'log-opt': 'log-opts',
      'node-generic-resource': 'node-generic-resources',
      'registry-mirror': 'registry-mirrors',
      restart: undefined,
      'storage-opt': 'storage-opts',
      validate: undefined,
      version: undefined,
      // pflag/cobra's own help flag is a flag name like any other.
      help: undefined,
      'http-proxy': 'proxies.http-proxy',
      'https-proxy': 'proxies.https-proxy',
      'no-proxy': 'proxies.no-proxy',
    })
  })

  it('bounds the traps by the flag lifetimes', () => {
    const find = (key: string) => IGNORED_FLAG_NAME_KEYS.find((e) => e.key === key)
    expect(find('feature')?.since).toBe('27.3.0')
    expect(find('validate')?.since).toBe('23.0.0')
    expect(find('cluster-store-opt')).toMatchObject({meant: 'cluster-store-opts', until: '24.0.0'})
  })
})

describe('FLAG_ONLY', () => {
  it('lists flags without a daemon.json key, with whether they take a value', () => {
    expect(FLAG_ONLY.map((f) => [f.flag.long, f.takesValue])).toEqual([
      ['config-file', true],
      ['validate', false],
      ['version', false],
      ['help', false],
      ['restart', false],
      ['containerd-plugins-namespace', true],
    ])
    for (const f of FLAG_ONLY) expect(keys).not.toContain(f.flag.long)
  })
})
