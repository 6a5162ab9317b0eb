import {chmodSync} from 'node:fs'

import {afterEach, describe, expect, it} from 'vitest'

import {preflight, RELOAD_JUDGES, reloadJudgesItself, trialCandidate} from '../../../src/apply/preflight.js'
import {parseDockerdArgv} from '../../../src/dockerd/argv.js'
import {type Rig, rig} from './fakes.js'

/** Issue 9 item 19: the trial start (dockerd < 23) must not refuse what the real dockerd starts with. */
const OLD = '20.10.24'
const candidate = (configText: string, extra: string[] = []) => {
  const argv = ['/usr/sbin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock', ...extra]
  return trialCandidate(configText, argv, parseDockerdArgv(argv, OLD))
}

describe('what the trial dockerd gets', () => {
  it('host resources are replaced by scratch ones, as before', () => {
    const trial = candidate('{"data-root": "/srv/docker", "hosts": ["tcp://0.0.0.0:2376"], "debug": true}')
    expect(trial.config).toEqual({debug: true})
    expect(trial.flags).toEqual([])
    expect(trial.notJudged).toEqual([])
  })

  it('leaves out what it cannot judge, from the file and from the command line, and says why', () => {
    const trial = candidate('{"storage-driver": "btrfs", "storage-opts": ["btrfs.min_space=10G"], "bridge": "br0", "mtu": 1400}', ['-s', 'btrfs', '--bridge=br0', '--debug'])
    expect(trial.config).toEqual({mtu: 1400})
    expect(trial.flags).toEqual(['--debug'])
    expect(trial.notJudged.map((n) => n.key)).toEqual(['bridge', 'storage-driver', 'storage-opts'])
    expect(trial.notJudged[1]?.reason).toBe("whether it works depends on the filesystem of the real data-root, and the trial's is on /run")
  })

  it('notices userns-remap in the file or as a flag; an empty value is unset', () => {
    expect(candidate('{"userns-remap": "default"}').usernsRemap).toBe(true)
    expect(candidate('{}', ['--userns-remap=default']).usernsRemap).toBe(true)
    expect(candidate('{"userns-remap": ""}').usernsRemap).toBe(false)
    // It is kept: the trial judges it (its scratch layout lets the remapped root through).
    expect(candidate('{"userns-remap": "default"}').config).toEqual({'userns-remap': 'default'})
  })
})

describe('the trial cannot run with userns-remap when its scratch directory is closed to the remapped root', () => {
  const rigs: Rig[] = []
  afterEach(() => {
    for (const r of rigs.splice(0)) r.host.cleanup()
  })

  it('reports skipped with the reason (no false refusal), starts nothing and leaves no scratch directory', async () => {
    const r = rig({services: [], servicesAllowed: []})
    rigs.push(r)
    // The tree's / (a 0700 temporary directory) passable, /run/dockcfg not: as if an admin had closed it.
    chmodSync(r.host.root, 0o755)
    await r.host.fs.mkdirp('/run/dockcfg', 0o700)
    const outcome = await preflight(r.system, {configText: '{"userns-remap": "default"}', execArgv: ['/usr/sbin/dockerd', '-H', 'fd://'], dockerdVersion: OLD, hosts: ['fd://']})
    expect(outcome).toEqual({
      method: 'skipped',
      ok: true,
      detail: 'trial start not possible: with userns-remap the remapped root must pass through /run/dockcfg (o+x), which it cannot; the restart and its rollback decide',
    })
    expect(r.processes.runs).toEqual([])
    expect(await r.host.fs.list('/run/dockcfg')).toEqual([])
  })
})

describe('a reload-only change goes without a trial start (issue 11: speed of a safe apply)', () => {
  const rigs: Rig[] = []
  afterEach(() => {
    for (const r of rigs.splice(0)) r.host.cleanup()
  })

  it('only for keys dockerd checks whole before it applies anything', () => {
    expect(reloadJudgesItself(['debug'])).toBe(true)
    expect(reloadJudgesItself(['labels', 'live-restore', 'max-concurrent-downloads'])).toBe(true)
    // daemon.Reload applies debug, labels, ... and only then fails on these (dockerd < 25), or dies.
    for (const key of ['registry-mirrors', 'insecure-registries', 'allow-nondistributable-artifacts', 'runtimes', 'default-runtime', 'authorization-plugins']) {
      expect(reloadJudgesItself([key]), key).toBe(false)
      expect(reloadJudgesItself(['debug', key]), key).toBe(false)
    }
    expect(reloadJudgesItself([])).toBe(false)
  })

  it('dockerd < 23: no trial dockerd is started, and the outcome says why', async () => {
    const r = rig({services: [], servicesAllowed: []})
    rigs.push(r)
    const outcome = await preflight(
      r.system,
      {configText: '{"debug": true}', execArgv: ['/usr/sbin/dockerd', '-H', 'fd://'], dockerdVersion: OLD, hosts: ['fd://']},
      {reloadOnly: true},
    )
    expect(outcome).toEqual({method: 'skipped', ok: true, detail: RELOAD_JUDGES})
    expect(r.processes.runs).toEqual([])
  })

  it('dockerd >= 23: --validate still answers, it costs no start', async () => {
    const r = rig({services: [], servicesAllowed: []})
    rigs.push(r)
    r.host.validateFails = 'invalid label'
    const outcome = await preflight(
      r.system,
      {configText: '{"labels": ["x"]}', execArgv: ['/usr/bin/dockerd', '-H', 'fd://'], dockerdVersion: '24.0.7', hosts: ['fd://']},
      {reloadOnly: true},
    )
    expect(outcome).toMatchObject({method: 'validate', ok: false})
  })
})
