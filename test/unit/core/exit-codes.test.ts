import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {EXIT_CODE_TABLE} from '../../../src/core/exit-codes.js'

describe('the exit-code table', () => {
  it("is the README's table, word for word", () => {
    const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('## Exit codes'), readme.indexOf('\n## ', readme.indexOf('## Exit codes') + 1))
    const rows = [...section.matchAll(/^\| (\d) \| (.+) \|$/gm)].map((m) => ({code: Number(m[1]), meaning: m[2]}))
    expect(rows).toEqual(EXIT_CODE_TABLE)
  })
})
