import * as fsp from 'node:fs/promises'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {commentText, quoteExecArg, unitValueProblem} from '../../../src/systemd/dropin.js'
import {expandArgv, parseExecValue, type VariableSource} from '../../../src/systemd/exec.js'
import {resolveDockerService} from '../../../src/systemd/service.js'
import {findAssignments, parseUnitFile} from '../../../src/systemd/unit-file.js'
import {VENDOR_UNIT, makeTree} from './helpers.js'

/** A drop-in replacing ExecStart the way src/effective/fix.ts writes one: argv[0] as is, the rest quoted. */
function renderExecStartDropIn(argv: readonly string[]): string {
  const [exe, ...args] = argv
  return `[Service]\nExecStart=\nExecStart=${[exe, ...args.map(quoteExecArg)].join(' ')}\n`
}

/** What systemd would execute for the last ExecStart= of a drop-in text. */
function systemdArgv(dropIn: string, env: Map<string, VariableSource> = new Map()): string[] {
  const exec = findAssignments(parseUnitFile(dropIn), 'Service', 'ExecStart')
  const last = exec[exec.length - 1]
  if (!last) throw new Error('no ExecStart')
  const parsed = parseExecValue(last.value, {unitName: 'docker.service'})
  if (parsed.kind !== 'commands' || parsed.warnings.length > 0) throw new Error(`unexpected parse: ${JSON.stringify(parsed)}`)
  return expandArgv(parsed.commands[0]?.argv ?? [], env).argv.map((w) => w.value)
}

const argArb = fc.oneof(
  fc.string({unit: 'grapheme', maxLength: 12}),
  fc.string({unit: 'binary', maxLength: 12}),
  fc.constantFrom('', ';', '\\;', '$A', '${A}', '$$', '%n', '%', '"', "'", '\\', ' ', '-H', 'fd://', '#x', 'a b', '\\x41', '$', '\u2028', '\uFEFF'),
  fc.constantFrom('a\rb', 'a\nb', 'a\0b', '\t', '\x1b[2J', '\x7f', '\u0085', '\uD800', 'x\r[Service]\rExecStartPre=/bin/touch /tmp/x'),
)

describe('drop-in rendering round-trips through systemd tokenisation', () => {
  it('quoteExecArg + ExecStart parsing + $ expansion returns the exact argv (property)', () => {
    // Variables that a careless renderer would let systemd expand.
    const env = new Map<string, VariableSource>([
      ['A', {value: 'EXPANDED x'}],
      ['n', {value: 'N'}],
    ])
    fc.assert(
      fc.property(fc.constantFrom('/usr/bin/dockerd', '/usr/sbin/dockerd', '/opt/x_y/bin-1/dockerd'), fc.array(argArb, {maxLength: 8}), (exe, args) => {
        const argv = [exe, ...args]
        // Either refused, or exactly the argv meant: never a line systemd would split.
        if (args.some((a) => unitValueProblem(a) !== undefined)) expect(() => renderExecStartDropIn(argv)).toThrow(RangeError)
        else expect(systemdArgv(renderExecStartDropIn(argv), env)).toEqual(argv)
      }),
      {numRuns: 2000},
    )
  })

  it('leaves plain arguments unquoted and escapes what systemd would expand', () => {
    expect(renderExecStartDropIn(['/usr/bin/dockerd', '-H', 'unix:///run/docker.sock', '--containerd=/run/containerd/containerd.sock'])).toBe(
      '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H unix:///run/docker.sock --containerd=/run/containerd/containerd.sock\n',
    )
    expect(quoteExecArg('a b')).toBe('"a b"')
    expect(quoteExecArg('$HOME')).toBe('$$HOME')
    expect(quoteExecArg('50%')).toBe('50%%')
    expect(quoteExecArg('')).toBe('""')
    expect(quoteExecArg(';')).toBe('";"')
    expect(() => quoteExecArg('a\0b')).toThrow(RangeError)
    expect(() => quoteExecArg('a\rb')).toThrow(/cannot contain a carriage return \(U\+000D\) at character 2/)
    expect(quoteExecArg('a\u2028b')).toBe('"a\\u2028b"')
  })

  it('names the first character a unit value may not hold', () => {
    expect(unitValueProblem('plain $x %n "q" \\ é 😀')).toBeUndefined()
    expect(unitValueProblem('ab\tc')).toBe('a tab (U+0009) at character 3')
    expect(unitValueProblem('😀\x7f')).toBe('a control character (U+007F) at character 3')
    expect(unitValueProblem('\u0085')).toBe('a control character (U+0085) at character 1')
    expect(unitValueProblem('a\uDC00')).toBe('text that is not valid Unicode (a lone surrogate)')
  })

  it('comment text is one line whatever it holds, with control characters shown escaped', () => {
    expect(commentText('set labels a=b\r[Service]\rExecStartPre=/x\n\0\x1b')).toBe('set labels a=b\\x0d[Service]\\x0dExecStartPre=/x\\x0a\\x00\\x1b')
    expect(commentText('a\u2028b\uD800c\u0085')).toBe('a\\u2028b\\ud800c\\x85')
    expect(commentText('x'.repeat(5000))).toBe(`${'x'.repeat(2000)}… (3000 more characters)`)
    fc.assert(
      fc.property(fc.string({unit: 'binary'}), (text) => {
        const line = `# ${commentText(text)}`
        const entries = parseUnitFile(`${line}\n[Service]\n`).entries
        expect(entries.map((e) => e.kind)).toEqual(['comment', 'section'])
        expect(line).not.toMatch(/[\r\n\0]/)
      }),
      {numRuns: 1000},
    )
  })

  it('a rendered drop-in over the Debian vendor unit gives exactly that argv', async () => {
    const argv = ['/usr/sbin/dockerd', '--containerd=/run/containerd/containerd.sock', '--label', 'team=a b']
    const tree = await makeTree({
      '/lib/systemd/system/docker.service': await fsp.readFile(VENDOR_UNIT),
      '/etc/systemd/system/docker.service.d/50-dockcfg.conf': renderExecStartDropIn(argv),
    })
    try {
      const resolved = await resolveDockerService(tree.fs)
      expect(resolved.argv).toEqual(argv)
      expect(resolved.argvOrigins?.every((o) => o.file === '/etc/systemd/system/docker.service.d/50-dockcfg.conf' && o.line === 3)).toBe(true)
    } finally {
      await tree.cleanup()
    }
  })
})
