import {describe, expect, it} from 'vitest'

import {parseDaemonJson, positionAt} from '../../../src/daemon-config/parse.js'

const F = '/etc/docker/daemon.json'

describe('parseDaemonJson', () => {
  it('decodes a strict object', () => {
    const p = parseDaemonJson('{"bip": "10.0.0.1/24", "mtu": 1400}', F)
    expect(p.decodable).toBe(true)
    expect(p.value).toEqual({bip: '10.0.0.1/24', mtu: 1400})
    expect(p.findings).toEqual([])
  })

  it.each([
    ['{\n  // a comment\n  "debug": true\n}', 'json-comment', 2, 3, /comments are not JSON/],
    ['{\n  "debug": true,\n}', 'json-syntax', 3, 1, /trailing comma before \}/],
    ['{\n  "dns": ["1.1.1.1",]\n}', 'json-syntax', 2, 21, /trailing comma before \]/],
    ["{\n  'debug': true\n}", 'json-syntax', 2, 3, /strings need double quotes/],
    ['{\n  "debug": true\n', 'json-syntax', 3, 1, /missing \}/],
  ])('refuses %j with a positioned %s', (text, code, line, column, message) => {
    const p = parseDaemonJson(text, F)
    expect(p.decodable).toBe(false)
    expect(p.findings[0]).toMatchObject({code, severity: 'error', file: F, line, column})
    expect(p.findings[0]?.message).toMatch(message)
  })

  it('handles the version differences of dockerd 20.10 and 23.0+', () => {
    // Empty file: 20.10 says EOF, 23+ accepts it.
    expect(parseDaemonJson('', F, {dockerdVersion: '20.10.24'}).decodable).toBe(false)
    expect(parseDaemonJson('  \n', F, {dockerdVersion: '24.0.0'}).decodable).toBe(true)
    // Byte-order mark: 20.10 refuses, 23+ decodes.
    expect(parseDaemonJson('\ufeff{"debug": true}', F, {dockerdVersion: '20.10.24'}).findings[0]?.code).toBe('json-bom')
    expect(parseDaemonJson('\ufeff{"debug": true}', F).value).toEqual({debug: true})
    // Trailing data: 20.10 ignores it (warning), 23+ refuses.
    const old = parseDaemonJson('{"debug": true} garbage', F, {dockerdVersion: '20.10.24'})
    expect(old.decodable).toBe(true)
    expect(old.findings[0]).toMatchObject({code: 'json-trailing-data', severity: 'warning', line: 1, column: 17})
    expect(parseDaemonJson('{"debug": true} garbage', F).findings[0]).toMatchObject({code: 'json-trailing-data', severity: 'error'})
  })

  it('reports duplicate keys (dockerd keeps the last) and a non-object top level', () => {
    const dup = parseDaemonJson('{\n  "debug": false,\n  "debug": true\n}', F)
    expect(dup.value).toEqual({debug: true})
    expect(dup.findings[0]).toMatchObject({code: 'duplicate-key', severity: 'warning', key: 'debug', line: 3, column: 3})
    expect(parseDaemonJson('["debug"]', F).findings[0]).toMatchObject({code: 'json-not-object', severity: 'error'})
  })
})

describe('positionAt', () => {
  it('counts lines and columns from 1', () => {
    expect(positionAt('ab\ncd', 0)).toEqual({line: 1, column: 1})
    expect(positionAt('ab\ncd', 4)).toEqual({line: 2, column: 2})
  })
})
