import {describe, expect, it} from 'vitest'

import {InvalidConfigError} from '../../../src/core/errors.js'
import {deepEqual, planDaemonJsonEdit} from '../../../src/daemon-config/edit.js'
import {parseDaemonJson} from '../../../src/daemon-config/parse.js'
import {validateDaemonConfig} from '../../../src/daemon-config/validate.js'
import {inspectEffective} from '../../../src/effective/effective.js'
import {stringifyJson} from '../../../src/json/stringify.js'
import {MAX_NESTING_DEPTH} from '../../../src/json/tree.js'
import {renderSettings, VALUE_WIDTH} from '../../../src/output/show.js'
import {DAEMON_JSON, DROPIN_DIR, debianTree} from '../effective/helpers.js'

// dockerd decodes daemon.json with Go's encoding/json, which takes 10,000 levels of nesting and
// refuses the 10,001st { or [ ("exceeded max depth"; checked against dockerd 20.10.24). Every
// step that walks the document or a value must take what dockerd takes without running out of
// stack (JavaScript recursion overflows at about 5,000 levels).

const KINDS = [
  {kind: 'arrays', open: '[', close: ']', empty: '[]'},
  {kind: 'objects', open: '{"k": ', close: '}', empty: '{}'},
] as const

/** A daemon.json nested `depth` levels deep in all, the outer object and "builder" included. */
function deepDocument(depth: number, {open, close, empty}: (typeof KINDS)[number]): string {
  return `{"builder": {"x": ${open.repeat(depth - 3)}${empty}${close.repeat(depth - 3)}}}`
}

/** A value nested `depth` containers deep. */
function deepValue(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 'leaf'
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : {k: value}
  return value
}

describe.each(KINDS)('nesting of $kind', (k) => {
  it(`${MAX_NESTING_DEPTH} levels: parsed, validated and decoded as dockerd does`, () => {
    const text = deepDocument(MAX_NESTING_DEPTH, k)
    const parsed = parseDaemonJson(text, DAEMON_JSON)
    expect(parsed.findings).toEqual([])
    expect(parsed.decodable).toBe(true)
    expect(stringifyJson(parsed.value)).toBe(stringifyJson(JSON.parse(text)))
    expect(validateDaemonConfig(parsed, {dockerdVersion: '29.7.2'}).filter((f) => f.severity === 'error')).toEqual([])
  })

  it(`${MAX_NESTING_DEPTH + 1} levels: refused at the bracket, in dockerd's words`, () => {
    const text = deepDocument(MAX_NESTING_DEPTH + 1, k)
    const parsed = parseDaemonJson(text, DAEMON_JSON)
    expect(parsed.decodable).toBe(false)
    const offset = text.length - (k.close.length * (MAX_NESTING_DEPTH + 1 - 3) + 2 + k.empty.length)
    expect(text.slice(offset, offset + 2)).toBe(k.empty)
    expect(parsed.findings).toEqual([
      {
        code: 'json-too-deep',
        severity: 'error',
        message: `more than ${MAX_NESTING_DEPTH} levels of nested objects and arrays: dockerd refuses the file ("invalid character '${k.empty[0]}' exceeded max depth")`,
        file: DAEMON_JSON,
        line: 1,
        column: offset + 1,
        checkedAt: 'config',
        hint: expect.any(String),
      },
    ])
  })

  it(`${MAX_NESTING_DEPTH} levels: other keys can be set and removed, the deep value survives byte for byte`, () => {
    const text = `${deepDocument(MAX_NESTING_DEPTH, k)}\n`
    const set = planDaemonJsonEdit(text, [{key: 'debug', value: true}])
    expect(set.after.startsWith(text.trimEnd().slice(0, -1))).toBe(true)
    expect(parseDaemonJson(set.after, DAEMON_JSON).value).toMatchObject({debug: true})
    const unset = planDaemonJsonEdit(set.after, [{key: 'debug', value: undefined}])
    expect(unset.after).toBe(text)
  })
})

describe('deep values', () => {
  for (const kind of ['array', 'object'] as const) {
    it(`a ${kind} value ${MAX_NESTING_DEPTH - 2} levels deep is written, compared and shown`, () => {
      const value = deepValue(MAX_NESTING_DEPTH - 2, kind)
      // Formatted like any other value near the top, on one line below: indenting every level would
      // write the square of the depth in spaces.
      const plan = planDaemonJsonEdit('{\n  "debug": true\n}\n', [{key: 'builder', value}])
      const parsed = parseDaemonJson(plan.after, DAEMON_JSON)
      expect(parsed.decodable).toBe(true)
      expect(deepEqual(parsed.value.builder, value)).toBe(true)
      expect(plan.after.length).toBeLessThan(stringifyJson(value).length + 100)
      // Setting the same value again is no change.
      expect(planDaemonJsonEdit(plan.after, [{key: 'builder', value: deepValue(MAX_NESTING_DEPTH - 2, kind)}]).changed).toBe(false)
    })
  }

  it("a value that nests the file past dockerd's limit is refused as dockerd would refuse it, exit 3", () => {
    const set = () => planDaemonJsonEdit('{}\n', [{key: 'builder', value: deepValue(MAX_NESTING_DEPTH, 'array')}], DAEMON_JSON)
    expect(set).toThrow(InvalidConfigError)
    expect(set).toThrow(/^dockerd would refuse the result; nothing was written:\n {2}\/etc\/docker\/daemon\.json:1:\d+: more than 10000 levels .*exceeded max depth/)
  })

  it('a deep value that conflicts with a flag: conflict message, findings and the show table', async () => {
    // "labels" must be a list of strings: this one is a wrong type (an error with its position),
    // and with --label on the command line also a conflict whose message prints the value as Go does.
    const labels = deepValue(MAX_NESTING_DEPTH - 2, 'array')
    const fs = await debianTree({
      [DAEMON_JSON]: `{"labels": ${stringifyJson(labels)}}`,
      [`${DROPIN_DIR}/label.conf`]: '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// --label a=b\n',
    })
    const e = await inspectEffective(fs, {dockerdVersion: '29.7.2'})
    expect(e.findings.find((f) => f.code === 'wrong-type')).toMatchObject({severity: 'error', key: 'labels', file: DAEMON_JSON, line: 1, column: 13})
    const conflict = e.findings.find((f) => f.code === 'flag-file-conflict')
    expect(conflict?.message).toContain(`labels: (from flag: [a=b], from file: ${'['.repeat(MAX_NESTING_DEPTH - 2)}leaf${']'.repeat(MAX_NESTING_DEPTH - 2)})`)
    const table = renderSettings(e.settings, false)
    const row = table.split('\n').find((line) => line.startsWith('labels'))
    expect(row).toContain(`${'['.repeat(VALUE_WIDTH - 1)}…`)
    expect(stringifyJson(e.settings, {indent: 2}).length).toBeLessThan(10 * stringifyJson(labels).length)
  })
})
