import semver from 'semver'
import {describe, expect, it} from 'vitest'

import {rangeText, valuesText} from '../../../src/output/keys.js'
import {describeOption} from '../../../src/registry/describe.js'
import {
  allowedValues,
  defaultBridgeKeys,
  fileReadingKeys,
  findOption,
  groupKeys,
  hostResourceFlags,
  hostResourceKeys,
  optionStatus,
  trialBlindKeys,
  valueVerdict,
} from '../../../src/registry/index.js'
import {FLAG_ONLY, OPTIONS} from '../../../src/registry/options.js'
import type {OptionSpec, ValueRefusal} from '../../../src/registry/types.js'
import {TLS_KEYS} from '../../../src/remote/layout.js'

const OLD = '20.10.24'
const NEW = '29.7.2'
// Releases at which the flag set or a value rule changes.
const VERSIONS = ['20.10.0', '20.10.24', '23.0.0', '24.0.0', '25.0.0', '26.0.0', '27.0.1', '27.3.0', '28.0.0', '28.1.0', '28.2.0', '29.0.0', '29.2.0', '29.7.0', '29.7.2']
const PLACEHOLDERS = new Set(['key', 'value', 'raw', 'dockerd', 'removed', 'min', 'max'])

const list = (r: ValueRefusal | readonly ValueRefusal[]): readonly ValueRefusal[] => (Array.isArray(r) ? r : [r]) as readonly ValueRefusal[]

/** Every refusal list of a row, named for failure messages. */
function refusalLists(spec: OptionSpec): Array<{name: string; refusals: readonly ValueRefusal[]}> {
  const out: Array<{name: string; refusals: readonly ValueRefusal[]}> = []
  if (spec.values !== undefined) {
    out.push({name: `${spec.key} values.refused`, refusals: list(spec.values.refused)})
    if (spec.values.deprecated !== undefined) out.push({name: `${spec.key} values.deprecated`, refusals: [spec.values.deprecated]})
  }
  for (const [i, range] of (spec.range ?? []).entries()) out.push({name: `${spec.key} range[${i}]`, refusals: list(range.refused)})
  return out
}

/** Versions at which dockerd knows the key and uses it. */
const liveVersions = (spec: OptionSpec) => VERSIONS.filter((v) => ['ok', 'deprecated'].includes(optionStatus(spec, v)))

/** Whether the registry has nothing to say about the value (no finding). */
const passes = (key: string, value: unknown, version: string) => valueVerdict(findOption(key) as OptionSpec, value, version) === undefined

describe('value rules in the registry', () => {
  it('puts value sets only on string keys and ranges only on integer keys', () => {
    for (const spec of OPTIONS) {
      if (spec.values !== undefined) expect(spec.kind, spec.key).toBe('string')
      if (spec.range !== undefined) expect(spec.kind, spec.key).toBe('integer')
    }
  })

  it('lists plain, distinct, non-empty values, lower case where dockerd lower-cases', () => {
    for (const spec of OPTIONS) {
      const set = spec.values
      if (set === undefined) continue
      const all = [...(set.allowed ?? []), ...(set.retired ?? []).map((r) => r.value)]
      expect(all.length, spec.key).toBeGreaterThan(0)
      expect(new Set(all).size, `${spec.key}: a value is listed twice (or both allowed and retired)`).toBe(all.length)
      for (const value of all) {
        // Plain words: completion puts them into the script unquoted.
        expect(value, spec.key).toMatch(/^[a-z0-9][a-zA-Z0-9._-]*$/)
        if (set.ignoreCase === true) expect(value, spec.key).toBe(value.toLowerCase())
      }
      if (set.allowed !== undefined) expect(set.allowed.length, spec.key).toBeGreaterThan(0)
      if (set.deprecated !== undefined) {
        expect(set.retired?.length, `${spec.key}: deprecated needs retired values`).toBeGreaterThan(0)
        expect(set.deprecated.severity, spec.key).toBe('warning')
      }
      for (const retired of set.retired ?? []) {
        expect(semver.valid(retired.removed), `${spec.key} ${retired.value}`).toBe(retired.removed)
        if (spec.added !== undefined) expect(semver.gt(retired.removed, spec.added), `${spec.key} ${retired.value}`).toBe(true)
      }
    }
  })

  it('gives every range sane bounds, one severity and valid versions', () => {
    for (const spec of OPTIONS) {
      for (const range of spec.range ?? []) {
        expect(range.min !== undefined || range.max !== undefined, spec.key).toBe(true)
        if (range.min !== undefined && range.max !== undefined) expect(range.min, spec.key).toBeLessThanOrEqual(range.max)
        for (const v of [range.since, range.until]) if (v !== undefined) expect(semver.valid(v), `${spec.key}: ${v}`).toBe(v)
        expect(new Set(list(range.refused).map((r) => r.severity ?? 'error')).size, `${spec.key}: one severity per range`).toBe(1)
      }
    }
  })

  it('has exactly one refusal per list for every version that knows the key', () => {
    for (const spec of OPTIONS) {
      for (const {name, refusals} of refusalLists(spec)) {
        for (const r of refusals) {
          for (const v of [r.since, r.until]) if (v !== undefined) expect(semver.valid(v), `${name}: ${v}`).toBe(v)
          expect(r.code, name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
          for (const text of [r.message, r.hint ?? '']) {
            for (const [, placeholder] of text.matchAll(/\{([a-z]+)\}/g)) expect(PLACEHOLDERS, `${name}: {${placeholder}}`).toContain(placeholder)
          }
        }
        for (const version of liveVersions(spec)) {
          const applying = refusals.filter((r) => (r.since === undefined || semver.gte(version, r.since)) && (r.until === undefined || semver.lt(version, r.until)))
          expect(applying.length, `${name} at ${version}`).toBe(1)
        }
      }
    }
  })

  // The literal sets validate.ts had before they moved into the rows.
  it('accepts exactly the values the closed sets held', () => {
    const candidates = [
      '',
      'iptables',
      'nftables',
      'ufw',
      'private',
      'shareable',
      'host',
      'none',
      'text',
      'json',
      'xml',
      'debug',
      'info',
      'warn',
      'warning',
      'error',
      'fatal',
      'panic',
      'trace',
      'verbose',
    ]
    const accepted = (key: string, version: string) => candidates.filter((c) => passes(key, c, version))
    for (const version of [OLD, NEW]) {
      expect(accepted('default-ipc-mode', version)).toEqual(['', 'private', 'shareable'])
      expect(accepted('default-cgroupns-mode', version)).toEqual(['', 'private', 'host'])
      expect(accepted('log-format', version)).toEqual(['', 'text', 'json'])
    }
    expect(accepted('firewall-backend', NEW)).toEqual(['', 'iptables', 'nftables'])
    expect(accepted('log-level', OLD)).toEqual(['', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'panic', 'trace'])
    expect(accepted('log-level', '24.0.9')).toContain('warning')
    expect(accepted('log-level', '25.0.0')).toEqual(['', 'debug', 'info', 'warn', 'error', 'fatal', 'panic', 'trace'])
    // log-level compares lower-cased; the others exactly.
    expect(passes('log-level', 'DEBUG', NEW)).toBe(true)
    expect(passes('log-level', 'Warning', OLD)).toBe(true)
    expect(passes('log-format', 'JSON', NEW)).toBe(false)
    expect(passes('firewall-backend', 'IPTABLES', NEW)).toBe(false)
  })

  it('knows the retired storage drivers and when each was removed', () => {
    const verdict = (driver: string, version: string) => valueVerdict(findOption('storage-driver') as OptionSpec, driver, version)?.refusal.code
    const retired = {aufs: '24.0.0', overlay: '24.0.0', devicemapper: '25.0.0'}
    for (const [driver, removed] of Object.entries(retired)) {
      expect(verdict(driver, OLD), driver).toBe('storage-driver-deprecated')
      expect(verdict(driver, '23.0.0'), driver).toBe('storage-driver-deprecated')
      expect(verdict(driver, removed), driver).toBe('storage-driver-removed')
      expect(verdict(driver, NEW), driver).toBe('storage-driver-removed')
    }
    expect(verdict('devicemapper', '24.0.9')).toBe('storage-driver-deprecated')
    for (const other of ['overlay2', 'btrfs', 'zfs', 'vfs', 'fuse-overlayfs', 'AUFS', '']) expect(verdict(other, NEW), other).toBeUndefined()
  })

  // The literal bounds validate.ts had before they moved into the rows.
  it('holds the integer bounds the counters and ports had', () => {
    const lowest = (key: string, version: string) => [-1, 0, 1].find((n) => passes(key, n, version))
    for (const version of [OLD, '23.0.0', NEW]) {
      expect(lowest('max-concurrent-downloads', version)).toBe(0)
      expect(lowest('max-concurrent-uploads', version)).toBe(0)
    }
    expect(lowest('max-download-attempts', OLD)).toBe(1)
    expect(lowest('max-download-attempts', '23.0.0')).toBe(0)
    expect(lowest('default-stop-timeout', NEW)).toBe(0)
    for (const version of [OLD, NEW]) {
      expect([-1, 0, 65535, 65536].map((n) => passes('network-diagnostic-port', n, version))).toEqual([false, true, true, false])
      // mtu: dockerd refuses negatives (at start before 23.0), the kernel 1..67 and above 65535; 0 is the default.
      expect([-1, 0, 1, 67, 68, 1500, 65535, 65536].map((n) => passes('mtu', n, version))).toEqual([false, true, false, false, true, true, true, false])
    }
    const spec = findOption('mtu') as OptionSpec
    expect(valueVerdict(spec, -1, OLD)?.refusal).toMatchObject({code: 'mtu-negative', checkedAt: 'start'})
    expect(valueVerdict(spec, -1, NEW)?.refusal).toMatchObject({code: 'mtu-negative', checkedAt: 'config'})
    // An error on every version (issue 9 item 17): 20.10 started with 99999 and then no container could.
    for (const version of [OLD, '24.0.9', '25.0.0', NEW]) {
      expect(valueVerdict(spec, 70000, version)?.refusal, version).toMatchObject({code: 'mtu-out-of-range', checkedAt: 'start'})
      expect(valueVerdict(spec, 70000, version)?.refusal.severity ?? 'error', version).toBe('error')
    }
    // Only integers are ranged: shutdown-timeout and network-control-plane-mtu take anything.
    expect(passes('shutdown-timeout', -1, NEW)).toBe(true)
  })

  it('offers the closed sets for completion, retired values until their removal', () => {
    const values = (key: string, version?: string) => allowedValues(findOption(key) as OptionSpec, version)
    expect(values('firewall-backend')).toEqual(['iptables', 'nftables'])
    expect(values('log-level')).not.toContain('warning')
    expect(values('log-level', OLD)).toContain('warning')
    expect(values('storage-driver')).toBeUndefined()
    expect(values('bip')).toBeUndefined()
  })

  it('shows the value facts in `keys`', () => {
    expect(describeOption('firewall-backend').values).toEqual({allowed: ['iptables', 'nftables']})
    expect(valuesText(describeOption('log-level'))).toBe('debug, info, warn, error, fatal, panic, trace (any case); retired: warning (refused from 25.0.0)')
    expect(valuesText(describeOption('storage-driver'))).toMatch(/^not a closed set; retired: aufs \(refused from 24\.0\.0\)/)
    expect(describeOption('mtu').range).toEqual([
      {min: 0, severity: 'error'},
      {min: 68, max: 65535, zeroIsDefault: true, severity: 'error', note: "the kernel's limits for bridge and veth devices; dockerd checks none"},
    ])
    expect(rangeText(describeOption('max-download-attempts'))).toBe('>= 1 (until 23.0.0); >= 0 (from 23.0.0)')
    expect(describeOption('tlskey')).toMatchObject({readsFile: true, group: 'tls'})
    expect(describeOption('data-root')).toMatchObject({hostResource: true, movesState: {effect: expect.stringContaining('{from}'), carry: expect.stringContaining('rsync')}})
    expect(describeOption('features').movesState?.entry).toBe('containerd-snapshotter')
    expect(describeOption('mtu')).toMatchObject({defaultBridge: true})
    expect(describeOption('dns')).not.toHaveProperty('defaultBridge')
    expect(describeOption('storage-driver').trialCannotJudge).toMatch(/filesystem of the real data-root/)
    expect(describeOption('bip')).not.toHaveProperty('values')
    expect(describeOption('bip')).not.toHaveProperty('range')
  })
})

// The literal lists the consumers had before they were derived from the rows.
describe('key attributes derived as lists', () => {
  it('files dockerd reads while loading its configuration (apply/planned-files)', () => {
    expect(fileReadingKeys()).toEqual(['tlscacert', 'tlscert', 'tlskey', 'seccomp-profile'])
    for (const key of fileReadingKeys()) expect(findOption(key)?.kind, key).toBe('string')
  })

  it('host resources a trial dockerd must not touch (apply/preflight)', () => {
    expect(hostResourceKeys()).toEqual(['hosts', 'data-root', 'exec-root', 'pidfile', 'containerd', 'graph'])
    // preflight adds --validate itself.
    expect(new Set([...hostResourceFlags(), 'validate'])).toEqual(new Set(['host', 'data-root', 'exec-root', 'pidfile', 'containerd', 'config-file', 'graph', 'validate']))
    expect(FLAG_ONLY.filter((only) => only.hostResource === true).map((only) => only.flag.long)).toEqual(['config-file'])
  })

  it('keys dockerd applies when it builds the default bridge (apply: --keep-containers, live-restored containers)', () => {
    expect(defaultBridgeKeys()).toEqual([
      'bip',
      'bip6',
      'fixed-cidr',
      'fixed-cidr-v6',
      'ipv6',
      'default-gateway',
      'default-gateway-v6',
      'mtu',
      'default-address-pools',
      'ip',
      'ip-masq',
      'iptables',
      'icc',
      'bridge',
    ])
  })

  it('keys a trial dockerd cannot judge (apply/preflight)', () => {
    expect(trialBlindKeys().map((b) => [b.key, b.flags])).toEqual([
      ['bridge', ['bridge']],
      ['storage-driver', ['storage-driver']],
      ['storage-opts', ['storage-opt']],
    ])
  })

  it('the tls group `remote enable` owns (remote/layout)', () => {
    expect(groupKeys('tls')).toEqual(['tls', 'tlsverify', 'tlscacert', 'tlscert', 'tlskey'])
    expect(TLS_KEYS).toEqual(['tls', 'tlsverify', 'tlscacert', 'tlscert', 'tlskey'])
  })
})
