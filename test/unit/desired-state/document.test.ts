import {describe, expect, it} from 'vitest'

import {DockcfgError} from '../../../src/core/errors.js'
import {MAX_DOCUMENT_BYTES, parseDesiredState} from '../../../src/desired-state/document.js'

const parse = (text: string) => parseDesiredState(text, 'state.json')

/** The error a document is refused with. */
function refusal(text: string): DockcfgError {
  try {
    parse(text)
  } catch (error) {
    expect(error).toBeInstanceOf(DockcfgError)
    return error as DockcfgError
  }
  throw new Error('the document was accepted')
}

describe('the desired-state document', () => {
  it('reads the pinned example: settings with their places, removals, owners, remote', () => {
    const doc = parse(
      [
        '{',
        '  "daemon": {"bip": "192.168.42.1/24", "mtu": 1400, "dns": ["10.0.0.2"], "debug": null},',
        '  "owners": {"hosts": "file"},',
        '  "remote": {"enabled": true, "address": "0.0.0.0", "port": 2376, "ca": "/etc/dockcfg/fleet-ca", "san": ["docker1.example.com"]}',
        '}',
      ].join('\n'),
    )
    expect(doc.daemon).toEqual([
      {key: 'bip', value: '192.168.42.1/24', line: 2, column: 21},
      {key: 'mtu', value: 1400, line: 2, column: 47},
      {key: 'dns', value: ['10.0.0.2'], line: 2, column: 60},
      {key: 'debug', value: undefined, line: 2, column: 83},
    ])
    expect(doc.owners).toEqual([{key: 'hosts', owner: 'file', line: 3, column: 23}])
    expect(doc.remote).toEqual({enabled: true, address: '0.0.0.0', port: 2376, ca: '/etc/dockcfg/fleet-ca', san: ['docker1.example.com'], insecure: false, line: 4, column: 13})
  })

  it('every part is optional: {} holds nothing, remote off is just enabled false', () => {
    expect(parse('{}')).toEqual({source: 'state.json', daemon: [], owners: [], remote: undefined})
    expect(parse('{"remote": {"enabled": false}}').remote).toEqual({enabled: false, line: 1, column: 12})
  })

  it('unknown fields and keys are usage errors (exit 2) naming the field and its place', () => {
    expect(refusal('{\n  "deamon": {}\n}')).toMatchObject({exitCode: 2, message: expect.stringContaining('state.json:2:3: unknown field "deamon"')})
    expect(refusal('{"daemon": {"mut": 1400}}')).toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('state.json:1:13: unknown daemon.json key "daemon.mut"; did you mean "mtu"?'),
    })
    expect(refusal('{"owners": {"nope": "file"}}')).toMatchObject({exitCode: 2, message: expect.stringContaining('"owners.nope"')})
    expect(refusal('{"remote": {"enabled": true, "prot": 1}}')).toMatchObject({exitCode: 2, message: expect.stringContaining('unknown field "remote.prot"')})
    expect(refusal('{"remote": {"enabled": false, "port": 2376}}')).toMatchObject({exitCode: 2, message: expect.stringContaining('remote.port applies only with "enabled": true')})
  })

  it('a key dockerd does not know may be removed (null): that repairs a file holding one', () => {
    expect(parse('{"daemon": {"mut": null}}').daemon).toEqual([{key: 'mut', value: undefined, line: 1, column: 20}])
  })

  it('wrong types are exit 3 at the value', () => {
    const cases: Array<[string, string]> = [
      ['[]', 'state.json:1:1: the document must be a JSON object'],
      ['{"daemon": []}', 'state.json:1:12: "daemon" must be an object of daemon.json keys, found a list'],
      ['{"owners": {"hosts": "both"}}', 'state.json:1:22: owners.hosts must be "file"'],
      ['{"remote": true}', 'state.json:1:12: "remote" must be an object'],
      ['{"remote": {}}', 'state.json:1:12: "remote" needs "enabled"'],
      ['{"remote": {"enabled": "yes"}}', 'state.json:1:24: remote.enabled must be true or false, found the string "yes"'],
      ['{"remote": {"enabled": true, "port": 70000}}', 'remote.port must be a whole number from 1 to 65535, found the number 70000'],
      ['{"remote": {"enabled": true, "port": "2376"}}', 'remote.port must be a whole number'],
      ['{"remote": {"enabled": true, "san": "a.example"}}', 'remote.san must be a list'],
      ['{"remote": {"enabled": true, "san": [1]}}', 'remote.san[0] must be a string, found the number 1'],
      ['{"remote": {"enabled": true, "ca": "fleet-ca"}}', 'remote.ca must be an absolute path'],
      ['{"remote": {"enabled": true, "address": ""}}', 'remote.address is empty'],
      ['{"remote": {"enabled": true, "address": "0.0.0.0\\r\\nExecStart=/bin/sh"}}', 'remote.address contains a control character'],
      ['{"remote": {"enabled": true, "san": ["a\\u0000b"]}}', 'remote.san[0] contains a control character'],
      ['{"remote": {"enabled": true, "insecure": 1}}', 'remote.insecure must be true or false'],
      ['{"daemon": {"mtu": 1e400}}', 'the number 1e400 is beyond what a JSON number can hold'],
      ['{"daemon": {"mtu": 90071992547409930}}', 'the integer 90071992547409930 is beyond ±2^53'],
    ]
    for (const [text, message] of cases) {
      const error = refusal(text)
      expect(error.exitCode, text).toBe(3)
      expect(error.message, text).toContain(message)
      expect(error.message, text).toContain('nothing was written')
    }
  })

  it('syntax errors, NUL and empty documents are exit 3 with their place', () => {
    expect(refusal('')).toMatchObject({exitCode: 3, message: expect.stringContaining('state.json:1:1: the document is empty')})
    expect(refusal('{"daemon": {"mtu": 1400,}}')).toMatchObject({exitCode: 3, message: expect.stringContaining('state.json:1:25: not valid JSON')})
    expect(refusal('{"daemon": // no\n{}}')).toMatchObject({exitCode: 3, message: expect.stringContaining('state.json:1:12: not valid JSON: InvalidCommentToken')})
    expect(refusal('{"daemon":\n {"debug": \u0000true}}')).toMatchObject({
      exitCode: 3,
      message: expect.stringContaining('state.json:2:12: not valid JSON: InvalidSymbol (character U+0000)'),
    })
    expect(refusal('{"daemon": {"labels": ["a\u0000b"]}}')).toMatchObject({exitCode: 3, message: expect.stringContaining('state.json:1:')})
  })

  it('counts a lone \\r and \\r\\n as one line end each, as JSON does', () => {
    expect(refusal('{\r\n"daemon":\r{"mtu": x}}')).toMatchObject({message: expect.stringContaining('state.json:3:9: not valid JSON')})
    expect(parse('\ufeff{"daemon": {"mtu": 1}}').daemon).toEqual([{key: 'mtu', value: 1, line: 1, column: 21}])
  })

  it('a key given twice, at any depth, is refused at its second place', () => {
    expect(refusal('{"daemon": {"mtu": 1400},\n"daemon": {}}')).toMatchObject({
      exitCode: 3,
      message: expect.stringContaining('state.json:2:1: "daemon" is given twice in one object (first at line 1)'),
    })
    expect(refusal('{"daemon": {"mtu": 1400, "mtu": 1500}}')).toMatchObject({exitCode: 3, message: expect.stringContaining('state.json:1:26: "mtu" is given twice')})
    expect(refusal('{"daemon": {"log-opts": {"max-size": "1m", "max-size": "2m"}}}')).toMatchObject({exitCode: 3, message: expect.stringContaining('"max-size" is given twice')})
  })

  it('10,000 levels of nesting are read without recursion; the 10,001st is refused where it opens', () => {
    const deep = (n: number) => `{"daemon": {"labels": ${'['.repeat(n - 2)}${']'.repeat(n - 2)}}}`
    expect(parse(deep(10_000)).daemon[0]?.key).toBe('labels')
    expect(refusal(deep(10_001))).toMatchObject({exitCode: 3, message: expect.stringContaining('more than 10000 levels of nested objects and arrays')})
  })

  it('a document over the daemon.json limit is refused before it is parsed; a large one within it is read', () => {
    const huge = `{"daemon": {"labels": [${'"x",'.repeat(MAX_DOCUMENT_BYTES / 4)}"x"]}}`
    expect(refusal(huge)).toMatchObject({exitCode: 3, message: expect.stringContaining(`state.json is at least ${Buffer.byteLength(huge)} bytes`)})
    const large = `{"daemon": {"labels": [${'"x",'.repeat(100_000)}"x"]}}`
    expect((parse(large).daemon[0]?.value as string[]).length).toBe(100_001)
  })
})
