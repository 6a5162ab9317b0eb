/**
 * Issue 9 items 17 to 21 on real hosts (docker.io 20.10.24): changes that used to be applied, or
 * refused, wrongly. Each scenario gets a fresh host; assertions look at the real effect with the
 * host's own tools (docker, curl on the API socket, systemctl), never at what dockcfg says it did.
 */
import {afterAll, describe, it} from 'vitest'
import {e2eGate, stopAllHosts} from './harness/testbed.js'
import {
  apiGet,
  bridgeNetwork,
  cli,
  containerPid,
  containerView,
  DAEMON_JSON,
  describeRun,
  docker0Addresses,
  dockerState,
  DROPIN_DIR,
  occupyPort,
  onFreshHost,
  pingOk,
  snapshotFiles,
  startSleeper,
  startWith,
} from './harness/docker-probes.js'

const gate = e2eGate()

describe.skipIf(!gate.ok)('changes applied or refused wrongly (issue 9 items 17-21)', () => {
  afterAll(stopAllHosts)

  describe.concurrent('scenarios', () => {
    it('17. set mtu 99999 is refused before anything is written; set mtu 9000 still works', async ({expect}) => {
      await onFreshHost(async (h) => {
        const before = await snapshotFiles(h, [DAEMON_JSON])
        const state = await dockerState(h)
        const args = ['set', 'mtu', '99999', '--yes']
        const refused = await cli(h, args)
        expect(refused.exitCode, describeRun(args, refused)).toBe(3)
        expect(refused.output).toContain('"mtu" 99999 is outside 68..65535')
        expect(await snapshotFiles(h, [DAEMON_JSON])).toEqual(before)
        expect((await dockerState(h)).invocation).toBe(state.invocation)

        const jumbo = await cli(h, ['set', 'mtu', '9000', '--yes'])
        expect(jumbo.exitCode, describeRun(['set', 'mtu', '9000', '--yes'], jumbo)).toBe(0)
        expect((await bridgeNetwork(h)).mtu).toBe('9000')
        const c = await containerView(h)
        expect(c.eth0Mtu, c.raw).toBe(9000)
      })
    })

    it('18. live-restore and a running container: set bip is refused (exit 7) with the remedy; with --yes the container is stopped first and bip is live', async ({expect}) => {
      await onFreshHost(async (h) => {
        await startWith(h, '{"live-restore": true}\n')
        const pid = await startSleeper(h, 'web')
        const before = await snapshotFiles(h, [DAEMON_JSON])
        const state = await dockerState(h)

        const args = ['set', 'bip', '192.168.42.1/24']
        const refused = await cli(h, args)
        expect(refused.exitCode, describeRun(args, refused)).toBe(7)
        expect(refused.output).toContain('1 running container(s) (web) would keep the old one')
        expect(refused.output).toContain('docker stop web')
        expect(refused.output).toContain('--yes')
        expect(await snapshotFiles(h, [DAEMON_JSON])).toEqual(before)
        expect((await dockerState(h)).invocation).toBe(state.invocation)
        expect(await containerPid(h, 'web')).toBe(pid)

        const yes = [...args, '--yes']
        const applied = await cli(h, yes)
        expect(applied.exitCode, describeRun(yes, applied)).toBe(0)
        expect(applied.output).toMatch(/bip: live/)
        expect(applied.output).toContain('warning: stopped 1 running container(s) (web) before the restart')
        expect(await containerPid(h, 'web')).toBe(0)
        expect(await docker0Addresses(h)).toContain('192.168.42.1/24')
        expect((await bridgeNetwork(h)).subnets).toContain('192.168.42.0/24')
        expect((await apiGet<{LiveRestoreEnabled: boolean}>(h, '/info')).LiveRestoreEnabled).toBe(true)
      })
    })

    it('19. the trial start does not refuse what dockerd starts with: userns-remap default, a user-managed bridge', async ({expect}) => {
      await onFreshHost(async (h) => {
        const args = ['set', 'userns-remap', 'default', '--yes']
        const userns = await cli(h, args)
        expect(userns.exitCode, describeRun(args, userns)).toBe(0)
        expect(userns.output).toContain('preflight: trial-start: a trial dockerd started with this configuration')
        const info = await apiGet<{SecurityOptions: string[]; DockerRootDir: string}>(h, '/info')
        expect(info.SecurityOptions).toContainEqual(expect.stringMatching(/^name=userns/))
        expect(info.DockerRootDir).toMatch(/^\/var\/lib\/docker\/\d+\.\d+$/)
        // The trial left nothing behind (the installed dockerd's version is kept there between runs).
        expect((await h.exec(['ls', '-A', '/run/dockcfg'])).stdout.trim()).toBe('dockerd-version.json')

        // A bridge the admin made exists only in the host's network namespace, not in the trial's.
        await h.exec(['ip', 'link', 'add', 'br-ops', 'type', 'bridge'])
        await h.exec(['ip', 'addr', 'add', '10.77.0.1/24', 'dev', 'br-ops'])
        await h.exec(['ip', 'link', 'set', 'br-ops', 'up'])
        const bridgeArgs = ['set', 'bridge', 'br-ops', '--yes']
        const bridge = await cli(h, bridgeArgs)
        expect(bridge.exitCode, describeRun(bridgeArgs, bridge)).toBe(0)
        expect(bridge.output).toContain('not judged by the trial: bridge')
        const net = await apiGet<{Options: Record<string, string>}>(h, '/networks/bridge')
        expect(net.Options['com.docker.network.bridge.name']).toBe('br-ops')
      })
    })

    it('20. set data-root: refused without --yes (exit 7, nothing changed); with --yes warned, applied, dockerd runs on the new root', async ({expect}) => {
      await onFreshHost(async (h) => {
        const before = await snapshotFiles(h, [DAEMON_JSON])
        const state = await dockerState(h)
        const args = ['set', 'data-root', '/srv/docker']
        const refused = await cli(h, args)
        expect(refused.exitCode, describeRun(args, refused)).toBe(7)
        expect(refused.output).toContain('"data-root" changes from /var/lib/docker to /srv/docker')
        expect(refused.output).toContain('rsync -aHAX --numeric-ids /var/lib/docker/ /srv/docker/')
        expect(refused.output).toContain('--yes')
        expect(await snapshotFiles(h, [DAEMON_JSON])).toEqual(before)
        expect((await dockerState(h)).invocation).toBe(state.invocation)

        const yes = [...args, '--yes']
        const applied = await cli(h, yes)
        expect(applied.exitCode, describeRun(yes, applied)).toBe(0)
        expect(applied.output).toContain('warning: "data-root" changes from /var/lib/docker to /srv/docker')
        expect(applied.output).toMatch(/data-root: live/)
        expect((await apiGet<{DockerRootDir: string}>(h, '/info')).DockerRootDir).toBe('/srv/docker')
      })
    })

    it('21. a tcp:// listener on a port another process holds is refused before anything is written: exit 3, dockerd never restarted', async ({expect}) => {
      await onFreshHost(async (h) => {
        await occupyPort(h, 2376)
        const files = [DAEMON_JSON, `${DROPIN_DIR}/50-dockcfg.conf`]
        const before = await snapshotFiles(h, files)
        const state = await dockerState(h)

        const remote = ['remote', 'enable', '--insecure', '--address', '127.0.0.1', '--port', '2376', '--yes']
        const refused = await cli(h, remote)
        expect(refused.exitCode, describeRun(remote, refused)).toBe(3)
        expect(refused.output).toMatch(/port 2376 is already in use on 127\.0\.0\.1:2376 by python3 \(pid \d+\)/)
        expect(refused.output).toContain('nothing was changed')

        // Any address overlapping the squatter's: 0.0.0.0 is one dual-stack socket for Go.
        const hosts = ['set', 'hosts', 'fd://', 'tcp://0.0.0.0:2376', '--yes']
        const viaSet = await cli(h, hosts)
        expect(viaSet.exitCode, describeRun(hosts, viaSet)).toBe(3)
        expect(viaSet.output).toContain('python3')

        expect(await snapshotFiles(h, files)).toEqual(before)
        const after = await dockerState(h)
        expect(after.invocation).toBe(state.invocation)
        expect(after.active).toBe('active')

        // A free port goes through; once dockerd holds it, changing the listener's address on the
        // same port is no clash (dockerd lets go of it when it stops).
        const free = ['set', 'hosts', 'fd://', 'tcp://127.0.0.1:2377', '--yes']
        const ok = await cli(h, free)
        expect(ok.exitCode, describeRun(free, ok)).toBe(0)
        expect(await pingOk(h, {url: 'http://127.0.0.1:2377'})).toBe(true)
        const moved = ['set', 'hosts', 'fd://', 'tcp://0.0.0.0:2377', '--yes']
        const again = await cli(h, moved)
        expect(again.exitCode, describeRun(moved, again)).toBe(0)
        expect(await pingOk(h, {url: 'http://127.0.0.1:2377'})).toBe(true)
      })
    })
  })
})
