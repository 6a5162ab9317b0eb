import * as fsp from 'node:fs/promises'

import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {DockcfgError} from '../../../src/core/errors.js'
import {inspectEffective} from '../../../src/effective/effective.js'
import {DROPIN_PATH, type Owner, planFix} from '../../../src/effective/fix.js'
import {DROPIN_DIR} from '../../../src/core/managed-files.js'
import {OverlayFileSystem} from '../../../src/system/overlay-fs.js'
import {parseUnitFile, type UnitEntry} from '../../../src/systemd/unit-file.js'
import {VENDOR_PATH, VENDOR_UNIT, tree} from './helpers.js'

// Every unit file dockcfg writes (a new 50-dockcfg.conf, an /etc drop-in edited in place, an /etc
// copy masking a /run or /usr/lib drop-in), planned from hostile values anywhere a user can put
// them: the command typed, daemon.json values, words of the unit's ExecStart, the environment file
// behind $DOCKER_OPTS, the --config-file path. Read back with the project's own systemd parser,
// each plan is either refused (a DockcfgError: nothing written) or holds exactly the directives
// intended: no extra line, directive or section, and the ExecStart systemd would run is the argv
// the plan promises.

const V = '20.10.24'
const HOSTILE = [
  '',
  '$$x',
  '$&',
  '$1',
  "$'",
  '$`',
  '{{execStart}}',
  '{{command}}',
  '%n',
  '%%',
  '"',
  "'",
  '\\',
  ';',
  '#',
  ' ',
  'a\rb',
  'a\nb',
  'a\0b',
  '\t',
  '\x1b[2J',
  '\u0085',
  '\u2028',
  '\uFEFF',
  '\uD800',
  '\r[Service]\rExecStartPre=/bin/touch /tmp/x',
  '\n[Unit]\nX=1',
  '\\\n',
  '\0\r\n',
]
const text = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({unit: 'binary', maxLength: 24}), fc.string({unit: 'grapheme', maxLength: 24}))
const labelValue = fc.oneof(
  text,
  text.map((t) => `k=${t}`),
)

/** One ExecStart word as a person could write it in a unit file: quoted, C escapes for control characters, %% and $$. */
function unitWord(value: string): string {
  let out = '"'
  for (const ch of value.replaceAll('%', '%%').replaceAll('$', '$$')) {
    const code = ch.codePointAt(0) as number
    out += ch === '"' || ch === '\\' ? `\\${ch}` : code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch
  }
  return `${out}"`
}

/** A double-quoted environment-file value (systemd's env-file syntax: \\ escapes ", \\, ` and $). */
function envValue(value: string): string {
  return `"${value.replace(/["\\`$]/g, (c) => `\\${c}`)}"`
}

const scenario = fc.record({
  owner: fc.constantFrom<Owner>('file', 'flags'),
  command: text.map((t) => `dockcfg set labels ${t}`),
  layout: fc.constantFrom('vendor-unit' as const, 'etc-unit' as const, 'etc-dropin' as const, 'run-dropin' as const),
  configFile: fc.constantFrom('/etc/docker/daemon.json', '/etc/docker/a\rb{{execStart}}$$&.json', '/etc/docker/%n $x.json'),
  fileLabels: fc.array(labelValue, {minLength: 1, maxLength: 3}),
  wordLabels: fc.array(labelValue, {maxLength: 2}),
  otherWords: fc.array(text, {maxLength: 2}),
  dockerOpts: fc.option(fc.array(text, {maxLength: 3}), {nil: undefined}),
  hostsConflict: fc.boolean(),
})
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never

/** Sections and assignments as systemd sees them, plus any line it would complain about. */
function directives(entries: readonly UnitEntry[]): string[] {
  return entries.flatMap((e) => {
    if (e.kind === 'section') return [`[${e.name}]`]
    if (e.kind === 'assignment') return [`${e.section ?? ''}:${e.key}=${e.value}`]
    if (e.kind === 'invalid') return [`invalid:${e.text}`]
    return []
  })
}

/** The same, with the value of the ExecStart= systemd runs (the last non-empty one) left out. */
function withoutRunExecStart(entries: readonly UnitEntry[]): string[] {
  const last = entries.findLastIndex((e) => e.kind === 'assignment' && e.section === 'Service' && e.key === 'ExecStart' && e.value !== '')
  return directives(entries.map((e, i) => (i === last && e.kind === 'assignment' ? {...e, value: '<ExecStart>'} : e)))
}

function treeFiles(s: Scenario, vendorUnit: string): Array<{path: string; before: undefined; after: string}> {
  const execStart = [
    '/usr/sbin/dockerd',
    ...(s.hostsConflict ? ['-H fd://'] : []),
    '--label k=v',
    ...s.wordLabels.map((w) => `--label ${unitWord(w)}`),
    ...s.otherWords.map((w) => `--default-runtime ${unitWord(w)}`),
    '$DOCKER_OPTS',
  ].join(' ')
  const files: Record<string, string> = {
    [VENDOR_PATH]: vendorUnit,
    [s.configFile]: `${JSON.stringify({labels: s.fileLabels, ...(s.hostsConflict ? {hosts: ['unix:///var/run/docker.sock']} : {})})}\n`,
  }
  const dropIn = `[Service]\nEnvironment=KEEP=1\nExecStart=\nExecStart=${execStart}\n`
  if (s.layout === 'vendor-unit') files[VENDOR_PATH] = vendorUnit.replace(/^ExecStart=.*$/m, () => `ExecStart=${execStart}`)
  else if (s.layout === 'etc-unit') files['/etc/systemd/system/docker.service'] = vendorUnit.replace(/^ExecStart=.*$/m, () => `ExecStart=${execStart}`)
  else if (s.layout === 'etc-dropin') files[`${DROPIN_DIR}/override.conf`] = dropIn
  else files['/run/systemd/system/docker.service.d/60-vendor.conf'] = dropIn
  if (s.dockerOpts !== undefined) files['/etc/default/docker'] = `DOCKER_OPTS=${envValue(s.dockerOpts.join(' '))}\n`
  return Object.entries(files).map(([path, after]) => ({path, before: undefined, after}))
}

describe('every unit file dockcfg writes round-trips through the systemd parser (property)', () => {
  it('is refused, or holds exactly the intended directives and argv', async () => {
    const vendorUnit = await fsp.readFile(VENDOR_UNIT, 'utf8')
    const empty = await tree({})
    let written = 0
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const files = treeFiles(s, vendorUnit)
        const fs = new OverlayFileSystem(empty, files)
        const before = await inspectEffective(fs, {configFile: s.configFile, dockerdVersion: V})
        let plan: Awaited<ReturnType<typeof planFix>>
        try {
          plan = await planFix(fs, before, s.owner, s.command)
        } catch (error) {
          // A refusal names its cause; anything else (a RangeError from the quoting) is a bug.
          expect(error).toBeInstanceOf(DockcfgError)
          return
        }
        for (const change of plan.changes.filter((c) => c.path.startsWith('/etc/systemd/'))) {
          written++
          const after = parseUnitFile(change.after ?? '', change.path).entries
          expect(after.filter((e) => e.kind === 'invalid')).toEqual([])
          const original = change.before ?? files.find((f) => f.path === '/run/systemd/system/docker.service.d/60-vendor.conf')?.after
          if (change.path === DROPIN_PATH && change.before === undefined) {
            expect(withoutRunExecStart(after)).toEqual(['[Service]', 'Service:ExecStart=', 'Service:ExecStart=<ExecStart>'])
          } else {
            expect(withoutRunExecStart(after)).toEqual(withoutRunExecStart(parseUnitFile(original ?? '').entries))
          }
          // Nothing but comments, blank lines and those directives: every other line is a comment systemd skips.
          expect(after.every((e) => ['section', 'assignment', 'comment', 'blank'].includes(e.kind))).toBe(true)
        }
        const after = await inspectEffective(new OverlayFileSystem(fs, plan.changes), {configFile: s.configFile, dockerdVersion: V})
        expect(after.service.errors).toEqual([])
        if (plan.newArgv !== undefined) expect(after.argv).toEqual(plan.newArgv)
        expect(after.conflicts).toEqual([])
      }),
      {numRuns: 400},
    )
    // The property must have exercised the writers, not only the refusals.
    expect(written).toBeGreaterThan(100)
  })
})
