import {describe, expect, it} from 'vitest'

import {parseDockerdVersion} from '../../../src/dockerd/version.js'

import {
  closestKey,
  conflictName,
  findOption,
  flagOnlyFor,
  flagTakesValue,
  flattenForConflictCheck,
  isFlat,
  isKnownKey,
  NEWEST_KNOWN_VERSION,
  normalizeVersion,
  optionForFlag,
  optionStatus,
  usableKeys,
} from '../../../src/registry/index.js'

const spec = (key: string) => {
  const found = findOption(key)
  if (found === undefined) throw new Error(`no spec for ${key}`)
  return found
}

describe('findOption', () => {
  it('finds keys case-sensitively, as dockerd does', () => {
    expect(findOption('bip')?.kind).toBe('string')
    expect(findOption('Debug')).toBeUndefined()
    expect(findOption('label')).toBeUndefined()
  })
})

describe('optionForFlag', () => {
  it.each([
    ['H', 'hosts', 'host'],
    ['host', 'hosts', 'host'],
    ['D', 'debug', 'debug'],
    ['b', 'bridge', 'bridge'],
    ['s', 'storage-driver', 'storage-driver'],
    ['l', 'log-level', 'log-level'],
    ['log-opt', 'log-opts', 'log-opt'],
    ['add-runtime', 'runtimes', 'add-runtime'],
    ['http-proxy', 'proxies', 'http-proxy'],
    ['feature', 'features', 'feature'],
  ])('maps %s to key %s', (name, key, long) => {
    const match = optionForFlag(name)
    expect(match?.option.key).toBe(key)
    expect(match?.flag.long).toBe(long)
  })

  it('picks the definition valid at the version when a flag moved keys', () => {
    expect(optionForFlag('host-gateway-ip', '20.10.24')?.option.key).toBe('host-gateway-ip')
    expect(optionForFlag('host-gateway-ip', '28.0.0')?.option.key).toBe('host-gateway-ips')
    expect(optionForFlag('host-gateway-ip')?.option.key).toBe('host-gateway-ips')
  })

  it('still finds removed flags (so an old unit file can be explained)', () => {
    expect(optionForFlag('g', '29.7.2')?.option.key).toBe('graph')
  })

  it('leaves flags without a key to flagOnlyFor', () => {
    expect(optionForFlag('config-file')).toBeUndefined()
    expect(flagOnlyFor('config-file')?.takesValue).toBe(true)
    expect(flagOnlyFor('v')?.flag.long).toBe('version')
    expect(flagOnlyFor('nope')).toBeUndefined()
  })

  it('knows which flags are switches', () => {
    expect(flagTakesValue(spec('debug'))).toBe(false)
    expect(flagTakesValue(spec('tlsverify'))).toBe(false)
    expect(flagTakesValue(spec('bip'))).toBe(true)
  })
})

describe('conflictName', () => {
  it('uses the named key for named options and the flag name otherwise', () => {
    expect(conflictName(spec('hosts').flags[0]!)).toBe('hosts')
    expect(conflictName(spec('bip').flags[0]!)).toBe('bip')
    expect(conflictName(spec('dns').flags[0]!, '28.5.2')).toBe('dns')
  })
})

describe('isKnownKey (section 2.2 unknown-key rule)', () => {
  it.each<[string, string | undefined, boolean]>([
    ['bip', undefined, true],
    ['hosts', undefined, true], // named key of --host
    ['host', undefined, true], // flag long name: known (and ignored)
    ['label', '20.10.24', true],
    ['H', undefined, false], // shorthands never count
    ['D', undefined, false],
    ['Debug', undefined, false], // case-sensitive
    ['features', '20.10.24', true], // skip list
    ['builder', undefined, true],
    ['deprecated-key-path', '29.7.2', true],
    ['proxies', undefined, false], // never checked itself: flattened
    ['http-proxy', '23.0.0', true],
    ['http-proxy', '20.10.24', false],
    ['validate', '20.10.24', false], // T: unknown on 20.10.24
    ['validate', '23.0.0', true],
    ['feature', '27.2.0', false],
    ['feature', '27.3.0', true],
    ['host-gateway-ips', '27.5.1', false],
    ['host-gateway-ips', '28.0.0', true],
    ['host-gateway-ip', '28.0.0', true],
    ['graph', '23.0.18', true], // flag still present (the value is a hard error)
    ['graph', '24.0.0', false],
    ['cluster-store-opts', '20.10.24', true],
    ['cluster-store-opts', '24.0.0', false],
    ['oom-score-adjust', '25.0.17', true],
    ['oom-score-adjust', '26.0.0', false],
    ['api-cors-header', '28.5.2', true],
    ['api-cors-header', '29.0.0', false],
    ['allow-nondistributable-artifacts', '29.7.2', true], // skip list since 28.1
    ['min-api-version', '28.5.2', false],
    ['min-api-version', '29.0.0', true],
    ['default-network-opts', '23.0.18', false],
    ['default-network-opts', '24.0.0', true],
    ['nri-opts', '29.1.0', false],
    ['nri-opts', '29.2.0', true],
    ['containerd-plugin-namespace', undefined, false], // 1.6
    ['containerd-plugins-namespace', undefined, true], // 1.7
    ['disable-legacy-registry', '20.10.24', false],
    ['config-file', '20.10.24', true],
  ])('%s at %s -> %s', (key, version, known) => {
    expect(isKnownKey(key, version)).toBe(known)
  })
})

describe('optionStatus', () => {
  it.each<[string, string, string]>([
    ['bip', '20.10.24', 'ok'],
    ['bip6', '27.5.1', 'not-yet'],
    ['bip6', '28.0.0', 'ok'],
    ['graph', '20.10.24', 'deprecated'],
    ['graph', '23.0.0', 'removed'],
    ['host-gateway-ip', '28.0.0', 'deprecated'],
    ['allow-nondistributable-artifacts', '28.0.0', 'deprecated'],
    ['allow-nondistributable-artifacts', '28.1.0', 'removed'],
    ['oom-score-adjust', '24.0.0', 'deprecated'],
    ['oom-score-adjust', '25.0.0', 'removed'],
  ])('%s at %s is %s', (key, version, status) => {
    expect(optionStatus(spec(key), version)).toBe(status)
  })

  it('assumes the newest known version when none is given', () => {
    expect(NEWEST_KNOWN_VERSION).toBe('29.7.2')
    expect(optionStatus(spec('default-stop-timeout'))).toBe('ok')
    expect(optionStatus(spec('api-cors-header'))).toBe('removed')
  })
})

describe('normalizeVersion', () => {
  it.each([
    ['20.10.24+dfsg1', '20.10.24'],
    ['docker-v29.7.2', '29.7.2'],
    ['v28.0.0-rc.1', '28.0.0'],
    ['28.1', '28.1.0'],
    // Docker's year.month versions until 18.09: semver's coerce refuses the zero-padded month.
    ['18.06.1-ce', '18.6.1'],
    ['17.03.2-ce', '17.3.2'],
    ['18.09.1', '18.9.1'],
  ])('%s -> %s', (raw, normal) => {
    expect(normalizeVersion(raw)).toBe(normal)
  })

  it('returns undefined for text without a version', () => {
    expect(normalizeVersion('latest')).toBeUndefined()
    expect(normalizeVersion('garbage')).toBeUndefined()
    expect(normalizeVersion('29')).toBeUndefined()
  })
})

describe('flattenForConflictCheck (section 2.1)', () => {
  it('replaces non-flat objects by their children and keeps flat ones whole', () => {
    const flat = flattenForConflictCheck({
      proxies: {'http-proxy': 'http://p:3128', 'no-proxy': 'localhost'},
      'log-opts': {'max-size': '10m'},
      runtimes: {crun: {path: '/usr/bin/crun'}},
      bogus: {labels: ['a=b']},
      debug: true,
      dns: ['1.1.1.1'],
    })
    expect(flat).toEqual({
      'http-proxy': 'http://p:3128',
      'no-proxy': 'localhost',
      'log-opts': {'max-size': '10m'},
      runtimes: {crun: {path: '/usr/bin/crun'}},
      labels: ['a=b'],
      debug: true,
      dns: ['1.1.1.1'],
    })
  })

  it('flattens an object given for a list key, as dockerd does before refusing it', () => {
    expect(flattenForConflictCheck({'default-address-pools': {base: '10.0.0.0/8', size: 24}})).toEqual({base: '10.0.0.0/8', size: 24})
  })

  it('treats default-network-opts as flat only from 24.0, when it became a key', () => {
    expect(isFlat('default-network-opts', '23.0.0')).toBe(false)
    expect(isFlat('default-network-opts', '24.0.0')).toBe(true)
    expect(flattenForConflictCheck({'default-network-opts': {bridge: {mtu: '1400'}}}, '23.0.0')).toEqual({bridge: {mtu: '1400'}})
  })

  it('leaves cluster-store-opts flat even after its removal (the list was never pruned)', () => {
    expect(isFlat('cluster-store-opts', '29.7.2')).toBe(true)
  })
})

describe('usableKeys / closestKey', () => {
  it('offers keys of the version only', () => {
    expect(usableKeys('20.10.24')).not.toContain('bip6')
    expect(usableKeys('29.7.2')).toContain('proxies')
    expect(usableKeys('29.7.2')).not.toContain('graph')
  })

  it('suggests the closest usable key', () => {
    expect(closestKey('registry-mirror')).toBe('registry-mirrors')
    expect(closestKey('dns_search')).toBe('dns-search')
    expect(closestKey('bipp')).toBe('bip')
    // Two neighbours swapped is one typo.
    expect(closestKey('mut')).toBe('mtu')
    expect(closestKey('debgu')).toBe('debug')
    expect(closestKey('xyzzy-frobnicate')).toBeUndefined()
  })
})

describe('parseDockerdVersion (what `dockerd --version` prints)', () => {
  it.each([
    ['Docker version 20.10.24+dfsg1, build 297e128', '20.10.24'],
    ['Docker version 18.06.1-ce, build e68fc7a', '18.6.1'],
    ['Docker version 29.7.2, build abcdef0', '29.7.2'],
  ])('%s -> %s', (output, version) => {
    expect(parseDockerdVersion(output)).toBe(version)
  })
})
