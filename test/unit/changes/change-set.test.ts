import {execFileSync} from 'node:child_process'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {listBackups, readBackup} from '../../../src/backup/backups.js'
import {acquireLock, type HeldLock} from '../../../src/backup/lock.js'
import {commitChangeSet, renderDiff, restoreFromBackup} from '../../../src/changes/change-set.js'
import type {DockcfgError} from '../../../src/core/errors.js'
import {systemWriteCalls, type WriteCalls} from '../../../src/system/atomic-write.js'
import {HostFileSystem} from '../../../src/system/fs.js'
import {createSystem, type System} from '../../../src/system/index.js'

let root: string
let system: System

beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-cs-'))
  system = createSystem({root})
  await fsp.mkdir(path.join(root, 'etc/docker'), {recursive: true})
})
afterEach(async () => {
  await fsp.rm(root, {recursive: true, force: true})
})

const file = '/etc/docker/daemon.json'
const host = () => path.join(root, file)

describe('commitChangeSet', () => {
  // commitChangeSet writes under a lock its caller holds.
  let lock: HeldLock
  beforeEach(async () => {
    lock = await acquireLock(system, 'test')
  })
  afterEach(async () => {
    await lock.release()
  })

  it('creates a missing file with mode 0644 and records that it did not exist', async () => {
    const result = await commitChangeSet(system, lock, 'test', [{path: file, before: undefined, after: '{}\n', newFileMode: 0o644}])
    expect(await fsp.readFile(host(), 'utf8')).toBe('{}\n')
    expect((await fsp.stat(host())).mode & 0o777).toBe(0o644)
    expect(result.backup.files).toEqual([{path: file, existed: false}])
  })

  it('keeps the mode of an existing file and backs up its bytes, readable by root only', async () => {
    await fsp.writeFile(host(), '{"debug": true}\n', {mode: 0o600})
    await fsp.chmod(host(), 0o600)
    const result = await commitChangeSet(system, lock, 'dockcfg set mtu 1400', [{path: file, before: '{"debug": true}\n', after: '{"debug": true, "mtu": 1400}\n'}])
    expect((await fsp.stat(host())).mode & 0o777).toBe(0o600)
    const backupDir = path.join(root, 'var/lib/dockcfg/backups', result.backup.id)
    expect(await fsp.readFile(path.join(backupDir, 'file-0'), 'utf8')).toBe('{"debug": true}\n')
    expect((await fsp.stat(path.join(backupDir, 'file-0'))).mode & 0o777).toBe(0o600)
    expect((await fsp.stat(backupDir)).mode & 0o777).toBe(0o700)
    const manifest = await readBackup(system, result.backup.id)
    expect(manifest.command).toBe('dockcfg set mtu 1400')
    expect(manifest.files[0]).toMatchObject({path: file, existed: true, mode: 0o600})
  })

  it('writes through a symlinked daemon.json to its target, resolving absolute links inside --root', async () => {
    await fsp.mkdir(path.join(root, 'srv/conf'), {recursive: true})
    await fsp.writeFile(path.join(root, 'srv/conf/daemon.json'), '{}\n')
    await fsp.symlink('/srv/conf/daemon.json', host())
    await commitChangeSet(system, lock, 'test', [{path: file, before: '{}\n', after: '{"mtu": 1400}\n'}])
    expect((await fsp.lstat(host())).isSymbolicLink()).toBe(true)
    expect(await fsp.readFile(path.join(root, 'srv/conf/daemon.json'), 'utf8')).toBe('{"mtu": 1400}\n')
  })

  it('refuses when the file changed since the plan was made, writing nothing', async () => {
    await fsp.writeFile(host(), '{"a": 2}\n')
    await expect(commitChangeSet(system, lock, 'test', [{path: file, before: '{"a": 1}\n', after: '{}\n'}])).rejects.toThrow(/changed while dockcfg was planning/)
    expect(await fsp.readFile(host(), 'utf8')).toBe('{"a": 2}\n')
    expect(await listBackups(system)).toEqual([])
  })

  it('puts back files already written when a later write fails', async () => {
    await fsp.writeFile(host(), 'old\n')
    // A directory where a file must go makes the second write fail.
    await fsp.mkdir(path.join(root, 'etc/systemd/system/docker.service.d/50-dockcfg.conf'), {recursive: true})
    await expect(
      commitChangeSet(system, lock, 'test', [
        {path: file, before: 'old\n', after: 'new\n'},
        {path: '/etc/systemd/system/docker.service.d/50-dockcfg.conf', before: undefined, after: '[Service]\n'},
      ]),
    ).rejects.toThrow()
    expect(await fsp.readFile(host(), 'utf8')).toBe('old\n')
  })

  it('a disk that fills up half-way: the file already written is put back and the backup dropped; if that fails too, exit 5 keeps it', async () => {
    const dropIn = '/etc/systemd/system/docker.service.d/50-dockcfg.conf'
    const changes = [
      {path: file, before: 'old\n', after: 'new\n'},
      {path: dropIn, before: undefined, after: '[Service]\n'},
    ]
    // write(2) calls in order: the backup copy, its manifest, daemon.json, the drop-in, the restore.
    const failing = (calls: number[]): WriteCalls => {
      let n = 0
      return {
        ...systemWriteCalls,
        write: async (...a) => (calls.includes(++n) ? Promise.reject(Object.assign(new Error('ENOSPC'), {code: 'ENOSPC'})) : systemWriteCalls.write(...a)),
      }
    }
    await fsp.writeFile(host(), 'old\n')
    const once = {...system, fs: new HostFileSystem(root, failing([4]))}
    await expect(commitChangeSet(once, lock, 'test', changes)).rejects.toMatchObject({exitCode: 3, message: expect.stringMatching(/^nothing was written: .* is full/) as unknown})
    expect(await fsp.readFile(host(), 'utf8')).toBe('old\n')
    expect(await fsp.readdir(path.join(root, 'var/lib/dockcfg/backups'))).toEqual([])

    const twice = {...system, fs: new HostFileSystem(root, failing([4, 5]))}
    const error = (await commitChangeSet(twice, lock, 'test', changes).catch((e: unknown) => e)) as DockcfgError
    expect(error).toMatchObject({exitCode: 5, remedy: expect.stringMatching(/^once the cause is fixed, restore the previous files with: dockcfg rollback \d{8}T/) as unknown})
    expect(error.message).toMatch(
      /^the file system holding \/etc\/systemd\/system\/docker\.service\.d is full .*; putting back what was already written failed too \(the file system holding \/etc\/docker is full .*\): the tree may be half-written \(already replaced: \/etc\/docker\/daemon\.json\)$/,
    )
    expect(await fsp.readFile(host(), 'utf8')).toBe('new\n')
    expect((await listBackups(system)).map((b) => b.files.map((f) => f.path))).toEqual([[file, dropIn]])
  })

  it('restoreFromBackup deletes files that did not exist before', async () => {
    const result = await commitChangeSet(system, lock, 'test', [{path: file, before: undefined, after: '{}\n'}])
    await restoreFromBackup(system, result.backup)
    await expect(fsp.stat(host())).rejects.toThrow(/ENOENT/)
  })
})

describe('renderDiff', () => {
  it('renders a unified diff with tree paths', async () => {
    const diff = await renderDiff([{path: file, before: '{\n  "a": 1\n}\n', after: '{\n  "a": 2\n}\n'}])
    expect(diff).toContain('--- a/etc/docker/daemon.json')
    expect(diff).toContain('-  "a": 1')
    expect(diff).toContain('+  "a": 2')
  })
})

describe('acquireLock', () => {
  it('serialises holders and clears a lock whose owner is gone', async () => {
    const first = await acquireLock(system, 'one')
    await expect(acquireLock(system, 'two', {timeoutMs: 300})).rejects.toThrow(/holds the lock .*"one"/)
    await first.release()
    const lockFile = path.join(root, 'var/lib/dockcfg/dockcfg.lock')
    // A holder that died: a pid that cannot exist on this machine.
    await fsp.writeFile(
      lockFile,
      JSON.stringify({pid: 2 ** 22 + 1, bootId: (await fsp.readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim(), command: 'ghost', since: '', token: 'x'}),
    )
    const third = await acquireLock(system, 'three', {timeoutMs: 300})
    await third.release()
  })

  it('treats a fresh unreadable lock file as held, not as abandoned', async () => {
    const lockFile = path.join(root, 'var/lib/dockcfg/dockcfg.lock')
    await fsp.mkdir(path.dirname(lockFile), {recursive: true})
    await fsp.writeFile(lockFile, '')
    await expect(acquireLock(system, 'next', {timeoutMs: 300})).rejects.toThrow(/holds the lock .*unreadable owner record/)
    const old = new Date(Date.now() - 60_000)
    await fsp.utimes(lockFile, old, old)
    await (await acquireLock(system, 'next', {timeoutMs: 300})).release()
  })

  it('asks the host seam whether a holder is alive: a live holder keeps the lock, a gone one loses it', async () => {
    const lockFile = path.join(root, 'var/lib/dockcfg/dockcfg.lock')
    await fsp.mkdir(path.dirname(lockFile), {recursive: true})
    const record = JSON.stringify({pid: 4242, bootId: 'this-boot', command: 'other run', since: '', token: 'x'})
    await fsp.writeFile(lockFile, record)
    const alive = {...system, host: {...system.host, bootId: () => 'this-boot', isAlive: (pid: number) => pid === 4242}}
    await expect(acquireLock(alive, 'next', {timeoutMs: 300})).rejects.toThrow(/holds the lock .*pid 4242, "other run"/)
    const gone = {...system, host: {...system.host, bootId: () => 'this-boot', isAlive: () => false}}
    await (await acquireLock(gone, 'next', {timeoutMs: 300})).release()
    await fsp.writeFile(lockFile, record)
    // Alive, but from an earlier boot: the pid is someone else's now.
    const rebooted = {...system, host: {...system.host, bootId: () => 'next-boot', isAlive: () => true}}
    await (await acquireLock(rebooted, 'next', {timeoutMs: 300})).release()
  })

  it('does not spin when an abandoned lock cannot be broken: it waits, then refuses (exit 7)', async () => {
    const dir = path.join(root, 'var/lib/dockcfg')
    await fsp.mkdir(dir, {recursive: true})
    const bootId = (await fsp.readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim()
    await fsp.writeFile(path.join(dir, 'dockcfg.lock'), JSON.stringify({pid: 2 ** 22 + 1, bootId, command: 'ghost', since: '', token: 'x'}))
    // A breaker held by a live process (pid 1) keeps the dead lock in place.
    await fsp.writeFile(path.join(dir, 'dockcfg.lock.break'), JSON.stringify({pid: 1, bootId, command: 'breaker', since: '', token: 'y'}))
    const started = process.cpuUsage()
    await expect(acquireLock(system, 'next', {timeoutMs: 500})).rejects.toMatchObject({exitCode: 7, message: expect.stringMatching(/holds the lock/) as unknown})
    const used = process.cpuUsage(started)
    expect((used.user + used.system) / 1000).toBeLessThan(400)
    expect((await fsp.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('does not block on a FIFO where the lock file belongs', async () => {
    const dir = path.join(root, 'var/lib/dockcfg')
    await fsp.mkdir(dir, {recursive: true})
    execFileSync('mkfifo', [path.join(dir, 'dockcfg.lock')])
    await expect(acquireLock(system, 'next', {timeoutMs: 300})).rejects.toThrow(/holds the lock .*unreadable owner record/)
  })

  it('says once who holds the lock while it waits', async () => {
    const first = await acquireLock(system, 'first')
    const told: string[] = []
    const waiting = acquireLock(system, 'second', {timeoutMs: 5_000, onWait: (m) => told.push(m)})
    await new Promise((resolve) => setTimeout(resolve, 300))
    await first.release()
    await (await waiting).release()
    expect(told).toEqual([expect.stringMatching(/^waiting for another dockcfg run to finish \(pid \d+, "first", since /) as unknown])
  })

  it('a dangling link or a directory at the lock path: the link is cleared once old, the directory is named', async () => {
    const dir = path.join(root, 'var/lib/dockcfg')
    await fsp.mkdir(dir, {recursive: true})
    const lock = path.join(dir, 'dockcfg.lock')
    await fsp.symlink('/nowhere', lock)
    const old = new Date(Date.now() - 60_000)
    await fsp.lutimes(lock, old, old)
    await (await acquireLock(system, 'next', {timeoutMs: 2_000})).release()
    await fsp.mkdir(lock)
    await fsp.utimes(lock, old, old)
    await expect(acquireLock(system, 'next', {timeoutMs: 2_000})).rejects.toThrow(/is a directory where dockcfg keeps its lock/)
  })
})
