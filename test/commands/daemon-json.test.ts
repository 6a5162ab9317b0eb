import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCli, spawnCli, useRoots} from '../support/cli.js'

const FILE = '/etc/docker/daemon.json'
const {root} = useRoots()
const V = ['--dockerd-version', '29.7.2']

describe('dockcfg set / get / unset', () => {
  it('queues concurrent runs: eight `set`s of different keys at once, each its own process, all land', async () => {
    const r = await root({[FILE]: '{}\n'})
    const keys: Array<[string, string]> = [
      ['mtu', '1400'],
      ['debug', 'true'],
      ['bip', '192.168.42.1/24'],
      ['live-restore', 'true'],
      ['log-level', 'warn'],
      ['max-concurrent-downloads', '5'],
      ['dns', '8.8.8.8'],
      ['experimental', 'true'],
    ]
    const results = await Promise.all(keys.map(([key, value]) => spawnCli(['set', key, value, '--root', r.root, ...V])))
    expect(results.map((x) => [x.exitCode, x.stderr.match(/dockcfg: .*/)?.[0]])).toEqual(keys.map(() => [0, undefined]))
    expect(Object.keys(JSON.parse(await r.read(FILE)) as object).sort()).toEqual(keys.map(([k]) => k).sort())
  })

  it('creates daemon.json, then reads the value back', async () => {
    const r = await root()
    const set = await runCli(['set', 'bip', '192.168.42.1/24', '--root', r.root, ...V])
    expect(set.exitCode).toBe(0)
    expect(set.stdout).toBe('')
    expect(set.stderr).toMatch(/wrote \/etc\/docker\/daemon\.json \(backup \d{8}T\d{9}Z-[0-9a-f]{6}; undo with: dockcfg rollback /)
    // --root other than / never touches services: the restart is reported as pending.
    expect(set.stderr).toMatch(/not applied \(--root is not \/.*\): dockerd needs a restart/)
    expect(await r.read(FILE)).toBe('{\n  "bip": "192.168.42.1/24"\n}\n')
    expect((await fsp.stat(path.join(r.root, FILE))).mode & 0o777).toBe(0o644)

    const get = await runCli(['get', 'bip', '--root', r.root])
    expect(get).toMatchObject({exitCode: 0, stdout: '192.168.42.1/24\n'})
    const json = await runCli(['get', 'bip', '--root', r.root, '--json'])
    expect(json.json()).toMatchObject({key: 'bip', set: true, value: '192.168.42.1/24', line: 2})
  })

  it('types values from the registry', async () => {
    const r = await root({[FILE]: '{\n    "debug": false\n}\n'})
    for (const args of [
      ['mtu', '1500'],
      ['dns', '114.114.114.114', '8.8.8.8'],
      ['live-restore', 'true'],
      ['log-opts', 'max-size=10m', 'max-file=3'],
      ['default-address-pools', 'base=10.10.0.0/16,size=24'],
    ]) {
      const result = await runCli(['set', ...args, '--root', r.root, ...V])
      expect(result.exitCode, result.stderr).toBe(0)
    }
    expect(JSON.parse(await r.read(FILE))).toEqual({
      debug: false,
      mtu: 1500,
      dns: ['114.114.114.114', '8.8.8.8'],
      'live-restore': true,
      'log-opts': {'max-size': '10m', 'max-file': '3'},
      'default-address-pools': [{base: '10.10.0.0/16', size: 24}],
    })
    // The user's 4-space indentation is kept.
    expect(await r.read(FILE)).toMatch(/^\{\n {4}"debug": false,\n {4}"mtu": 1500,/)
  })

  it('reports a no-op for the same value and writes nothing (no new backup)', async () => {
    const r = await root({[FILE]: '{"mtu": 1400}'})
    const first = await runCli(['set', 'mtu', '1400', '--root', r.root, '--json', ...V])
    expect(first.json()).toMatchObject({changed: false, activation: 'none'})
    await expect(fsp.readdir(path.join(r.root, 'var/lib/dockcfg/backups'))).rejects.toThrow(/ENOENT/)
  })

  it('--dry-run prints the diff on stdout and writes nothing', async () => {
    const r = await root({[FILE]: '{\n  "debug": true\n}\n'})
    const result = await runCli(['set', 'debug', 'false', '--dry-run', '--root', r.root, ...V])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('-  "debug": true')
    expect(result.stdout).toContain('+  "debug": false')
    expect(result.stderr).toMatch(/dry run.*reload/)
    expect(await r.read(FILE)).toBe('{\n  "debug": true\n}\n')
  })

  it('refuses values dockerd would refuse: exit 3, file untouched', async () => {
    const r = await root({[FILE]: '{}\n'})
    const bad = await runCli(['set', 'bip', '192.168.42.0/24', '--root', r.root, ...V])
    expect(bad.exitCode).toBe(3)
    expect(bad.stderr).toMatch(/nothing was written/)
    const wrongType = await runCli(['set', 'mtu', 'big', '--root', r.root, ...V])
    expect(wrongType.exitCode).toBe(2)
    expect(wrongType.stderr).toMatch(/mtu needs a whole number/)
    expect(await r.read(FILE)).toBe('{}\n')
  })

  it('refuses unknown keys with a suggestion (exit 2)', async () => {
    const r = await root()
    const result = await runCli(['set', 'bipp', '10.0.0.1/24', '--root', r.root])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/unknown daemon.json key "bipp"; did you mean "bip"/)
  })

  it('refuses to edit a broken file, naming line and column', async () => {
    const r = await root({[FILE]: '{\n  "debug": true,\n}\n'})
    const result = await runCli(['set', 'mtu', '1400', '--root', r.root, ...V])
    expect(result.exitCode).toBe(3)
    expect(result.stderr).toMatch(/\/etc\/docker\/daemon\.json:3:1: .*trailing comma/)
    expect(await r.read(FILE)).toBe('{\n  "debug": true,\n}\n')
  })

  it('get of an unset key exits 1 and names the default', async () => {
    const r = await root({[FILE]: '{}'})
    const result = await runCli(['get', 'mtu', '--root', r.root])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/mtu is not set .*default: 1500/)
  })

  it('unset removes the key; --json is the typed result', async () => {
    const r = await root({[FILE]: '{\n  "mtu": 1400,\n  "debug": true\n}\n'})
    const result = await runCli(['unset', 'mtu', '--root', r.root, '--json', ...V])
    expect(result.exitCode).toBe(0)
    expect(result.json()).toMatchObject({file: FILE, changed: true, changedKeys: ['mtu'], activation: 'restart', dryRun: false, action: 'written', pending: 'restart'})
    expect(await r.read(FILE)).toBe('{\n  "debug": true\n}\n')
  })

  it('repairs what only an edit can repair for 20.10: an empty file, a byte-order mark', async () => {
    const empty = await root({[FILE]: '\n'})
    expect((await runCli(['set', 'mtu', '1400', '--root', empty.root, '--dockerd-version', '20.10.24'])).exitCode).toBe(0)
    expect(await empty.read(FILE)).toBe('{\n  "mtu": 1400\n}\n')
    const bom = await root({[FILE]: '\ufeff{"debug": true}\n'})
    expect((await runCli(['set', 'mtu', '1400', '--root', bom.root, '--dockerd-version', '20.10.24'])).exitCode).toBe(0)
    expect(await bom.read(FILE)).toBe('{"debug": true,"mtu": 1400}\n')
    expect((await runCli(['validate', '--root', bom.root, '--dockerd-version', '20.10.24'])).exitCode).toBe(0)
    // dockerd 23+ decodes the mark: it is the user's byte and stays.
    const kept = await root({[FILE]: '\ufeff{"debug": true}\n'})
    expect((await runCli(['set', 'mtu', '1400', '--root', kept.root, ...V])).exitCode).toBe(0)
    expect(await kept.read(FILE)).toBe('\ufeff{"debug": true,"mtu": 1400}\n')
    // Anything else that does not parse is still the user's to fix.
    const broken = await root({[FILE]: '{"debug": true,}\n'})
    expect((await runCli(['set', 'mtu', '1400', '--root', broken.root, '--dockerd-version', '20.10.24'])).exitCode).toBe(3)
  })

  it('unset: removes a key dockerd does not know (the repair), refuses one that is nowhere (a typo)', async () => {
    const r = await root({[FILE]: '{\n  "mtu": 1400,\n  "mut": 1400\n}\n'})
    expect((await runCli(['unset', 'mut', '--root', r.root, ...V])).exitCode).toBe(0)
    expect(await r.read(FILE)).toBe('{\n  "mtu": 1400\n}\n')
    const typo = await runCli(['unset', 'mut', '--root', r.root, ...V])
    expect(typo.exitCode).toBe(2)
    expect(typo.stderr).toMatch(/unknown daemon\.json key "mut"; did you mean "mtu"\?/)
    // A known key that is not set: nothing to do, success (idempotent).
    expect((await runCli(['unset', 'bip', '--root', r.root, ...V])).exitCode).toBe(0)
  })

  it('warns about what the change introduces, not about what the file already had', async () => {
    const r = await root({[FILE]: '{"hosts": ["tcp://127.0.0.1:2375"]}\n'})
    const quiet = await runCli(['set', 'debug', 'true', '--root', r.root, ...V])
    expect(quiet.exitCode, quiet.stderr).toBe(0)
    expect(quiet.stderr).not.toMatch(/tcp-without-tls/)
    const added = await runCli(['set', 'hosts', 'tcp://127.0.0.1:2375', 'tcp://127.0.0.1:2377', '--root', r.root, ...V])
    expect(added.exitCode, added.stderr).toBe(0)
    expect(added.stderr).toMatch(/warning\[tcp-without-tls\].*127\.0\.0\.1:2377/)
  })

  it('--json-value sets any key', async () => {
    const r = await root()
    const result = await runCli(['set', 'runtimes', '--json-value', '{"crun":{"path":"/usr/bin/crun"}}', '--root', r.root, ...V])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(JSON.parse(await r.read(FILE))).toEqual({runtimes: {crun: {path: '/usr/bin/crun'}}})
  })
})

describe('dockcfg validate', () => {
  it('exits 0 for a clean file and 3 with positioned findings for a bad one', async () => {
    const good = await root({[FILE]: '{"bip": "192.168.42.1/24"}\n'})
    expect((await runCli(['validate', '--root', good.root, ...V])).exitCode).toBe(0)
    const bad = await root({[FILE]: '{\n  "mtu": "1500",\n  "dns": "8.8.8.8"\n}\n'})
    const result = await runCli(['validate', '--root', bad.root, ...V])
    expect(result.exitCode).toBe(3)
    expect(result.stdout).toMatch(/daemon\.json:2:\d+: error\[[a-z-]+\].*mtu/)
    expect(result.stdout).toMatch(/daemon\.json:3:\d+: error\[[a-z-]+\].*dns/)
    const json = await runCli(['validate', '--root', bad.root, '--json', ...V])
    expect(json.exitCode).toBe(3)
    expect(json.json<{valid: boolean; findings: unknown[]}>().valid).toBe(false)
  })

  it("--file checks a candidate on this machine (relative to the current directory) in place of the tree's daemon.json", async () => {
    const r = await root({
      [FILE]: '{"debug": true}\n',
      '/lib/systemd/system/docker.service': '[Service]\nType=notify\nExecStart=/usr/sbin/dockerd -H fd://\n',
      '/work/candidate.json': '{\n  "mtu": "1500"\n}\n',
      '/work/with-hosts.json': '{"hosts": ["tcp://127.0.0.1:2375"]}\n',
    })
    const work = path.join(r.root, 'work')
    const bad = await runCli(['validate', '--file', './candidate.json', '--root', r.root, ...V], {cwd: work})
    expect(bad.exitCode).toBe(3)
    expect(bad.stdout).toMatch(new RegExp(`^${path.join(work, 'candidate.json')}:2:\\d+: error\\[[a-z-]+\\].*mtu`, 'm'))
    // The tree's command line still counts: this candidate would collide with -H fd://.
    const conflict = await runCli(['validate', '--file', 'with-hosts.json', '--root', r.root, '--json', ...V], {cwd: work})
    expect(conflict.exitCode).toBe(3)
    expect(conflict.json<{file: string; findings: Array<{code: string}>}>()).toMatchObject({file: path.join(work, 'with-hosts.json')})
    expect(conflict.json<{findings: Array<{code: string}>}>().findings.map((f) => f.code)).toContain('flag-file-conflict')
    // The tree's own file is untouched and still fine.
    expect((await runCli(['validate', '--root', r.root, ...V])).exitCode).toBe(0)
  })

  it('--file that does not exist is a usage error, not "dockerd runs with its defaults"', async () => {
    const r = await root({[FILE]: '{}'})
    const result = await runCli(['validate', '--file', 'nope.json', '--root', r.root, ...V], {cwd: r.root})
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/--file nope\.json: no such file/)
  })

  it('says which version it validated for when none is known', async () => {
    const r = await root({[FILE]: '{}'})
    const result = await runCli(['validate', '--root', r.root])
    expect(result.stderr).toMatch(/newest dockerd dockcfg knows \(a tree's dockerd is not run; say which with --dockerd-version\)/)
  })

  it('refuses a --dockerd-version that is not a version instead of claiming to have used it', async () => {
    const r = await root({[FILE]: '{}'})
    const result = await runCli(['validate', '--root', r.root, '--dockerd-version', 'garbage'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/--dockerd-version "garbage" is not a version/)
    const prefixed = await runCli(['validate', '--root', r.root, '--dockerd-version', 'docker-v20.10.24+dfsg1'])
    expect(prefixed.exitCode).toBe(0)
    expect(prefixed.stderr).toMatch(/checked against dockerd 20\.10\.24 \(flag\)/)
  })
})

describe('dockcfg keys and help', () => {
  it('lists keys and details one', async () => {
    const all = await runCli(['keys'])
    expect(all.exitCode).toBe(0)
    expect(all.stdout).toMatch(/^bip\s+string\s+--bip\s+restart/m)
    const one = await runCli(['keys', 'hosts', '--json'])
    // The registry's facts, structured: no display strings to parse.
    expect(one.json<{keys: unknown[]}>().keys[0]).toMatchObject({
      key: 'hosts',
      kind: 'string-list',
      flags: [{long: 'host', short: 'H', repeatable: true, namedKey: 'hosts'}],
      reload: 'restart',
    })
    const removed = await runCli(['keys', 'cluster-store', '--json'])
    expect(removed.json<{keys: unknown[]}>().keys[0]).toMatchObject({key: 'cluster-store', removed: expect.stringMatching(/^\d+\.\d+\.\d+$/) as unknown})
    expect((await runCli(['keys', 'hosts'])).stdout).toMatch(/^flags +-H\/--host…$/m)
  })

  it('shows the exit-code table in the root help', async () => {
    const help = await runCli(['--help'])
    expect(help.stdout).toMatch(/EXIT CODES[\s\S]*3 +invalid configuration/)
  })

  it('answers `help COMMAND` as `COMMAND --help`, topics and nested commands included', async () => {
    for (const words of [['get'], ['remote', 'check'], ['remote']]) {
      const [viaHelp, viaFlag] = await Promise.all([runCli(['help', ...words]), runCli([...words, '--help'])])
      expect(viaHelp.exitCode).toBe(0)
      expect(viaHelp.stdout).toBe(viaFlag.stdout)
    }
    expect((await runCli(['help', 'get'])).stdout).toMatch(/^USAGE\n {2}\$ dockcfg get KEY/m)
    const root = await runCli(['help'])
    expect(root.stdout).toMatch(/EXIT CODES/)
    expect(root.stdout).toMatch(/^ {2}help +Show help for dockcfg/m)
  })

  it('says so when help is asked for a command that does not exist', async () => {
    const result = await runCli(['help', 'frobnicate'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/frobnicate/)
  })

  it('usage errors keep exit 2 and one error shape under --json', async () => {
    for (const args of [
      ['get', '--json'],
      ['get', 'bip', '--root', '/nonexistent-dockcfg-root', '--json'],
      ['get', 'nosuchkey', '--json'],
    ]) {
      const result = await runCli(args)
      expect(result.exitCode, args.join(' ')).toBe(2)
      expect(result.json<{error: {exitCode: number; message: string}}>().error).toMatchObject({exitCode: 2, message: expect.any(String) as unknown})
    }
  })

  it('prints its version', async () => {
    const result = await runCli(['--version'])
    expect(result.stdout).toMatch(/^dockcfg\/\d+\.\d+\.\d+ linux-x64 node-v\d+/)
  })
})
