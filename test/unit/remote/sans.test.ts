import fc from 'fast-check'
import {isIP} from 'node:net'
import {describe, expect, it} from 'vitest'
import {UsageError} from '../../../src/core/errors.js'
import {normalizeIp} from '../../../src/remote/certificate-info.js'
import {classifyName, hostIdentity, localHostIdentity} from '../../../src/remote/sans.js'
import {hostNetwork} from '../../../src/system/network.js'

describe('classifyName', () => {
  it.each([
    ['10.0.0.1', 'ip', '10.0.0.1'],
    ['2001:DB8:0:0:0:0:0:1', 'ip', '2001:db8::1'],
    ['[2001:db8::1]', 'ip', '2001:db8::1'],
    ['::ffff:192.0.2.1', 'ip', '::ffff:c000:201'],
    ['::1', 'ip', '::1'],
    ['Docker1.Example.COM.', 'dns', 'docker1.example.com'],
    ['localhost', 'dns', 'localhost'],
    ['*.example.com', 'dns', '*.example.com'],
    ['xn--bcher-kva.example', 'dns', 'xn--bcher-kva.example'],
    [' host-1 ', 'dns', 'host-1'],
  ])('%s is %s %s', (raw, kind, value) => {
    expect(classifyName(raw)).toEqual({kind, value})
  })

  it.each(['', 'bad_name', '-lead.example', 'trail-.example', 'a..b', 'a.*.example', '*.com', '010.0.0.1', '1.2.3', 'host:2376', 'ex ample', 'a'.repeat(64)])(
    'refuses %j',
    (raw) => {
      expect(() => classifyName(raw, '--san')).toThrow(UsageError)
    },
  )

  it('names the origin in the error', () => {
    expect(() => classifyName('no good', '--san')).toThrow(/--san "no good"/)
  })
})

describe('hostIdentity', () => {
  const interfaces = [
    {address: '127.0.0.1', internal: true},
    {address: '::1', internal: true},
    {address: '192.168.1.20', internal: false},
    {address: 'fe80::a00:27ff:fe4e:66a1', internal: false},
    {address: '2001:db8::20', internal: false},
    {address: '172.17.0.1', internal: false},
  ]

  it('hostname, FQDN, every non-loopback non-link-local address, extras, then localhost/127.0.0.1', () => {
    const id = hostIdentity({hostname: 'docker1', fqdn: 'docker1.lan.example', interfaces, extraSans: ['docker.example.com', '203.0.113.7', '[2001:db8::99]']})
    expect(id.dnsNames).toEqual(['docker1', 'docker1.lan.example', 'docker.example.com', 'localhost'])
    expect(id.ips).toEqual(['192.168.1.20', '2001:db8::20', '172.17.0.1', '203.0.113.7', '2001:db8::99', '127.0.0.1'])
    expect(id.skipped).toEqual([
      {value: '::1', reason: 'loopback'},
      {value: 'fe80::a00:27ff:fe4e:66a1', reason: 'IPv6 link-local'},
    ])
  })

  it('deduplicates across sources and spellings', () => {
    const id = hostIdentity({
      hostname: 'Docker1',
      fqdn: 'docker1',
      interfaces: ['10.0.0.5', '10.0.0.5', '2001:DB8::5'],
      extraSans: ['DOCKER1.', '10.0.0.5', '2001:db8:0::5', 'localhost', '127.0.0.1'],
    })
    expect(id.dnsNames).toEqual(['docker1', 'localhost'])
    expect(id.ips).toEqual(['10.0.0.5', '2001:db8::5', '127.0.0.1'])
  })

  it('an IP given as hostname or FQDN goes to the IP list', () => {
    const id = hostIdentity({hostname: '10.9.8.7', fqdn: undefined, interfaces: []})
    expect(id.dnsNames).toEqual(['localhost'])
    expect(id.ips).toEqual(['10.9.8.7', '127.0.0.1'])
  })

  it('treats internal interfaces and 127/8 aliases as loopback, strips zone ids', () => {
    const id = hostIdentity({hostname: 'h', interfaces: [{address: '127.0.1.1'}, {address: '10.1.1.1', internal: true}, 'fe80::1%eth0', 'not-an-ip']})
    expect(id.ips).toEqual(['127.0.0.1'])
    expect(id.skipped.map((s) => s.reason)).toEqual(['loopback', 'loopback', 'IPv6 link-local', 'not an IP address'])
  })

  it('skips (and reports) an OS hostname that is not a valid DNS name', () => {
    const id = hostIdentity({hostname: 'my_box', fqdn: 'my_box.lan', interfaces: ['10.0.0.1']})
    expect(id.dnsNames).toEqual(['localhost'])
    expect(id.skipped).toEqual([
      {value: 'my_box', reason: 'hostname is not a valid DNS name'},
      {value: 'my_box.lan', reason: 'FQDN is not a valid DNS name'},
    ])
  })

  it('localHostIdentity reads this machine (thin wrapper)', async () => {
    const os = await import('node:os')
    const id = localHostIdentity(hostNetwork, {extraSans: ['extra.example']})
    expect(id.dnsNames).toContain('extra.example')
    expect(id.ips).toContain('127.0.0.1')
    const hostname = os.hostname().toLowerCase()
    expect(id.dnsNames.includes(hostname) || id.skipped.some((s) => s.value === os.hostname())).toBe(true)
  })

  it('refuses an invalid --san', () => {
    expect(() => hostIdentity({hostname: 'h', interfaces: [], extraSans: ['under_score']})).toThrow(UsageError)
  })

  it('property: output is deduplicated, classified, and always holds the self-test names', () => {
    const ipv4 = fc.ipV4()
    const ipv6 = fc.ipV6()
    const dns = fc.domain()
    fc.assert(
      fc.property(fc.array(fc.oneof(ipv4, ipv6)), fc.array(fc.oneof(ipv4, ipv6, dns), {maxLength: 8}), dns, (addrs, extras, hostname) => {
        const id = hostIdentity({hostname, interfaces: addrs, extraSans: extras})
        expect(new Set(id.dnsNames).size).toBe(id.dnsNames.length)
        expect(new Set(id.ips).size).toBe(id.ips.length)
        for (const ip of id.ips) expect(isIP(ip)).not.toBe(0)
        for (const name of id.dnsNames) expect(isIP(name)).toBe(0)
        expect(id.dnsNames).toContain('localhost')
        expect(id.ips).toContain('127.0.0.1')
        expect(id.dnsNames[0]).toBe(hostname.toLowerCase())
      }),
      {numRuns: 200},
    )
  })
})

describe('IPv6 zones', () => {
  it('are refused as certificate names with a usage error, and normalised without crashing elsewhere', () => {
    expect(() => classifyName('fe80::1%eth0', '--san')).toThrow(/--san "fe80::1%eth0" has an IPv6 zone/)
    expect(normalizeIp('FE80:0::1%eth0')).toBe('fe80::1%eth0')
    expect(normalizeIp('[2001:db8:0::1]')).toBe('2001:db8::1')
  })
})
