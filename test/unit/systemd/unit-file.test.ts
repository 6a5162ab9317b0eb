import * as fsp from 'node:fs/promises'
import * as path from 'node:path'

import {describe, expect, it} from 'vitest'

import {appendAssignment, findAssignments, parseUnitFile, renderUnitFile, replaceAssignment} from '../../../src/systemd/unit-file.js'
import {FIXTURES, fixtureNames} from './helpers.js'

const folders = ['units', 'dropins', 'envfiles', 'openrc', 'vendor']
const corpus: Array<{name: string; bytes: Buffer}> = []
for (const folder of folders) {
  for (const name of await fixtureNames(folder)) corpus.push({name: `${folder}/${name}`, bytes: await fsp.readFile(path.join(FIXTURES, folder, name))})
}

describe('unit-file round trip', () => {
  it.each(corpus.map((c) => [c.name, c.bytes] as const))('%s: parse then render gives the same bytes', (_name, bytes) => {
    const parsed = parseUnitFile(bytes.toString('utf8'))
    expect(Buffer.from(renderUnitFile(parsed), 'utf8').equals(bytes)).toBe(true)
    // Entries tile the text with no gap or overlap.
    let offset = 0
    for (const e of parsed.entries) {
      expect(e.start).toBe(offset)
      offset = e.end
    }
    expect(offset).toBe(parsed.text.length)
  })
})

describe('unit-file semantics (systemd 252 conf-parser)', () => {
  it('joins continuations with a space and skips comment lines inside them', () => {
    const f = parseUnitFile('[Service]\nExecStart=/bin/a \\\n# comment\n; other\n  --b \\\n  --c\nType=notify\n')
    const exec = findAssignments(f, 'Service', 'ExecStart')
    expect(exec).toHaveLength(1)
    expect(exec[0]?.value).toBe('/bin/a    --b    --c')
    expect(exec[0]?.line).toBe(2)
    expect(exec[0]?.endLine).toBe(6)
    expect(exec[0]?.commentLines).toEqual([3, 4])
    expect(findAssignments(f, 'Service', 'Type')[0]?.line).toBe(7)
  })

  it('ends a continuation at a blank line and treats an escaped backslash as no continuation', () => {
    const f = parseUnitFile('[Service]\nA=x \\\n\nB=y\\\\\nC=z\n')
    expect(findAssignments(f, 'Service', 'A')[0]?.value).toBe('x')
    expect(findAssignments(f, 'Service', 'B')[0]?.value).toBe('y\\\\')
    expect(findAssignments(f, 'Service', 'C')[0]?.value).toBe('z')
  })

  it('trims whitespace around = and keeps repeated keys and empty resets', () => {
    const f = parseUnitFile('[Service]\n  ExecStart =  \nExecStart\t=\t/usr/bin/dockerd -H fd://  \n')
    expect(findAssignments(f, 'Service', 'ExecStart').map((e) => e.value)).toEqual(['', '/usr/bin/dockerd -H fd://'])
  })

  it('marks assignments before any section header as outside of a section', () => {
    const f = parseUnitFile('ExecStart=/usr/bin/docker daemon\n[Service]\nType=notify\n')
    const outside = f.entries.find((e) => e.kind === 'assignment' && e.section === undefined)
    expect(outside).toBeDefined()
  })

  it('flags an unterminated section header as fatal', () => {
    const f = parseUnitFile('[Service\nExecStart=/x\n')
    expect(f.entries[0]).toMatchObject({kind: 'invalid', fatal: true})
  })

  it('parses a dangling continuation at end of file', () => {
    const f = parseUnitFile('[Service]\nExecStart=/a \\')
    expect(findAssignments(f, 'Service', 'ExecStart')[0]?.value).toBe('/a')
  })

  it("ends lines where systemd's read_line() does: \\n, \\r and NUL, a run of different markers being one end", () => {
    const keys = (text: string) => parseUnitFile(text).entries.map((e) => (e.kind === 'assignment' ? `${e.key}=${e.value}@${e.line}` : `${e.kind}@${e.line}`))
    // A lone \r or NUL starts a new line: what follows is a directive of its own.
    expect(keys('[Service]\nA=x\r[Unit]\rB=y\0C=z\n')).toEqual(['section@1', 'A=x@2', 'section@3', 'B=y@4', 'C=z@5'])
    // \r\n, \n\r, \r\0 and \r\n\0 are single terminators; \0\r is two (NUL ends the run); \n\n is two.
    expect(keys('[S]\r\nA=1\n\rB=2\r\0C=3\r\n\0D=4\0\rE=5\n\nF=6')).toEqual(['section@1', 'A=1@2', 'B=2@3', 'C=3@4', 'D=4@5', 'blank@6', 'E=5@7', 'blank@8', 'F=6@9'])
    // A continuation runs on across \n\r (one terminator) but stops at \n\n (a blank line).
    expect(findAssignments(parseUnitFile('[S]\nA=x \\\n\ry\n'), 'S', 'A')[0]?.value).toBe('x  y')
    // Every byte is still kept, so rendering gives the text back.
    const text = '[S]\r\nA=1\n\rB=2\r\0C=3\0\rD\0'
    expect(renderUnitFile(parseUnitFile(text))).toBe(text)
  })

  it('refuses to write a value that would end its line (\\r, \\n or NUL)', () => {
    const f = parseUnitFile('[Service]\nExecStart=/bin/a\n')
    const entry = findAssignments(f, 'Service', 'ExecStart')[0]!
    for (const bad of ['/bin/b\rExecStartPre=/bin/x', '/bin/b\nX=1', '/bin/b\0X=1']) expect(() => replaceAssignment(f, entry, bad)).toThrow(RangeError)
  })

  it('handles CRLF line endings and a BOM without losing bytes', () => {
    const text = '\uFEFF[Service]\r\nType=notify\r\n'
    const f = parseUnitFile(text)
    expect(findAssignments(f, 'Service', 'Type')[0]?.value).toBe('notify')
    expect(renderUnitFile(f)).toBe(text)
  })
})

describe('unit-file edits keep untouched bytes', () => {
  it('replaces one assignment in place (corpus drop-in without trailing newline)', async () => {
    const text = await fsp.readFile(path.join(FIXTURES, 'dropins/override-fd-plus-tcp-equals-form-3x3cut0r.conf'), 'utf8')
    const f = parseUnitFile(text)
    const [, cmd] = findAssignments(f, 'Service', 'ExecStart')
    if (!cmd) throw new Error('fixture changed')
    const edited = renderUnitFile(replaceAssignment(f, cmd, '/usr/bin/dockerd'))
    expect(edited).toBe('[Service]\nExecStart=\nExecStart=/usr/bin/dockerd')
  })

  it('replaces a continued assignment, keeping comments that sat inside it and every other line', () => {
    const text = '# head\n[Service]\n  ExecStart=/a \\\n# inner\n   --b\nType=notify   \n'
    const f = parseUnitFile(text)
    const exec = findAssignments(f, 'Service', 'ExecStart')[0]
    if (!exec) throw new Error('no ExecStart')
    expect(renderUnitFile(replaceAssignment(f, exec, '/c'))).toBe('# head\n[Service]\n# inner\n  ExecStart=/c\nType=notify   \n')
  })

  it('appends into the last instance of a section and creates a missing section', async () => {
    const text = await fsp.readFile(path.join(FIXTURES, 'dropins/flatcar-sysext-10-nvidia.conf'), 'utf8')
    const f = parseUnitFile(text)
    const added = renderUnitFile(appendAssignment(f, 'Service', 'LimitNOFILE', '1024'))
    expect(added).toBe(text + 'LimitNOFILE=1024\n')
    const withInstall = renderUnitFile(appendAssignment(f, 'Install', 'WantedBy', 'multi-user.target'))
    expect(withInstall.startsWith(text)).toBe(true)
    expect(withInstall.slice(text.length)).toBe('\n[Install]\nWantedBy=multi-user.target\n')
  })

  it('appends after a last line that lacks a newline without touching other bytes', () => {
    const f = parseUnitFile('[Service]\nEnvironment=A=1')
    expect(renderUnitFile(appendAssignment(f, 'Service', 'Environment', 'B=2'))).toBe('[Service]\nEnvironment=A=1\nEnvironment=B=2\n')
  })

  it('refuses values that would change how the file reads back', () => {
    const f = parseUnitFile('[Service]\n')
    expect(() => appendAssignment(f, 'Service', 'ExecStart', '/a \\')).toThrow(RangeError)
    expect(() => appendAssignment(f, 'Service', 'ExecStart', '/a\n/b')).toThrow(RangeError)
    expect(() => appendAssignment(f, 'Service', 'ExecStart', ' /a')).toThrow(RangeError)
  })
})
