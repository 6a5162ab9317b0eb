import {describe, expect, it} from 'vitest'

import type {Finding} from '../../../src/core/findings.js'
import {parseDaemonJson} from '../../../src/daemon-config/parse.js'
import {validateDaemonConfig} from '../../../src/daemon-config/validate.js'

const OLD = '20.10.24'
const NEW = '29.7.2'

function findings(key: string, value: string, version: string): Finding[] {
  const parsed = parseDaemonJson(`{\n  "${key}": ${value}\n}\n`, '/etc/docker/daemon.json', {dockerdVersion: version})
  return validateDaemonConfig(parsed, {dockerdVersion: version})
}

/**
 * The value rules that moved from validate.ts into the registry rows (OptionSpec.values, .range),
 * pinned word for word as validate.ts reported them before the move: the generic rule must build
 * the same findings from the rows.
 */
const cases: Array<[key: string, value: string, version: string, expected: Partial<Finding>]> = [
  [
    'firewall-backend',
    '"ufw"',
    NEW,
    {
      code: 'firewall-backend-invalid',
      severity: 'error',
      checkedAt: 'config',
      message: '"firewall-backend" "ufw": dockerd refuses the configuration (\'invalid firewall-backend: allowed values are "iptables" and "nftables"\')',
      hint: 'use "iptables" or "nftables"',
    },
  ],
  [
    'default-ipc-mode',
    '"host"',
    NEW,
    {
      code: 'ipc-mode-invalid',
      severity: 'error',
      checkedAt: 'config',
      message: '"default-ipc-mode" "host": dockerd refuses the configuration (default IPC mode must be "shareable" or "private")',
      hint: 'use "private" or "shareable"',
    },
  ],
  [
    'default-cgroupns-mode',
    '"shared"',
    NEW,
    {
      code: 'cgroupns-mode-invalid',
      severity: 'error',
      checkedAt: 'config',
      message: '"default-cgroupns-mode" "shared": dockerd refuses the configuration ("invalid default cgroup namespace (shared): use "host" or "private"")',
      hint: 'use "private" or "host"',
    },
  ],
  [
    'default-cgroupns-mode',
    '"shared"',
    OLD,
    {
      code: 'cgroupns-mode-invalid',
      severity: 'error',
      checkedAt: 'config',
      message: '"default-cgroupns-mode" "shared": dockerd refuses the configuration ("default cgroup namespace mode (shared) is invalid; use "host" or "private"")',
      hint: 'use "private" or "host"',
    },
  ],
  [
    'log-level',
    '"verbose"',
    OLD,
    {
      code: 'log-level-invalid',
      severity: 'error',
      checkedAt: 'start',
      message: '"log-level" "verbose" is not a level dockerd 20.10.24 accepts ("invalid logging level: verbose")',
      hint: 'use one of debug, info, warn, error, fatal',
    },
  ],
  [
    'log-level',
    '"Warning"',
    NEW,
    {
      code: 'log-level-invalid',
      severity: 'error',
      checkedAt: 'config',
      message: '"log-level" "Warning" is not a level dockerd 29.7.2 accepts ("invalid logging level: Warning")',
      hint: 'write "warn" ("warning" was accepted up to dockerd 24)',
    },
  ],
  [
    'log-level',
    '"verbose"',
    NEW,
    {
      code: 'log-level-invalid',
      severity: 'error',
      checkedAt: 'config',
      message: '"log-level" "verbose" is not a level dockerd 29.7.2 accepts ("invalid logging level: verbose")',
      hint: 'use one of debug, info, warn, error, fatal',
    },
  ],
  [
    'log-format',
    '"xml"',
    NEW,
    {
      code: 'log-format-invalid',
      severity: 'error',
      checkedAt: 'config',
      message: '"log-format" "xml" is not text or json: dockerd refuses the configuration ("invalid log format: xml")',
      hint: 'use "text" or "json"',
    },
  ],
  [
    'mtu',
    '-1',
    OLD,
    {
      code: 'mtu-negative',
      severity: 'error',
      checkedAt: 'start',
      message: '"mtu" -1 is negative: dockerd 20.10.24 does not check it, the kernel refuses it when the bridge is set up',
      hint: 'use 1500, or the MTU of the host uplink',
    },
  ],
  [
    'mtu',
    '-1',
    NEW,
    {
      code: 'mtu-negative',
      severity: 'error',
      checkedAt: 'config',
      message: '"mtu" -1 is negative: dockerd 29.7.2 refuses the configuration ("invalid default MTU: -1")',
      hint: 'use 1500, or the MTU of the host uplink',
    },
  ],
  [
    'mtu',
    '70000',
    NEW,
    {
      code: 'mtu-out-of-range',
      severity: 'error',
      checkedAt: 'start',
      message:
        '"mtu" 70000 is outside 68..65535, the kernel\'s limits for the bridge: dockerd 29.7.2 fails at start (it sets the MTU of the default bridge, and the kernel refuses it)',
      hint: 'use 1500, or the MTU of the host uplink',
    },
  ],
  [
    'mtu',
    '99999',
    OLD,
    {
      code: 'mtu-out-of-range',
      severity: 'error',
      checkedAt: 'start',
      message:
        '"mtu" 99999 is outside 68..65535, the kernel\'s limits for container interfaces: dockerd 20.10.24 starts with it, but the kernel refuses it for every container interface (veth), so no container can start on the default bridge',
      hint: 'use 1500, or the MTU of the host uplink',
    },
  ],
  [
    'max-concurrent-downloads',
    '-1',
    NEW,
    {
      code: 'negative-value',
      severity: 'error',
      checkedAt: 'config',
      message: '"max-concurrent-downloads" -1 is out of range: dockerd refuses the configuration ("invalid max concurrent downloads: -1")',
      hint: 'use 0 or a positive number',
    },
  ],
  [
    'max-download-attempts',
    '0',
    OLD,
    {
      code: 'negative-value',
      severity: 'error',
      checkedAt: 'config',
      message: '"max-download-attempts" 0 is out of range: dockerd refuses the configuration ("invalid max download attempts: 0")',
      hint: 'use a positive number',
    },
  ],
  [
    'default-stop-timeout',
    '-1',
    NEW,
    {
      code: 'negative-value',
      severity: 'error',
      checkedAt: 'config',
      message: '"default-stop-timeout" -1 is out of range: dockerd refuses the configuration ("invalid default stop timeout: -1")',
      hint: 'use 0 or a positive number',
    },
  ],
  [
    'network-diagnostic-port',
    '70000',
    NEW,
    {
      code: 'port-out-of-range',
      severity: 'error',
      checkedAt: 'config',
      message: '"network-diagnostic-port" 70000: dockerd refuses the configuration ("value must be between 0 and 65535")',
    },
  ],
  [
    'network-diagnostic-port',
    '70000',
    OLD,
    {code: 'port-out-of-range', severity: 'error', checkedAt: 'start', message: '"network-diagnostic-port" 70000 is not a TCP port; the diagnostic server cannot listen'},
  ],
  [
    'storage-driver',
    '"aufs"',
    OLD,
    {
      code: 'storage-driver-deprecated',
      severity: 'warning',
      checkedAt: 'start',
      message: 'the "aufs" storage driver is deprecated and removed in dockerd 24.0.0; images and containers stored with it are lost on upgrade',
      hint: 'migrate to overlay2 (export what you need first: the data does not carry over)',
    },
  ],
  [
    'storage-driver',
    '"devicemapper"',
    NEW,
    {
      code: 'storage-driver-removed',
      severity: 'error',
      checkedAt: 'start',
      message: 'the "devicemapper" storage driver was removed in dockerd 25.0.0: dockerd 29.7.2 fails at start',
      hint: 'migrate to overlay2 (export what you need first: the data does not carry over)',
    },
  ],
]

describe('value rules read from the registry', () => {
  it.each(cases)('%s %s at %s', (key, value, version, expected) => {
    const found = findings(key, value, version)
    expect(found).toHaveLength(1)
    expect(found[0]).toEqual({...expected, key, file: '/etc/docker/daemon.json', line: 2, column: key.length + 7})
  })

  it('reports the IPv6 minimum MTU only for an mtu inside the kernel range', () => {
    const text = (mtu: number) => `{"ipv6": true, "fixed-cidr-v6": "fd00::/64", "mtu": ${mtu}}`
    const codes = (mtu: number) => validateDaemonConfig(parseDaemonJson(text(mtu), 'f', {dockerdVersion: NEW}), {dockerdVersion: NEW}).filter((f) => f.key === 'mtu')
    expect(codes(1000).map((f) => f.message)).toEqual(['"mtu" 1000 is below 1280, the IPv6 minimum, while "ipv6" is on: IPv6 on the default bridge will not work'])
    expect(codes(60).map((f) => f.message)).toEqual([expect.stringContaining('is outside 68..65535') as unknown])
    expect(codes(1280)).toEqual([])
  })

  it('says nothing about accepted values and in-range numbers; "" is only the default', () => {
    for (const [key, value, codes] of [
      ['firewall-backend', '"nftables"', []],
      ['log-level', '""', ['zero-means-default']],
      ['log-level', '"WARN"', []],
      ['default-cgroupns-mode', '"host"', []],
      ['storage-driver', '"overlay2"', []],
      ['network-diagnostic-port', '65535', []],
      ['max-download-attempts', '1', []],
    ] as const) {
      expect(
        findings(key, value, NEW).map((f) => f.code),
        `${key} ${value}`,
      ).toEqual(codes)
    }
  })
})
