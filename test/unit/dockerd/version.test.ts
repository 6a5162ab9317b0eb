import {chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {parseDockerdVersion, resolveDockerdVersion, VERSION_CACHE} from '../../../src/dockerd/version.js'
import {createSystem, type ProcessResult, type ProcessRunner, type System} from '../../../src/system/index.js'

/** A live host in a temporary tree whose `dockerd --version` answers `answer` and counts the asks. */
class Dockerd implements ProcessRunner {
  asked = 0
  constructor(
    private readonly root: string,
    public answer = 'Docker version 20.10.24+dfsg1, build 5d6db84\n',
  ) {}
  async which(file: string): Promise<string | undefined> {
    return file === 'dockerd' ? '/usr/sbin/dockerd' : undefined
  }
  async run(file: string, args: readonly string[]): Promise<ProcessResult> {
    expect([file, ...args]).toEqual(['/usr/sbin/dockerd', '--version'])
    this.asked++
    return {exitCode: 0, stdout: this.answer, stderr: '', failedToStart: false}
  }
  start(file: string): never {
    throw new Error(`unexpected start of ${file}`)
  }
  binary(): string {
    return join(this.root, 'usr/sbin/dockerd')
  }
}

describe('the installed dockerd version', () => {
  let root: string
  let dockerd: Dockerd
  let system: System

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'dockcfg-version-'))
    mkdirSync(join(root, 'usr/sbin'), {recursive: true})
    dockerd = new Dockerd(root)
    writeFileSync(dockerd.binary(), 'a dockerd binary', {mode: 0o755})
    system = {...createSystem({root}), isLiveHost: true, processes: dockerd}
  })
  afterEach(() => rmSync(root, {recursive: true, force: true}))

  it('asks dockerd once, then answers from the cache while the binary is the same file', async () => {
    expect(await resolveDockerdVersion(system, undefined)).toEqual({version: '20.10.24', source: 'installed'})
    expect(await resolveDockerdVersion(system, undefined)).toEqual({version: '20.10.24', source: 'installed'})
    expect(dockerd.asked).toBe(1)
  })

  it('asks again when the binary is replaced or rewritten, even with the same size and mtime', async () => {
    await resolveDockerdVersion(system, undefined)
    // An upgrade renames a new file into place.
    writeFileSync(`${dockerd.binary()}.new`, 'a newer dockerd binary', {mode: 0o755})
    const {renameSync} = await import('node:fs')
    renameSync(`${dockerd.binary()}.new`, dockerd.binary())
    dockerd.answer = 'Docker version 28.5.2, build 1234567\n'
    expect((await resolveDockerdVersion(system, undefined)).version).toBe('28.5.2')
    // A rewrite in place that keeps size and mtime still changes ctime.
    const mtime = new Date('2024-01-01T00:00:00Z')
    utimesSync(dockerd.binary(), mtime, mtime)
    await resolveDockerdVersion(system, undefined)
    const asked = dockerd.asked
    await new Promise((resolve) => setTimeout(resolve, 20))
    writeFileSync(dockerd.binary(), 'a dockerd binar2', {mode: 0o755})
    utimesSync(dockerd.binary(), mtime, mtime)
    dockerd.answer = 'Docker version 26.1.5, build 1234567\n'
    expect((await resolveDockerdVersion(system, undefined)).version).toBe('26.1.5')
    expect(dockerd.asked).toBe(asked + 1)
  })

  it('never trusts a cache that others can write, or one that is not JSON of the right shape', async () => {
    await resolveDockerdVersion(system, undefined)
    const cache = join(root, VERSION_CACHE)
    chmodSync(cache, 0o666)
    await resolveDockerdVersion(system, undefined)
    expect(dockerd.asked).toBe(2)
    for (const junk of ['', 'null', '[]', '{"binary": 1}', `{"binary": "/usr/sbin/dockerd", "identity": "x", "version": "not a version"}`, '{'.repeat(10_000)]) {
      writeFileSync(cache, junk, {mode: 0o600})
      chmodSync(cache, 0o600)
      expect((await resolveDockerdVersion(system, undefined)).version).toBe('20.10.24')
    }
    expect(dockerd.asked).toBe(8)
  })

  it('without a dockerd the version is assumed, and --dockerd-version never asks', async () => {
    const none: System = {...system, processes: {which: async () => undefined, run: async () => expect.unreachable(), start: () => expect.unreachable()}}
    expect(await resolveDockerdVersion(none, undefined)).toEqual({version: undefined, source: 'assumed', assumedBecause: 'no-dockerd'})
    expect(await resolveDockerdVersion(system, '26.1')).toEqual({version: '26.1.0', source: 'flag'})
    expect(dockerd.asked).toBe(0)
  })

  it('reads the version out of each engine generation', () => {
    expect(parseDockerdVersion('Docker version 20.10.24+dfsg1, build 5d6db84')).toBe('20.10.24')
    expect(parseDockerdVersion('Docker version 18.06.1-ce, build e68fc7a')).toBe('18.6.1')
    expect(parseDockerdVersion('no version here')).toBeUndefined()
  })
})
