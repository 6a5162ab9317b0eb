import * as fsp from 'node:fs/promises'
import * as path from 'node:path'

import {expect} from 'vitest'

/**
 * Compares `record` with the golden file `dir/name.json`, or (re)writes it under UPDATE_GOLDEN=1.
 * Regenerate deliberately and review the diff: goldens are expectations, not echoes.
 */
export async function expectGolden(dir: string, name: string, record: unknown): Promise<void> {
  const file = path.join(dir, `${name}.json`)
  const json = `${JSON.stringify(record, null, 1)}\n`
  if (process.env.UPDATE_GOLDEN === '1') {
    await fsp.mkdir(dir, {recursive: true})
    await fsp.writeFile(file, json)
    return
  }
  const expected = await fsp.readFile(file, 'utf8').catch(() => undefined)
  expect(expected, `${file} is missing: run with UPDATE_GOLDEN=1`).toBeDefined()
  expect(JSON.parse(json)).toEqual(JSON.parse(expected ?? 'null'))
}
