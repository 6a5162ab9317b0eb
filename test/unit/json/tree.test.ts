import fc from 'fast-check'
import {type Node, type ParseOptions, parseTree} from 'jsonc-parser'
import {describe, expect, it} from 'vitest'

import {MAX_NESTING_DEPTH, nodeValue, parseJsonTree} from '../../../src/json/tree.js'

/** A node without its parent links (they make the tree cyclic), for comparison. */
function plain(node: Node | undefined): unknown {
  if (node === undefined) return undefined
  const {parent: _parent, children, ...rest} = node
  return children === undefined ? rest : {...rest, children: children.map(plain)}
}

// Token soup: valid JSON, broken JSON and every kind of scanner error, so that the error
// recovery (which tokens are skipped, which errors are reported where) is compared too.
const token = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"a"',
  '"b"',
  '""',
  '1',
  '-2.5e3',
  '-',
  '1e',
  'true',
  'tru',
  'null',
  'x',
  "'s'",
  '"\\u12"',
  '"\\q"',
  '"open',
  '"\t"',
  '// c\n',
  '/* c */',
  '/* open',
  ' ',
  '\n',
  '\r\n',
)
const text = fc.array(token, {maxLength: 40}).map((tokens) => tokens.join(''))
const options = fc.record({disallowComments: fc.boolean(), allowTrailingComma: fc.boolean(), allowEmptyContent: fc.boolean()}) as fc.Arbitrary<ParseOptions>

describe('parseJsonTree', () => {
  it("builds jsonc-parser's tree and reports its errors, on any text", () => {
    fc.assert(
      fc.property(text, options, (t, opts) => {
        const errors: Array<{error: number; offset: number; length: number}> = []
        const expected = parseTree(t, errors, opts)
        const actual = parseJsonTree(t, opts)
        expect(plain(actual.root)).toEqual(plain(expected))
        expect(actual.errors).toEqual(errors)
        expect(actual.tooDeep).toBeUndefined()
      }),
      {numRuns: 3000},
    )
  })

  it('keeps parent links: every child points at its container', () => {
    const {root} = parseJsonTree('{"a": [1, {"b": null}]}')
    const property = root?.children?.[0]
    expect(property?.parent).toBe(root)
    expect(property?.children?.[1]?.children?.[1]?.parent).toBe(property?.children?.[1])
  })

  // Go's encoding/json: 10,000 levels decode, the 10,001st { or [ is "exceeded max depth".
  for (const [name, open, close, empty] of [
    ['arrays', '[', ']', '[]'],
    ['objects', '{"k": ', '}', '{}'],
  ] as const) {
    it(`parses ${MAX_NESTING_DEPTH} levels of ${name} without running out of stack, and marks level ${MAX_NESTING_DEPTH + 1}`, () => {
      const nest = (depth: number) => `${open.repeat(depth - 1)}${empty}${close.repeat(depth - 1)}`
      const atLimit = parseJsonTree(nest(MAX_NESTING_DEPTH))
      expect(atLimit.errors).toEqual([])
      expect(atLimit.tooDeep).toBeUndefined()
      let depth = 0
      for (let node = atLimit.root; node !== undefined; node = node.type === 'object' ? node.children?.[0]?.children?.[1] : node.children?.[0]) depth++
      expect(depth).toBe(MAX_NESTING_DEPTH)

      const over = parseJsonTree(nest(MAX_NESTING_DEPTH + 1))
      expect(over.errors).toEqual([])
      expect(over.tooDeep).toEqual({offset: open.length * MAX_NESTING_DEPTH, char: open[0]})
    })
  }

  it('nodeValue: Go decodes the last of duplicate keys, in its place; deep values need no stack', () => {
    expect(nodeValue(parseJsonTree('{"a": 1, "b": [true, null, "x"], "a": {"c": 2}}').root as Node)).toEqual({b: [true, null, 'x'], a: {c: 2}})
    expect(Object.keys(nodeValue(parseJsonTree('{"a": 1, "b": 2, "a": 3}').root as Node) as object)).toEqual(['b', 'a'])
    const deep = `${'['.repeat(MAX_NESTING_DEPTH)}${']'.repeat(MAX_NESTING_DEPTH)}`
    let value = nodeValue(parseJsonTree(deep).root as Node)
    let depth = 0
    while (Array.isArray(value)) {
      depth++
      value = value[0]
    }
    expect(depth).toBe(MAX_NESTING_DEPTH)
  })
})

describe('parseJsonTree with maxErrors', () => {
  it('stops at the error after the last one allowed, with no tree, and records no more', () => {
    const text = '[x, y, z, 1]'
    const all = parseJsonTree(text)
    expect(all.errors.length).toBeGreaterThan(3)
    const stopped = parseJsonTree(text, {maxErrors: 3})
    expect(stopped.root).toBeUndefined()
    expect(stopped.errors).toEqual(all.errors.slice(0, 3))
    expect(stopped.gaveUpAt).toBe(all.errors[3]?.offset)
  })

  it('changes nothing when the text has no more errors than allowed', () => {
    for (const text of ['{"a": [1, 2]}', '{"a": x}', '[1,]']) {
      const all = parseJsonTree(text)
      expect(parseJsonTree(text, {maxErrors: all.errors.length})).toEqual(all)
    }
  })
})
