import {describe, expect, it} from 'vitest'

import {isLoopbackAddress, isWildcardAddress, parseTcpListener, reachableLocally, tcpHost} from '../../../src/remote/layout.js'

describe('listener addresses', () => {
  it('knows loopback from everything else', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'x.localhost', '::ffff:127.0.0.1', '::ffff:7f00:1']) expect(isLoopbackAddress(a), a).toBe(true)
    for (const a of ['0.0.0.0', '::', '10.0.0.1', '192.0.2.1', 'example.com', 'fe80::1', '128.0.0.1']) expect(isLoopbackAddress(a), a).toBe(false)
  })

  it('knows wildcards', () => {
    expect(['0.0.0.0', '::', '[::]', ''].map(isWildcardAddress)).toEqual([true, true, true, true])
    expect(isWildcardAddress('127.0.0.1')).toBe(false)
  })

  it('writes and reads tcp:// listeners as dockerd does (port 2375 when omitted)', () => {
    expect(tcpHost('0.0.0.0', 2376)).toBe('tcp://0.0.0.0:2376')
    expect(tcpHost('::', 2376)).toBe('tcp://[::]:2376')
    expect(tcpHost('[fd00::1]', 2376)).toBe('tcp://[fd00::1]:2376')
    expect(parseTcpListener('tcp://0.0.0.0:2376')).toEqual({address: '0.0.0.0', port: 2376})
    expect(parseTcpListener('tcp://[::]:2376')).toEqual({address: '::', port: 2376})
    expect(parseTcpListener('tcp://10.0.0.5')).toEqual({address: '10.0.0.5', port: 2375})
    expect(parseTcpListener('tcp://:2376')).toEqual({address: 'localhost', port: 2376})
    expect(parseTcpListener('fd://')).toBeUndefined()
    expect(parseTcpListener('unix:///var/run/docker.sock')).toBeUndefined()
  })

  it('tries a wildcard listener on loopback', () => {
    expect(reachableLocally({address: '0.0.0.0', port: 2376})).toEqual({address: '127.0.0.1', port: 2376})
    expect(reachableLocally({address: '::', port: 2376})).toEqual({address: '::1', port: 2376})
    expect(reachableLocally({address: '10.0.0.5', port: 2376})).toEqual({address: '10.0.0.5', port: 2376})
  })
})
