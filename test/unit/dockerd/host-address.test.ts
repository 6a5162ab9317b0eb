import {describe, expect, it} from 'vitest'

import {parseDockerdHost} from '../../../src/dockerd/host-address.js'

describe('parseDockerdHost (opts.ParseDaemonHost and the listener checks at start)', () => {
  it.each([
    ['  ', {kind: 'none'}],
    ['tcp://0.0.0.0:2376', {kind: 'tcp', host: '0.0.0.0', port: '2376'}],
    ['127.0.0.1:2375', {kind: 'tcp', host: '127.0.0.1', port: '2375'}],
    ['tcp://:2376', {kind: 'tcp', host: '', port: '2376'}],
    ['tcp://localhost', {kind: 'tcp', host: 'localhost', port: undefined}],
    ['tcp://[::1]:2376', {kind: 'tcp', host: '::1', port: '2376'}],
    ['unix:///run/docker.sock', {kind: 'unix', path: '/run/docker.sock'}],
    ['fd://', {kind: 'fd', name: ''}],
    ['fd://3', {kind: 'fd', name: '3'}],
  ])('%j', (raw, expected) => {
    expect(parseDockerdHost(raw)).toEqual(expected)
  })

  it.each([
    ['tcp://1.2.3.4:2376/path', 'a tcp:// address should not contain a path element', undefined],
    ['tcp://[1.2.3.4]:2376', 'invalid IPv6 address [1.2.3.4]', undefined],
    ['tcp://::1:2376', 'IPv6 addresses need brackets, e.g. tcp://[::1]:2376', undefined],
    ['tcp://host:0', 'invalid port: 0', undefined],
    ['tcp://host:0x10', 'invalid port: 0x10', undefined],
    ['tcp://host:65536', 'invalid port: 65536', undefined],
    ['unix://a://b', 'invalid unix address: a://b', undefined],
    ['fd://x', 'failed to parse systemd fd address: should be a number: x', true],
    ['npipe:////./pipe/docker', 'npipe:// is a Windows named pipe; dockerd on Linux cannot listen on it', true],
    ['ssh://host', "invalid bind address: unsupported proto 'ssh'", undefined],
  ])('%j is refused', (raw, error, startOnly) => {
    expect(parseDockerdHost(raw)).toEqual({kind: 'invalid', error, ...(startOnly ? {startOnly} : {})})
  })
})
