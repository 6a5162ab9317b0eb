/**
 * Issue 11, speed of a safe apply, on a real host: what the faster engine no longer does must not
 * cost a guarantee. A reload-only change goes without a trial dockerd (dockerd < 23 has no
 * --validate), because dockerd judges the file itself on SIGHUP and keeps running its old
 * configuration when it refuses it: that refusal must still be seen and rolled back, with dockerd
 * neither restarted nor left with the new file. Keys whose reload can fail halfway keep the trial.
 */
import {afterAll, describe, it} from 'vitest'

import {apiGet, cli, DAEMON_JSON, describeRun, dockerState, onFreshHost, snapshotFiles} from './harness/docker-probes.js'
import {e2eGate, stopAllHosts, type TestHost} from './harness/testbed.js'

const gate = e2eGate()
const SKIPPED = 'preflight: skipped: no trial start: a change applied by SIGHUP alone is checked by dockerd itself, which keeps its running configuration when it refuses it'
const TRIAL = 'preflight: trial-start: a trial dockerd started with this configuration'

/** What a restart would change (ExecStart's own timestamps change with every reload job). */
async function pidAndInvocation(h: TestHost): Promise<{active: string; mainPid: number; invocation: string}> {
  const {active, mainPid, invocation} = await dockerState(h)
  return {active, mainPid, invocation}
}

interface Info {
  Debug: boolean
  Labels: string[]
}

describe.skipIf(!gate.ok)('speed of a safe apply (issue 11)', () => {
  afterAll(stopAllHosts)

  describe.concurrent('scenarios', () => {
    it('a reload-only change goes without a trial start; a reload dockerd refuses is rolled back, dockerd keeps its PID and configuration', async ({expect}) => {
      await onFreshHost(async (h) => {
        await h.writeFile(DAEMON_JSON, '{}\n')
        await h.exec(['systemctl', 'restart', 'docker'])
        await h.waitDockerActive()
        const before = await pidAndInvocation(h)

        const debug = await cli(h, ['set', 'debug', 'true'])
        expect(debug.exitCode, describeRun(['set', 'debug', 'true'], debug)).toBe(0)
        expect(debug.stderr).toContain(SKIPPED)
        expect(debug.stderr).not.toContain('trial-start')
        expect(debug.output).toContain('dockerd reloaded')
        expect((await apiGet<Info>(h, '/info')).Debug).toBe(true)
        expect(await pidAndInvocation(h)).toEqual(before)

        // dockerd runs with --label x=y from its environment file, which the admin has since
        // emptied without a restart: dockcfg reads the files and sees no flag, so labels in
        // daemon.json look fine, but the running dockerd refuses them on SIGHUP (flag and file).
        // No trial could have told: it would start from the files, without the flag, and pass.
        await h.writeFile('/etc/default/docker', 'DOCKER_OPTS="--label x=y"\n')
        await h.exec(['systemctl', 'restart', 'docker'])
        await h.waitDockerActive()
        await h.writeFile('/etc/default/docker', '')
        const running = await pidAndInvocation(h)
        const files = await snapshotFiles(h, [DAEMON_JSON])

        const labels = await cli(h, ['set', 'labels', 'env=prod'])
        expect(labels.exitCode, describeRun(['set', 'labels', 'env=prod'], labels)).toBe(4)
        expect(labels.stderr).toContain(SKIPPED)
        expect(labels.stderr).toContain('dockerd refused the reload')
        expect(labels.stderr).toContain('the following directives are specified both as a flag and in the configuration file: labels')
        expect(labels.stderr).toContain('The previous configuration was restored (/etc/docker/daemon.json)')
        // The files are back byte for byte; dockerd was neither restarted nor changed.
        expect(await snapshotFiles(h, [DAEMON_JSON])).toEqual(files)
        expect(await pidAndInvocation(h)).toEqual(running)
        expect((await apiGet<Info>(h, '/info')).Labels).toEqual(['x=y'])
        // Nothing stays armed to put a backup back later.
        expect((await h.exec(['sh', '-c', 'systemctl list-timers --all --no-legend "dockcfg-rollback-*" | wc -l'])).stdout.trim()).toBe('0')
        expect(await h.exists('/var/lib/dockcfg/pending-apply.json')).toBe(false)
      })
    })

    it('a reload-only key whose reload can fail halfway keeps its trial start', async ({expect}) => {
      await onFreshHost(async (h) => {
        await h.writeFile(DAEMON_JSON, '{}\n')
        await h.exec(['systemctl', 'restart', 'docker'])
        await h.waitDockerActive()
        const before = await dockerState(h)
        const mirror = await cli(h, ['set', 'registry-mirrors', 'https://mirror.example.com'])
        expect(mirror.exitCode, describeRun(['set', 'registry-mirrors'], mirror)).toBe(0)
        expect(mirror.stderr).toContain(TRIAL)
        expect(mirror.output).toContain('dockerd reloaded')
        const after = await dockerState(h)
        expect(after.mainPid).toBe(before.mainPid)
      })
    })
  })
})
