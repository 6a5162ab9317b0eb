import {describe, expect, it} from 'vitest'

import {parseDockerdArgv} from '../../../src/dockerd/argv.js'
import {conflictMessage, findConflicts, goValue} from '../../../src/effective/conflicts.js'

const PREFIX = 'the following directives are specified both as a flag and in the configuration file: '

/** dockerd's message for `argv` (after the program) against `file`, at `version`. */
function message(args: string[], file: Record<string, unknown>, version = '29.7.2'): string {
  const flags = parseDockerdArgv(['/usr/bin/dockerd', ...args], version).flags
  const conflicts = findConflicts(flags, file, version)
  return conflicts.length === 0 ? '' : conflictMessage(conflicts, version).slice(PREFIX.length)
}

function keys(args: string[], file: Record<string, unknown>, version = '29.7.2'): string[] {
  return findConflicts(parseDockerdArgv(['/usr/bin/dockerd', ...args], version).flags, file, version).map((c) => c.key)
}

describe('findConflicts: dockerd-options.md 2.3', () => {
  it('the classic: -H fd:// against "hosts", in dockerd\'s exact words', () => {
    const flags = parseDockerdArgv(['/usr/sbin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock'], '20.10.24').flags
    const conflicts = findConflicts(flags, {hosts: ['tcp://0.0.0.0:2375', 'unix:///var/run/docker.sock']}, '20.10.24')
    expect(conflicts).toEqual([{key: 'hosts', flag: '-H/--host', flagValues: ['fd://'], fileValue: ['tcp://0.0.0.0:2375', 'unix:///var/run/docker.sock'], flagIndexes: [1]}])
    expect(conflictMessage(conflicts, '20.10.24')).toBe(
      'the following directives are specified both as a flag and in the configuration file: hosts: (from flag: [fd://], from file: [tcp://0.0.0.0:2375 unix:///var/run/docker.sock])',
    )
  })

  it('named options compare their Name(): --label/labels, --log-opt/log-opts, --dns/dns, -H/hosts', () => {
    expect(message(['--label=a=b', '--label', 'c=d'], {labels: ['x=y']})).toBe('labels: (from flag: [a=b c=d], from file: [x=y])')
    // MapOpts prints as a Go map, keys sorted.
    expect(message(['--log-opt', 'max-size=10m', '--log-opt=max-file=3'], {'log-opts': {'max-size': '1m'}})).toBe(
      'log-opts: (from flag: map[max-file:3 max-size:10m], from file: map[max-size:1m])',
    )
    expect(message(['--dns', '8.8.8.8'], {dns: ['1.1.1.1']})).toBe('dns: (from flag: [8.8.8.8], from file: [1.1.1.1])')
    expect(message(['--dns', '8.8.8.8'], {dns: ['1.1.1.1']}, '20.10.24')).toBe('dns: (from flag: [8.8.8.8], from file: [1.1.1.1])')
  })

  it('the flag\'s own long name in the file is not its Name(): "label"/"host" do not conflict', () => {
    expect(keys(['--label=a=b', '-H', 'fd://'], {label: 'x', host: 'y'})).toEqual([])
  })

  it('plain flags conflict whatever the values: --debug=false with "debug": false', () => {
    expect(message(['--debug=false'], {debug: false})).toBe('debug: (from flag: false, from file: false)')
    expect(message(['-D'], {debug: true})).toBe('debug: (from flag: true, from file: true)')
    // Booleans print as dockerd holds them, however they were spelled.
    expect(message(['--iptables=0'], {iptables: true})).toBe('iptables: (from flag: false, from file: true)')
    expect(message(['--mtu=1450'], {mtu: 1500})).toBe('mtu: (from flag: 1450, from file: 1500)')
  })

  it('runtimes is the only exemption; other repeatable flags are not exempt', () => {
    expect(keys(['--add-runtime', 'crun=/usr/bin/crun'], {runtimes: {runc2: {path: '/x'}}})).toEqual([])
    expect(keys(['--registry-mirror=https://m.example/'], {'registry-mirrors': []})).toEqual(['registry-mirrors'])
    expect(message(['--registry-mirror=https://m.example/'], {'registry-mirrors': []})).toBe('registry-mirrors: (from flag: [https://m.example/], from file: [])')
  })

  it('--config-file conflicts with a "config-file" key', () => {
    expect(message(['--config-file=/etc/docker/daemon.json'], {'config-file': '/x'})).toBe('config-file: (from flag: /etc/docker/daemon.json, from file: /x)')
  })

  it('flattening: an unknown object key contributes its children ({"bogus": {"labels": [...]}})', () => {
    const conflicts = findConflicts(parseDockerdArgv(['/usr/bin/dockerd', '--label=a=b'], '29.7.2').flags, {bogus: {labels: ['x=y']}}, '29.7.2')
    expect(conflicts.map((c) => [c.key, c.fileValue])).toEqual([['labels', ['x=y']]])
  })

  it('flat options keep their children to themselves (log-opts, default-network-opts)', () => {
    expect(keys(['--label=a=b'], {'log-opts': {labels: 'x'}})).toEqual([])
    expect(keys(['--mtu=1400'], {'default-network-opts': {mtu: '1'}})).toEqual([])
  })

  it('proxies is flattened: its children meet --http-proxy, credentials masked from 23.0', () => {
    const file = {proxies: {'http-proxy': 'http://user:secret@proxy.example:3128', 'no-proxy': 'localhost'}}
    expect(message(['--http-proxy=http://u2:p2@other:8080'], file, '29.7.2')).toBe(
      'http-proxy: (from flag: http://xxxxx:xxxxx@other:8080, from file: http://xxxxx:xxxxx@proxy.example:3128)',
    )
    expect(message(['--no-proxy=*.local'], file, '29.7.2')).toBe('no-proxy: (from flag: *.local, from file: localhost)')
    // --http-proxy only exists from 23.0: to 20.10 it is an unknown flag, not a conflict.
    expect(keys(['--http-proxy=http://x:3128'], file, '20.10.24')).toEqual([])
  })

  it("sorts by flag name, as pflag's Visit does (T's 10-entry example)", () => {
    const args = [
      '--storage-opt=dm.basesize=20G',
      '--registry-mirror=https://m.example/',
      '--mtu=1400',
      '--log-opt=max-size=1m',
      '--label=a=b',
      '--dns=8.8.8.8',
      '--default-ulimit=nofile=1024:2048',
      '--default-address-pool=base=10.9.0.0/16,size=24',
      '-D',
      '--bip=10.1.0.1/24',
    ]
    const file = {
      'storage-opts': ['dm.basesize=10G'],
      'registry-mirrors': [],
      mtu: 1e6,
      'log-opts': {'max-file': '3'},
      labels: ['x=y'],
      dns: ['1.1.1.1'],
      'default-ulimits': {nofile: {Name: 'nofile', Hard: 64000, Soft: 64000}},
      'default-address-pools': [{base: '10.10.0.0/16', size: 24}],
      debug: false,
      bip: '10.2.0.1/24',
    }
    expect(keys(args, file)).toEqual(['bip', 'debug', 'default-address-pools', 'default-ulimits', 'dns', 'labels', 'log-opts', 'mtu', 'registry-mirrors', 'storage-opts'])
    expect(message(args, file)).toBe(
      [
        'bip: (from flag: 10.1.0.1/24, from file: 10.2.0.1/24)',
        'debug: (from flag: true, from file: false)',
        'default-address-pools: (from flag: 10.9.0.0/16 24, from file: [map[base:10.10.0.0/16 size:24]])',
        'default-ulimits: (from flag: [nofile=1024:2048], from file: map[nofile:map[Hard:64000 Name:nofile Soft:64000]])',
        'dns: (from flag: [8.8.8.8], from file: [1.1.1.1])',
        'labels: (from flag: [a=b], from file: [x=y])',
        'log-opts: (from flag: map[max-size:1m], from file: map[max-file:3])',
        'mtu: (from flag: 1400, from file: 1e+06)',
        'registry-mirrors: (from flag: [https://m.example/], from file: [])',
        'storage-opts: (from flag: [dm.basesize=20G], from file: [dm.basesize=10G])',
      ].join(', '),
    )
  })

  it('byte order, not locale order: ip-masq before ip6tables before iptables', () => {
    expect(keys(['--iptables=false', '--ip6tables', '--ip-masq=false'], {iptables: true, ip6tables: true, 'ip-masq': true})).toEqual(['ip-masq', 'ip6tables', 'iptables'])
  })

  it('several occurrences of one flag make one conflict that lists every value and index', () => {
    const conflicts = findConflicts(parseDockerdArgv(['/usr/bin/dockerd', '-H', 'fd://', '--debug', '-H=tcp://0.0.0.0:2375'], '29.7.2').flags, {hosts: []}, '29.7.2')
    expect(conflicts).toEqual([{key: 'hosts', flag: '-H/--host', flagValues: ['fd://', 'tcp://0.0.0.0:2375'], fileValue: [], flagIndexes: [1, 4]}])
  })
})

describe("goValue: Go's %v of decoded JSON", () => {
  it.each<[unknown, string]>([
    [['a', 'b'], '[a b]'],
    [[], '[]'],
    [{b: 1, a: 'x'}, 'map[a:x b:1]'],
    [{}, 'map[]'],
    [{n: {z: true, y: [1, 2]}}, 'map[n:map[y:[1 2] z:true]]'],
    [1500, '1500'],
    [123456, '123456'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [1.5, '1.5'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1e21, '1e+21'],
    [0, '0'],
    [-2, '-2'],
    [true, 'true'],
    [null, '<nil>'],
    ['', ''],
  ])('%j -> %s', (value, expected) => {
    expect(goValue(value)).toBe(expected)
  })
})
