import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {MAX_INDENTED_DEPTH, stringifyJson} from '../../../src/json/stringify.js'
import {MAX_NESTING_DEPTH} from '../../../src/json/tree.js'

/** A value nested `depth` containers deep: arrays, or objects {"k": ...}. */
function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : {k: value}
  return value
}

describe('stringifyJson', () => {
  it("writes JSON.stringify's text for any JSON value, on one line and indented", () => {
    fc.assert(
      fc.property(fc.jsonValue({maxDepth: 6}), fc.constantFrom(0, 1, 2, 4), (value, indent) => {
        expect(stringifyJson(value, {indent})).toBe(JSON.stringify(value, null, indent))
      }),
      {numRuns: 500},
    )
  })

  it('follows JSON.stringify for what is not JSON: toJSON, undefined members, non-finite numbers, cycles', () => {
    const value = {when: new Date(0), gone: undefined, fn: () => 1, list: [undefined, Number.NaN, -0, 1e21], nested: {toJSON: (key: string) => `key ${key}`}}
    expect(stringifyJson(value)).toBe(JSON.stringify(value))
    expect(stringifyJson(value, {indent: 2})).toBe(JSON.stringify(value, null, 2))
    const cyclic: Record<string, unknown> = {a: 1}
    cyclic.self = {back: cyclic}
    expect(() => stringifyJson(cyclic)).toThrow(TypeError)
    // Shared (not circular) references are fine, as in JSON.stringify.
    const shared = {x: 1}
    expect(stringifyJson([shared, shared])).toBe('[{"x":1},{"x":1}]')
  })

  it('cuts at maxLength with an ellipsis and stops serialising there', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({maxDepth: 4}), fc.string({unit: 'binary', maxLength: 60})), fc.integer({min: 1, max: 40}), (value, max) => {
        const full = JSON.stringify(value)
        const cut = stringifyJson(value, {maxLength: max})
        if (full.length <= max) expect(cut).toBe(full)
        else expect(cut).toBe(`${full.slice(0, max - 1)}…`)
      }),
    )
    // A 100,000-entry list costs what the cell shows: the members after the cut are never looked at.
    let visited = 0
    const list = Array.from({length: 100_000}, (_, i) => ({
      toJSON: () => {
        visited++
        return i
      },
    }))
    expect(stringifyJson(list, {maxLength: 20})).toBe('[0,1,2,3,4,5,6,7,8,…')
    expect(visited).toBeLessThan(12)
  })

  for (const kind of ['array', 'object'] as const) {
    it(`writes ${MAX_NESTING_DEPTH} levels of ${kind}s (dockerd's maximum) without recursion, indentation bounded`, () => {
      const value = nested(MAX_NESTING_DEPTH, kind)
      const compact = stringifyJson(value)
      const inner = kind === 'array' ? '[' : '{"k":'
      expect(compact.startsWith(inner.repeat(3))).toBe(true)
      expect(compact.length).toBe((inner.length + 1) * MAX_NESTING_DEPTH + 1)
      const indented = stringifyJson(value, {indent: 2})
      // Levels past MAX_INDENTED_DEPTH share one line, so the text grows with the depth, not its square
      // (indenting all 10,000 levels would write 10^8 spaces).
      expect(indented.split('\n').length).toBe(2 * MAX_INDENTED_DEPTH + 1)
      expect(indented.length).toBeLessThan(2 * compact.length)
      expect(stringifyJson(JSON.parse(indented))).toBe(compact)
    })
  }
})
