import {execFile} from 'node:child_process'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import {promisify} from 'node:util'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

const run = promisify(execFile)
const contender = path.join(import.meta.dirname, '../../support/lock-contender.ts')
const tsx = path.join(import.meta.dirname, '../../../node_modules/tsx/dist/loader.mjs')

let root: string
beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-lock-'))
})
afterEach(async () => {
  await fsp.rm(root, {recursive: true, force: true})
})

describe('the lock across processes', () => {
  async function contend(processes: number, rounds: number): Promise<number> {
    const marker = path.join(root, 'inside')
    const results = await Promise.all(Array.from({length: processes}, () => run(process.execPath, ['--import', tsx, contender, root, String(rounds), marker], {timeout: 120_000})))
    return results.reduce((sum, r) => sum + (JSON.parse(r.stdout) as {overlaps: number}).overlaps, 0)
  }

  it('never has two holders at once, under contention from several processes', async () => {
    expect(await contend(6, 25)).toBe(0)
  }, 120_000)

  it('never has two holders at once when several processes find the same abandoned lock', async () => {
    const lockFile = path.join(root, 'var/lib/dockcfg/dockcfg.lock')
    await fsp.mkdir(path.dirname(lockFile), {recursive: true})
    const bootId = (await fsp.readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim()
    await fsp.writeFile(lockFile, JSON.stringify({pid: 2 ** 22 + 1, bootId, command: 'ghost', since: '', token: 'x'}))
    expect(await contend(6, 5)).toBe(0)
    expect((await fsp.readdir(path.dirname(lockFile))).filter((f) => f.startsWith('dockcfg.lock'))).toEqual([])
  }, 120_000)
})
