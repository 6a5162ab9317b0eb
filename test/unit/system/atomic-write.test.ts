import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {writePending} from '../../../src/apply/pending.js'
import {systemWriteCalls, tempFileWriter, tempNameFor, type WriteCalls} from '../../../src/system/atomic-write.js'
import {HostFileSystem} from '../../../src/system/fs.js'
import {createSystem, type System} from '../../../src/system/index.js'

let root: string
beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-aw-'))
  await fsp.mkdir(path.join(root, 'etc/docker'), {recursive: true})
})
afterEach(async () => {
  await fsp.rm(root, {recursive: true, force: true})
})

const FILE = '/etc/docker/daemon.json'
const OLD = '{"labels": ["a=b"]}\n'
const NEW = `{"labels": ["${'x'.repeat(10_000)}"]}\n`
const host = (p: string) => path.join(root, p)
const entries = () => fsp.readdir(host('/etc/docker'))

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), {code})
}

/** write(2) as a nearly full disk does it: at most `room` bytes in all, a short count, then ENOSPC. */
function diskWithRoom(room: number, code = 'ENOSPC'): WriteCalls {
  let left = room
  return {
    ...systemWriteCalls,
    async write(handle, data, offset, length, position) {
      if (left === 0) throw errno(code)
      const n = Math.min(length, left)
      left -= n
      return systemWriteCalls.write(handle, data, offset, n, position)
    },
  }
}

describe('the atomic writer', () => {
  beforeEach(async () => {
    await fsp.writeFile(host(FILE), OLD, {mode: 0o640})
    await fsp.chmod(host(FILE), 0o640)
  })

  it('keeps writing after short writes until every byte is there', async () => {
    // Every write(2) writes at most 7 bytes: one call would have left a truncated file.
    const calls: WriteCalls = {...systemWriteCalls, write: (h, d, o, l, p) => systemWriteCalls.write(h, d, o, Math.min(l, 7), p)}
    await new HostFileSystem(root, calls).writeAtomic(FILE, NEW, {mode: 0o640})
    expect(await fsp.readFile(host(FILE), 'utf8')).toBe(NEW)
    expect((await fsp.stat(host(FILE))).mode & 0o777).toBe(0o640)
    expect(await entries()).toEqual(['daemon.json'])
  })

  it.each([
    [
      'ENOSPC',
      /^nothing was written: the file system holding \/etc\/docker is full \(ENOSPC writing \/etc\/docker\/daemon\.json\)$/,
      /^free space on it \(df -h .*\/etc\/docker\)/,
    ],
    ['EDQUOT', /^nothing was written: the disk quota on the file system holding \/etc\/docker is used up \(EDQUOT writing \/etc\/docker\/daemon\.json\)$/, /quota/],
  ])('a disk that fills up mid-file (%s): exit 3, the file untouched, no temp file', async (code, message, remedy) => {
    const fs = new HostFileSystem(root, diskWithRoom(4096, code))
    const error = await fs.writeAtomic(FILE, NEW, {mode: 0o640}).catch((e: unknown) => e)
    expect(error).toMatchObject({exitCode: 3, message: expect.stringMatching(message) as unknown, remedy: expect.stringMatching(remedy) as unknown})
    expect(await fsp.readFile(host(FILE), 'utf8')).toBe(OLD)
    expect(await entries()).toEqual(['daemon.json'])
  })

  it('a write that reports more than it wrote is caught by the check before the rename', async () => {
    const liar: WriteCalls = {...systemWriteCalls, write: async (h, d, o, l, p) => (await systemWriteCalls.write(h, d, o, Math.ceil(l / 2), p), l)}
    await expect(new HostFileSystem(root, liar).writeAtomic(FILE, NEW, {mode: 0o640})).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/^nothing was written: cannot write \/etc\/docker\/daemon\.json: .* holds \d+ bytes that differ from the 10017 written$/) as unknown,
    })
    expect(await fsp.readFile(host(FILE), 'utf8')).toBe(OLD)
    expect(await entries()).toEqual(['daemon.json'])
  })

  it('a write that makes no progress fails instead of looping', async () => {
    const stuck: WriteCalls = {...systemWriteCalls, write: async () => 0}
    await expect(new HostFileSystem(root, stuck).writeAtomic(FILE, NEW, {mode: 0o640})).rejects.toThrow(/made no progress after 0 of 10017 bytes/)
    expect(await entries()).toEqual(['daemon.json'])
  })

  it('an fsync that reports the full disk late fails the write the same way', async () => {
    const late: WriteCalls = {...systemWriteCalls, sync: async () => Promise.reject(errno('ENOSPC'))}
    await expect(new HostFileSystem(root, late).writeAtomic(FILE, NEW, {mode: 0o640})).rejects.toMatchObject({exitCode: 3})
    expect(await fsp.readFile(host(FILE), 'utf8')).toBe(OLD)
    expect(await entries()).toEqual(['daemon.json'])
  })

  it('a read-only filesystem is exit 3, permission denied is exit 7', async () => {
    const at = (code: string): WriteCalls => ({...systemWriteCalls, write: async () => Promise.reject(errno(code))})
    await expect(new HostFileSystem(root, at('EROFS')).writeAtomic(FILE, NEW, {mode: 0o640})).rejects.toMatchObject({
      exitCode: 3,
      message: 'nothing was written: the file system holding /etc/docker is read-only (EROFS writing /etc/docker/daemon.json)',
    })
    await expect(new HostFileSystem(root, at('EACCES')).writeAtomic(FILE, NEW, {mode: 0o640})).rejects.toMatchObject({
      exitCode: 7,
      message: 'nothing was written: permission denied writing /etc/docker/daemon.json (EACCES)',
    })
    expect(await entries()).toEqual(['daemon.json'])
  })

  it('the pending record is written by the same writer: a full disk there is exit 3 naming it', async () => {
    const system: System = {...createSystem({root}), fs: new HostFileSystem(root, diskWithRoom(10))}
    const pending = {backupId: 'x', command: 'dockcfg set debug true', pid: 1, startedAt: '', timerUnit: 'u', timerSeconds: 75}
    await expect(writePending(system, pending)).rejects.toMatchObject({
      exitCode: 3,
      message: 'nothing was written: the file system holding /var/lib/dockcfg is full (ENOSPC writing /var/lib/dockcfg/pending-apply.json)',
    })
    expect(await fsp.readdir(host('/var/lib/dockcfg'))).toEqual([])
  })

  it('keeps the owner of the file it replaces, and sets the mode whatever the umask', async () => {
    await fsp.chown(host(FILE), 1234, 5678)
    const previous = process.umask(0o077)
    try {
      await new HostFileSystem(root).writeAtomic(FILE, NEW, {mode: 0o644})
    } finally {
      process.umask(previous)
    }
    const stat = await fsp.stat(host(FILE))
    expect([stat.uid, stat.gid, stat.mode & 0o7777]).toEqual(process.geteuid?.() === 0 ? [1234, 5678, 0o644] : [process.geteuid?.(), stat.gid, 0o644])
  })
})

describe('temporary file names', () => {
  it('are hidden, carry the pid, and fit in a file name even for a long one', () => {
    const name = tempNameFor('daemon.json')
    expect(name).toMatch(new RegExp(`^\\.daemon\\.json\\.dockcfg-${process.pid}-[0-9a-f]{8}\\.tmp$`))
    expect(tempFileWriter(name)).toBe(process.pid)
    expect(Buffer.byteLength(tempNameFor('é'.repeat(127)))).toBeLessThanOrEqual(255)
    expect(tempFileWriter(tempNameFor('é'.repeat(127)))).toBe(process.pid)
    expect(tempFileWriter('daemon.json.1234567')).toBeUndefined()
    expect(tempFileWriter('.daemon.json.dockcfg-12-zz.tmp')).toBeUndefined()
  })
})
