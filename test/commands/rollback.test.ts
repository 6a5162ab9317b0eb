import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCli, useRoots} from '../support/cli.js'

const FILE = '/etc/docker/daemon.json'
const UNIT = '/lib/systemd/system/docker.service'
const DEBIAN_UNIT = `[Unit]
Description=Docker Application Container Engine

[Service]
Type=notify
EnvironmentFile=-/etc/default/docker
ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS
`
const V = ['--dockerd-version', '20.10.24']
const KEYS = ['/etc/docker/tls/server-key.pem', '/etc/docker/tls/ca-key.pem', '/etc/docker/tls/client/key.pem']
const BACKUPS = '/var/lib/dockcfg/backups'

const {root} = useRoots({[UNIT]: DEBIAN_UNIT})
async function backupIds(r: {root: string}): Promise<string[]> {
  return (await fsp.readdir(path.join(r.root, BACKUPS)).catch(() => [])).sort()
}

/** Every base64 line of every private key the tree has ever held (as far as the test saw). */
function keyLines(pems: readonly string[]): string[] {
  return pems.flatMap((pem) => pem.split('\n').filter((l) => /^[A-Za-z0-9+/=]{16,}$/.test(l)))
}

describe('dockcfg rollback never prints key material (issue 9 item 9)', () => {
  it('--dry-run and --json over backups that hold the CA, server and client keys', async () => {
    const r = await root()
    const enable = await runCli(['remote', 'enable', '--root', r.root, ...V])
    expect(enable.exitCode, enable.stderr).toBe(0)
    const pems = await Promise.all(KEYS.map((k) => r.read(k)))
    // --purge deletes every key: its backup holds them all, and rolling back restores them.
    const purge = await runCli(['remote', 'disable', '--purge', '--root', r.root, ...V])
    expect(purge.exitCode, purge.stderr).toBe(0)
    const [beforeEnable] = await backupIds(r)
    const secrets = keyLines(pems)
    expect(secrets.length).toBeGreaterThan(5)

    const runs = [
      ['rollback', '--dry-run'],
      ['rollback', '--dry-run', '--json'],
      ['rollback', '--json'],
      // The oldest backup predates the keys: rolling back to it deletes them, showing what goes.
      ['rollback', beforeEnable as string, '--dry-run'],
      ['rollback', beforeEnable as string, '--dry-run', '--json'],
    ]
    for (const args of runs) {
      const res = await runCli([...args, '--root', r.root, ...V])
      expect(res.exitCode, `${args.join(' ')}: ${res.stderr}`).toBe(0)
      const output = `${res.stdout}\n${res.stderr}`
      for (const line of secrets) expect(output, args.join(' ')).not.toContain(line)
      expect(output).not.toMatch(/PRIVATE KEY-----\n/)
      expect(output, args.join(' ')).toMatch(/\[private key redacted: \d+ bytes, sha256 [0-9a-f]{12}\]/)
    }
    // The real rollback did put the keys back.
    expect(await Promise.all(KEYS.map((k) => r.read(k)))).toEqual(pems)
  })

  it('a proxy password in daemon.json is masked in the diff and in --json', async () => {
    const r = await root({[UNIT]: DEBIAN_UNIT, [FILE]: '{}\n'})
    const set = await runCli(['set', 'proxies', '--json-value', '{"http-proxy": "http://alice:hunter2@proxy:3128"}', '--dry-run', '--root', r.root, '--dockerd-version', '29.0.0'])
    expect(set.exitCode, set.stderr).toBe(0)
    expect(set.stdout).toContain('http://alice:xxxxx@proxy:3128')
    expect(set.stdout).not.toContain('hunter2')
    const json = await runCli(['set', 'proxies', '--json-value', '{"http-proxy": "http://alice:hunter2@proxy:3128"}', '--root', r.root, '--dockerd-version', '29.0.0', '--json'])
    expect(json.exitCode, json.stderr).toBe(0)
    expect(json.stdout).not.toContain('hunter2')
    expect(await r.read(FILE)).toContain('hunter2')
  })

  it('the same rule on every --json document: get and show mask a proxy password and a key in a value', async () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----'
    const r = await root({[UNIT]: DEBIAN_UNIT, [FILE]: `${JSON.stringify({proxies: {'http-proxy': 'http://alice:hunter2@proxy:3128'}, labels: [`k=${key}`]})}\n`})
    for (const args of [['get', 'proxies'], ['get', 'labels'], ['show'], ['validate']]) {
      const res = await runCli([...args, '--json', '--root', r.root, '--dockerd-version', '29.0.0'])
      expect(() => res.json(), `${args.join(' ')}: ${res.stdout}`).not.toThrow()
      expect(res.stdout, args.join(' ')).not.toContain('hunter2')
      expect(res.stdout, args.join(' ')).not.toContain('MIGHAgEAMBMGByqGSM49')
    }
    const get = await runCli(['get', 'proxies', '--json', '--root', r.root, '--dockerd-version', '29.0.0'])
    expect(get.json()).toMatchObject({value: {'http-proxy': 'http://alice:xxxxx@proxy:3128'}})
  })
})

describe('dockcfg rollback restores only backups dockcfg made, of files it manages (issue 9 item 10)', () => {
  /** A tree with one real backup (of daemon.json before `set debug true`) and a file outside the managed set. */
  async function withBackup() {
    const r = await root({[UNIT]: DEBIAN_UNIT, [FILE]: '{}\n', '/etc/passwd': 'root:x:0:0::/root:/bin/sh\n'})
    const set = await runCli(['set', 'debug', 'true', '--root', r.root, '--json', ...V])
    expect(set.exitCode, set.stderr).toBe(0)
    const id = set.json<{backupId: string}>().backupId
    const manifestPath = path.join(r.root, BACKUPS, id, 'manifest.json')
    const manifest = JSON.parse(await fsp.readFile(manifestPath, 'utf8')) as {id: string; files: Array<Record<string, unknown>>}
    const snapshot = async () => Promise.all([FILE, '/etc/passwd'].map((p) => r.read(p)))
    return {r, id, manifest, snapshot, write: (m: unknown) => fsp.writeFile(manifestPath, typeof m === 'string' ? m : JSON.stringify(m))}
  }
  const messageOf = (res: {stdout: string; stderr: string}, json: boolean) => (json ? JSON.parse(res.stdout).error.message : res.stderr) as string

  it('refuses anything but a backup id: exit 2, nothing written, a JSON error under --json', async () => {
    const {r, snapshot} = await withBackup()
    const before = await snapshot()
    for (const id of ['../../..', '../../../etc', 'nonexistent', '20261127T174512345Z-3fa2c1/../../..', '', ' 20261127T174512345Z-3fa2c1']) {
      for (const json of [false, true]) {
        const res = await runCli(['rollback', id, '--root', r.root, ...(json ? ['--json'] : []), ...V])
        expect(res.exitCode, `${JSON.stringify(id)}: ${res.stdout}${res.stderr}`).toBe(2)
        expect(messageOf(res, json)).toContain(`${JSON.stringify(id)} is not a backup id`)
      }
    }
    expect(await snapshot()).toEqual(before)
  })

  it('a well-formed id without a backup: exit 2', async () => {
    const {r} = await withBackup()
    const res = await runCli(['rollback', '20200101T000000000Z-abcdef', '--root', r.root, ...V])
    expect(res.exitCode).toBe(2)
    expect(res.stderr).toContain('no backup with id 20200101T000000000Z-abcdef')
  })

  it.each<[string, (m: {id: string; files: Array<Record<string, unknown>>}) => unknown, RegExp]>([
    [
      'a file outside the managed set (deleting /etc/passwd)',
      (m) => ({...m, files: [...m.files, {path: '/etc/passwd', existed: false}]}),
      /names "\/etc\/passwd", not a file dockcfg writes/,
    ],
    ['a path that climbs out', (m) => ({...m, files: [{...m.files[0], path: '/etc/docker/../passwd'}]}), /names "\/etc\/docker\/\.\.\/passwd", not a normal absolute path/],
    ['a relative path', (m) => ({...m, files: [{...m.files[0], path: 'etc/docker/daemon.json'}]}), /not a normal absolute path/],
    ['a copy outside the backup directory', (m) => ({...m, files: [{...m.files[0], copy: '../../../../etc/passwd'}]}), /does not name a copy in the backup directory/],
    ['another backup id', (m) => ({...m, id: '../../../tmp'}), /its manifest names another backup/],
    ['no list of files', (m) => ({...m, files: {path: FILE}}), /no list of files/],
    ['not JSON', () => '{"id":', /manifest is not valid JSON/],
  ])('refuses a manifest with %s: exit 7, nothing written', async (_name, tamper, message) => {
    const {r, id, manifest, snapshot, write} = await withBackup()
    const tampered = tamper(manifest)
    await write(tampered)
    const before = await snapshot()
    for (const json of [false, true]) {
      const res = await runCli(['rollback', id, '--root', r.root, ...(json ? ['--json'] : []), ...V])
      expect(res.exitCode, `${res.stdout}${res.stderr}`).toBe(7)
      expect(messageOf(res, json)).toMatch(message)
    }
    // The newest backup is this one: `rollback` without an id is refused the same way (a manifest
    // that is not JSON is one a crash cut short: not listed, so there is nothing to roll back to).
    expect((await runCli(['rollback', '--dry-run', '--root', r.root, ...V])).exitCode).toBe(typeof tampered === 'string' ? 2 : 7)
    expect(await snapshot()).toEqual(before)
    expect(await backupIds(r)).toEqual([id])
  })

  it.each<[string, unknown]>([
    ['no id', {time: 't', command: 'c', files: []}],
    ['files that are not a list', {id: 'x', files: 'x'}],
    ['a file that is not an object', {files: [null]}],
    ['not an object', [1, 2]],
    ['null', null],
  ])('history lists no backup whose manifest has %s, and never crashes on it; rollback still refuses it', async (_name, planted) => {
    const {r, id, manifest, write} = await withBackup()
    // An older, good backup: `rollback` must not quietly restore it in place of the damaged newest.
    const older = '20200101T000000000Z-abcdef'
    await fsp.mkdir(path.join(r.root, BACKUPS, older), {recursive: true})
    await fsp.writeFile(path.join(r.root, BACKUPS, older, 'manifest.json'), JSON.stringify({...manifest, id: older, files: []}))
    await write(planted)
    for (const json of [false, true]) {
      const history = await runCli(['history', '--root', r.root, ...(json ? ['--json'] : [])])
      expect(history.exitCode, history.stderr).toBe(0)
      if (json) expect(history.json<{backups: Array<{id: string}>}>().backups.map((b) => b.id)).toEqual([older])
    }
    const back = await runCli(['rollback', '--dry-run', '--root', r.root, ...V])
    expect(back.exitCode, back.stderr).toBe(7)
    expect(back.stderr).toContain(id)
  })

  it('restores every kind of file dockcfg writes (daemon.json, drop-in, TLS and client bundle files)', async () => {
    const r = await root()
    const client = '/srv/docker-client'
    const enable = await runCli(['remote', 'enable', '--client-out', client, '--root', r.root, ...V])
    expect(enable.exitCode, enable.stderr).toBe(0)
    const [id] = await backupIds(r)
    const res = await runCli(['rollback', id as string, '--root', r.root, '--json', ...V])
    expect(res.exitCode, res.stdout).toBe(0)
    const files = res.json<{files: string[]}>().files
    expect(files).toEqual(expect.arrayContaining([FILE, '/etc/systemd/system/docker.service.d/50-dockcfg.conf', '/etc/docker/tls/server-key.pem', `${client}/key.pem`]))
  })
})
