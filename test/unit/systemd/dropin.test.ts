import * as fsp from 'node:fs/promises'
import * as path from 'node:path'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {editExecStartDropIn, quoteExecArg, renderExecStartDropIn} from '../../../src/systemd/dropin.js'
import {expandArgv, parseExecValue, type VariableSource} from '../../../src/systemd/exec.js'
import {resolveDockerService} from '../../../src/systemd/service.js'
import {findAssignments, parseUnitFile} from '../../../src/systemd/unit-file.js'
import {FIXTURES, VENDOR_UNIT, makeTree} from './helpers.js'

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
  fc.string({unit: 'binary', maxLength: 12}).filter((s) => !s.includes('\0') && s.isWellFormed()),
  fc.constantFrom('', ';', '\\;', '$A', '${A}', '$$', '%n', '%', '"', "'", '\\', ' ', '-H', 'fd://', '#x', 'a b', '\\x41', '$'),
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
        expect(systemdArgv(renderExecStartDropIn(argv), env)).toEqual(argv)
      }),
      {numRuns: 2000},
    )
  })

  it('renders plain arguments without quotes', () => {
    expect(renderExecStartDropIn(['/usr/bin/dockerd', '-H', 'unix:///run/docker.sock', '--containerd=/run/containerd/containerd.sock'], {header: ['Managed by dockcfg']})).toBe(
      '# Managed by dockcfg\n[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H unix:///run/docker.sock --containerd=/run/containerd/containerd.sock\n',
    )
    expect(quoteExecArg('a b')).toBe('"a b"')
    expect(quoteExecArg('$HOME')).toBe('$$HOME')
    expect(quoteExecArg('50%')).toBe('50%%')
    expect(quoteExecArg('')).toBe('""')
  })

  it('refuses an argv[0] systemd would read differently', () => {
    expect(() => renderExecStartDropIn(['dockerd'])).toThrow(RangeError)
    expect(() => renderExecStartDropIn(['-/usr/bin/dockerd'])).toThrow(RangeError)
    expect(() => renderExecStartDropIn([])).toThrow(RangeError)
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

describe('editing an existing drop-in', () => {
  it('replaces ExecStart in place and keeps every other byte (corpus drop-in)', async () => {
    const text = await fsp.readFile(path.join(FIXTURES, 'dropins/dcos-docker-conf-devicemapper-flags.conf'), 'utf8')
    const edit = editExecStartDropIn(text, ['/usr/bin/dockerd', '--storage-driver=overlay2'])
    const lines = text.split('\n')
    lines[lines.length - 1] = 'ExecStart=/usr/bin/dockerd --storage-driver=overlay2'
    expect(edit.text).toBe(lines.join('\n'))
    expect(systemdArgv(edit.text)).toEqual(['/usr/bin/dockerd', '--storage-driver=overlay2'])
  })

  it('inserts the missing reset before a lone ExecStart (which would otherwise be refused)', () => {
    const edit = editExecStartDropIn('# mine\n[Service]\nRestart=always\nExecStart=/usr/bin/dockerd -D\nLimitNOFILE=1\n', ['/usr/bin/dockerd'])
    expect(edit.text).toBe('# mine\n[Service]\nRestart=always\nExecStart=\nExecStart=/usr/bin/dockerd\nLimitNOFILE=1\n')
  })

  it('adds reset and command to a drop-in that has none, and drops extra commands', () => {
    expect(editExecStartDropIn('[Service]\nEnvironment=A=1\n', ['/usr/bin/dockerd']).text).toBe('[Service]\nEnvironment=A=1\nExecStart=\nExecStart=/usr/bin/dockerd\n')
    expect(editExecStartDropIn('[Unit]\nAfter=x\n', ['/usr/bin/dockerd']).text).toBe('[Unit]\nAfter=x\n\n[Service]\nExecStart=\nExecStart=/usr/bin/dockerd\n')
    const two = editExecStartDropIn('[Service]\nExecStart=\nExecStart=/a\nExecStart=/b\n', ['/usr/bin/dockerd'])
    expect(two.text).toBe('[Service]\nExecStart=\nExecStart=/usr/bin/dockerd\n')
  })
})
