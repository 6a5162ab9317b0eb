import {describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/core/errors.js'
import {valueFromJson, valueFromWords} from '../../../src/daemon-config/values.js'
import {findOption} from '../../../src/registry/index.js'

const spec = (key: string) => {
  const s = findOption(key)
  if (s === undefined) throw new Error(`no ${key}`)
  return s
}

describe('valueFromWords', () => {
  it.each([
    ['bip', ['192.168.42.1/24'], '192.168.42.1/24'],
    ['mtu', ['1500'], 1500],
    ['live-restore', ['true'], true],
    ['iptables', ['off'], false],
    ['dns', ['114.114.114.114', '8.8.8.8'], ['114.114.114.114', '8.8.8.8']],
    ['dns', ['1.1.1.1,8.8.8.8'], ['1.1.1.1', '8.8.8.8']],
    ['labels', ['env=prod', 'tier=web'], ['env=prod', 'tier=web']],
    ['log-opts', ['max-size=10m', 'max-file=3'], {'max-size': '10m', 'max-file': '3'}],
    [
      'default-address-pools',
      ['base=10.10.0.0/16,size=24', 'base=10.20.0.0/16,size=26'],
      [
        {base: '10.10.0.0/16', size: 24},
        {base: '10.20.0.0/16', size: 26},
      ],
    ],
    ['default-ulimits', ['nofile=1024:2048'], {nofile: {Name: 'nofile', Soft: 1024, Hard: 2048}}],
    ['runtimes', ['crun=/usr/bin/crun'], {crun: {path: '/usr/bin/crun'}}],
    ['features', ['cdi', 'containerd-snapshotter=false'], {cdi: true, 'containerd-snapshotter': false}],
    ['default-network-opts', ['bridge=com.docker.network.driver.mtu=1400'], {bridge: {'com.docker.network.driver.mtu': '1400'}}],
  ])('%s %j', (key, words, expected) => {
    expect(valueFromWords(spec(key), words)).toEqual(expected)
  })

  it.each([
    ['mtu', ['big'], /mtu needs a whole number/],
    ['mtu', ['1', '2'], /exactly one value/],
    ['debug', ['maybe'], /needs true or false/],
    ['log-opts', ['max-size'], /NAME=VALUE/],
    ['default-address-pools', ['base=10.0.0.0/8'], /base=CIDR,size=N/],
    ['default-ulimits', ['nofile'], /NAME=SOFT\[:HARD\]/],
  ])('refuses %s %j', (key, words, message) => {
    expect(() => valueFromWords(spec(key), words)).toThrow(message)
  })
})

describe('valueFromJson', () => {
  it('parses any JSON and names the key on error', () => {
    expect(valueFromJson('runtimes', '{"a":{"path":"/x"}}')).toEqual({a: {path: '/x'}})
    expect(() => valueFromJson('runtimes', '{a}')).toThrow(/--json-value for runtimes is not valid JSON/)
  })

  it('refuses a number it cannot carry exactly: beyond float64, or an integer beyond 2^53 (usage error)', () => {
    for (const json of ['1e309', '-1e309', '{"a": [1, 2e308]}']) expect(() => valueFromJson('k', json)).toThrow(/beyond what a JSON number can hold/)
    for (const json of ['9223372036854775807', '-9007199254740993', '[9007199254740992]']) expect(() => valueFromJson('k', json)).toThrow(/beyond ±2\^53/)
    expect(() => valueFromJson('k', '1e309')).toThrow(UsageError)
    // In range, a string, a fraction, an exponent that is exact: kept.
    expect(valueFromJson('k', '[9007199254740991, -9007199254740991, "1e309", 1.5, 2e3]')).toEqual([9007199254740991, -9007199254740991, '1e309', 1.5, 2000])
  })
})
