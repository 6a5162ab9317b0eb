import {afterEach, describe, expect, it, vi} from 'vitest'

import {activationOf, rollbackTimerSeconds} from '../../../src/apply/apply.js'
import type {ApplyOptions, Inspector} from '../../../src/apply/plan.js'
import {removedKeys} from '../../../src/apply/config-diff.js'
import {PENDING_FILE, readPending} from '../../../src/apply/pending.js'
import {listBackups} from '../../../src/backup/backups.js'
import type {FileChange} from '../../../src/core/file-change.js'
import {errorDocument} from '../../../src/cli/base-command.js'
import {DockcfgError} from '../../../src/core/errors.js'
import type {Activation} from '../../../src/daemon-config/plan-edit.js'
import {renderApplyResult} from '../../../src/output/apply.js'
import {
  applyChanges,
  type ApplyRequest,
  autoRollback,
  CONFIG,
  DROPIN,
  FakeHost,
  inspector,
  inspectorWithFlags,
  restartDaemon,
  type Rig,
  rig,
  rollbackTo,
  seedConfig,
} from './fakes.js'
import {expectContract} from '../../support/contract.js'

const hosts: FakeHost[] = []
afterEach(() => {
  for (const h of hosts.splice(0)) h.cleanup()
})

function newRig(options: Parameters<typeof rig>[0]): Rig {
  const r = rig(options)
  hosts.push(r.host)
  return r
}

const options = (o: Partial<ApplyOptions> = {}): ApplyOptions => ({dryRun: false, noRestart: false, yes: false, keepContainers: false, timeoutMs: 30_000, ...o})

async function request(r: Rig, after: string, changedKeys: string[], activation: Activation, extra: FileChange[] = []): Promise<ApplyRequest> {
  return {command: `dockcfg test ${changedKeys.join(' ')}`, changes: [{path: CONFIG, before: await r.host.fs.readText(CONFIG), after}, ...extra], changedKeys, activation}
}

/** Runs the apply and returns the DockcfgError it throws (fails when it does not throw one). */
async function applyError(r: Rig, req: ApplyRequest, o: ApplyOptions, inspect: Inspector = inspector): Promise<DockcfgError> {
  const error = await applyChanges(r.system, req, inspect, o).then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof DockcfgError)) throw new Error(`expected a DockcfgError, got ${String(error)}`)
  // Each failure the engine builds is checked as the --json error document it becomes.
  expectContract('error.schema.json', errorDocument(error))
  return error
}

/** The rig must have seen every expected call and nothing else. */
function expectStrict(r: Rig): void {
  expect(r.problems()).toEqual([])
}

describe('activation: reload or restart', () => {
  it('reloads when only SIGHUP-reloadable keys change: same PID, no restart, verified live', async () => {
    const r = newRig({services: ['reload', 'armTimer', 'disarmTimer']})
    await seedConfig(r, '{"debug": false}\n')
    const pid = r.host.mainPid
    const result = await applyChanges(r.system, await request(r, '{"debug": true}\n', ['debug'], 'reload'), inspector, options())
    expect(result.action).toBe('reloaded')
    expect(result.verification).toEqual([expect.objectContaining({key: 'debug', status: 'verified'})])
    expect(r.host.mainPid).toBe(pid)
    expect(r.host.restartCount).toBe(0)
    expectStrict(r)
  })

  it('restarts for a key that is not reloadable, after reset-failed, and verifies bip on the API and docker0', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer']})
    await seedConfig(r, '{}\n')
    const result = await applyChanges(r.system, await request(r, '{"bip": "192.168.42.1/24"}\n', ['bip'], 'restart'), inspector, options())
    expect(result.action).toBe('restarted')
    expect(result.verification[0]).toMatchObject({key: 'bip', status: 'verified', actual: {Subnet: '192.168.42.0/24', Gateway: '192.168.42.1', docker0: ['192.168.42.1/24']}})
    expect(r.host.restartCount).toBe(1)
    const calls = r.services.strict.calls
    expect(calls.indexOf('resetFailed')).toBeLessThan(calls.indexOf('start'))
    // No unit file changed: no daemon-reload.
    expect(calls).not.toContain('daemonReload')
    expectStrict(r)
  })

  it('a changed unit file means daemon-reload and restart, even for reloadable keys', async () => {
    const r = newRig({services: ['daemonReload', 'resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer']})
    await seedConfig(r, '{}\n')
    const dropIn: FileChange = {path: DROPIN, before: undefined, after: '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd\n'}
    const result = await applyChanges(r.system, await request(r, '{"debug": true}\n', ['debug'], 'reload', [dropIn]), inspector, options())
    expect(result.action).toBe('restarted')
    expect(await r.host.fs.readText(DROPIN)).toBe(dropIn.after)
    expect(r.services.strict.calls.indexOf('daemonReload')).toBeLessThan(r.services.strict.calls.indexOf('start'))
    expectStrict(r)
  })

  it('removing a reloadable key restarts: dockerd keeps a key the file no longer sets on reload', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer']})
    await seedConfig(r, '{"debug": true, "labels": ["a=b"]}\n')
    const result = await applyChanges(r.system, await request(r, '{"labels": ["a=b"]}\n', ['debug'], 'reload'), inspector, options())
    expect(result.action).toBe('restarted')
    expect(result.verification).toEqual([expect.objectContaining({key: 'debug', status: 'verified', actual: false})])
    expectStrict(r)
  })

  it('activationOf and removedKeys', () => {
    expect(activationOf('reload', false, [])).toBe('reload')
    expect(activationOf('reload', true, [])).toBe('restart')
    expect(activationOf('reload', false, ['debug'])).toBe('restart')
    expect(activationOf('none', false, [])).toBe('none')
    expect(activationOf('restart', false, [])).toBe('restart')
    expect(removedKeys({path: CONFIG, before: '{"a": 1, "b": 2}', after: '{"b": 3}'})).toEqual(['a'])
    expect(removedKeys({path: CONFIG, before: '{"a": 1}', after: undefined})).toEqual(['a'])
    expect(removedKeys({path: CONFIG, before: undefined, after: '{"a": 1}'})).toEqual([])
    expect(removedKeys({path: CONFIG, before: '{broken', after: '{}'})).toEqual([])
  })

  it('nothing changed: nothing is done, no service is asked anything', async () => {
    const r = newRig({services: [], servicesAllowed: []})
    await seedConfig(r, '{"debug": true}\n')
    const result = await applyChanges(r.system, await request(r, '{"debug": true}\n', [], 'none'), inspector, options())
    expect(result).toMatchObject({changed: false, action: 'none'})
    expect(await listBackups(r.system)).toEqual([])
    expectStrict(r)
  })
})

describe('refused reload', () => {
  it('is detected from the journal, reported as exit 4, the file put back and dockerd not restarted', async () => {
    const r = newRig({services: ['reload', 'armTimer', 'daemonReload', 'disarmTimer']})
    const original = '{"debug": false}\n'
    await seedConfig(r, original)
    r.host.reloads = ['refused']
    const pid = r.host.mainPid
    const error = await applyError(r, await request(r, '{"debug": true}\n', ['debug'], 'reload'), options())
    expect(error.exitCode).toBe(4)
    expect(error.message).toContain('dockerd refused the reload')
    expect(error.message).toContain('unable to configure the Docker daemon')
    expect(await r.host.fs.readText(CONFIG)).toBe(original)
    // dockerd kept running its old configuration: a restart would only have cost containers.
    expect(r.host.mainPid).toBe(pid)
    expect(r.host.restartCount).toBe(0)
    expect(await readPending(r.system)).toBeUndefined()
    expectStrict(r)
  })
})

describe('container guard', () => {
  const running = [
    {id: 'a1', name: 'web'},
    {id: 'b2', name: 'db'},
  ]

  it('refuses a restart that would stop containers without --yes (exit 7): nothing written, no timer, no restart', async () => {
    const r = newRig({services: [], servicesAllowed: ['show'], docker: ['runningContainers', 'info']})
    const original = '{}\n'
    await seedConfig(r, original)
    r.host.containers = [...running]
    const error = await applyError(r, await request(r, '{"log-driver": "local"}\n', ['log-driver'], 'restart'), options())
    expect(error.exitCode).toBe(7)
    expect(error.message).toContain('2 running container(s): web, db')
    expect(await r.host.fs.readText(CONFIG)).toBe(original)
    expect(await listBackups(r.system)).toEqual([])
    expect(r.host.timers.size).toBe(0)
    expect(r.host.containers).toHaveLength(2)
    expectStrict(r)
  })

  it('asks on a TTY and goes ahead when the answer is yes', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer'], docker: ['runningContainers']})
    await seedConfig(r, '{}\n')
    r.host.containers = [...running]
    const questions: string[] = []
    const result = await applyChanges(
      r.system,
      await request(r, '{"log-driver": "local"}\n', ['log-driver'], 'restart'),
      inspector,
      options({confirm: async (q) => (questions.push(q), true)}),
    )
    expect(questions).toEqual([expect.stringContaining('will stop 2 running container(s): web, db')])
    expect(result.containers).toEqual({running: 2, names: ['web', 'db'], liveRestore: false})
    expectStrict(r)
  })

  it('--keep-containers is refused, with the reason, for a change to the bridge itself', async () => {
    const r = newRig({services: [], servicesAllowed: ['show'], docker: ['runningContainers']})
    await seedConfig(r, '{}\n')
    r.host.containers = [...running]
    const error = await applyError(r, await request(r, '{"bip": "192.168.42.1/24"}\n', ['bip'], 'restart'), options({keepContainers: true}))
    expect(error.exitCode).toBe(7)
    expect(error.message).toMatch(/bip rebuilds the default bridge/)
    expect(await r.host.fs.readText(CONFIG)).toBe('{}\n')
    expectStrict(r)
  })

  it('--keep-containers switches live-restore on by reload first, then restarts: the containers survive', async () => {
    const r = newRig({services: ['reload', 'resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer'], docker: ['runningContainers']})
    await seedConfig(r, '{}\n')
    r.host.containers = [...running]
    const result = await applyChanges(r.system, await request(r, '{"log-driver": "local"}\n', ['log-driver'], 'restart'), inspector, options({keepContainers: true}))
    expect(result.action).toBe('restarted')
    expect(JSON.parse((await r.host.fs.readText(CONFIG)) ?? '')).toEqual({'log-driver': 'local', 'live-restore': true})
    expect(r.host.containers).toHaveLength(2)
    expect(result.verification.map((v) => [v.key, v.status])).toEqual([
      ['log-driver', 'verified'],
      ['live-restore', 'verified'],
    ])
    const calls = r.services.strict.calls
    expect(calls.indexOf('reload')).toBeLessThan(calls.indexOf('start'))
    expectStrict(r)
  })

  it('a change that turns live-restore off is guarded: the new dockerd would stop what the old one kept running', async () => {
    const r = newRig({services: [], servicesAllowed: ['show'], docker: ['runningContainers', 'info']})
    const original = '{"live-restore": true}\n'
    await seedConfig(r, original)
    r.host.containers = [...running]
    const error = await applyError(r, await request(r, '{"live-restore": false, "log-driver": "local"}\n', ['live-restore', 'log-driver'], 'restart'), options())
    expect(error.exitCode, error.message).toBe(7)
    expect(error.message).toContain('live-restore off and stop 2 running container(s): web, db')
    expect(await r.host.fs.readText(CONFIG)).toBe(original)
    expect(r.host.containers).toHaveLength(2)
    expectStrict(r)

    const yes = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer'], docker: ['runningContainers']})
    await seedConfig(yes, original)
    yes.host.containers = [...running]
    const result = await applyChanges(
      yes.system,
      await request(yes, '{"live-restore": false, "log-driver": "local"}\n', ['live-restore', 'log-driver'], 'restart'),
      inspector,
      options({yes: true}),
    )
    expect(result.action).toBe('restarted')
    expect(yes.host.containers).toEqual([])
    expectStrict(yes)
  })

  it('--yes accepts the restart; with live-restore already on nothing needs accepting', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer'], docker: ['runningContainers']})
    await seedConfig(r, '{}\n')
    r.host.containers = [...running]
    await applyChanges(r.system, await request(r, '{"log-driver": "local"}\n', ['log-driver'], 'restart'), inspector, options({yes: true}))
    expect(r.host.containers).toEqual([])

    await seedConfig(r, '{"live-restore": true}\n')
    r.host.containers = [...running]
    const result = await applyChanges(r.system, await request(r, '{"live-restore": true, "log-driver": "local"}\n', ['log-driver'], 'restart'), inspector, options())
    expect(result.containers).toMatchObject({running: 2, liveRestore: true})
    expect(r.host.containers).toHaveLength(2)
    expectStrict(r)
  })
})

describe('automatic rollback', () => {
  it('rolls back when dockerd does not come back healthy: exit 4 with the journal of the failed start', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'daemonReload', 'disarmTimer']})
    const original = '{\n  "debug": true\n}\n'
    await seedConfig(r, original)
    r.host.starts = ['fail', 'ok']
    const error = await applyError(r, await request(r, '{"hosts": ["tcp://127.0.0.1:2375"]}\n', ['hosts'], 'restart'), options())
    expect(error.exitCode).toBe(4)
    expect(error.message).toContain('address already in use')
    expect(error.message).toContain('previous configuration was restored (/etc/docker/daemon.json)')
    expect(await r.host.fs.readText(CONFIG)).toBe(original)
    expect(r.host.live).toEqual({debug: true})
    expect(r.host.active).toBe(true)
    expect(r.host.timers.size).toBe(0)
    expect(await readPending(r.system)).toBeUndefined()
    // reset-failed before each start, so the start limit cannot mask the rollback's start; each
    // stop and each start is one systemctl call for the socket and the service.
    const calls = r.services.strict.calls.filter((c) => c === 'resetFailed' || c === 'start' || c === 'stop')
    expect(calls).toEqual(['stop', 'resetFailed', 'start', 'stop', 'resetFailed', 'start'])
    // dockerd (and its socket) went down before the files went back, and came up on the old ones:
    // no automatic restart can catch a half-restored set, and the socket path is created afresh.
    const next = '{"hosts": ["tcp://127.0.0.1:2375"]}'
    expect(r.host.events).toEqual(
      [
        `stop docker.service ${next}`,
        `stop docker.socket ${next}`,
        `start docker.socket ${next}`,
        `start docker.service ${next}`,
        `stop docker.service ${next}`,
        `stop docker.socket ${next}`,
        `start docker.socket ${original.trim()}`,
        `start docker.service ${original.trim()}`,
      ].map((e) => e.trim()),
    )
    expectStrict(r)
  })

  it('rolls back when dockerd runs but the change is not live (mismatch)', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'daemonReload', 'disarmTimer']})
    await seedConfig(r, '{}\n')
    r.host.ignoredKeys.add('mtu')
    const error = await applyError(r, await request(r, '{"mtu": 1400}\n', ['mtu'], 'restart'), options())
    expect(error.exitCode).toBe(4)
    expect(error.message).toMatch(/the change is not live: mtu expected 1400, dockerd has "1500"/)
    expect(await r.host.fs.readText(CONFIG)).toBe('{}\n')
    expect(r.host.restartCount).toBe(2)
    expectStrict(r)
  })

  it('exit 5 when the rollback fails too, with the unit state and the backup to restore; nothing stays armed', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'daemonReload', 'disarmTimer']})
    const original = '{"debug": true}\n'
    await seedConfig(r, original)
    r.host.starts = ['fail', 'fail']
    const error = await applyError(r, await request(r, '{"mtu": 1400}\n', ['mtu'], 'restart'), options())
    expect(error.exitCode).toBe(5)
    const [backup] = await listBackups(r.system)
    expect(backup).toBeDefined()
    expect(error.message).toContain('The rollback failed too')
    expect(error.message).toContain('docker.service is failed/failed')
    expect(error.message).toContain(`the files were restored from backup ${backup?.id}`)
    expect(error.remedy).toContain(`dockcfg rollback ${backup?.id}`)
    expect(errorDocument(error)).toMatchObject({error: {exitCode: 5}, action: 'rollback-failed', changed: true, backupId: backup?.id, service: {activeState: 'failed'}})
    expect(await r.host.fs.readText(CONFIG)).toBe(original)
    // Disarmed, record cleared: nothing may restore this backup later over a repair by hand.
    expect(r.host.timers.size).toBe(0)
    expect(await readPending(r.system)).toBeUndefined()
    const unit = `dockcfg-rollback-${backup?.id.toLowerCase()}`
    expect(r.host.disarmed).toEqual([unit])
    expect(error.message).toContain(`the rollback timer ${unit}.timer is disarmed`)
    expect(errorDocument(error)).toMatchObject({timer: {unit: `${unit}.timer`, armed: false}})
    expectStrict(r)
  })

  it('exit 5 with a timer that cannot be stopped says exactly what is still armed and how to stop it', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'daemonReload', 'disarmTimer']})
    await seedConfig(r, '{"debug": true}\n')
    r.host.starts = ['fail', 'fail']
    r.host.disarmFails = true
    const error = await applyError(r, await request(r, '{"mtu": 1400}\n', ['mtu'], 'restart'), options())
    expect(error.exitCode).toBe(5)
    const [backup] = await listBackups(r.system)
    const unit = `dockcfg-rollback-${backup?.id.toLowerCase()}`
    expect(r.host.timers.has(unit)).toBe(true)
    // The record it acts on is gone, so the timer will find nothing to do; the user is told anyway.
    expect(await readPending(r.system)).toBeUndefined()
    expect(error.message).toContain(`the rollback timer ${unit}.timer could not be stopped; it will find nothing to do when it fires, but stop it: systemctl stop ${unit}.timer`)
    expect(error.remedy).toMatch(new RegExp(`^systemctl stop ${unit}\\.timer; `))
    expect(errorDocument(error)).toMatchObject({timer: {unit: `${unit}.timer`, armed: true}})
    expectStrict(r)
  })
})

describe('verification against flags and file', () => {
  const flags = {bip: '192.168.50.1/24', mtu: 1400, labels: ['team=a']}
  /** The fake's view, with dockerd's conflict rule: a key set both as a flag and in the file. */
  const judging: Inspector = async (fs) => {
    const view = await inspectorWithFlags(flags)(fs)
    const both = Object.keys(flags).filter((k) => k in view.config)
    const errors = both.map((key) => ({
      code: 'flag-file-conflict',
      severity: 'error' as const,
      key,
      message: `${key} is specified both as a flag and in the configuration file`,
      file: CONFIG,
    }))
    return {...view, errors}
  }

  it('fix --prefer flags: keys that leave daemon.json but stay flags are verified live with the flag values, and no undo into the conflict is offered', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer']})
    r.host.flags = flags
    await seedConfig(r, '{"bip": "192.168.50.1/24", "mtu": 1400, "labels": ["team=a"]}\n')
    const result = await applyChanges(r.system, await request(r, '{}\n', ['bip', 'mtu', 'labels'], 'restart'), judging, options())
    expect(result.action).toBe('restarted')
    expect(result.verification.map((v) => [v.key, v.status])).toEqual([
      ['bip', 'verified'],
      ['mtu', 'verified'],
      ['labels', 'verified'],
    ])
    expect(result.verification[1]).toMatchObject({expected: 1400, actual: '1400'})
    // The configuration it replaced is one dockerd refuses: a rollback to it could only be refused.
    expect(result.backupId).toBeDefined()
    expect(result.undo).toBeUndefined()
    expectStrict(r)
  })

  it('a change from a configuration dockerd accepts offers its undo, naming --root and --config-file when they matter', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer']})
    await seedConfig(r, '{}\n')
    const live = await applyChanges(r.system, await request(r, '{"mtu": 1400}\n', ['mtu'], 'restart'), inspector, options())
    expect(live.undo).toBe(`dockcfg rollback ${live.backupId}`)

    const tree = newRig({services: [], servicesAllowed: [], liveHost: false})
    await seedConfig(tree, '{}\n')
    const other: Inspector = async (fs) => ({...(await inspector(fs)), configFile: "/srv/it's.json"})
    const written = await applyChanges(tree.system, await request(tree, '{"mtu": 1400}\n', ['mtu'], 'restart'), other, options())
    expect(written.undo).toBe(`dockcfg rollback ${written.backupId} --root ${tree.host.root} --config-file '/srv/it'\\''s.json'`)
    expectStrict(r)
  })
})

describe('a rollback leaves no trace', () => {
  const dropIn: FileChange = {path: DROPIN, before: undefined, after: '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n'}
  const created = ['/etc/systemd/system/docker.service.d', '/etc/systemd/system', '/etc/systemd']

  it('the backup records the directories a change creates; the automatic rollback removes them', async () => {
    const r = newRig({services: ['daemonReload', 'resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer']})
    await seedConfig(r, '{}\n')
    r.host.starts = ['fail', 'ok']
    const error = await applyError(r, await request(r, '{"debug": true}\n', ['debug'], 'restart', [dropIn]), options())
    expect(error.exitCode).toBe(4)
    const [backup] = await listBackups(r.system)
    expect(backup?.createdDirs).toEqual(created)
    expect(await r.host.fs.lstat('/etc/systemd')).toBeUndefined()
    expect(await r.host.fs.lstat('/etc/docker')).toBeDefined()
    expectStrict(r)
  })

  it('`dockcfg rollback` removes them once it is settled; a directory holding anything else stays, with its parents', async () => {
    const r = newRig({services: ['daemonReload', 'resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer']})
    await seedConfig(r, '{}\n')
    const first = await applyChanges(r.system, await request(r, '{"debug": true}\n', ['debug'], 'restart', [dropIn]), inspector, options())
    await rollbackTo(r.system, first.backupId, CONFIG, inspector, options())
    expect(await r.host.fs.lstat('/etc/systemd')).toBeUndefined()
    expect(await r.host.fs.readText(CONFIG)).toBe('{}\n')

    const second = await applyChanges(r.system, await request(r, '{"debug": true}\n', ['debug'], 'restart', [dropIn]), inspector, options())
    await r.host.fs.writeAtomic('/etc/systemd/system/docker.service.d/10-mine.conf', '[Service]\n', {mode: 0o644})
    await rollbackTo(r.system, second.backupId, CONFIG, inspector, options())
    expect(await r.host.fs.readText(DROPIN)).toBeUndefined()
    expect(await r.host.fs.list('/etc/systemd/system/docker.service.d')).toEqual(['10-mine.conf'])
    expectStrict(r)
  })
})

describe('rollback timer and pending record', () => {
  it('arms a timer running `dockcfg rollback ID --auto` and writes the pending record before touching dockerd; disarms both after verification', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer']})
    await seedConfig(r, '{}\n')
    let seen: {pending: unknown; timers: string[]} | undefined
    r.host.onStart = async (h) => {
      seen = {pending: await readPending(r.system), timers: [...h.timers.keys()]}
    }
    const result = await applyChanges(r.system, await request(r, '{"mtu": 1400}\n', ['mtu'], 'restart'), inspector, options({timeoutMs: 20_000}))
    const id = result.backupId ?? ''
    expect(seen?.pending).toMatchObject({backupId: id, command: 'dockcfg test mtu', pid: process.pid, timerSeconds: rollbackTimerSeconds(20_000)})
    const unit = `dockcfg-rollback-${id.toLowerCase()}`
    expect(seen?.timers).toEqual([unit])
    expect(r.host.disarmed).toEqual([unit])
    expect(await r.host.fs.readText(PENDING_FILE)).toBeUndefined()
    expectStrict(r)
  })

  it('the timer command restores the backup and restarts dockerd, or does nothing once the apply settled', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer']})
    await seedConfig(r, '{}\n')
    // An apply that "died" right after arming: keep its pending record and timer.
    let armed: {id: string; command: readonly string[]} | undefined
    r.host.onStart = async (h) => {
      const pending = await readPending(r.system)
      const timer = h.timers.get(pending?.timerUnit ?? '')
      if (pending && timer) armed = {id: pending.backupId, command: timer.command}
      throw new Error('simulated death of dockcfg')
    }
    await applyChanges(r.system, await request(r, '{"mtu": 1400}\n', ['mtu'], 'restart'), inspector, options()).catch(() => undefined)
    expect(armed?.command.slice(-3)).toEqual(['rollback', armed?.id, '--auto'])

    // The in-process rollback ran too (the error above); put the abandoned state back by hand.
    const host2 = r.host
    host2.onStart = undefined
    const r2 = newRig({services: ['daemonReload', 'resetFailed', 'stop', 'start'], host: host2})
    await r2.system.fs.writeAtomic(CONFIG, '{"mtu": 1400}\n', {mode: 0o644})
    await r2.system.fs.writeAtomic(PENDING_FILE, JSON.stringify({backupId: armed?.id, command: 'x', pid: 999_999_999, startedAt: '', timerUnit: 't', timerSeconds: 1}), {
      mode: 0o600,
    })
    const done = await autoRollback(r2.system, armed?.id ?? '', inspector)
    expect(done).toMatchObject({restored: [CONFIG], healthy: true})
    expect(await r2.system.fs.readText(CONFIG)).toBe('{}\n')
    expect(await readPending(r2.system)).toBeUndefined()
    expect(await autoRollback(r2.system, armed?.id ?? '', inspector)).toMatchObject({skipped: expect.stringContaining('nothing to do')})
    expect(r2.problems()).toEqual([])
  })

  it('the next run reports an apply that died half-way', async () => {
    const r = newRig({services: [], servicesAllowed: []})
    await seedConfig(r, '{}\n')
    await r.system.fs.mkdirp('/var/lib/dockcfg')
    await r.system.fs.writeAtomic(
      PENDING_FILE,
      JSON.stringify({backupId: 'B1', command: 'dockcfg set mtu 1400', pid: 999_999_999, startedAt: 'then', timerUnit: 'dockcfg-rollback-b1', timerSeconds: 75}),
      {mode: 0o600},
    )
    const result = await applyChanges(r.system, await request(r, '{}\n', [], 'none'), inspector, options())
    expect(result.warnings).toEqual([expect.stringMatching(/an earlier apply did not finish: "dockcfg set mtu 1400".*dockcfg rollback B1/)])
    expectStrict(r)
  })
})

describe('a kill between the backup and the last write', () => {
  const original = '{"debug": true}\n'
  const dropIn = '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n'

  /**
   * Starts an apply writing daemon.json and a drop-in, and freezes it for good at `step`, as a
   * SIGKILL there would; its lock is then released as the dead process's lock would be cleared.
   */
  async function killedAt(step: string): Promise<Rig> {
    const r = newRig({services: ['armTimer'], servicesAllowed: ['show', 'journal', 'journalCursor']})
    await seedConfig(r, original)
    let reached: () => void = () => {}
    const frozen = new Promise<void>((resolve) => (reached = resolve))
    r.system.checkpoint = async (at) => {
      if (at !== step) return
      reached()
      await new Promise(() => {})
    }
    const req = await request(r, '{"debug": true, "mtu": 1400}\n', ['mtu'], 'restart', [{path: DROPIN, before: undefined, after: dropIn}])
    void applyChanges(r.system, req, inspector, options())
    await frozen
    await r.system.fs.remove('/run/dockcfg/dockcfg.lock')
    return r
  }

  it('no change goes ahead without its rollback: when systemd-run fails, nothing is written, recorded or kept', async () => {
    const r = newRig({services: ['armTimer', 'disarmTimer']})
    await seedConfig(r, original)
    r.host.armFails = 'systemd-run failed (exit 1): Failed to start transient timer unit'
    const error = await applyError(r, await request(r, '{"debug": true, "mtu": 1400}\n', ['mtu'], 'restart'), options())
    expect(error.message).toMatch(/^nothing was written: the rollback timer could not be armed: systemd-run failed/)
    expect(await r.host.fs.readText(CONFIG)).toBe(original)
    expect(await readPending(r.system)).toBeUndefined()
    expect(await listBackups(r.system)).toEqual([])
    expect(r.host.restartCount).toBe(0)
    expectStrict(r)
  })

  /** daemon.json and a drop-in, with writes to `failing` refused (disk full) from the `from`th attempt on. */
  async function failingWrites(r: Rig, failing: Record<string, number>): Promise<DockcfgError | Error> {
    const fs = r.system.fs
    const attempts = new Map<string, number>()
    r.system.fs = Object.assign(Object.create(fs) as typeof fs, {
      writeAtomic: async (p: string, data: string | Buffer, o: Parameters<typeof fs.writeAtomic>[2]) => {
        const n = (attempts.get(p) ?? 0) + 1
        attempts.set(p, n)
        if (failing[p] !== undefined && n >= failing[p]) throw Object.assign(new Error(`ENOSPC: no space left on device, write ${p}`), {code: 'ENOSPC'})
        return fs.writeAtomic(p, data, o)
      },
    })
    const req = await request(r, '{"debug": true, "mtu": 1400}\n', ['mtu'], 'restart', [{path: DROPIN, before: undefined, after: dropIn}])
    const error = await applyChanges(r.system, req, inspector, options()).then(
      () => undefined,
      (e: unknown) => e,
    )
    r.system.fs = fs
    if (!(error instanceof Error)) throw new Error('expected the apply to fail')
    return error
  }

  it('a write that fails after arming puts back what it wrote, then disarms: nothing left to undo', async () => {
    const r = newRig({services: ['armTimer', 'disarmTimer']})
    await seedConfig(r, original)
    const error = await failingWrites(r, {[DROPIN]: 1})
    expect(error.message).toContain('no space left on device')
    expect(await r.host.fs.readText(CONFIG)).toBe(original)
    expect(await r.host.fs.lstat('/etc/systemd')).toBeUndefined()
    expect(r.host.timers.size).toBe(0)
    expect(await readPending(r.system)).toBeUndefined()
    expectStrict(r)
  })

  it('when putting back fails too, the timer stays armed (and the record with it) to restore the backup later', async () => {
    const r = newRig({services: ['armTimer']})
    await seedConfig(r, original)
    // The drop-in cannot be written, nor daemon.json put back (its second write).
    const error = await failingWrites(r, {[DROPIN]: 1, [CONFIG]: 2})
    const [backup] = await listBackups(r.system)
    expect(await r.host.fs.readText(CONFIG)).not.toBe(original)
    expect([...r.host.timers.keys()]).toEqual([`dockcfg-rollback-${backup?.id.toLowerCase()}`])
    expect(await readPending(r.system)).toMatchObject({backupId: backup?.id})
    expect(error.message).toContain(`stays armed and restores backup ${backup?.id}`)
    expectStrict(r)
  })

  for (const step of ['backup-taken', 'timer-armed', 'pending-recorded', 'wrote-1', 'wrote-2']) {
    it(`killed at ${step}: a timer is armed before any file is written, and its run leaves the host exactly as it was`, async () => {
      const r = await killedAt(step)
      const [backup] = await listBackups(r.system)
      const wrote = step.startsWith('wrote-')
      // Armed first, recorded next, written last: whatever is written has its timer and record.
      if (step !== 'backup-taken') expect([...r.host.timers.keys()]).toEqual([`dockcfg-rollback-${backup?.id.toLowerCase()}`])
      if (step === 'pending-recorded' || wrote) expect(await readPending(r.system)).toMatchObject({backupId: backup?.id})
      const restarts = r.host.restartCount
      const pid = r.host.mainPid
      // The timer's command, run as systemd would run it.
      const timer = newRig({services: wrote ? ['daemonReload', 'resetFailed', 'stop', 'start'] : [], servicesAllowed: ['show', 'journal', 'journalCursor'], host: r.host})
      const done = await autoRollback(timer.system, backup?.id ?? '', inspector)
      expect(await r.host.fs.readText(CONFIG)).toBe(original)
      expect(await r.host.fs.readText(DROPIN)).toBeUndefined()
      expect(await readPending(r.system)).toBeUndefined()
      // Nor is the drop-in directory (and its parents) the apply created left behind.
      expect(await r.host.fs.lstat('/etc/systemd')).toBeUndefined()
      expect(r.host.active).toBe(true)
      if (wrote) {
        expect(done).toMatchObject({healthy: true, restored: [CONFIG, DROPIN]})
      } else {
        // Nothing was written: nothing to undo, and dockerd is not restarted for nothing.
        expect(done.restored).toEqual([])
        expect(done.skipped).toMatch(/nothing/)
        expect(r.host.restartCount).toBe(restarts)
        expect(r.host.mainPid).toBe(pid)
      }
      expect(timer.problems()).toEqual([])
    })
  }
})

describe('an apply that died half-way', () => {
  const abandoned = {backupId: 'B1', command: 'dockcfg set mtu 1400', pid: 999_999_999, startedAt: 'then', timerUnit: 'dockcfg-rollback-b1', timerSeconds: 75}

  it('refuses a new change on top of it (exit 7, nothing written): its timer would undo the change later', async () => {
    const r = newRig({services: [], servicesAllowed: []})
    await seedConfig(r, '{"mtu": 1400}\n')
    await r.system.fs.mkdirp('/var/lib/dockcfg')
    await r.system.fs.writeAtomic(PENDING_FILE, JSON.stringify(abandoned), {mode: 0o600})
    const error = await applyError(r, await request(r, '{"mtu": 1400, "debug": true}\n', ['debug'], 'reload'), options({yes: true}))
    expect(error.exitCode).toBe(7)
    expect(error.message).toContain('an earlier apply did not finish: "dockcfg set mtu 1400"')
    expect(error.remedy).toContain('dockcfg rollback B1')
    expect(await r.host.fs.readText(CONFIG)).toBe('{"mtu": 1400}\n')
    await expect(restartDaemon(r.system, inspector, options({yes: true}))).rejects.toMatchObject({exitCode: 7})
    expectStrict(r)
  })

  it('`dockcfg rollback ID` of that apply finishes its job and disarms its timer first', async () => {
    // daemonReload: the dying apply's own (failed) rollback attempt.
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer', 'daemonReload']})
    await seedConfig(r, '{}\n')
    // A real apply that dies right after arming its timer (its process is "gone": another pid).
    r.host.onStart = () => {
      throw new Error('killed')
    }
    await applyChanges(r.system, await request(r, '{"mtu": 1400}\n', ['mtu'], 'restart'), inspector, options()).catch(() => undefined)
    r.host.onStart = undefined
    const [backup] = await listBackups(r.system)
    await r.system.fs.writeAtomic(CONFIG, '{"mtu": 1400}\n', {mode: 0o644})
    const pending = await readPending(r.system)
    await r.system.fs.writeAtomic(PENDING_FILE, JSON.stringify({...pending, pid: 999_999_999}), {mode: 0o600})
    r.host.disarmed.length = 0

    const result = await rollbackTo(r.system, backup?.id, CONFIG, inspector, options({yes: true}))
    expect(result.action).toBe('restarted')
    expect(await r.host.fs.readText(CONFIG)).toBe('{}\n')
    expect(r.host.disarmed[0]).toBe(pending?.timerUnit)
    expect(await readPending(r.system)).toBeUndefined()
    expectStrict(r)
  })
})

describe('writing only', () => {
  it('--no-restart writes and reports what is pending; no service is touched', async () => {
    const r = newRig({services: [], servicesAllowed: []})
    await seedConfig(r, '{}\n')
    const result = await applyChanges(r.system, await request(r, '{"mtu": 1400}\n', ['mtu'], 'restart'), inspector, options({noRestart: true}))
    expect(result).toMatchObject({action: 'written', pending: 'restart', pendingReason: '--no-restart was given'})
    expect(await r.host.fs.readText(CONFIG)).toBe('{"mtu": 1400}\n')
    expect(result.backupId).toBeDefined()
    expect(r.host.timers.size).toBe(0)
    expectStrict(r)
  })

  it('--root other than / writes only, and never asks for services', async () => {
    const r = newRig({services: [], servicesAllowed: [], liveHost: false})
    await seedConfig(r, '{}\n')
    const result = await applyChanges(r.system, await request(r, '{"debug": true}\n', ['debug'], 'reload'), inspector, options())
    expect(result).toMatchObject({action: 'written', pending: 'reload'})
    expect(result.pendingReason).toMatch(/--root is not \//)
    expect(await r.host.fs.readText(CONFIG)).toBe('{"debug": true}\n')
    expectStrict(r)
  })

  it('a file with two problems is repaired one at a time: written with --no-restart (the rest reported), never restarted into', async () => {
    // The engine's view with the validator's verdicts on three problems this test plants.
    const judging: Inspector = async (fs) => {
      const view = await inspector(fs)
      const problems: Array<[RegExp, string, string]> = [
        [/"bogus-key"/, 'unknown-key', '"bogus-key" is not a daemon.json key'],
        [/"bip": "bogus"/, 'bip-invalid', '"bip" "bogus" is not an IPv4 address/prefix'],
        [/"mtu": -5/, 'mtu-out-of-range', '"mtu" -5 is negative'],
      ]
      const errors = problems.filter(([re]) => re.test(view.configText)).map(([, code, message]) => ({code, severity: 'error' as const, message, file: CONFIG}))
      return {...view, errors}
    }
    const broken = '{"bogus-key": 1, "bip": "bogus"}\n'
    const r = newRig({services: [], servicesAllowed: ['show']})
    await seedConfig(r, broken)
    const partial = await request(r, '{"bip": "bogus"}\n', ['bogus-key'], 'restart')
    // On the live host, a restart into a configuration dockerd still refuses is not attempted.
    const refused = await applyError(r, partial, options(), judging)
    expect(refused.exitCode).toBe(3)
    expect(refused.message).toMatch(/would still refuse the result, so nothing was written or restarted:\n.*"bip" "bogus"/)
    expect(await r.host.fs.readText(CONFIG)).toBe(broken)
    // Writing only, the repair lands and the remaining problem is named.
    const written = await applyChanges(r.system, partial, judging, options({noRestart: true}))
    expect(written.action).toBe('written')
    expect(written.warnings.join('\n')).toMatch(/dockerd would still refuse this configuration:\n.*"bip" "bogus"/)
    // A change that brings a new problem is still refused.
    const worse = await applyError(r, await request(r, '{"bip": "bogus", "mtu": -5}\n', ['mtu'], 'restart'), options({noRestart: true}), judging)
    expect(worse.exitCode).toBe(3)
    expect(worse.message).toMatch(/mtu/)
    expect(worse.message).not.toMatch(/"bip" "bogus"/)
    expectStrict(r)
  })

  it('--dry-run writes nothing and reports the verdict', async () => {
    const r = newRig({services: [], servicesAllowed: []})
    await seedConfig(r, '{}\n')
    const result = await applyChanges(r.system, await request(r, '{"debug": true}\n', ['debug'], 'reload'), inspector, options({dryRun: true}))
    expect(result).toMatchObject({dryRun: true, action: 'none', pending: 'reload'})
    expect(result.diff).toContain('+{"debug": true}')
    expect(await r.host.fs.readText(CONFIG)).toBe('{}\n')
    expectStrict(r)
  })

  it('a preflight failure exits 3 and writes nothing', async () => {
    const r = newRig({services: [], servicesAllowed: []})
    await seedConfig(r, '{}\n')
    r.host.validateFails = 'invalid bip'
    const error = await applyError(r, await request(r, '{"bip": "x"}\n', ['bip'], 'restart'), options())
    expect(error.exitCode).toBe(3)
    expect(error.message).toContain('invalid bip')
    expect(await r.host.fs.readText(CONFIG)).toBe('{}\n')
    expect(await listBackups(r.system)).toEqual([])
    expectStrict(r)
  })
})

describe('events in the order they happen', () => {
  /** Every event the engine tells, with waits as their start and end. */
  function recorder(): {events: string[]; options: Partial<ApplyOptions>} {
    const events: string[] = []
    return {
      events,
      options: {
        progress: (line) => events.push(line),
        plan: (p) => events.push(...p.findings.map((f) => `finding ${f.code}`), ...p.actions),
        waiting: (label) => {
          events.push(`[${label}]`)
          return () => events.push(`[/${label}]`)
        },
      },
    }
  }

  it('a live apply: the plan, the preflight and its verdict, the write, the restart and its wait; the summary keeps only what is new', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer']})
    await seedConfig(r, '{}\n')
    const rec = recorder()
    const req = {
      ...(await request(r, '{"bip": "192.168.42.1/24"}\n', ['bip'], 'restart')),
      notes: {findings: [{code: 'bip-note', severity: 'warning' as const, message: 'a note'}], actions: ['bip: moved --bip 10.0.0.1/24 into /etc/docker/daemon.json']},
    }
    const result = await applyChanges(r.system, req, inspector, options(rec.options))
    expect(rec.events).toEqual([
      'finding bip-note',
      'bip: moved --bip 10.0.0.1/24 into /etc/docker/daemon.json',
      'preflight: asking dockerd about the new configuration',
      '[preflight]',
      '[/preflight]',
      'preflight: validate: configuration OK',
      `wrote ${CONFIG} (backup ${result.backupId})`,
      'restarting dockerd',
      '[waiting for dockerd to come back]',
      '[/waiting for dockerd to come back]',
    ])
    const summary: string[] = []
    renderApplyResult(result, {log: (s) => summary.push(`stdout: ${s}`), say: (s) => summary.push(s)})
    expect(summary).toEqual([
      `dockerd restarted (backup ${result.backupId}; undo with: dockcfg rollback ${result.backupId})`,
      '  bip: live (bridge network IPAM subnet and gateway, docker0 address)',
    ])
    expectStrict(r)
  })

  it('a rollback: its start first, then the rolled-back apply as it happens, its waits included', async () => {
    const r = newRig({services: ['resetFailed', 'stop', 'start', 'armTimer', 'disarmTimer', 'daemonReload']})
    await seedConfig(r, '{}\n')
    const first = await applyChanges(r.system, await request(r, '{"mtu": 1400}\n', ['mtu'], 'restart'), inspector, options())
    r.host.starts = ['fail', 'ok']
    const rec = recorder()
    await rollbackTo(r.system, first.backupId, CONFIG, inspector, options(rec.options)).catch(() => undefined)
    expect(rec.events.slice(0, 1)).toEqual([`rolling back to backup ${first.backupId}`])
    expect(rec.events.slice(-4)).toEqual([
      '[/waiting for dockerd to come back]',
      expect.stringMatching(/^rolling back: docker\.service failed/),
      '[waiting for dockerd to come back on the previous configuration]',
      '[/waiting for dockerd to come back on the previous configuration]',
    ])
    expectStrict(r)
  })
})

describe('dockcfg restart', () => {
  it('is one systemd job for the socket and the service: killed once it is issued, dockerd still comes back', async () => {
    // No stop or start is allowed: a kill between those left both units down.
    const r = newRig({services: ['resetFailed', 'restart']})
    await seedConfig(r, '{}\n')
    const before = r.host.invocation
    let issued = false
    r.system.checkpoint = async (step) => {
      if (step !== 'restart-issued') return
      issued = true
      // SIGKILL here: nothing of this run happens any more.
      await new Promise(() => {})
    }
    void restartDaemon(r.system, inspector, options())
    await vi.waitFor(() => expect(issued).toBe(true))
    expect(r.host.events).toEqual(['restart docker.socket docker.service {}'])
    expect(r.host.active).toBe(true)
    expect(r.host.socketActive).toBe(true)
    expect(r.host.invocation).toBe(before + 1)
    const calls = r.services.strict.calls
    expect(calls.indexOf('resetFailed')).toBeLessThan(calls.indexOf('restart'))
    expectStrict(r)
  })

  it('restarts on the current configuration and reports the new PID; refuses with running containers unless --yes', async () => {
    const r = newRig({services: ['resetFailed', 'restart'], docker: ['runningContainers']})
    await seedConfig(r, '{}\n')
    r.host.containers = [{id: 'a', name: 'web'}]
    await expect(restartDaemon(r.system, inspector, options())).rejects.toMatchObject({exitCode: 7})
    const result = await restartDaemon(r.system, inspector, options({yes: true}))
    expect(result).toMatchObject({action: 'restarted', pid: r.host.mainPid})
    expect(typeof result.pid).toBe('number')
    expectStrict(r)
  })
})
