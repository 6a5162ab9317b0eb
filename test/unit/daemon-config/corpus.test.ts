import {createHash} from 'node:crypto'
import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import type {Finding} from '../../../src/core/findings.js'
import {parseDaemonJson} from '../../../src/daemon-config/parse.js'
import {validateDaemonConfig} from '../../../src/daemon-config/validate.js'

const DIR = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/daemon-json')
const OLD = '20.10.24'
const NEW = '29.7.2'

/**
 * What dockerd would make of each real-world file, decided by reading the file and the reference
 * (not by running dockcfg). `code/severity@line:column`, parse findings included, one entry per
 * finding (a problem reported twice fails the test). An empty list means dockerd accepts the file
 * without surprises.
 */
const EXPECTED: Record<string, {old: string[]; new: string[]}> = {
  'amazon-ecs-ami-userland-proxy.json': {old: [], new: []},
  'amazon-eks-ami-2018-default-ulimits.json': {old: [], new: []},
  'amazon-eks-ami-2019-nvidia-runtime.json': {old: [], new: []},
  'amazon-eks-ami-2021-cis-hardened.json': {old: [], new: []}, // icc:false is fine: iptables stays on
  'amazon-eks-ami-fork-dockerd-bip.json': {old: [], new: []}, // 192.168.0.1/16 is a host address
  'ambroisemaupate-ipv6-metrics.json': {old: [], new: []},
  'ampere-kolla-dns-only.json': {old: [], new: []},
  'b-data-swarm-ipv6-experimental.json': {old: [], new: []}, // ip6tables on 20.10 is allowed: experimental is true
  'basanet-hosts-tcp2375-tls-pair.json': {old: [], new: []}, // tcp host, but tlsverify with a full cert set
  'bretfisher-dogvscat-metrics-space-before-colon.json': {old: [], new: []},
  'candig-bip-public-range-pools.json': {old: [], new: []},
  'configfiles-odd-whitespace-data-root.json': {old: [], new: []},
  // ffff:… is inside ff00::/8: a multicast prefix, refused at config load from 25.0.
  'cycledm-many-pools-ipv6-ffff.json': {old: ['fixed-cidr-v6-invalid/warning@3:20'], new: ['fixed-cidr-v6-invalid/error@3:20']},
  // devicemapper left dockerd in 25.0.
  'dcos-devicemapper-storage-opts.json': {old: ['storage-driver-deprecated/warning@2:21'], new: ['storage-driver-removed/error@2:21']},
  // aufs left dockerd in 24.0; the two spaces after the closing brace are whitespace, not data.
  'docker-snap-2018-aufs-trailing-whitespace.json': {old: ['storage-driver-deprecated/warning@3:25'], new: ['storage-driver-removed/error@3:25']},
  'docker-snap-2023-log-level.json': {old: [], new: []},
  // The "}" after the trailing comma, where Go expects a key.
  'docker-snap-2023-trailing-comma-BROKEN.json': {old: ['json-syntax/error@3:1'], new: ['json-syntax/error@3:1']},
  // The anonymous "{" on line 12 where a key must be. The "}" on line 14 closes it and the one on
  // line 15 closes the file: neither is a problem of its own.
  'falenn-awsk8s-BROKEN-anonymous-object-template.json': {old: ['json-syntax/error@12:3'], new: ['json-syntax/error@12:3']},
  'fcos-gvisor-runtimes-class-e-pools.json': {old: [], new: []},
  // 10.100.0.1/16 has host bits set (refused at start from 27.0); tcp://[::]:2375 without TLS.
  'fly-apps-docker-daemon-hosts-mtu-pools.json': {
    old: ['address-pool-not-canonical/warning@7:21', 'tcp-without-tls/warning@18:9'],
    new: ['address-pool-not-canonical/error@7:21', 'tcp-without-tls/warning@18:9'],
  },
  // proxies arrived in 23.0; "args" is not a runtime field (runtimeArgs is), Go drops it.
  'gentoo-proxies-runtimes-btrfs.json': {
    old: ['key-not-yet/error@4:5', 'runtime-unknown-field/warning@18:13'],
    new: ['runtime-unknown-field/warning@18:13'],
  },
  'gwasik-syslog-log-opts-template.json': {old: [], new: []}, // string-typed "false" is right for log-opts
  'hon95-ipv6-pools-dns-mtu-metrics.json': {old: [], new: []},
  // No braces: the first value is the string "experimental"; 20.10 fails decoding it into a map.
  // The ": false, ..." after it is the same problem (no closing brace to have data after).
  'jodumont-BROKEN-no-braces.json': {old: ['json-not-object/error@1:1'], new: ['json-not-object/error@1:1']},
  // Mirrors need http:// or https://.
  'kubeadm-vagrant-group-mirrors-no-scheme.json': {
    old: ['mirror-invalid/error@3:24', 'mirror-invalid/error@3:47'],
    new: ['mirror-invalid/error@3:24', 'mirror-invalid/error@3:47'],
  },
  'nomad-recipes-bip-log-opts.json': {old: [], new: []},
  'openmandriva-userns-remap.json': {old: [], new: []},
  // The shell prompt on line 1 is not JSON (the ":" after it is not a second problem).
  'self-dockermachine-BROKEN-terminal-paste-hosts.json': {old: ['json-syntax/error@1:1'], new: ['json-syntax/error@1:1']},
  'void-linux-package-default.json': {old: [], new: []},
}

const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()

function check(file: string, version: string): {findings: Finding[]; summaries: string[]} {
  const text = readFileSync(join(DIR, file), 'utf8')
  const parsed = parseDaemonJson(text, file, {dockerdVersion: version})
  const findings = [...parsed.findings, ...validateDaemonConfig(parsed, {dockerdVersion: version})]
  const summaries = findings.map((f) => `${f.code}/${f.severity}@${f.line}:${f.column}`).sort()
  return {findings, summaries}
}

describe('daemon.json corpus', () => {
  it('has an expectation for every fixture and a fixture for every expectation', () => {
    expect(fixtures).toEqual(Object.keys(EXPECTED).sort())
    expect(fixtures).toHaveLength(29)
  })

  it('keeps every fixture byte-exact (git blob id as recorded in SOURCES.md)', () => {
    const sources = readFileSync(join(DIR, 'SOURCES.md'), 'utf8')
    for (const file of fixtures) {
      const bytes = readFileSync(join(DIR, file))
      const blob = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex').slice(0, 12)
      const line = sources.split('\n').find((l) => l.startsWith(`- \`${file}\``))
      expect(line, `${file} has a provenance line`).toBeDefined()
      expect(line, file).toContain(`blob ${blob}`)
    }
  })

  describe.each(fixtures)('%s', (file) => {
    const expected = EXPECTED[file] ?? {old: ['<missing expectation>'], new: []}
    it(`as dockerd ${OLD}`, () => {
      expect(check(file, OLD).summaries).toEqual([...expected.old].sort())
    })
    it(`as dockerd ${NEW}`, () => {
      expect(check(file, NEW).summaries).toEqual([...expected.new].sort())
    })
  })

  it('explains the broken files precisely', () => {
    const comma = check('docker-snap-2023-trailing-comma-BROKEN.json', NEW).findings
    expect(comma).toHaveLength(1)
    expect(comma[0]?.message).toContain('trailing comma before }')
    const anonymous = check('falenn-awsk8s-BROKEN-anonymous-object-template.json', NEW).findings
    expect(anonymous).toHaveLength(1)
    expect(anonymous[0]?.message).toContain('an object inside an object needs a key')
    expect(anonymous.map((f) => f.message).join('\n')).not.toContain('trailing comma')
    const paste = check('self-dockermachine-BROKEN-terminal-paste-hosts.json', NEW).findings[0]
    expect(paste).toMatchObject({code: 'json-syntax', line: 1, column: 1, checkedAt: 'config'})
    const braces = check('jodumont-BROKEN-no-braces.json', OLD).findings.find((f) => f.code === 'json-not-object')
    expect(braces?.message).toContain('daemon.json must be a JSON object')
    expect(braces?.message).toContain('a string "experimental", followed by more data at line 1, column 15')
    expect(braces?.message).not.toContain('closing brace')
    const mirrors = check('kubeadm-vagrant-group-mirrors-no-scheme.json', OLD).findings
    expect(mirrors.map((f) => f.checkedAt)).toEqual(['start', 'start'])
    expect(check('kubeadm-vagrant-group-mirrors-no-scheme.json', NEW).findings.map((f) => f.checkedAt)).toEqual(['config', 'config'])
  })
})
