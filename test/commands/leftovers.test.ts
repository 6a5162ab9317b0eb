/**
 * Issue 9 item 6 (the part about writes): a run killed mid-write (kill -9) leaves dockcfg's temp
 * files and a backup directory without a manifest. The next run that takes the lock removes them;
 * what a live process is writing stays.
 */
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import {describe, expect, it} from 'vitest'

import {acquireLock} from '../../src/backup/lock.js'
import {createSystem} from '../../src/system/index.js'
import {runCli, spawnCli, useRoots} from '../support/cli.js'

const {root} = useRoots()

/** Above the largest pid_max Linux allows (2^22): a writer that is surely gone. */
const DEAD = 2 ** 22 + 1
const V = ['--dockerd-version', '29.7.2']
const manifest = (id: string, files: string[]) =>
  JSON.stringify({id, time: '2026-01-01T00:00:00.000Z', command: 'dockcfg set debug true', files: files.map((p) => ({path: p, existed: false}))})

async function exists(root: string, p: string): Promise<boolean> {
  return fsp.lstat(path.join(root, p)).then(
    () => true,
    () => false,
  )
}

describe('leftovers of a killed run', () => {
  it('the next run that takes the lock removes temp files of dead writers and unfinished backups; history never lists them', async () => {
    const UNFINISHED = '20260101T000000000Z-aaaaaa'
    const DONE = '20260101T000000001Z-bbbbbb'
    const left = {
      [`/etc/docker/.daemon.json.dockcfg-${DEAD}-0123abcd.tmp`]: '{"de',
      [`/etc/systemd/system/docker.service.d/.50-dockcfg.conf.dockcfg-${DEAD}-89abcdef.tmp`]: '[Serv',
      [`/var/lib/dockcfg/.pending-apply.json.dockcfg-${DEAD}-deadbeef.tmp`]: '{',
      [`/var/lib/dockcfg/.dockcfg.lock.dockcfg-${DEAD}-00000000.tmp`]: '{"pid"',
      // Known only from a backup's manifest: daemon.json kept elsewhere (ExecStart --config-file).
      [`/srv/conf/.daemon.json.dockcfg-${DEAD}-11111111.tmp`]: '{',
      [`/var/lib/dockcfg/backups/${UNFINISHED}/file-0`]: '{}',
    }
    const kept = {
      '/etc/docker/daemon.json': '{}\n',
      // A live writer's (this test runner's), someone's own copy with a similar name, and what is not a backup id.
      [`/etc/docker/.daemon.json.dockcfg-${process.pid}-22222222.tmp`]: '{',
      '/etc/docker/daemon.json.1234567': '{}',
      [`/etc/docker/.daemon.json.dockcfg-${DEAD}-zz.tmp`]: '{}',
      '/var/lib/dockcfg/backups/notes/readme': 'mine',
      [`/var/lib/dockcfg/backups/${DONE}/manifest.json`]: manifest(DONE, ['/srv/conf/daemon.json']),
      '/srv/conf/daemon.json': '{}\n',
    }
    const r = await root({...left, ...kept})

    const before = await runCli(['history', '--root', r.root, '--json'])
    expect(before.json<{backups: Array<{id: string}>}>().backups.map((b) => b.id)).toEqual([DONE])

    // In a process of its own: the live writer kept below is this test process, not the run.
    const set = await spawnCli(['set', 'debug', 'true', '--root', r.root, ...V])
    expect(set.exitCode, set.stderr).toBe(0)
    for (const p of Object.keys(left)) expect(await exists(r.root, p), p).toBe(false)
    expect(await exists(r.root, `/var/lib/dockcfg/backups/${UNFINISHED}`)).toBe(false)
    for (const p of Object.keys(kept)) expect(await exists(r.root, p), p).toBe(true)
    const after = await runCli(['history', '--root', r.root, '--json'])
    expect(after.json<{backups: Array<{id: string}>}>().backups.map((b) => b.id)).toEqual([DONE, expect.stringMatching(/^\d{8}T\d{9}Z-[0-9a-f]{6}$/)])
  })

  it('looks only at the newest backups: what a killed run left is swept by the next run, so older backups are never read again', async () => {
    // The killed run's backup is the newest; three finished ones came before it, and the oldest
    // of all names a directory no newer backup names.
    const ids = ['20260101T000000001Z-000001', '20260101T000000002Z-000002', '20260101T000000003Z-000003', '20260101T000000004Z-000004']
    const KILLED = '20260101T000000005Z-000005'
    const r = await root({
      '/etc/docker/daemon.json': '{}\n',
      [`/var/lib/dockcfg/backups/${ids[0]}/manifest.json`]: manifest(ids[0] as string, ['/srv/old/daemon.json']),
      ...Object.fromEntries(ids.slice(1).map((id) => [`/var/lib/dockcfg/backups/${id}/manifest.json`, manifest(id, ['/etc/docker/daemon.json'])])),
      [`/var/lib/dockcfg/backups/${KILLED}/file-0`]: '{}',
      [`/srv/old/.daemon.json.dockcfg-${DEAD}-33333333.tmp`]: '{',
    })
    const set = await spawnCli(['set', 'debug', 'true', '--root', r.root, ...V])
    expect(set.exitCode, set.stderr).toBe(0)
    expect(await exists(r.root, `/var/lib/dockcfg/backups/${KILLED}`)).toBe(false)
    // Swept long ago by the run after the one that left it, in this history: not looked for again.
    expect(await exists(r.root, `/srv/old/.daemon.json.dockcfg-${DEAD}-33333333.tmp`)).toBe(true)
    for (const id of ids) expect(await exists(r.root, `/var/lib/dockcfg/backups/${id}/manifest.json`)).toBe(true)
  })

  it('a backup being written under the lock by a live run is not touched by a run waiting for it', async () => {
    const r = await root({'/etc/docker/daemon.json': '{}\n'})
    const system = createSystem({root: r.root})
    const holder = await acquireLock(system, 'a run writing its backup')
    const id = '20260101T000000000Z-cccccc'
    const dir = path.join(r.root, 'var/lib/dockcfg/backups', id)
    await fsp.mkdir(dir, {recursive: true})
    await fsp.writeFile(path.join(dir, 'file-0'), '{}\n')

    let waiting!: () => void
    const seen = new Promise<void>((resolve) => (waiting = resolve))
    const run = spawnCli(['set', 'debug', 'true', '--root', r.root, ...V], {onStderr: (s) => s.includes('waiting for another dockcfg run') && waiting()})
    await seen
    expect(await fsp.readdir(dir)).toEqual(['file-0'])
    // The holder finishes its backup, then lets the waiting run go.
    await fsp.writeFile(path.join(dir, 'manifest.json'), manifest(id, ['/etc/docker/daemon.json']))
    await holder.release()
    const done = await run
    expect(done.exitCode, done.stderr).toBe(0)
    expect(await fsp.readdir(dir)).toEqual(['file-0', 'manifest.json'])
  })
})
