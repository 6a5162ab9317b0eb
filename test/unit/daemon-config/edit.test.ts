import fc from 'fast-check'
import {applyEdits, modify} from 'jsonc-parser'
import {describe, expect, it} from 'vitest'

import {deepEqual, detectFormat, planDaemonJsonEdit} from '../../../src/daemon-config/edit.js'
import {parseDaemonJson} from '../../../src/daemon-config/parse.js'

describe('planDaemonJsonEdit', () => {
  it('creates a missing file with 2-space indent and a final newline', () => {
    const plan = planDaemonJsonEdit(undefined, [{key: 'bip', value: '192.168.42.1/24'}])
    expect(plan.after).toBe('{\n  "bip": "192.168.42.1/24"\n}\n')
    expect(plan.changedKeys).toEqual(['bip'])
  })

  it("keeps the user's indentation, key order and unrelated bytes", () => {
    const before = '{\n    "debug": true,\n    "dns": ["1.1.1.1"],   \n    "storage-driver": "overlay2"\n}\n'
    const plan = planDaemonJsonEdit(before, [{key: 'mtu', value: 1400}])
    expect(plan.after).toBe('{\n    "debug": true,\n    "dns": ["1.1.1.1"],   \n    "storage-driver": "overlay2",\n    "mtu": 1400\n}\n')
  })

  it('replaces a value in place without moving the key', () => {
    const before = '{"bip": "10.0.0.1/24", "debug": false}'
    expect(planDaemonJsonEdit(before, [{key: 'bip', value: '192.168.42.1/24'}]).after).toBe('{"bip": "192.168.42.1/24", "debug": false}')
  })

  it('keeps tabs and CRLF line endings', () => {
    expect(planDaemonJsonEdit('{\r\n\t"debug": true\r\n}\r\n', [{key: 'mtu', value: 1400}]).after).toBe('{\r\n\t"debug": true,\r\n\t"mtu": 1400\r\n}\r\n')
  })

  it('removes a key, and an emptied file becomes {}', () => {
    expect(planDaemonJsonEdit('{\n  "a": 1,\n  "b": 2\n}\n', [{key: 'a', value: undefined}]).after).toBe('{\n  "b": 2\n}\n')
    expect(planDaemonJsonEdit('{\n  "a": 1\n}\n', [{key: 'a', value: undefined}]).after).toBe('{}\n')
  })

  it('is a no-op when the value is already set (object key order ignored)', () => {
    const before = '{"log-opts": {"max-file": "3", "max-size": "10m"}}'
    const plan = planDaemonJsonEdit(before, [{key: 'log-opts', value: {'max-size': '10m', 'max-file': '3'}}])
    expect(plan.changed).toBe(false)
    expect(plan.after).toBe(before)
  })

  it('refuses to edit a file dockerd cannot parse, naming line and column', () => {
    expect(() => planDaemonJsonEdit('{\n  "debug": true,\n}\n', [{key: 'mtu', value: 1}], '/etc/docker/daemon.json')).toThrow(
      /\/etc\/docker\/daemon\.json:3:1: cannot edit .*trailing comma/,
    )
    expect(() => planDaemonJsonEdit('{\n  // hi\n  "a": 1}', [{key: 'mtu', value: 1}])).toThrow(/:2:3: .*comments/)
  })

  it('a key given twice: unset removes every copy, set leaves one (the last, which dockerd reads); other keys are left alone', () => {
    const before = '{\n  "debug": true,\n  "mtu": 1400,\n  "debug": false\n}\n'
    expect(planDaemonJsonEdit(before, [{key: 'debug', value: undefined}])).toMatchObject({after: '{\n  "mtu": 1400\n}\n', changedKeys: ['debug']})
    expect(planDaemonJsonEdit(before, [{key: 'debug', value: true}])).toMatchObject({after: '{\n  "mtu": 1400,\n  "debug": true\n}\n', changedKeys: ['debug']})
    // The value dockerd reads stays the same, so nothing needs a restart; the stale copy still goes.
    expect(planDaemonJsonEdit(before, [{key: 'debug', value: false}])).toMatchObject({after: '{\n  "mtu": 1400,\n  "debug": false\n}\n', changedKeys: [], changed: true})
    expect(planDaemonJsonEdit(before, [{key: 'mtu', value: 1500}]).after).toBe('{\n  "debug": true,\n  "mtu": 1500,\n  "debug": false\n}\n')
    expect(planDaemonJsonEdit('{"a":1,"a":2,"b":3,"a":4,"a":5}', [{key: 'a', value: undefined}]).after).toBe('{"b":3}')
    expect(planDaemonJsonEdit('{"a":1,"a":2,"b":3,"a":4,"a":5}', [{key: 'a', value: 6}]).after).toBe('{"b":3,"a":6}')
  })

  it('a key repeated 100,000 times is removed in one pass', () => {
    const before = `{${Array.from({length: 100_000}, (_, i) => `"a":${i}`).join(',')},"b":1}`
    expect(planDaemonJsonEdit(before, [{key: 'a', value: undefined}]).after).toBe('{"b":1}')
  })

  it('keeps a byte-order mark where there was one', () => {
    expect(planDaemonJsonEdit('\ufeff{"a": 1}', [{key: 'b', value: 2}]).after.startsWith('\ufeff{')).toBe(true)
  })
})

describe('detectFormat', () => {
  it('finds the smallest indentation unit', () => {
    expect(detectFormat('{\n    "a": {\n        "b": 1\n    }\n}')).toMatchObject({tabSize: 4, insertSpaces: true, eol: '\n'})
  })
})

// Property: for random documents in random (valid) formatting and random key edits, the result is
// strict JSON, holds exactly the intended value, and keeps every byte outside the edited key.
const key = fc.constantFrom('bip', 'mtu', 'dns', 'debug', 'labels', 'log-opts', 'data-root', 'a b', 'x"y')
const jsonValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.string(), {maxLength: 3}),
  fc.dictionary(fc.string({minLength: 1, maxLength: 5}), fc.string(), {maxKeys: 3}),
)
const doc = fc.dictionary(key, jsonValue, {maxKeys: 6})
const indent = fc.constantFrom(0, 2, 4, '\t')

describe('planDaemonJsonEdit properties', () => {
  it("produces strict JSON with exactly the intended change and preserves other keys' bytes", () => {
    fc.assert(
      fc.property(doc, indent, key, fc.option(jsonValue, {nil: undefined}), (object, space, editKey, value) => {
        const before = JSON.stringify(object, null, space) + '\n'
        const plan = planDaemonJsonEdit(before, [{key: editKey, value}])
        const parsed = parseDaemonJson(plan.after, 'prop.json')
        expect(parsed.decodable).toBe(true)
        const expected = {...object}
        if (value === undefined) delete expected[editKey]
        else expected[editKey] = value
        expect(deepEqual(parsed.value, expected)).toBe(true)
        // Every other key's serialised text survives verbatim.
        for (const [k, v] of Object.entries(object)) {
          if (k === editKey) continue
          const text = JSON.stringify(v, null, space).split('\n').join('\n')
          const lines = text.split('\n')
          for (const line of lines) expect(plan.after).toContain(line.trim())
        }
        if (!plan.changed) expect(plan.after).toBe(before)
      }),
      {numRuns: 300},
    )
  })

  it('untouched prefix before the edited key is byte-identical', () => {
    fc.assert(
      fc.property(doc, indent, jsonValue, (object, space, value) => {
        const before = JSON.stringify({...object, zz: 1}, null, space)
        const plan = planDaemonJsonEdit(before, [{key: 'zz', value}])
        const cut = before.indexOf('"zz"')
        expect(plan.after.slice(0, cut)).toBe(before.slice(0, cut))
      }),
      {numRuns: 200},
    )
  })

  // The editor no longer calls jsonc-parser's modify (its parseTree recurses once per level of
  // nesting and overflows on what dockerd accepts): it must still make exactly modify's edits.
  it("makes jsonc-parser's modify edits, formatting included", () => {
    const spacing = fc.constantFrom('', ' ', '\n', '\n  ', '\r\n\t', '\n    ')
    const members = fc.uniqueArray(fc.tuple(key, jsonValue, spacing, spacing), {maxLength: 5, selector: ([k]) => k})
    const text = fc
      .tuple(members, spacing, spacing)
      .map(([list, lead, tail]) => `${lead}{${list.map(([k, v, a, b]) => `${a}${JSON.stringify(k)}:${b}${JSON.stringify(v)}`).join(',')}${tail}}${tail}`)
    fc.assert(
      fc.property(text, fc.array(fc.tuple(key, fc.option(jsonValue, {nil: undefined})), {minLength: 1, maxLength: 3}), (before, changes) => {
        const oneLine = !before.trim().includes('\n')
        let expected = before
        const current = JSON.parse(before) as Record<string, unknown>
        for (const [k, v] of changes) {
          const present = Object.prototype.hasOwnProperty.call(current, k)
          if (v === undefined ? !present : present && deepEqual(current[k], v)) continue
          expected = applyEdits(expected, modify(expected, [k], v, oneLine ? {} : {formattingOptions: detectFormat(before)}))
          if (v === undefined) delete current[k]
          else current[k] = v
        }
        const plan = planDaemonJsonEdit(
          before,
          changes.map(([k, v]) => ({key: k, value: v})),
        )
        if (Object.keys(current).length > 0) expect(plan.after).toBe(expected)
      }),
      {numRuns: 500},
    )
  })
})
