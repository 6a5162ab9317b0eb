import {afterEach, describe, expect, it} from 'vitest'

import type {ApplyOptions} from '../../../src/apply/plan.js'
import {plannedStateMoves} from '../../../src/apply/state-guard.js'
import {listBackups} from '../../../src/backup/backups.js'
import {DockcfgError} from '../../../src/core/errors.js'
import {stateMovingKeys} from '../../../src/registry/index.js'
import {applyChanges, type ApplyRequest, CONFIG, inspector, type Rig, rig, seedConfig} from './fakes.js'

const ARGV = ['/usr/bin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock']
const view = (config: Record<string, unknown>, execArgv: string[] = ARGV) => ({config, execArgv, dockerdVersion: '24.0.7'})
const moved = (before: Record<string, unknown>, after: Record<string, unknown>, argvBefore = ARGV, argvAfter = ARGV) =>
  plannedStateMoves(view(before, argvBefore), view(after, argvAfter)).map((m) => `${m.key}: ${m.from} -> ${m.to}`)

describe('which changes move where dockerd keeps its data (item 20)', () => {
  it('the registry names them', () => {
    expect(stateMovingKeys().map((o) => o.key)).toEqual(['features', 'userns-remap', 'storage-driver', 'data-root', 'containerd-namespace', 'graph'])
  })

  it('compares what dockerd would use: the file, else the flag, else the default; "" is unset', () => {
    expect(moved({}, {'data-root': '/srv/docker'})).toEqual(['data-root: /var/lib/docker -> /srv/docker'])
    expect(moved({}, {'data-root': '/var/lib/docker'})).toEqual([])
    expect(moved({'data-root': ''}, {})).toEqual([])
    // fix moving --data-root from the command line into daemon.json moves nothing.
    expect(moved({}, {'data-root': '/srv/docker'}, [...ARGV, '--data-root', '/srv/docker'], ARGV)).toEqual([])
    expect(moved({}, {}, ARGV, [...ARGV, '-s', 'vfs'])).toEqual(['storage-driver: (not set) -> vfs'])
    expect(moved({'userns-remap': 'default'}, {})).toEqual(['userns-remap: default -> (not set)'])
    expect(moved({}, {graph: '/srv/docker'})).toEqual(['graph: (not set) -> /srv/docker'])
    expect(moved({'containerd-namespace': 'moby'}, {})).toEqual([])
    // Only the containerd-snapshotter switch of `features` moves anything.
    expect(moved({features: {cdi: true}}, {features: {cdi: false}})).toEqual([])
    expect(moved({features: {cdi: true}}, {features: {cdi: true, 'containerd-snapshotter': true}})).toEqual(['features.containerd-snapshotter: false -> true'])
  })

  it('quotes a value with control characters rather than printing them raw', () => {
    expect(moved({}, {'data-root': '/srv/\r\u001b[2Jdocker\n\u009b'})).toEqual(['data-root: /var/lib/docker -> "/srv/\\r\\u001b[2Jdocker\\n\\u009b"'])
  })

  it('says where the data stays and how to carry it over', () => {
    const [dataRoot] = plannedStateMoves(view({}), view({'data-root': '/srv/docker'}))
    expect(dataRoot?.text).toBe(
      '"data-root" changes from /var/lib/docker to /srv/docker: images, containers and volumes stay in /var/lib/docker, and dockerd starts with what is in /srv/docker. ' +
        'To keep them: copy them over first, with docker stopped: systemctl stop docker docker.socket; rsync -aHAX --numeric-ids /var/lib/docker/ /srv/docker/ (the old directory stays until you remove it)',
    )
    const [userns] = plannedStateMoves(view({'data-root': '/srv/docker'}), view({'data-root': '/srv/docker', 'userns-remap': 'default'}))
    expect(userns?.text).toContain('dockerd keeps everything in /srv/docker/<uid>.<gid> with userns-remap')
    const [driver] = plannedStateMoves(view({'storage-driver': 'overlay2'}), view({'storage-driver': 'vfs'}))
    expect(driver?.text).toContain('docker save -o images.tar')
  })
})

describe('applying a change that moves the data (item 20)', () => {
  const rigs: Rig[] = []
  afterEach(() => {
    for (const r of rigs.splice(0)) r.host.cleanup()
  })
  const options = (o: Partial<ApplyOptions> = {}): ApplyOptions => ({dryRun: false, noRestart: false, yes: false, keepContainers: false, timeoutMs: 30_000, ...o})
  async function setDataRoot(r: Rig, o: ApplyOptions) {
    const request: ApplyRequest = {
      command: 'dockcfg set data-root',
      changes: [{path: CONFIG, before: '{}\n', after: '{"data-root": "/srv/docker"}\n'}],
      changedKeys: ['data-root'],
      activation: 'restart',
    }
    return applyChanges(r.system, request, inspector, o).then(
      (result) => ({result, error: undefined}),
      (error: unknown) => {
        if (!(error instanceof DockcfgError)) throw error
        return {result: undefined, error}
      },
    )
  }

  it('on the live host without --yes: refused (exit 7) naming --yes, nothing written, dockerd untouched', async () => {
    const r = rig({services: [], servicesAllowed: []})
    rigs.push(r)
    await seedConfig(r, '{}\n')
    const {error} = await setDataRoot(r, options())
    expect(error?.exitCode).toBe(7)
    expect(error?.message).toMatch(/^"data-root" changes from \/var\/lib\/docker to \/srv\/docker: /)
    expect(error?.message).toContain('Nothing was changed')
    expect(error?.remedy).toContain('--yes')
    expect(await r.host.fs.readText(CONFIG)).toBe('{}\n')
    expect(await listBackups(r.system)).toEqual([])
    expect(r.host.restartCount).toBe(0)
    expect(r.problems()).toEqual([])
  })

  it('asks on a TTY: no is the same refusal, yes applies', async () => {
    const r = rig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer']})
    rigs.push(r)
    await seedConfig(r, '{}\n')
    const questions: string[] = []
    const no = await setDataRoot(r, options({confirm: async (q) => (questions.push(q), false)}))
    expect(no.error?.exitCode).toBe(7)
    expect(questions).toEqual([expect.stringMatching(/\nChange "data-root" anyway\?$/)])
    const yes = await setDataRoot(r, options({confirm: async () => true}))
    expect(yes.result?.action).toBe('restarted')
    expect(yes.result?.warnings).toEqual([expect.stringMatching(/^"data-root" changes from \/var\/lib\/docker to \/srv\/docker/)])
  })

  it('--yes applies and the result carries the warning', async () => {
    const r = rig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer']})
    rigs.push(r)
    await seedConfig(r, '{}\n')
    const {result, error} = await setDataRoot(r, options({yes: true}))
    expect(error?.message).toBeUndefined()
    expect(result?.action).toBe('restarted')
    expect(result?.warnings).toHaveLength(1)
    expect(JSON.parse((await r.host.fs.readText(CONFIG)) ?? '')).toEqual({'data-root': '/srv/docker'})
    expect(r.problems()).toEqual([])
  })

  it('a dry run and a --root tree only warn', async () => {
    const dry = rig({services: [], servicesAllowed: []})
    rigs.push(dry)
    await seedConfig(dry, '{}\n')
    const planned = await setDataRoot(dry, options({dryRun: true}))
    expect(planned.result?.warnings).toHaveLength(1)
    expect(await dry.host.fs.readText(CONFIG)).toBe('{}\n')

    const tree = rig({services: [], servicesAllowed: [], liveHost: false})
    rigs.push(tree)
    await seedConfig(tree, '{}\n')
    const written = await setDataRoot(tree, options())
    expect(written.result).toMatchObject({action: 'written', warnings: [expect.stringContaining('rsync -aHAX')]})
    expect(tree.problems()).toEqual([])
  })
})
