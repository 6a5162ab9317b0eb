import {describe, expect, it} from 'vitest'

import type {Finding} from '../../../src/core/findings.js'
import {parseDaemonJson} from '../../../src/daemon-config/parse.js'
import {validateDaemonConfig, validateMerged} from '../../../src/daemon-config/validate.js'

const OLD = '20.10.24'
const NEW = '29.7.2'

/** `{"key": value}` laid out so the key is at 2:3 and the value at 2:(len(key)+7). */
function one(key: string, value: string): string {
  return `{\n  "${key}": ${value}\n}\n`
}

function validate(text: string, version: string | undefined): Finding[] {
  const parsed = parseDaemonJson(text, '/etc/docker/daemon.json', {dockerdVersion: version})
  expect(parsed.decodable, 'test input must be valid JSON').toBe(true)
  return validateDaemonConfig(parsed, {dockerdVersion: version})
}

/** code/severity@line:column/checkedAt, compact enough to list every expected finding. */
function summary(f: Finding): string {
  return `${f.code}/${f.severity}@${f.line ?? '-'}:${f.column ?? '-'}/${f.checkedAt ?? '-'}`
}

interface Case {
  name: string
  text: string
  version: string
  expected: string[]
  /** Substrings the first finding's message (or hint) must contain. */
  says?: string[]
}

const cases: Case[] = [
  // ---- unknown, ignored and rejected keys -------------------------------------------------------
  {
    name: 'a typo is an unknown key, with the closest key suggested',
    text: one('registry-mirorrs', '[]'),
    version: NEW,
    expected: ['unknown-key/error@2:3/config'],
    says: ['did you mean "registry-mirrors"?'],
  },
  {name: 'keys are case-sensitive', text: one('Debug', 'true'), version: NEW, expected: ['key-case/error@2:3/config'], says: ['write "debug"']},
  {name: 'a one-letter flag is not a key', text: one('H', '["unix:///run/docker.sock"]'), version: NEW, expected: ['unknown-key/error@2:3/config']},
  {name: '"label" is accepted and ignored (plural trap)', text: one('label', '["a=b"]'), version: OLD, expected: ['ignored-key/warning@2:3/-'], says: ['use "labels" instead']},
  {name: '"log-opt" is accepted and ignored', text: one('log-opt', '"max-size=10m"'), version: NEW, expected: ['ignored-key/warning@2:3/-'], says: ['use "log-opts" instead']},
  {
    name: 'a top-level http-proxy is silently ignored',
    text: one('http-proxy', '"http://proxy:3128"'),
    version: NEW,
    expected: ['ignored-key/warning@2:3/-'],
    says: ['proxies.http-proxy'],
  },
  {name: 'a struct field without a flag is always refused', text: one('default-init', '"/usr/bin/tini"'), version: NEW, expected: ['rejected-key/error@2:3/config']},
  {name: 'containerd-plugin-namespace (singular) is refused', text: one('containerd-plugin-namespace', '"plugins"'), version: OLD, expected: ['rejected-key/error@2:3/config']},
  {name: 'an unknown key with an object value is never reported by dockerd', text: one('foo', '{}'), version: NEW, expected: ['unknown-object-ignored/warning@2:3/-']},
  {
    name: 'a real key inside an unknown wrapper counts for conflicts but is never applied',
    text: '{\n  "bogus": {\n    "labels": ["a=b"],\n    "nope": 1\n  }\n}\n',
    version: NEW,
    expected: ['unknown-object-ignored/warning@2:3/-', 'nested-key-ignored/warning@3:5/-', 'unknown-key/error@4:5/config'],
  },
  {name: 'proxies does not exist in 20.10', text: one('proxies', '{"http-proxy": "http://p:3128"}'), version: OLD, expected: ['key-not-yet/error@2:3/config']},
  {name: 'an unknown member of proxies is an unknown directive', text: one('proxies', '{"ftp-proxy": "x"}'), version: NEW, expected: ['unknown-key/error@2:15/config']},
  {name: 'a null value is accepted and ignored', text: one('debug', 'null'), version: NEW, expected: ['null-value/warning@2:12/-']},
  {name: 'duplicate keys: dockerd uses the last one', text: '{\n  "mtu": "x",\n  "mtu": 1400\n}\n', version: NEW, expected: []},

  // ---- JSON types --------------------------------------------------------------------------------
  {name: 'mtu as a string', text: one('mtu', '"1500"'), version: NEW, expected: ['wrong-type/error@2:10/config']},
  {name: 'mtu as a fraction', text: one('mtu', '1500.5'), version: NEW, expected: ['wrong-type/error@2:10/config']},
  {name: 'mtu in exponent form (Go will not decode 1e3 into an int)', text: one('mtu', '1e3'), version: NEW, expected: ['wrong-type/error@2:10/config']},
  {name: 'dns as a single string', text: one('dns', '"8.8.8.8"'), version: OLD, expected: ['wrong-type/error@2:10/config'], says: ['write ["…"] even for a single entry']},
  {name: 'debug as a string', text: one('debug', '"true"'), version: NEW, expected: ['wrong-type/error@2:12/config']},
  {
    name: 'log-opts values must be strings',
    text: '{\n  "log-opts": {\n    "max-size": "10m",\n    "max-file": 3\n  }\n}\n',
    version: NEW,
    expected: ['wrong-type/error@4:17/config'],
  },
  {name: 'default-shm-size as a number', text: one('default-shm-size', '67108864'), version: NEW, expected: ['wrong-type/error@2:23/config'], says: ['"64M"']},
  {
    name: 'default-address-pools as an object',
    text: one('default-address-pools', '{"base": "10.0.0.0/8", "size": 24}'),
    version: OLD,
    expected: ['wrong-type/error@2:28/config'],
    says: ['(base, size)'],
  },
  {name: 'features values must be booleans', text: one('features', '{"cdi": "true"}'), version: NEW, expected: ['wrong-type/error@2:23/config']},
  {name: 'a runtime entry must be an object', text: one('runtimes', '{"crun": "/usr/bin/crun"}'), version: NEW, expected: ['wrong-type/error@2:24/config']},

  // ---- version gating ----------------------------------------------------------------------------
  {name: 'bip6 is unknown before 28.0', text: one('bip6', '"fd00:1::1/64"'), version: OLD, expected: ['key-not-yet/error@2:3/config'], says: ['added in dockerd 28.0.0']},
  {name: 'bip6 is fine on 29', text: one('bip6', '"fd00:1::1/64"'), version: NEW, expected: []},
  {
    name: 'default-network-opts is unknown in 23.0',
    text: one('default-network-opts', '{"bridge": {"com.docker.network.driver.mtu": "1400"}}'),
    version: '23.0.18',
    expected: ['key-not-yet/error@2:3/config'],
  },
  {name: 'graph is deprecated in 20.10', text: one('graph', '"/srv/docker"'), version: OLD, expected: ['key-deprecated/warning@2:3/-'], says: ['use data-root']},
  {name: 'graph is a hard error in 23.0', text: one('graph', '"/srv/docker"'), version: '23.0.18', expected: ['key-removed/error@2:3/config'], says: ['refuses to start']},
  {name: 'graph is an unknown directive from 24.0', text: one('graph', '"/srv/docker"'), version: NEW, expected: ['key-removed/error@2:3/config'], says: ['unknown directive']},
  {
    name: 'graph together with data-root fails in 20.10',
    text: '{\n  "graph": "/a",\n  "data-root": "/b"\n}\n',
    version: OLD,
    expected: ['key-deprecated/warning@2:3/-', 'graph-with-data-root/error@2:3/config'],
  },
  {
    name: 'allow-nondistributable-artifacts is silently ignored from 28.1',
    text: one('allow-nondistributable-artifacts', '["reg:5000"]'),
    version: NEW,
    expected: ['key-ignored/warning@2:3/-'],
  },
  {name: 'oom-score-adjust 0 still passes in 25.0', text: one('oom-score-adjust', '0'), version: '25.0.17', expected: ['key-deprecated/warning@2:3/-']},
  {name: 'oom-score-adjust non-zero fails in 25.0', text: one('oom-score-adjust', '-500'), version: '25.0.17', expected: ['key-removed/error@2:3/config']},
  {name: 'cluster-store works but is deprecated in 20.10', text: one('cluster-store', '"consul://c:8500"'), version: OLD, expected: ['key-deprecated/warning@2:3/-']},
  {name: 'disable-legacy-registry is unknown everywhere in range', text: one('disable-legacy-registry', 'true'), version: OLD, expected: ['key-removed/error@2:3/config']},
  {name: 'host-gateway-ip is deprecated in 28', text: one('host-gateway-ip', '"172.17.0.1"'), version: '28.0.0', expected: ['key-deprecated/warning@2:3/-']},
  {
    name: 'host-gateway-ip and host-gateway-ips together are refused',
    text: '{\n  "host-gateway-ip": "172.17.0.1",\n  "host-gateway-ips": ["172.17.0.1"]\n}\n',
    version: NEW,
    expected: ['key-deprecated/warning@2:3/-', 'host-gateway-ip-conflict/error@2:3/config'],
  },
  {name: 'two IPv4 host-gateway-ips are refused', text: one('host-gateway-ips', '["10.0.0.1", "10.0.0.2"]'), version: NEW, expected: ['host-gateway-ip-invalid/error@2:36/config']},

  // ---- bridge addressing (start-time) ------------------------------------------------------------
  {name: 'bip without a prefix length', text: one('bip', '"192.168.1.1"'), version: NEW, expected: ['bip-invalid/error@2:10/start'], says: ['parse bip failed']},
  {
    name: 'bip with an impossible address',
    text: one('bip', '"192.168.300.1/24"'),
    version: OLD,
    expected: ['bip-invalid/error@2:10/start'],
    says: ['Error initializing network controller'],
  },
  {name: 'bip on the network address', text: one('bip', '"192.168.0.0/16"'), version: NEW, expected: ['bip-not-host-address/error@2:10/start'], says: ['192.168.0.1/16']},
  {name: 'bip on the broadcast address', text: one('bip', '"10.1.2.255/24"'), version: NEW, expected: ['bip-not-host-address/error@2:10/start']},
  {name: 'bip and bridge are mutually exclusive', text: '{\n  "bip": "10.1.0.1/24",\n  "bridge": "br0"\n}\n', version: NEW, expected: ['bip-with-bridge/error@2:3/start']},
  {name: 'fixed-cidr inside bip is fine', text: '{\n  "bip": "10.1.0.1/16",\n  "fixed-cidr": "10.1.128.0/17"\n}\n', version: NEW, expected: []},
  {name: 'fixed-cidr outside bip', text: '{\n  "bip": "10.1.0.1/16",\n  "fixed-cidr": "10.2.0.0/24"\n}\n', version: NEW, expected: ['fixed-cidr-outside-bip/error@3:17/start']},
  {
    name: 'default-gateway outside the bridge subnet',
    text: '{\n  "bip": "10.1.0.1/24",\n  "default-gateway": "10.2.0.1"\n}\n',
    version: NEW,
    expected: ['default-gateway-outside-subnet/error@3:22/start'],
  },
  {name: 'fixed-cidr-v6 multicast is a config error from 25', text: one('fixed-cidr-v6', '"ff00:1::/64"'), version: NEW, expected: ['fixed-cidr-v6-invalid/error@2:20/config']},
  {name: 'fixed-cidr-v6 multicast only warns before 25', text: one('fixed-cidr-v6', '"ff00:1::/64"'), version: OLD, expected: ['fixed-cidr-v6-invalid/warning@2:20/start']},
  {name: 'fixed-cidr-v6 overlapping link-local', text: one('fixed-cidr-v6', '"fe80::/48"'), version: NEW, expected: ['fixed-cidr-v6-invalid/error@2:20/config']},
  {name: 'ipv6 without fixed-cidr-v6 fails to start before 28', text: one('ipv6', 'true'), version: '27.5.1', expected: ['ipv6-needs-fixed-cidr-v6/error@2:3/start']},
  {name: 'ipv6 without fixed-cidr-v6 is fine from 28', text: one('ipv6', 'true'), version: NEW, expected: []},

  // ---- numbers -----------------------------------------------------------------------------------
  {name: 'negative mtu is a config error from 23', text: one('mtu', '-1'), version: NEW, expected: ['mtu-negative/error@2:10/config']},
  {name: 'negative mtu only fails at start in 20.10', text: one('mtu', '-1'), version: OLD, expected: ['mtu-negative/error@2:10/start']},
  {name: 'mtu above 65535 is refused by the kernel: dockerd fails at start from 25', text: one('mtu', '70000'), version: NEW, expected: ['mtu-out-of-range/error@2:10/start']},
  {name: 'mtu above 65535 in 20.10: dockerd starts, every container fails', text: one('mtu', '99999'), version: OLD, expected: ['mtu-out-of-range/error@2:10/start']},
  {name: 'mtu below 68', text: one('mtu', '60'), version: NEW, expected: ['mtu-out-of-range/error@2:10/start']},
  {name: 'mtu 0 means 1500', text: one('mtu', '0'), version: NEW, expected: ['zero-means-default/info@2:10/-']},
  {
    name: 'negative max-concurrent-downloads',
    text: one('max-concurrent-downloads', '-1'),
    version: OLD,
    expected: ['negative-value/error@2:31/config'],
    says: ['invalid max concurrent downloads: -1'],
  },
  {name: 'max-download-attempts 0 is refused by 20.10', text: one('max-download-attempts', '0'), version: OLD, expected: ['negative-value/error@2:28/config']},
  {name: 'network-diagnostic-port out of range', text: one('network-diagnostic-port', '70000'), version: NEW, expected: ['port-out-of-range/error@2:30/config']},

  // ---- DNS, pools, labels --------------------------------------------------------------------------
  {
    name: 'dns entry not an IP (20.10 wording)',
    text: one('dns', '["1.1.1.1", "dns.google"]'),
    version: OLD,
    expected: ['dns-invalid/error@2:22/config'],
    says: ['dns.google is not an ip address'],
  },
  {
    name: 'dns entry not an IP (25-28 wording)',
    text: one('dns', '["dns.google"]'),
    version: '25.0.0',
    expected: ['dns-invalid/error@2:11/config'],
    says: ['invalid IP address: dns.google'],
  },
  {name: 'dns-search entry without a letter', text: one('dns-search', '["example.com", "1234"]'), version: NEW, expected: ['dns-search-invalid/error@2:33/config']},
  {name: 'dns-search "." is allowed', text: one('dns-search', '["."]'), version: NEW, expected: []},
  {
    name: 'non-canonical pool base fails to start from 27',
    text: one('default-address-pools', '[{"base": "10.10.0.1/16", "size": 24}]'),
    version: NEW,
    expected: ['address-pool-not-canonical/error@2:38/start'],
    says: ['"10.10.0.0/16"'],
  },
  {
    name: 'non-canonical pool base is accepted by 20.10',
    text: one('default-address-pools', '[{"base": "10.10.0.1/16", "size": 24}]'),
    version: OLD,
    expected: ['address-pool-not-canonical/warning@2:38/start'],
  },
  {
    name: 'pool size shorter than its base',
    text: one('default-address-pools', '[{"base": "10.10.0.0/16", "size": 8}]'),
    version: NEW,
    expected: ['address-pool-size/error@2:62/start'],
  },
  {
    name: 'pool size beyond 32 for IPv4',
    text: one('default-address-pools', '[{"base": "10.10.0.0/16", "size": 33}]'),
    version: NEW,
    expected: ['address-pool-size/error@2:62/start'],
  },
  {
    name: 'pool base that is not a CIDR fails decoding from 27',
    text: one('default-address-pools', '[{"base": "10.10.0.0", "size": 24}]'),
    version: NEW,
    expected: ['address-pool-invalid/error@2:38/config'],
  },
  {
    name: 'pool base that is not a CIDR only fails at start before 27',
    text: one('default-address-pools', '[{"base": "10.10.0.0", "size": 24}]'),
    version: OLD,
    expected: ['address-pool-invalid/error@2:38/start'],
  },
  {
    name: 'a pool with an unknown field',
    text: one('default-address-pools', '[{"base": "10.10.0.0/16", "size": 24, "gateway": "x"}]'),
    version: NEW,
    expected: ['address-pool-unknown-field/warning@2:66/-'],
  },
  {name: 'label without =', text: one('labels', '["env"]'), version: NEW, expected: ['label-format/error@2:14/config']},
  {name: 'label in a reserved namespace', text: one('labels', '["com.docker.x=1"]'), version: OLD, expected: ['label-reserved/error@2:14/config']},
  {
    name: 'the same label key twice with different values',
    text: one('labels', '["a=1", "b=2", "a=2"]'),
    version: NEW,
    expected: ['label-duplicate/error@2:28/config'],
    says: ['conflict labels for a=2 and a=1'],
  },

  // ---- registries, logging ------------------------------------------------------------------------
  {
    name: 'mirror without a scheme is a config error from 28.3',
    text: one('registry-mirrors', '["mirror.gcr.io"]'),
    version: NEW,
    expected: ['mirror-invalid/error@2:24/config'],
    says: ['write "https://mirror.gcr.io"'],
  },
  {
    name: 'mirror without a scheme only fails at start before 28.3',
    text: one('registry-mirrors', '["mirror.gcr.io"]'),
    version: '28.2.0',
    expected: ['mirror-invalid/error@2:24/start'],
  },
  {name: 'mirror with credentials', text: one('registry-mirrors', '["https://u:p@m.example"]'), version: NEW, expected: ['mirror-invalid/error@2:24/config']},
  {name: 'mirror with a query', text: one('registry-mirrors', '["https://m.example/?x=1"]'), version: NEW, expected: ['mirror-invalid/error@2:24/config']},
  {
    name: 'insecure registry with an http:// prefix is stripped',
    text: one('insecure-registries', '["http://reg.local:5000"]'),
    version: NEW,
    expected: ['insecure-registry-invalid/warning@2:27/start'],
  },
  {name: 'insecure registry starting with a hyphen', text: one('insecure-registries', '["-reg.local"]'), version: NEW, expected: ['insecure-registry-invalid/error@2:27/start']},
  {name: 'insecure registry CIDR and host:port are fine', text: one('insecure-registries', '["10.0.0.0/8", "reg.local:5000", "[::1]:5000"]'), version: NEW, expected: []},
  {name: 'log-level warning is valid up to 24', text: one('log-level', '"warning"'), version: '24.0.9', expected: []},
  {name: 'log-level warning is refused from 25', text: one('log-level', '"warning"'), version: NEW, expected: ['log-level-invalid/error@2:16/config'], says: ['write "warn"']},
  {name: 'an invalid log-level only fails at start in 20.10', text: one('log-level', '"verbose"'), version: OLD, expected: ['log-level-invalid/error@2:16/start']},
  {name: 'log-format must be text or json', text: one('log-format', '"xml"'), version: NEW, expected: ['log-format-invalid/error@2:17/config']},

  // ---- log-opts per driver (start-time) ------------------------------------------------------------
  {
    name: 'no log-driver: json-file refuses a syslog option at start',
    text: one('log-opts', '{"max-size": "10m", "syslog-address": "udp://logs:514"}'),
    version: NEW,
    expected: ['log-opt-unknown/error@2:35/start'],
    says: ["unknown log opt 'syslog-address' for json-file log driver", 'option of the syslog driver'],
  },
  {
    name: 'no log-driver: json-file and global options are fine',
    text: one(
      'log-opts',
      '{"max-size": "10m", "max-file": "3", "compress": "true", "tag": "{{.Name}}", "mode": "non-blocking", "max-buffer-size": "4m", "cache-disabled": "false"}',
    ),
    version: NEW,
    expected: [],
  },
  {
    name: 'journald takes no max-size',
    text: '{\n  "log-driver": "journald",\n  "log-opts": {"max-size": "10m"}\n}\n',
    version: OLD,
    expected: ['log-opt-unknown/error@3:16/start'],
    says: ['json-file/local drivers'],
  },
  {name: 'journald with its own options is fine', text: '{\n  "log-driver": "journald",\n  "log-opts": {"tag": "{{.Name}}", "labels": "app"}\n}\n', version: NEW, expected: []},
  {
    name: 'local takes "tag" only from 29.5',
    text: '{\n  "log-driver": "local",\n  "log-opts": {"tag": "x"}\n}\n',
    version: '29.4.3',
    expected: ['log-opt-unknown/error@3:16/start'],
    says: ['from dockerd 29.5.0'],
  },
  {name: 'local takes "tag" in 29.7', text: '{\n  "log-driver": "local",\n  "log-opts": {"tag": "x"}\n}\n', version: NEW, expected: []},
  {
    name: 'awslogs needs awslogs-group',
    text: '{\n  "log-driver": "awslogs",\n  "log-opts": {"awslogs-region": "eu-west-1"}\n}\n',
    version: NEW,
    expected: ['log-opt-missing/error@3:3/start'],
    says: ["must specify a value for log opt 'awslogs-group'"],
  },
  {
    name: 'syslog facility must be known',
    text: '{\n  "log-driver": "syslog",\n  "log-opts": {"syslog-facility": "local9"}\n}\n',
    version: NEW,
    expected: ['log-opt-invalid/error@3:35/start'],
    says: ['invalid syslog facility'],
  },
  {
    name: 'gelf-address needs a port',
    text: '{\n  "log-driver": "gelf",\n  "log-opts": {"gelf-address": "udp://graylog"}\n}\n',
    version: NEW,
    expected: ['log-opt-invalid/error@3:32/start'],
    says: ['proto://host:port', 'udp://graylog:12201'],
  },
  {
    name: 'max-buffer-size needs mode non-blocking (any driver)',
    text: one('log-opts', '{"max-buffer-size": "4m"}'),
    version: NEW,
    expected: ['log-opt-invalid/error@2:35/start'],
    says: ["only supported with 'mode=non-blocking'"],
  },
  {
    name: 'a plugin driver: only a warning, its own options are not checked',
    text: '{\n  "log-driver": "loki",\n  "log-opts": {"loki-url": "http://loki:3100/loki/api/v1/push"}\n}\n',
    version: NEW,
    expected: ['log-driver-unknown/warning@2:17/start'],
    says: ['logging plugin', "no log driver named 'loki' is registered"],
  },
  {name: 'a plugin driver without log-opts: dockerd starts', text: one('log-driver', '"loki"'), version: NEW, expected: ['log-driver-unknown/warning@2:17/-']},
  {
    name: 'a plugin driver still gets the global mode check',
    text: '{\n  "log-driver": "loki",\n  "log-opts": {"mode": "async"}\n}\n',
    version: NEW,
    expected: ['log-driver-unknown/warning@2:17/start', 'log-opt-invalid/error@3:24/start'],
  },
  {
    name: 'logentries was removed in 25',
    text: one('log-driver', '"logentries"'),
    version: NEW,
    expected: ['log-driver-unknown/warning@2:17/-'],
    says: ['removed in dockerd 25.0.0'],
  },
  {
    name: 'logentries in 20.10 takes any option but needs the token',
    text: '{\n  "log-driver": "logentries",\n  "log-opts": {"anything": "x"}\n}\n',
    version: OLD,
    expected: ['log-opt-missing/error@3:3/start'],
  },
  {
    name: 'log-opts do nothing with the none driver',
    text: '{\n  "log-driver": "none",\n  "log-opts": {"max-size": "10m"}\n}\n',
    version: NEW,
    expected: ['log-opts-ignored/info@3:3/-'],
  },
  {
    name: 'json-file max-size that is not a size fails each container, not the start',
    text: one('log-opts', '{"max-size": "10 megs"}'),
    version: NEW,
    expected: ['log-opt-invalid/warning@2:28/-'],
    says: ['dockerd starts', "invalid size: '10 megs'"],
  },
  {name: 'json-file compress needs max-size and max-file', text: one('log-opts', '{"compress": "true"}'), version: NEW, expected: ['log-opt-invalid/warning@2:28/-']},
  {
    name: 'local compresses by default, so max-file 1 fails each container',
    text: '{\n  "log-driver": "local",\n  "log-opts": {"max-file": "1"}\n}\n',
    version: NEW,
    expected: ['log-opt-invalid/warning@3:28/-'],
  },
  {
    name: 'local max-file 1 without compression is fine',
    text: '{\n  "log-driver": "local",\n  "log-opts": {"max-file": "1", "compress": "false"}\n}\n',
    version: NEW,
    expected: [],
  },

  // ---- hosts and TLS ------------------------------------------------------------------------------
  {name: 'unsupported host scheme is a config error from 23', text: one('hosts', '["bogus://x"]'), version: NEW, expected: ['host-invalid/error@2:13/config']},
  {name: 'unsupported host scheme only fails at listener set-up in 20.10', text: one('hosts', '["bogus://x"]'), version: OLD, expected: ['host-invalid/error@2:13/start']},
  {name: 'a tcp host with a path', text: one('hosts', '["tcp://0.0.0.0:2376/api"]'), version: NEW, expected: ['host-invalid/error@2:13/config']},
  {
    name: 'unix, fd and TLS-verified tcp hosts are fine',
    text: '{\n  "hosts": ["unix:///run/docker.sock", "fd://", "tcp://0.0.0.0:2376"],\n  "tlsverify": true,\n  "tlscacert": "/c/ca.pem",\n  "tlscert": "/c/cert.pem",\n  "tlskey": "/c/key.pem"\n}\n',
    version: NEW,
    expected: [],
  },
  {
    name: 'plaintext tcp on all interfaces: security and the 15 s delay',
    text: one('hosts', '["tcp://0.0.0.0:2375"]'),
    version: NEW,
    expected: ['tcp-without-tls/warning@2:13/start'],
    says: ['15 s'],
  },
  {
    name: 'plaintext tcp with explicit tls false: no 15 s delay',
    text: '{\n  "hosts": ["tcp://0.0.0.0:2375"],\n  "tls": false\n}\n',
    version: NEW,
    expected: ['tcp-without-tls/warning@2:13/start'],
    says: ['1 s'],
  },
  {
    name: 'a bare host:port is tcp too (loopback: no delay)',
    text: one('hosts', '["127.0.0.1:2375"]'),
    version: NEW,
    expected: ['tcp-without-tls/warning@2:13/start'],
    says: ['1 s'],
  },
  {
    name: 'tlsverify without tlscacert',
    text: '{\n  "tlsverify": true,\n  "tlscert": "/c/cert.pem",\n  "tlskey": "/c/key.pem"\n}\n',
    version: NEW,
    expected: ['tls-default-ca/warning@2:3/config'],
  },
  {
    name: 'tls on with only the certificate',
    text: '{\n  "tls": true,\n  "tlscacert": "/c/ca.pem",\n  "tlscert": "/c/cert.pem"\n}\n',
    version: NEW,
    expected: ['tls-incomplete/warning@2:3/config'],
  },
  {name: 'certificate paths without TLS on', text: one('tlscert', '"/c/cert.pem"'), version: NEW, expected: ['tls-files-unused/warning@2:3/-']},

  // ---- firewall ----------------------------------------------------------------------------------
  {name: 'icc false needs iptables', text: '{\n  "icc": false,\n  "iptables": false\n}\n', version: NEW, expected: ['icc-needs-iptables/error@2:3/start']},
  {name: 'ip6tables needs experimental before 27', text: one('ip6tables', 'true'), version: '26.1.5', expected: ['ip6tables-needs-experimental/error@2:3/start']},
  {name: 'ip6tables alone is fine from 27', text: one('ip6tables', 'true'), version: '27.0.1', expected: []},
  {
    name: 'icc false with ipv6 needs ip6tables from 27',
    text: '{\n  "icc": false,\n  "ipv6": true,\n  "ip6tables": false\n}\n',
    version: NEW,
    expected: ['icc-needs-iptables/error@2:3/start'],
  },
  {
    name: 'userland-proxy-path must be absolute (config from 25)',
    text: one('userland-proxy-path', '"docker-proxy"'),
    version: NEW,
    expected: ['userland-proxy-path-relative/error@2:26/config'],
  },
  {name: 'firewall-backend values', text: one('firewall-backend', '"ufw"'), version: NEW, expected: ['firewall-backend-invalid/error@2:23/config']},
  {name: 'bridge-accept-fwmark must be 32-bit numbers', text: one('bridge-accept-fwmark', '"0x1/0x1ffffffff"'), version: NEW, expected: ['fwmark-invalid/error@2:27/config']},
  {name: 'bridge-accept-fwmark in hex with mask is fine', text: one('bridge-accept-fwmark', '"0x1/0xff"'), version: NEW, expected: []},

  // ---- exec, modes, runtimes ---------------------------------------------------------------------
  {name: 'exec-opts: only native.cgroupdriver on Linux from 28', text: one('exec-opts', '["isolation=hyperv"]'), version: NEW, expected: ['exec-opt-invalid/error@2:17/config']},
  {name: 'exec-opts: unknown options are ignored before 28', text: one('exec-opts', '["isolation=hyperv"]'), version: OLD, expected: ['exec-opt-invalid/warning@2:17/config']},
  {name: 'exec-opts: bad cgroup driver fails at start', text: one('exec-opts', '["native.cgroupdriver=openrc"]'), version: NEW, expected: ['exec-opt-invalid/error@2:17/start']},
  {name: 'default-ipc-mode host is not a valid default', text: one('default-ipc-mode', '"host"'), version: NEW, expected: ['ipc-mode-invalid/error@2:23/config']},
  {name: 'default-cgroupns-mode values', text: one('default-cgroupns-mode', '"shared"'), version: NEW, expected: ['cgroupns-mode-invalid/error@2:28/config']},
  {
    name: 'runc is a reserved runtime name (config in 20.10)',
    text: one('runtimes', '{"runc": {"path": "/usr/bin/runc"}}'),
    version: OLD,
    expected: ['runtime-reserved/error@2:16/config'],
  },
  {
    name: 'runc is a reserved runtime name (start from 25)',
    text: one('runtimes', '{"runc": {"path": "/usr/bin/runc"}}'),
    version: NEW,
    expected: ['runtime-reserved/error@2:16/start'],
  },
  {name: 'default-runtime must exist', text: one('default-runtime', '"nvidia"'), version: NEW, expected: ['default-runtime-unknown/error@2:22/start']},
  {
    name: 'cgroup-parent must be a slice with the systemd driver',
    text: '{\n  "exec-opts": ["native.cgroupdriver=systemd"],\n  "cgroup-parent": "/docker"\n}\n',
    version: NEW,
    expected: ['cgroup-parent-not-slice/error@3:20/start'],
    says: ['should be a valid slice named as "xxx.slice"', '"docker.slice"'],
  },
  {
    name: 'cgroup-parent ".slice" alone is too short',
    text: '{\n  "exec-opts": ["native.cgroupdriver=systemd"],\n  "cgroup-parent": ".slice"\n}\n',
    version: OLD,
    expected: ['cgroup-parent-not-slice/error@3:20/start'],
  },
  {
    name: 'cgroup-parent slice with the systemd driver is fine',
    text: '{\n  "exec-opts": ["native.cgroupdriver=systemd"],\n  "cgroup-parent": "docker.slice"\n}\n',
    version: NEW,
    expected: [],
  },
  // The host's cgroup version is unknown here: without an explicit driver nothing is reported.
  {name: 'cgroup-parent without an explicit cgroup driver is not checked', text: one('cgroup-parent', '"/docker"'), version: NEW, expected: []},
  {
    name: 'before 28 the first native.cgroupdriver wins',
    text: '{\n  "exec-opts": ["native.cgroupdriver=systemd", "native.cgroupdriver=cgroupfs"],\n  "cgroup-parent": "docker"\n}\n',
    version: '27.5.1',
    expected: ['cgroup-parent-not-slice/error@3:20/start'],
  },
  {
    name: 'from 28 the last native.cgroupdriver wins',
    text: '{\n  "exec-opts": ["native.cgroupdriver=systemd", "native.cgroupdriver=cgroupfs"],\n  "cgroup-parent": "docker"\n}\n',
    version: NEW,
    expected: [],
  },
  {
    name: 'containerd-namespace cannot be the plugins namespace',
    text: one('containerd-namespace', '"plugins.moby"'),
    version: NEW,
    expected: ['containerd-namespace-conflict/error@2:27/start'],
    says: ['containers namespace and plugins namespace cannot be the same'],
  },
  {name: 'containerd-namespace of its own is fine', text: one('containerd-namespace', '"k8s.io"'), version: NEW, expected: []},
  {
    name: 'userns-remap renames the plugins namespace from 26',
    text: '{\n  "containerd-namespace": "plugins.moby",\n  "userns-remap": "default"\n}\n',
    version: NEW,
    expected: [],
  },
  {
    name: 'userns-remap does not help before 26',
    text: '{\n  "containerd-namespace": "plugins.moby",\n  "userns-remap": "default"\n}\n',
    version: '25.0.5',
    expected: ['containerd-namespace-conflict/error@2:27/start'],
  },
  {
    name: 'nri-opts refuses unknown members',
    text: one('nri-opts', '{"enable": true, "plugin-dir": "/opt/nri"}'),
    version: NEW,
    expected: ['nri-opts-unknown-field/error@2:32/config'],
    says: ['json: unknown field "plugin-dir"', '"plugin-path"'],
  },
  {name: 'nri-opts before 29.2 is only reported as unknown', text: one('nri-opts', '{"plugin-dir": "/opt/nri"}'), version: '29.1.5', expected: ['key-not-yet/error@2:3/config']},
  {name: 'nri-opts enable must be a boolean', text: one('nri-opts', '{"enable": "true"}'), version: NEW, expected: ['wrong-type/error@2:26/config']},
  {name: 'nri-opts with known members is fine', text: one('nri-opts', '{"enable": true, "socket-path": "/var/run/nri/nri.sock"}'), version: NEW, expected: []},
  {name: 'default-runtime naming a containerd shim is allowed from 25', text: one('default-runtime', '"io.containerd.runsc.v1"'), version: NEW, expected: []},
  {
    name: 'runtime with "args" instead of "runtimeArgs", and one with path and runtimeType',
    text: '{\n  "runtimes": {\n    "a": {"path": "/bin/a", "args": []},\n    "b": {"path": "/bin/b", "runtimeType": "io.containerd.b.v1"}\n  }\n}\n',
    version: NEW,
    expected: ['runtime-unknown-field/warning@3:29/-', 'runtime-invalid/error@4:5/start'],
  },

  // ---- storage and misc ----------------------------------------------------------------------------
  {name: 'aufs is gone from 24', text: one('storage-driver', '"aufs"'), version: NEW, expected: ['storage-driver-removed/error@2:21/start']},
  {name: 'aufs is deprecated in 20.10', text: one('storage-driver', '"aufs"'), version: OLD, expected: ['storage-driver-deprecated/warning@2:21/start']},
  {name: 'default-shm-size must be a size', text: one('default-shm-size', '"64 megs"'), version: NEW, expected: ['shm-size-invalid/error@2:23/config']},
  {name: 'seccomp-profile builtin needs 23', text: one('seccomp-profile', '"builtin"'), version: OLD, expected: ['seccomp-builtin-unsupported/error@2:22/start']},
  {name: 'min-api-version above the maximum', text: one('min-api-version', '"1.99"'), version: NEW, expected: ['min-api-version-invalid/error@2:22/start']},
]

describe('validateDaemonConfig', () => {
  it.each(cases)('$name ($version)', ({text, version, expected, says}) => {
    const findings = validate(text, version)
    expect(findings.map(summary)).toEqual(expected)
    for (const f of findings) {
      expect(f.file).toBe('/etc/docker/daemon.json')
      expect(f.message.length).toBeGreaterThan(10)
    }
    if (says !== undefined) {
      const first = findings[0]
      for (const s of says) expect(`${first?.message} ${first?.hint ?? ''}`).toContain(s)
    }
  })

  it('says which version it assumed when none is given, and validates for the newest', () => {
    const findings = validate(one('graph', '"/srv"'), undefined)
    expect(findings.map(summary)).toEqual(['version-assumed/info@-:-/-', 'key-removed/error@2:3/config'])
    expect(findings[0]?.message).toContain('29.7.2')
  })

  it('reports an unrecognisable version and falls back to the newest', () => {
    expect(validate('{}', 'latest').map(summary)).toEqual(['version-assumed/warning@-:-/-'])
  })

  it('reports nothing for an empty object', () => {
    expect(validate('{}', OLD)).toEqual([])
  })

  it('does not repeat parse findings and skips undecodable files', () => {
    const parsed = parseDaemonJson('{"debug": true,}', 'x.json', {dockerdVersion: NEW})
    expect(parsed.findings.length).toBeGreaterThan(0)
    expect(validateDaemonConfig(parsed, {dockerdVersion: NEW})).toEqual([])
  })

  it('shifts line-1 columns past a byte-order mark, like the parser', () => {
    const parsed = parseDaemonJson('\ufeff{"mtu": "1500"}', 'x.json', {dockerdVersion: NEW})
    expect(validateDaemonConfig(parsed, {dockerdVersion: NEW}).map(summary)).toEqual(['wrong-type/error@1:10/config'])
  })
})

describe('validateMerged: the rules over daemon.json and the command line together', () => {
  const parse = (text: string) => parseDaemonJson(text, '/etc/docker/daemon.json', {dockerdVersion: NEW})

  it('checks a flag value as the same value in the file would be checked, with no position', () => {
    const located = validateMerged(parse('{}'), [{key: 'bip', value: '10.0.0.0/24'}], NEW)
    expect(located.map((l) => l.finding)).toEqual([
      {
        code: 'bip-not-host-address',
        severity: 'error',
        message: expect.stringContaining('"bip" 10.0.0.0/24 uses the subnet\'s network address') as unknown,
        key: 'bip',
        checkedAt: 'start',
        hint: 'use e.g. "10.0.0.1/24"',
      },
    ])
    expect(located[0]?.at?.top).toBe('bip')
  })

  it('says which other keys a finding about a file key involves', () => {
    const located = validateMerged(parse('{"fixed-cidr": "10.1.0.0/24"}'), [{key: 'bip', value: '10.0.0.1/24'}], NEW)
    expect(located.map((l) => [l.finding.code, l.finding.key, l.involves])).toEqual([['fixed-cidr-outside-bip', 'fixed-cidr', ['bip', 'bridge']]])
  })

  it("a flag the file also sets is the file's; a flag value of the wrong type is a wrong-type finding", () => {
    expect(validateMerged(parse('{"bip": "10.0.0.1/24"}'), [{key: 'bip', value: 'nonsense'}], NEW)).toEqual([])
    const located = validateMerged(parse('{}'), [{key: 'mtu', value: 'abc'}], NEW)
    expect(located.map((l) => [l.finding.code, l.finding.message])).toEqual([
      ['wrong-type', '"mtu" must be a whole number, not the string "abc": dockerd 29.7.2 cannot decode the file'],
    ])
  })

  it('lists findings in document order: file keys first, then the flags in the order given, each value after its key', () => {
    const located = validateMerged(
      parse('{"dns": ["x"]}'),
      [
        {key: 'labels', value: ['a', 'b=1', 'b=2']},
        {key: 'bip', value: '10.0.0.0/24'},
      ],
      NEW,
    )
    expect(located.map((l) => l.finding.code)).toEqual(['dns-invalid', 'label-format', 'label-duplicate', 'bip-not-host-address'])
  })
})
