import {afterEach, describe, expect, it} from 'vitest'

import type {ApplyOptions, Inspector} from '../../../src/apply/plan.js'
import {listBackups} from '../../../src/backup/backups.js'
import {type ApplyFailedError, DockcfgError} from '../../../src/core/errors.js'
import {applyChanges, type ApplyRequest, CONFIG, inspector, restartDaemon, type Rig, rig, seedConfig} from './fakes.js'

/**
 * Issue 9 item 18: with live-restore on and containers running, a restart for a default-bridge key
 * came back with the old bridge (dockerd keeps it while live-restored containers run), failed
 * verification and rolled back. The fake dockerd keeps the bridge the same way.
 */
const rigs: Rig[] = []
afterEach(() => {
  for (const r of rigs.splice(0)) r.host.cleanup()
})

function newRig(options: Parameters<typeof rig>[0]): Rig {
  const r = rig(options)
  rigs.push(r)
  return r
}

const options = (o: Partial<ApplyOptions> = {}): ApplyOptions => ({dryRun: false, noRestart: false, yes: false, keepContainers: false, timeoutMs: 30_000, ...o})
const LIVE_RESTORE = '{"live-restore": true}\n'
const BIP = '{"live-restore": true, "bip": "192.168.42.1/24"}\n'

async function setBip(r: Rig, o: ApplyOptions, inspect: Inspector = inspector, after = BIP) {
  const request: ApplyRequest = {
    command: 'dockcfg set bip',
    changes: [{path: CONFIG, before: await r.host.fs.readText(CONFIG), after}],
    changedKeys: ['bip'],
    activation: 'restart',
  }
  return applyChanges(r.system, request, inspect, o).then(
    (result) => ({result, error: undefined}),
    (error: unknown) => {
      if (!(error instanceof DockcfgError)) throw error
      return {result: undefined, error}
    },
  )
}

describe('a default-bridge change while live-restored containers run (item 18)', () => {
  it('is refused before anything is written (exit 7), naming the containers and the remedy', async () => {
    const r = newRig({services: [], servicesAllowed: ['show'], docker: ['info', 'runningContainers']})
    await seedConfig(r, LIVE_RESTORE)
    r.host.containers = [
      {id: 'a1', name: 'web'},
      {id: 'b2', name: 'db', networkMode: 'host'},
    ]
    const {error} = await setBip(r, options())
    expect(error?.exitCode).toBe(7)
    expect(error?.message).toBe(
      'with live-restore on, dockerd keeps the default bridge as it is while containers survive the restart, so bip would not take effect: 2 running container(s) (web, db) would keep the old one; nothing was changed',
    )
    expect(error?.remedy).toBe('stop them (docker stop web db), or pass --yes to let dockcfg stop them before the restart')
    expect(await r.host.fs.readText(CONFIG)).toBe(LIVE_RESTORE)
    expect(await listBackups(r.system)).toEqual([])
    expect(r.host.containers).toHaveLength(2)
    expect(r.host.restartCount).toBe(0)
    expect(r.problems()).toEqual([])
  })

  it('with --yes the containers are stopped before the restart, the change is live, and the result says so', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer'], docker: ['stopContainer']})
    await seedConfig(r, LIVE_RESTORE)
    r.host.containers = [{id: 'a1', name: 'web'}]
    const {result, error} = await setBip(r, options({yes: true}))
    expect(error).toBeUndefined()
    expect(result?.verification).toEqual([expect.objectContaining({key: 'bip', status: 'verified'})])
    expect(result?.warnings).toEqual([
      'stopped 1 running container(s) (web) before the restart: with live-restore on, dockerd keeps the default bridge as it is while containers survive the restart, so bip would not take effect otherwise',
    ])
    expect(r.host.containers).toEqual([])
    expect(r.docker.strict.calls.indexOf('stopContainer')).toBeLessThan(r.docker.strict.calls.lastIndexOf('network'))
    expect(r.problems()).toEqual([])
  })

  it('asks on a TTY; no means refused, nothing stopped', async () => {
    const r = newRig({services: [], servicesAllowed: ['show'], docker: ['info', 'runningContainers']})
    await seedConfig(r, LIVE_RESTORE)
    r.host.containers = [{id: 'a1', name: 'web'}]
    const questions: string[] = []
    const {error} = await setBip(r, options({confirm: async (q) => (questions.push(q), false)}))
    expect(error?.exitCode).toBe(7)
    expect(questions).toEqual([expect.stringMatching(/^With live-restore on, .*\. Stop 1 running container\(s\) \(web\) first\?$/)])
    expect(r.host.containers).toHaveLength(1)
  })

  it('--keep-containers cannot keep them: refused with the reason', async () => {
    const r = newRig({services: [], servicesAllowed: ['show'], docker: ['info', 'runningContainers']})
    await seedConfig(r, LIVE_RESTORE)
    r.host.containers = [{id: 'a1', name: 'web'}]
    const {error} = await setBip(r, options({keepContainers: true, yes: true}))
    expect(error?.exitCode).toBe(7)
    expect(error?.message).toMatch(/^--keep-containers cannot keep 1 running container\(s\) \(web\): with live-restore on/)
    expect(r.host.containers).toHaveLength(1)
  })

  it('live-restore from the --live-restore flag counts too', async () => {
    const r = newRig({services: [], servicesAllowed: ['show'], docker: ['info', 'runningContainers']})
    await seedConfig(r, '{}\n')
    r.host.live['live-restore'] = true
    r.host.containers = [{id: 'a1', name: 'web'}]
    const withFlag: Inspector = async (fs) => ({...(await inspector(fs)), execArgv: ['/usr/bin/dockerd', '-H', 'fd://', '--live-restore']})
    const {error} = await setBip(r, options(), withFlag, '{"bip": "192.168.42.1/24"}\n')
    expect(error?.exitCode).toBe(7)
  })

  it('containers sharing another container\u2019s network namespace do not hold the bridge; other keys are not affected', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer']})
    await seedConfig(r, LIVE_RESTORE)
    r.host.containers = [{id: 'a1', name: 'sidecar', networkMode: 'container:b2'}]
    const {result} = await setBip(r, options())
    expect(result?.verification).toEqual([expect.objectContaining({key: 'bip', status: 'verified'})])
    expect(r.host.containers).toHaveLength(1)

    r.host.containers = [{id: 'c3', name: 'web'}]
    const request: ApplyRequest = {
      command: 'dockcfg set log-driver',
      changes: [{path: CONFIG, before: BIP, after: BIP.replace('}', ', "log-driver": "local"}')}],
      changedKeys: ['log-driver'],
      activation: 'restart',
    }
    const logs = await applyChanges(r.system, request, inspector, options())
    expect(logs.warnings).toEqual([])
    expect(r.host.containers).toHaveLength(1)
    expect(r.problems()).toEqual([])
  })
})

describe('containers the bridge guard stopped, when the change is rolled back', () => {
  it('are started again once dockerd runs the old configuration, and the error says so', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'daemonReload', 'disarmTimer'], docker: ['stopContainer', 'startContainer']})
    await seedConfig(r, LIVE_RESTORE)
    r.host.containers = [
      {id: 'a1', name: 'web'},
      {id: 'b2', name: 'db'},
    ]
    r.host.starts = ['fail', 'ok']
    const {error} = await setBip(r, options({yes: true}))
    expect(error?.exitCode).toBe(4)
    expect(error?.message).toContain('The container(s) stopped for this change were started again: web, db.')
    expect(r.host.containers.map((c) => c.name)).toEqual(['web', 'db'])
    expect(r.host.live).toEqual({'live-restore': true})
    // Started only after the rollback's start: the last start precedes every startContainer.
    const calls = r.docker.strict.calls
    expect(calls.indexOf('startContainer')).toBeGreaterThan(calls.lastIndexOf('stopContainer'))
    expect((error as ApplyFailedError).failure).toMatchObject({action: 'rolled-back', containersStarted: ['web', 'db']})
    expect(r.problems()).toEqual([])
  })

  it('names the ones that could not be started', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'daemonReload', 'disarmTimer'], docker: ['stopContainer', 'startContainer']})
    await seedConfig(r, LIVE_RESTORE)
    r.host.containers = [
      {id: 'a1', name: 'web'},
      {id: 'b2', name: 'db'},
    ]
    r.host.unstartable.add('b2')
    r.host.starts = ['fail', 'ok']
    const {error} = await setBip(r, options({yes: true}))
    expect(error?.exitCode).toBe(4)
    expect(error?.message).toContain('were started again: web.')
    expect(error?.message).toContain('Could not start again: db (POST /containers/b2/start: HTTP 500: cannot start); start them with: docker start db.')
    expect(r.host.containers.map((c) => c.name)).toEqual(['web'])
    expect(r.problems()).toEqual([])
  })

  it('exit 5: dockerd is not back, so they are said to be still stopped', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'daemonReload', 'disarmTimer'], docker: ['stopContainer']})
    await seedConfig(r, LIVE_RESTORE)
    r.host.containers = [{id: 'a1', name: 'web'}]
    r.host.starts = ['fail', 'fail']
    const {error} = await setBip(r, options({yes: true}))
    expect(error?.exitCode).toBe(5)
    expect(error?.message).toContain('The container(s) stopped for this change are still stopped: web (docker start them once dockerd runs).')
    expect(r.problems()).toEqual([])
  })
})

describe('dockcfg restart applying a default-bridge change written with --no-restart', () => {
  /** dockerd runs live-restore without bip; daemon.json already has bip (written, not applied). */
  async function pendingBip(r: Rig): Promise<void> {
    await seedConfig(r, LIVE_RESTORE)
    await r.host.fs.writeAtomic(CONFIG, BIP, {mode: 0o644})
    r.host.containers = [{id: 'a1', name: 'web'}]
  }

  it('is refused (exit 7) while live-restored containers would keep the old bridge; dockerd not restarted', async () => {
    const r = newRig({services: [], servicesAllowed: ['show'], docker: ['info', 'runningContainers', 'network']})
    await pendingBip(r)
    const error = await restartDaemon(r.system, inspector, options()).then(
      () => undefined,
      (e: unknown) => e as DockcfgError,
    )
    expect(error?.exitCode).toBe(7)
    expect(error?.message).toContain('so bip would not take effect: 1 running container(s) (web) would keep the old one; nothing was changed')
    expect(r.host.restartCount).toBe(0)
    expect(r.host.containers).toHaveLength(1)
    expect(r.problems()).toEqual([])
  })

  it('with --yes the containers are stopped first and the new bridge is live', async () => {
    const r = newRig({services: ['resetFailed', 'restart'], docker: ['stopContainer']})
    await pendingBip(r)
    const result = await restartDaemon(r.system, inspector, options({yes: true}))
    expect(result.action).toBe('restarted')
    expect(result.warnings).toEqual([expect.stringContaining('stopped 1 running container(s) (web) before the restart')])
    expect(r.host.live['bip']).toBe('192.168.42.1/24')
    expect(r.problems()).toEqual([])
  })

  it('nothing pending: a restart with live-restore and containers is not stopped by the guard', async () => {
    const r = newRig({services: ['resetFailed', 'restart']})
    await seedConfig(r, BIP)
    r.host.containers = [{id: 'a1', name: 'web'}]
    const result = await restartDaemon(r.system, inspector, options())
    expect(result.action).toBe('restarted')
    expect(r.host.containers).toHaveLength(1)
    expect(r.problems()).toEqual([])
  })
})
