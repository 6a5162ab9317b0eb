import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {makeRoot, runCli} from '../support/cli.js'

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

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()))
})
async function root(files: Record<string, string> = {[UNIT]: DEBIAN_UNIT}) {
  const r = await makeRoot(files)
  cleanups.push(r.cleanup)
  return r
}
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
