import * as fsp from 'node:fs/promises'
import * as path from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCli, useRoots} from '../support/cli.js'

const FILE = '/etc/docker/daemon.json'
const {root} = useRoots()
const V = ['--dockerd-version', '29.7.2']

describe('dockcfg set KEY=VALUE...', () => {
  it('sets several keys as one change: one backup, every value typed as `set KEY VALUE` types one word', async () => {
    const r = await root({[FILE]: '{}\n'})
    const run = await runCli([
      'set',
      'bip=192.168.42.1/24',
      'mtu=1400',
      'dns=10.0.0.2,10.0.0.3',
      'labels=env=prod',
      'log-opts=max-size=10m',
      'debug=true',
      '--root',
      r.root,
      '--json',
      ...V,
    ])
    expect(run.exitCode).toBe(0)
    expect(run.json()).toMatchObject({changed: true, action: 'written', activation: 'restart'})
    expect(run.json<{changedKeys: string[]}>().changedKeys.sort()).toEqual(['bip', 'debug', 'dns', 'labels', 'log-opts', 'mtu'])
    expect(JSON.parse(await r.read(FILE))).toEqual({
      bip: '192.168.42.1/24',
      mtu: 1400,
      dns: ['10.0.0.2', '10.0.0.3'],
      labels: ['env=prod'],
      'log-opts': {'max-size': '10m'},
      debug: true,
    })
    expect(await fsp.readdir(path.join(r.root, 'var/lib/dockcfg/backups'))).toHaveLength(1)
    const again = await runCli(['set', 'mtu=1400', 'debug=true', '--root', r.root, ...V])
    expect([again.exitCode, again.stderr]).toEqual([0, 'already as requested; nothing to do\n'])
  })

  it('KEY:=JSON takes any JSON value', async () => {
    const r = await root({[FILE]: '{}\n'})
    const run = await runCli(['set', 'runtimes:={"crun": {"path": "/usr/bin/crun"}}', 'log-opts:={"max-size": "10m"}', '--root', r.root, ...V])
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(await r.read(FILE))).toEqual({runtimes: {crun: {path: '/usr/bin/crun'}}, 'log-opts': {'max-size': '10m'}})
  })

  it('the old form is unchanged: a first argument without = is the key, later NAME=VALUE words its value', async () => {
    const r = await root({[FILE]: '{}\n'})
    expect((await runCli(['set', 'log-opts', 'max-size=10m', 'max-file=3', '--root', r.root, ...V])).exitCode).toBe(0)
    expect(JSON.parse(await r.read(FILE))).toEqual({'log-opts': {'max-size': '10m', 'max-file': '3'}})
  })

  it('refuses before anything is written: a word that is not a pair, an unknown key, a key twice, a bad value, --json-value', async () => {
    const r = await root({[FILE]: '{}\n'})
    const cases: Array<[string[], number, string]> = [
      [['mtu=1400', 'debug'], 2, '"debug" is not KEY=VALUE'],
      [['mut=1400'], 2, 'unknown daemon.json key "mut"'],
      [['mtu=1400', 'mtu=1500'], 2, 'mtu is given twice'],
      [['mtu=big'], 2, 'mtu needs a whole number, got "big"'],
      [['runtimes:={'], 2, 'is not valid JSON'],
      [['mtu=1400', '--json-value', '1'], 2, '--json-value is for one key'],
      [['mtu=1400', 'bip=192.168.42.1'], 3, 'dockerd would refuse the result'],
    ]
    for (const [args, code, message] of cases) {
      const run = await runCli(['set', ...args, '--root', r.root, ...V])
      expect([run.exitCode, run.stderr], args.join(' ')).toEqual([code, expect.stringContaining(message)])
    }
    expect(await r.read(FILE)).toBe('{}\n')
  })
})
