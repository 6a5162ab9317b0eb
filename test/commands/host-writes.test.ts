/**
 * Issue 9 items 1 and 15: a full disk, a read-only tree and a user who is not root. Each run
 * must end with one line naming the cause and one with the remedy, the exit code of the table
 * (3: cannot be written, 7: run as root), and the tree exactly as it was: daemon.json
 * byte-identical, no temp file, no backup directory, no lock file.
 *
 * Needs root (tmpfs and bind mounts in a private mount namespace, setpriv): see privilegedGate.
 */
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import {describe, expect, it} from 'vitest'

import {useRoots} from '../support/cli.js'
import {privilegedGate, runCliAsNobody, runCliWithMounts} from '../support/privileged.js'

const gate = privilegedGate()

const FILE = '/etc/docker/daemon.json'
const ORIGINAL = '{\n  "labels": ["a=b"]\n}\n'
const V = ['--dockerd-version', '20.10.24']
/** A label longer than one 4 KiB page: a nearly full tmpfs takes the first page and refuses the second. */
const LONG_LABEL = `x=${'y'.repeat(6000)}`

const {root} = useRoots({[FILE]: ORIGINAL})
async function tree(files?: Record<string, string>) {
  const r = await root(files)
  // mkdtemp makes it 0700; nobody must at least be able to look inside.
  await fsp.chmod(r.root, 0o755)
  return r
}

/** Every entry of the tree except the filler that makes a tmpfs full, sorted. */
async function entries(root: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fsp.readdir(path.join(root, dir), {withFileTypes: true})) {
      const rel = `${dir}/${entry.name}`
      if (entry.name === 'fill') continue
      out.push(rel)
      if (entry.isDirectory()) await walk(rel)
    }
  }
  await walk('')
  return out.sort()
}
/** The same, from inside the mount namespace (a tmpfs's content goes away with it). */
const listing = (root: string) => `cd '${root}' && find . -mindepth 1 ! -name fill | sed 's/^\\.//' | sort && echo '--- daemon.json ---' && cat .${FILE}`
const afterOf = (out: string) => {
  const [list = '', content = ''] = out.split('--- daemon.json ---\n')
  return {entries: list.split('\n').filter(Boolean), daemonJson: content}
}
/** A tmpfs of `pages` 4 KiB pages at `dir` in the tree, with all but `free` pages filled. */
const smallTmpfs = (root: string, dir: string, pages: number, free: number, keep: Record<string, string> = {}) =>
  [
    `mkdir -p '${root}${dir}'`,
    `mount -t tmpfs -o size=${pages * 4}k,mode=0755 tmpfs '${root}${dir}'`,
    ...Object.entries(keep).map(([name, content]) => `printf '%s' '${content}' > '${root}${dir}/${name}'`),
    `dd if=/dev/zero of='${root}${dir}/fill' bs=4096 count=${pages - free - Object.keys(keep).length} 2>/dev/null`,
  ].join('\n')

const UNTOUCHED = ['/etc', '/etc/docker', '/etc/docker/daemon.json']
const EMPTY_STATE = ['/var', '/var/lib', '/var/lib/dockcfg', '/var/lib/dockcfg/backups']

describe.skipIf(!gate.ok)('a full disk: exit 3, nothing written, nothing left behind (issue 9 item 1)', () => {
  it('a short write on a nearly full /etc/docker: the change is refused, daemon.json byte-identical', async () => {
    const r = await tree({})
    const run = await runCliWithMounts(['set', 'labels', LONG_LABEL, '--root', r.root, ...V], smallTmpfs(r.root, '/etc/docker', 4, 1, {'daemon.json': ORIGINAL}), listing(r.root))
    expect(run.exitCode, run.stderr).toBe(3)
    expect(run.stderr).toBe(
      'dockcfg: nothing was written: the file system holding /etc/docker is full (ENOSPC writing /etc/docker/daemon.json)\n' +
        `hint: free space on it (df -h ${r.root}/etc/docker), then run the command again\n`,
    )
    expect(afterOf(run.after)).toEqual({entries: [...UNTOUCHED, ...EMPTY_STATE], daemonJson: ORIGINAL})
  })

  it('a full disk under the backups: exit 3, no half backup, daemon.json untouched', async () => {
    const r = await tree()
    const run = await runCliWithMounts(['set', 'labels', 'c=d', '--root', r.root, ...V], smallTmpfs(r.root, '/var/lib/dockcfg/backups', 1, 0), listing(r.root))
    expect(run.exitCode, run.stderr).toBe(3)
    expect(run.stderr).toMatch(
      /^dockcfg: nothing was written: the file system holding \/var\/lib\/dockcfg\/backups\/\d{8}T\d{9}Z-[0-9a-f]{6} is full \(ENOSPC writing .*\/file-0\)\nhint: /,
    )
    expect(afterOf(run.after)).toEqual({entries: [...UNTOUCHED, ...EMPTY_STATE], daemonJson: ORIGINAL})
  })

  it('a full disk where the lock goes: exit 3, no lock or temp file', async () => {
    const r = await tree()
    const run = await runCliWithMounts(['set', 'labels', 'c=d', '--root', r.root, ...V], smallTmpfs(r.root, '/var/lib/dockcfg', 1, 0), listing(r.root))
    expect(run.exitCode, run.stderr).toBe(3)
    expect(run.stderr).toMatch(/^dockcfg: nothing was written: the file system holding \/var\/lib\/dockcfg is full \(ENOSPC writing \/var\/lib\/dockcfg\/dockcfg\.lock\)\n/)
    expect(afterOf(run.after)).toEqual({entries: [...UNTOUCHED, '/var', '/var/lib', '/var/lib/dockcfg'], daemonJson: ORIGINAL})
  })

  it('a commit that fails half-way puts back the file it already wrote and keeps no backup', async () => {
    // `set log-level` with --log-level on the command line writes daemon.json, then the drop-in
    // that removes the flag: the drop-in directory is full.
    const r = await tree({
      [FILE]: ORIGINAL,
      '/lib/systemd/system/docker.service': '[Service]\nExecStart=/usr/bin/dockerd -H fd:// --log-level=info\n',
    })
    const run = await runCliWithMounts(
      ['set', 'log-level', 'warn', '--root', r.root, ...V],
      smallTmpfs(r.root, '/etc/systemd/system/docker.service.d', 1, 0),
      `${listing(r.root)} && ls -A '${r.root}/etc/systemd/system/docker.service.d'`,
    )
    expect(run.exitCode, run.stderr).toBe(3)
    // The plan (the flag's new owner) is told first, then the refusal.
    expect(run.stderr).toMatch(/^dockcfg: nothing was written: the file system holding \/etc\/systemd\/system\/docker\.service\.d is full \(ENOSPC writing .*50-dockcfg\.conf\)$/m)
    const after = afterOf(run.after)
    expect(after.daemonJson).toBe(`${ORIGINAL}fill\n`)
    expect(after.entries.filter((e) => e.startsWith('/var') || e.startsWith('/etc/docker'))).toEqual(['/etc/docker', '/etc/docker/daemon.json', ...EMPTY_STATE])
    expect(after.entries.filter((e) => e.includes('.tmp'))).toEqual([])
  })
})

describe.skipIf(!gate.ok)('a read-only tree: exit 3 (issue 9 item 15)', () => {
  it('the whole tree read-only: refused at the lock, and --dry-run still shows the change', async () => {
    const r = await tree()
    const ro = `mount --bind '${r.root}' '${r.root}'\nmount -o remount,bind,ro '${r.root}'`
    const run = await runCliWithMounts(['set', 'labels', 'c=d', '--root', r.root, ...V], ro, 'true')
    expect(run.exitCode, run.stderr).toBe(3)
    expect(run.stderr).toBe(
      'dockcfg: nothing was written: the file system holding /var/lib is read-only (EROFS writing /var/lib/dockcfg)\n' +
        `hint: make it writable (findmnt -T ${r.root}/var/lib shows its mount), or pass --dry-run to only see the change\n`,
    )
    const dry = await runCliWithMounts(['set', 'labels', 'c=d', '--root', r.root, ...V, '--dry-run'], ro, 'true')
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('+    "c=d"')
    expect(await entries(r.root)).toEqual(UNTOUCHED)
  })

  it('only /etc/docker read-only: the lock and the backup work, the write is refused and both are gone again', async () => {
    const r = await tree()
    const ro = `mount --bind '${r.root}/etc/docker' '${r.root}/etc/docker'\nmount -o remount,bind,ro '${r.root}/etc/docker'`
    const run = await runCliWithMounts(['set', 'labels', 'c=d', '--root', r.root, ...V], ro, 'true')
    expect(run.exitCode, run.stderr).toBe(3)
    expect(run.stderr).toMatch(/^dockcfg: nothing was written: the file system holding \/etc\/docker is read-only \(EROFS writing \/etc\/docker\/daemon\.json\)\n/)
    expect(await entries(r.root)).toEqual([...UNTOUCHED, ...EMPTY_STATE])
    expect(await r.read(FILE)).toBe(ORIGINAL)
  })
})

describe.skipIf(!gate.ok)('not root: exit 7, "run as root" (issue 9 item 15)', () => {
  const RUN_AS_ROOT = /\nhint: run dockcfg as root \(sudo dockcfg …\)\n$/

  it('the lock: /var/lib is root’s', async () => {
    const r = await tree()
    const run = await runCliAsNobody(['set', 'labels', 'c=d', '--root', r.root, ...V])
    expect(run.exitCode, run.stderr).toBe(7)
    expect(run.stderr).toMatch(/^dockcfg: nothing was written: permission denied writing \/var\/lib\/dockcfg \(EACCES\)\n/)
    expect(run.stderr).toMatch(RUN_AS_ROOT)
    expect(await entries(r.root)).toEqual(UNTOUCHED)
    // Its directory is there but root's: the lock file itself cannot be made (the report).
    await fsp.mkdir(path.join(r.root, 'var/lib/dockcfg'), {recursive: true})
    const again = await runCliAsNobody(['set', 'labels', 'c=d', '--root', r.root, ...V])
    expect(again.exitCode, again.stderr).toBe(7)
    expect(again.stderr).toMatch(/^dockcfg: nothing was written: permission denied writing \/var\/lib\/dockcfg\/dockcfg\.lock \(EACCES\)\n/)
    expect(again.stderr).toMatch(RUN_AS_ROOT)
    expect(await entries(r.root)).toEqual([...UNTOUCHED, '/var', '/var/lib', '/var/lib/dockcfg'])
  })

  it('the backup: the lock can be taken, the backups directory is root’s (readable, not writable)', async () => {
    const r = await tree()
    await fsp.mkdir(path.join(r.root, 'var/lib/dockcfg/backups'), {recursive: true})
    await fsp.chown(path.join(r.root, 'var/lib/dockcfg'), 65534, 65534)
    const run = await runCliAsNobody(['set', 'labels', 'c=d', '--root', r.root, ...V])
    expect(run.exitCode, run.stderr).toBe(7)
    expect(run.stderr).toMatch(/^dockcfg: nothing was written: permission denied writing \/var\/lib\/dockcfg\/backups\/\d{8}T\d{9}Z-[0-9a-f]{6} \(EACCES\)\n/)
    expect(run.stderr).toMatch(RUN_AS_ROOT)
    expect(await entries(r.root)).toEqual([...UNTOUCHED, ...EMPTY_STATE])
  })

  it('the write itself: lock and backup are nobody’s, /etc/docker is root’s; both are gone again', async () => {
    const r = await tree()
    await fsp.mkdir(path.join(r.root, 'var/lib/dockcfg/backups'), {recursive: true})
    await fsp.chown(path.join(r.root, 'var/lib/dockcfg'), 65534, 65534)
    await fsp.chown(path.join(r.root, 'var/lib/dockcfg/backups'), 65534, 65534)
    const run = await runCliAsNobody(['set', 'labels', 'c=d', '--root', r.root, ...V])
    expect(run.exitCode, run.stderr).toBe(7)
    expect(run.stderr).toMatch(/^dockcfg: nothing was written: permission denied writing \/etc\/docker\/daemon\.json \(EACCES\)\n/)
    expect(run.stderr).toMatch(RUN_AS_ROOT)
    expect(await entries(r.root)).toEqual([...UNTOUCHED, ...EMPTY_STATE])
    expect(await r.read(FILE)).toBe(ORIGINAL)
  })

  it('reads: a root-only daemon.json or backups directory', async () => {
    const r = await tree()
    await fsp.chmod(path.join(r.root, FILE), 0o600)
    await fsp.mkdir(path.join(r.root, 'var/lib/dockcfg/backups'), {recursive: true})
    await fsp.chmod(path.join(r.root, 'var/lib/dockcfg/backups'), 0o700)
    for (const args of [['get', 'labels'], ['validate'], ['show']]) {
      const run = await runCliAsNobody([...args, '--root', r.root, ...V])
      expect([run.exitCode, run.stderr], args.join(' ')).toEqual([
        7,
        expect.stringMatching(/^dockcfg: permission denied reading \/etc\/docker\/daemon\.json \(EACCES\)\nhint: run dockcfg as root/),
      ])
    }
    const history = await runCliAsNobody(['history', '--root', r.root])
    expect(history.exitCode, history.stderr).toBe(7)
    expect(history.stderr).toMatch(/^dockcfg: permission denied reading \/var\/lib\/dockcfg\/backups \(EACCES\)\n/)
  })
})
