import {describe, expect, it} from 'vitest'

import {parseDaemonJson} from '../../../src/daemon-config/parse.js'

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

  // One finding per problem, at the offending token, saying what is really there. jsonc-parser
  // reports some problems twice or adds follow-on errors while recovering; those are not findings.
  it.each([
    ['a trailing comma before }', '{\n  "debug": true,\n}\n', 3, 1, 'trailing comma before }: dockerd refuses trailing commas in daemon.json'],
    [
      'an invalid literal (no trailing comma invented after it)',
      '{"debug": tru}',
      1,
      11,
      'invalid value "tru" (true, false, null, a number, a string, an array or an object expected)',
    ],
    ['a mis-cased literal in an array', '{"dns": [True]}', 1, 10, 'invalid value "True" (true, false, null, a number, a string, an array or an object expected)'],
    ['an unquoted key without echoing a missing key and value', '{debug: true}', 1, 2, 'invalid character "debug": this is not JSON (strings need double quotes)'],
    ['a missing value that is not a trailing comma', '{"debug": }', 1, 11, 'expected a value, found "}"'],
    ['a doubled comma', '{"debug": true,, "tls": false}', 1, 16, 'expected a quoted key name, found ","'],
    ['a } closing an array', '{"dns": ["1.1.1.1" }, "debug": true}', 1, 20, 'expected , or ] but found "}"'],
  ])('reports %s once', (_, text, line, column, message) => {
    for (const dockerdVersion of ['20.10.24', undefined]) {
      const p = parseDaemonJson(text, F, {dockerdVersion})
      expect(p.decodable).toBe(false)
      expect(p.findings).toEqual([{code: 'json-syntax', severity: 'error', message, file: F, line, column, checkedAt: 'config'}])
    }
  })

  it('reports an object without a key once, not the } that closes it or the one that closes the file', () => {
    // The shape of the falenn-awsk8s corpus file: a template left an anonymous object in the settings.
    const text = '{\n  "debug": true,\n  {\n    "registry-mirrors": ["https://mirror.example"]\n  }\n}\n'
    for (const dockerdVersion of ['20.10.24', undefined]) {
      expect(parseDaemonJson(text, F, {dockerdVersion}).findings).toEqual([
        {
          code: 'json-syntax',
          severity: 'error',
          message: 'expected a quoted key name, found "{": an object inside an object needs a key ("name": {...})',
          file: F,
          line: 3,
          column: 3,
          checkedAt: 'config',
        },
      ])
    }
  })

  it('reports every comment and trailing comma, each once', () => {
    const p = parseDaemonJson('{\n  // c\n  "dns": ["1.1.1.1",],\n  /* d */ "debug": true,\n}', F)
    expect(p.findings.map((f) => `${f.code}@${f.line}:${f.column} ${f.message.split(':')[0]}`)).toEqual([
      'json-comment@2:3 comments are not JSON',
      'json-syntax@3:21 trailing comma before ]',
      'json-comment@4:3 comments are not JSON',
      'json-syntax@5:1 trailing comma before }',
    ])
  })

  it('says a file without braces is not a JSON object, once, at its first token', () => {
    // The shape of the jodumont corpus file: the members of an object without the { }.
    const text = '"experimental": false,\n"live-restore": true\n'
    for (const dockerdVersion of ['20.10.24', undefined]) {
      const p = parseDaemonJson(text, F, {dockerdVersion})
      expect(p.decodable).toBe(false)
      expect(p.findings).toEqual([
        {
          code: 'json-not-object',
          severity: 'error',
          message:
            'daemon.json must be a JSON object {...}: dockerd reads its settings from one; found a string "experimental", followed by more data at line 1, column 15 (are the enclosing { } missing?)',
          file: F,
          line: 1,
          column: 1,
          checkedAt: 'config',
          hint: 'put the settings between { and }',
        },
      ])
    }
    expect(parseDaemonJson('["debug"]', F).findings).toMatchObject([
      {code: 'json-not-object', message: 'daemon.json must be a JSON object {...}: dockerd reads its settings from one; found an array'},
    ])
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

describe('position', () => {
  it('counts lines and columns from 1; a stripped byte-order mark is a column of line 1', () => {
    const p = parseDaemonJson('{"a":\n 1}', F)
    expect(p.position(0)).toEqual({line: 1, column: 1})
    expect(p.position(5)).toEqual({line: 1, column: 6})
    expect(p.position(6)).toEqual({line: 2, column: 1})
    expect(p.position(7)).toEqual({line: 2, column: 2})
    const bom = parseDaemonJson('\ufeff{"a":\n 1}', F)
    expect(bom.position(0)).toEqual({line: 1, column: 2})
    expect(bom.position(7)).toEqual({line: 2, column: 2})
  })
})
