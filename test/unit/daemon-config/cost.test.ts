import type {Stats} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {InvalidConfigError} from '../../../src/core/errors.js'
import {daemonJsonFindings as findingsOf} from '../../../src/daemon-config/validate.js'
import {planDaemonJsonEdit} from '../../../src/daemon-config/edit.js'
import {capFindings, countOf, CountedFindings, errorLines, type Finding, MAX_FINDINGS_PER_KIND, type Severity} from '../../../src/core/findings.js'
import {MAX_DAEMON_JSON_BYTES, readDaemonJsonText} from '../../../src/daemon-config/load.js'
import {MAX_SYNTAX_ERRORS, parseDaemonJson} from '../../../src/daemon-config/parse.js'
import {inspectEffective} from '../../../src/effective/effective.js'
import {RuleContext} from '../../../src/daemon-config/rules/context.js'
import {renderSettings, SETTING_WIDTH, VALUE_WIDTH} from '../../../src/output/show.js'
import {closestKey, editDistanceWithin, usableKeys} from '../../../src/registry/index.js'
import type {FileSystem} from '../../../src/system/fs.js'
import {OverlayFileSystem} from '../../../src/system/overlay-fs.js'
import {growth} from '../../support/work.js'
import {DAEMON_JSON, debianTree} from '../effective/helpers.js'

// Cost must grow with the size of the file, not its square (issue 9 item 14): work is counted
// (characters read, elements copied or stepped through: test/support/work.ts), never timed, on an
// input and one twice its size. Linear work doubles; the quadratic steps this replaced quadrupled.

const V = '29.7.2'
const check = (text: string) => findingsOf(parseDaemonJson(text, DAEMON_JSON, {dockerdVersion: V}), V)

/** `n` members, one per line. */
const members = (n: number, member: (i: number) => string) => Array.from({length: n}, (_, i) => `  ${member(i)}`).join(',\n')

describe('parse and validate grow linearly with the file', () => {
  it.each([
    ['duplicate keys', (n: number) => `{\n${members(n, () => '"debug": true')}\n}`],
    ['unknown keys', (n: number) => `{\n${members(n, (i) => `"unknown-option-${i}": ${i}`)}\n}`],
    ['syntax errors', (n: number) => `{"labels": [\n${members(n, () => 'x')}\n]}`],
    ['invalid list entries', (n: number) => `{"dns": [\n${members(n, () => '"nope"')}\n]}`],
    ['labels', (n: number) => `{"labels": [\n${members(n, (i) => `"com.example.l${i}=v"`)}\n]}`],
    ['whitespace', (n: number) => `{${' \n'.repeat(n * 10)}}`],
  ])('%s', async (_, text) => {
    expect(await growth((n) => check(text(n)), 2000)).toBeLessThan(2.5)
  })

  it('the effective model: a setting per key, each with its line', async () => {
    const base = await debianTree()
    const view = (n: number): FileSystem => new OverlayFileSystem(base, [{path: DAEMON_JSON, after: `{\n${members(n, (i) => `"unknown-option-${i}": ${i}`)}\n}`}])
    const e = await inspectEffective(view(10), {dockerdVersion: V})
    expect(e.settings.find((s) => s.key === 'unknown-option-9')?.origin).toEqual({kind: 'file', file: DAEMON_JSON, line: 11})
    expect(await growth((n) => inspectEffective(view(n), {dockerdVersion: V}), 2000)).toBeLessThan(2.5)
  })
})

describe('did you mean', () => {
  it('is computed only within the distance that would be suggested, and not at all past the lengths', () => {
    const work = {cells: 0}
    expect(editDistanceWithin('x'.repeat(100_000), 'debug', 1, work)).toBeUndefined()
    expect(work.cells).toBe(0)
    for (const key of usableKeys(V)) editDistanceWithin('x'.repeat(100_000), key, Math.max(1, Math.floor(key.length / 3)), work)
    expect(work.cells).toBe(0)
    expect(closestKey('x'.repeat(100_000), V)).toBeUndefined()
    // Equal lengths: a band of 2 x limit + 1 cells per row at most, and it stops at the first row past the limit.
    const a = 'abcdefghijklmnopqrstuvwxyz0123456789'
    expect(editDistanceWithin(a, a, 3, work)).toBe(0)
    expect(work.cells).toBeLessThanOrEqual(7 * a.length)
    work.cells = 0
    expect(editDistanceWithin(a, [...a].reverse().join(''), 3, work)).toBeUndefined()
    expect(work.cells).toBeLessThanOrEqual(7 * 5)
  })

  it('finds what the full distance found', () => {
    expect(editDistanceWithin('mut', 'mtu', 1)).toBe(1)
    expect(editDistanceWithin('kitten', 'sitting', 3)).toBe(3)
    expect(editDistanceWithin('kitten', 'sitting', 2)).toBeUndefined()
    expect(closestKey('log_level', V)).toBe('log-level')
    expect(closestKey('insecure-registry', V)).toBe('insecure-registries')
  })

  it('is looked up for the unknown keys that are listed, not for every one of thousands', () => {
    // 1,000 different typos of "log-level", each two letters too long.
    const letters = 'abcdefghijklmnopqrstuvwxyz0123456789'
    const typo = (i: number) => `"log-level${letters[Math.floor(i / letters.length)]}${letters[i % letters.length]}": "info"`
    const findings = check(`{\n${members(1000, typo)}\n}`).filter((f) => f.code === 'unknown-key')
    // The listed ones and one counting the rest.
    expect(findings).toHaveLength(MAX_FINDINGS_PER_KIND + 1)
    expect(findings.reduce((sum, f) => sum + countOf(f), 0)).toBe(1000)
    const suggested = findings.filter((f) => f.hint === 'did you mean "log-level"?')
    expect(suggested).toHaveLength(MAX_FINDINGS_PER_KIND)
    // The ones listed are the ones with the suggestion.
    expect(capFindings(findings).slice(0, MAX_FINDINGS_PER_KIND)).toEqual(suggested)
  })
})

describe('findings are listed up to MAX_FINDINGS_PER_KIND of each kind', () => {
  it('the rest of a kind is one finding: how many, from where', () => {
    const findings = check(`{"labels": [\n${members(1000, () => 'x')}\n], "dns": ["nope", "nope"]}`)
    const capped = capFindings(findings)
    const syntax = capped.filter((f) => f.code === 'json-syntax')
    expect(syntax).toHaveLength(MAX_FINDINGS_PER_KIND + 1)
    expect(syntax.at(-1)).toEqual({
      code: 'json-syntax',
      severity: 'error',
      message: `and ${1000 - MAX_FINDINGS_PER_KIND} more json-syntax findings like those above, the first of them here`,
      file: DAEMON_JSON,
      line: MAX_FINDINGS_PER_KIND + 2,
      column: 3,
      hint: 'fix these, then validate again to list the rest',
    })
    // Order is kept, and a kind under the limit is untouched.
    expect(capped.map((f) => f.line)).toEqual([...capped.map((f) => f.line)].sort((x, y) => (x ?? 0) - (y ?? 0)))
    const few: Finding[] = [{code: 'a', severity: 'warning', message: 'm'}]
    expect(capFindings(few)).toEqual(few)
    expect(errorLines(findings).split('\n')).toHaveLength(MAX_FINDINGS_PER_KIND + 1)
  })
})

describe('findings of a kind that repeats are counted, not built, past those listed', () => {
  it('a file of syntax errors builds MAX_FINDINGS_PER_KIND + 1 findings, whatever its size', () => {
    for (const n of [1000, 4000]) {
      const parsed = parseDaemonJson(`{"labels": [\n${members(n, () => 'x')}\n]}`, DAEMON_JSON, {dockerdVersion: V})
      expect(parsed.findings).toHaveLength(MAX_FINDINGS_PER_KIND + 1)
      expect(parsed.findings.reduce((sum, f) => sum + countOf(f), 0)).toBe(n)
      expect(capFindings(parsed.findings).at(-1)?.message).toBe(`and ${n - MAX_FINDINGS_PER_KIND} more json-syntax findings like those above, the first of them here`)
    }
  })

  it('stops reading after MAX_SYNTAX_ERRORS parser errors and says where, so millions of them cost what thousands do', () => {
    // Each stray x is two parser errors (the symbol, and the value it leaves missing): one finding.
    const listed = MAX_SYNTAX_ERRORS / 2
    for (const n of [listed + 1, 20 * listed]) {
      const parsed = parseDaemonJson(`{"labels": [\n${members(n, () => 'x')}\n]}`, DAEMON_JSON, {dockerdVersion: V})
      expect(parsed.findings).toHaveLength(MAX_FINDINGS_PER_KIND + 2)
      expect(parsed.findings.filter((f) => f.code === 'json-syntax').reduce((sum, f) => sum + countOf(f), 0)).toBe(listed)
      // Members are one per line after the first: the x that would have been error number MAX_SYNTAX_ERRORS + 1.
      expect(parsed.findings.at(-1)).toMatchObject({code: 'json-too-many-errors', severity: 'error', file: DAEMON_JSON, line: listed + 2, column: 3})
      expect(parsed.decodable).toBe(false)
    }
  })

  it('rules keep only what can be listed, and capFindings lists from that what it lists from all, in any report order', () => {
    let seed = 11
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
    const severities: Severity[] = ['error', 'warning', 'info']
    for (let round = 0; round < 50; round++) {
      const reports = Array.from({length: random(300)}, (_, i) => ({
        code: `c${random(3)}`,
        severity: severities[random(3)] as Severity,
        message: `m${i}`,
        line: random(40) + 1,
        column: random(3) + 1,
      }))
      // A place that carries its own position, for a locator without a file.
      const locate = (at: {order: number} | undefined) => (at === undefined ? {} : {line: Math.floor(at.order / 10), column: at.order % 10})
      const ctx = new RuleContext('29.7.2', locate, ({finding}) => [finding.line ?? 0, finding.column ?? 0])
      for (const {line, column, ...r} of reports) ctx.report({...r, at: {top: 'k', order: line * 10 + column}})
      // The runner lists findings by place, ties in the order reported (a stable sort).
      const byPlace = (list: Finding[]) => [...list].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
      const kept = byPlace(ctx.found.map((l) => l.finding))
      expect(kept.length).toBeLessThanOrEqual(3 * 3 * (MAX_FINDINGS_PER_KIND + 1))
      expect(kept.reduce((sum, f) => sum + countOf(f), 0)).toBe(reports.length)
      expect(capFindings(kept)).toEqual(capFindings(byPlace(reports)))
    }
  })

  it('lists what capFindings lists from all of them, kinds and severities mixed', () => {
    let seed = 7
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
    const severities: Severity[] = ['error', 'warning', 'info']
    for (let round = 0; round < 50; round++) {
      const all: Finding[] = Array.from({length: random(200)}, (_, i) => ({code: `c${random(3)}`, severity: severities[random(3)] as Severity, message: `m${i}`, line: i + 1}))
      const counted = new CountedFindings()
      let built = 0
      for (const f of all) {
        counted.add(f.code, f.severity, () => {
          built++
          return {...f}
        })
      }
      expect(built).toBeLessThanOrEqual(3 * 3 * (MAX_FINDINGS_PER_KIND + 1))
      expect(capFindings(counted.findings)).toEqual(capFindings(all))
    }
  })
})

describe('show', () => {
  it('cuts long cells, so one long value or key does not widen every row', async () => {
    const base = await debianTree()
    const labels = Array.from({length: 1000}, (_, i) => `com.example.label-${i}=value-${i}`)
    const text = JSON.stringify({[`k${'y'.repeat(100_000)}`]: 1, labels, debug: true})
    const e = await inspectEffective(new OverlayFileSystem(base, [{path: DAEMON_JSON, after: text}]), {dockerdVersion: V})
    const table = renderSettings(e.settings, true)
    const rows = table.split('\n')
    expect(rows.length).toBe(e.settings.length + 1)
    // Every row: SETTING and VALUE at most their widths, then where the value comes from.
    for (const row of rows) expect(row.length).toBeLessThan(SETTING_WIDTH + VALUE_WIDTH + 4 + 100)
    expect(rows.find((r) => r.startsWith('labels'))).toContain(`${JSON.stringify(labels).slice(0, VALUE_WIDTH - 1)}…`)
    expect(rows.find((r) => r.startsWith('kyyy'))?.slice(0, SETTING_WIDTH)).toBe(`k${'y'.repeat(SETTING_WIDTH - 2)}…`)
  })
})

describe('the size limit', () => {
  /** A file system with one daemon.json of `size` bytes that must not be read when it is too large. */
  const sized = (size: number, read: () => string): FileSystem => ({stat: async () => ({isFile: () => true, size}) as Stats, readText: async () => read()}) as unknown as FileSystem

  it(`refuses a daemon.json over ${MAX_DAEMON_JSON_BYTES} bytes without reading it (exit 3)`, async () => {
    const refusal = readDaemonJsonText(
      sized(40_000_000, () => {
        throw new Error('read a file over the limit')
      }),
      DAEMON_JSON,
    )
    await expect(refusal).rejects.toThrow(InvalidConfigError)
    await expect(refusal).rejects.toThrow(`${DAEMON_JSON} is 40000000 bytes; dockcfg reads a daemon.json of at most 8 MiB (8388608 bytes), so it did not read this one`)
    expect(
      await readDaemonJsonText(
        sized(MAX_DAEMON_JSON_BYTES, () => '{}'),
        DAEMON_JSON,
      ),
    ).toBe('{}')
  })

  it('a change that would make the file larger than that is refused, nothing written', () => {
    const full = `{}${' '.repeat(MAX_DAEMON_JSON_BYTES - 2)}`
    expect(() => planDaemonJsonEdit(full, [{key: 'mtu', value: 1400}], DAEMON_JSON)).toThrow(
      `${DAEMON_JSON} would be ${MAX_DAEMON_JSON_BYTES + 11} bytes, over the 8 MiB dockcfg reads (8388608 bytes); nothing was written`,
    )
    const padded = `{"a": "${'x'.repeat(MAX_DAEMON_JSON_BYTES - 30)}"}`
    expect(planDaemonJsonEdit(padded, [{key: 'mtu', value: 1400}], DAEMON_JSON).after).toHaveLength(padded.length + ',"mtu": 1400'.length)
  })

  it('applies to the file inspected for every command, and to a planned one', async () => {
    const base = await debianTree()
    const big = `{}${' '.repeat(MAX_DAEMON_JSON_BYTES - 1)}`
    await expect(inspectEffective(new OverlayFileSystem(base, [{path: DAEMON_JSON, after: big}]), {dockerdVersion: V})).rejects.toThrow(`${MAX_DAEMON_JSON_BYTES + 1} bytes`)
    await expect(inspectEffective(new OverlayFileSystem(base, [{path: DAEMON_JSON, after: big.slice(1)}]), {dockerdVersion: V})).resolves.toBeDefined()
  })
})
