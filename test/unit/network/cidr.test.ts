import * as net from 'node:net'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {
  containsAddress,
  containsCidr,
  formatCidr,
  formatIp,
  isCanonical,
  isDottedQuad,
  isIP,
  isLoopback,
  isMulticast,
  lastAddress,
  networkAddress,
  overlaps,
  parseCidr,
  parseIp,
} from '../../../src/network/cidr.js'

const cidr = (text: string) => {
  const c = parseCidr(text)
  if (c === undefined) throw new Error(text)
  return c
}

describe('parseIp / parseCidr (Go net.ParseIP / ParseCIDR rules)', () => {
  it.each(['1.2.3.4', '::1', 'fd00::1', '::ffff:10.0.0.1'])('accepts %s', (t) => expect(parseIp(t)).toBeDefined())
  it.each(['1.2.3', '01.2.3.4', '256.1.1.1', 'fe80::1%eth0', 'localhost', ''])('rejects %s', (t) => expect(parseIp(t)).toBeUndefined())
  it.each(['10.0.0.0/8', '192.168.1.5/24', 'fd00::/64', '0.0.0.0/0'])('accepts CIDR %s', (t) => expect(parseCidr(t)).toBeDefined())
  it.each(['10.0.0.0', '10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/+8', 'fd00::/129', '/24'])('rejects CIDR %s', (t) => expect(parseCidr(t)).toBeUndefined())
})

describe('subnet arithmetic', () => {
  it('computes network and broadcast addresses', () => {
    const c = cidr('192.168.1.5/24')
    expect(formatIp({family: 4, value: networkAddress(c)})).toBe('192.168.1.0')
    expect(formatIp({family: 4, value: lastAddress(c)})).toBe('192.168.1.255')
    expect(isCanonical(c)).toBe(false)
    expect(formatCidr(c)).toBe('192.168.1.0/24')
    expect(formatCidr(cidr('fd00:0:0:1::5/64'))).toBe('fd00:0:0:1::/64')
  })

  it('answers containment and overlap, family-aware', () => {
    expect(containsCidr(cidr('10.1.0.0/16'), cidr('10.1.128.0/17'))).toBe(true)
    expect(containsCidr(cidr('10.1.0.0/16'), cidr('10.0.0.0/8'))).toBe(false)
    expect(overlaps(cidr('10.1.0.0/16'), cidr('10.0.0.0/8'))).toBe(true)
    expect(containsAddress(cidr('10.1.0.0/16'), parseIp('10.2.0.1')!)).toBe(false)
    expect(containsAddress(cidr('::/0'), parseIp('10.2.0.1')!)).toBe(false)
  })

  it('recognises multicast', () => {
    expect(isMulticast(parseIp('224.0.0.1')!)).toBe(true)
    expect(isMulticast(parseIp('ffff:ffff::1')!)).toBe(true)
    expect(isMulticast(parseIp('fd00::1')!)).toBe(false)
  })

  it('round-trips IPv4 and IPv6 addresses through formatIp', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        const ip = parseIp(text)
        expect(ip).toBeDefined()
        expect(parseIp(formatIp(ip!))?.value).toBe(ip!.value)
      }),
    )
  })
})

describe('isLoopback', () => {
  it('follows Go: 127/8, ::1, and IPv4-mapped 127/8 in either spelling', () => {
    const loop = (t: string) => isLoopback(parseIp(t)!)
    expect(['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1'].map(loop)).toEqual([true, true, true, true, true])
    expect(['128.0.0.1', '10.0.0.1', '::2', '::ffff:10.0.0.1', 'fe80::1'].map(loop)).toEqual([false, false, false, false, false])
  })
})

describe('isDottedQuad', () => {
  const octet = fc.oneof(fc.integer({min: 0, max: 300}).map(String), fc.constantFrom('', '00', '01', '007', '1a', ' 1', '+1', '1e2', '0x1', '٣', '256', '999', '1000'))
  it("agrees with Node's isIPv4 on dotted strings near and far from valid", () => {
    fc.assert(
      fc.property(fc.array(octet, {minLength: 1, maxLength: 6}), (parts) => {
        const text = parts.join('.')
        expect(isDottedQuad(text)).toBe(net.isIPv4(text))
      }),
      {numRuns: 5000},
    )
  })

  it("agrees with Node's isIPv4 on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({maxLength: 20}), (text) => {
        expect(isDottedQuad(text)).toBe(net.isIPv4(text))
      }),
      {numRuns: 5000},
    )
  })

  it.each(['0.0.0.0', '255.255.255.255', '192.168.42.1'])('accepts %s', (text) => expect(isDottedQuad(text)).toBe(true))
  it.each(['192.168.042.1', '256.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.4 ', '::ffff:1.2.3.4'])('refuses %s', (text) => expect(isDottedQuad(text)).toBe(false))
})

describe('isIP', () => {
  const hexish = fc.string({unit: fc.constantFrom(...'0123456789abcdefABCDEFg:.%z-'.split('')), maxLength: 45})
  const agrees = (text: string): void => {
    expect([text, isIP(text)]).toEqual([text, net.isIP(text)])
  }

  it("agrees with Node's isIP on addresses, addresses with zones and near misses", () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended()), fc.constantFrom('', '%eth0', '%', ':', '::', '.1', ':1'), (address, suffix) => {
        agrees(address + suffix)
        agrees(suffix + address)
      }),
      {numRuns: 5000},
    )
  })

  it("agrees with Node's isIP on strings of address characters", () => {
    fc.assert(fc.property(hexish, agrees), {numRuns: 20000})
  })

  it.each([
    '::',
    '::1',
    '1::',
    'fe80::1%eth0',
    '::ffff:1.2.3.4',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:1.2.3.4',
    '1::2:3:4:5:6:7',
    ':::',
    '1:2:3:4:5:6:7:8:9',
    '::ffff:1.2.3.04',
    'fe80::1%',
    '',
  ])('agrees on %j', agrees)
})
