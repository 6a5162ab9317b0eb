/**
 * Issue 4's end-to-end scenarios: dockcfg's safe apply against real systemd and a real dockerd
 * (docker.io 20.10.24) in booted test hosts. Every scenario gets a fresh host; they are independent,
 * so they run concurrently. Assertions look at the real effect with the host's own tools (ip, curl on
 * the API socket, docker, systemctl), never at what dockcfg says it did.
 */
import {afterAll, describe, it} from 'vitest'
import {finish, startPaused} from './harness/paused.js'
import {e2eGate, GUEST_CLI, stopAllHosts} from './harness/testbed.js'
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
  waitFor,
} from './harness/docker-probes.js'

const gate = e2eGate()

interface Info {
  Debug: boolean
  Labels: string[]
  LiveRestoreEnabled: boolean
}

describe.skipIf(!gate.ok)('safe apply on a real host (issue 4)', () => {
  afterAll(stopAllHosts)

  describe.concurrent('scenarios', () => {
    it('1. hosts conflict: validate exits 3 and touches nothing; fix resolves it; unix socket and TCP both answer', async ({expect}) => {
      await onFreshHost(async (h) => {
        await h.writeFile(DAEMON_JSON, '{"hosts": ["unix:///var/run/docker.sock", "tcp://127.0.0.1:2375"]}\n', 0o644)
        const failed = await h.exec(['systemctl', 'restart', 'docker'], {allowFail: true})
        expect(failed.exitCode).not.toBe(0)
        expect((await h.journal('docker')).text).toContain('the following directives are specified both as a flag and in the configuration file: hosts')
        // systemd retries (Restart=on-failure) until the start limit: wait for that to settle, so a
        // new invocation below can only come from dockcfg.
        await waitFor('docker.service to give up (start limit)', 30_000, async () => (await dockerState(h)).active === 'failed')

        const before = await snapshotFiles(h, [DAEMON_JSON, `${DROPIN_DIR}/50-dockcfg.conf`])
        const stateBefore = await dockerState(h)
        const validate = await cli(h, ['validate'])
        expect(validate.exitCode, describeRun(['validate'], validate)).toBe(3)
        expect(validate.output).toContain('specified both as a flag and in the configuration file')
        expect(validate.output).toMatch(/dockcfg fix/)
        expect(await snapshotFiles(h, [DAEMON_JSON, `${DROPIN_DIR}/50-dockcfg.conf`])).toEqual(before)
        const stateAfter = await dockerState(h)
        expect(stateAfter.invocation).toBe(stateBefore.invocation)
        expect(stateAfter.active).not.toBe('active')

        const fix = await cli(h, ['fix', '--yes'])
        expect(fix.exitCode, describeRun(['fix', '--yes'], fix)).toBe(0)
        expect(fix.output).toContain('dockerd restarted')
        expect((await dockerState(h)).active).toBe('active')
        expect(await h.exists(`${DROPIN_DIR}/50-dockcfg.conf`)).toBe(true)
        expect(await pingOk(h, {socket: '/var/run/docker.sock'})).toBe(true)
        expect(await pingOk(h, {url: 'http://127.0.0.1:2375'})).toBe(true)
        // The fix holds: nothing left to complain about, and a plain restart works again.
        const again = await cli(h, ['validate'])
        expect(again.exitCode, describeRun(['validate'], again)).toBe(0)
        await h.exec(['systemctl', 'restart', 'docker'])
        await h.waitDockerActive()
      })
    })

    it('2. set bip, mtu, dns: docker0, the bridge network and a new container show them', async ({expect}) => {
      await onFreshHost(async (h) => {
        const bip = await cli(h, ['set', 'bip', '192.168.42.1/24', '--yes'])
        expect(bip.exitCode, describeRun(['set', 'bip'], bip)).toBe(0)
        expect(bip.output).toMatch(/bip: live/)
        expect(await docker0Addresses(h)).toContain('192.168.42.1/24')
        const net = await bridgeNetwork(h)
        expect(net.subnets).toContain('192.168.42.0/24')
        expect(net.gateways).toContain('192.168.42.1')

        const mtu = await cli(h, ['set', 'mtu', '1400', '--yes'])
        expect(mtu.exitCode, describeRun(['set', 'mtu'], mtu)).toBe(0)
        expect(mtu.output).toMatch(/mtu: live/)
        const dns = await cli(h, ['set', 'dns', '114.114.114.114', '8.8.8.8', '--yes'])
        expect(dns.exitCode, describeRun(['set', 'dns'], dns)).toBe(0)

        expect((await bridgeNetwork(h)).mtu).toBe('1400')
        const c = await containerView(h)
        expect(c.nameservers, c.raw).toEqual(['114.114.114.114', '8.8.8.8'])
        expect(c.eth0Mtu, c.raw).toBe(1400)
        // Each change kept the earlier ones.
        expect(await docker0Addresses(h)).toContain('192.168.42.1/24')
      })
    })

    it('3. a reloadable change is applied by reload: same dockerd PID, the container keeps running', async ({expect}) => {
      await onFreshHost(async (h) => {
        const containerBefore = await startSleeper(h, 'keep')
        const before = await dockerState(h)

        // No --yes: a reload stops no container, so there is nothing to confirm.
        const labels = await cli(h, ['set', 'labels', 'env=prod'])
        expect(labels.exitCode, describeRun(['set', 'labels'], labels)).toBe(0)
        expect(labels.output).toContain('dockerd reloaded')
        const debug = await cli(h, ['set', 'debug', 'true'])
        expect(debug.exitCode, describeRun(['set', 'debug'], debug)).toBe(0)
        expect(debug.output).toContain('dockerd reloaded')

        const info = await apiGet<Info>(h, '/info')
        expect(info.Labels).toContain('env=prod')
        expect(info.Debug).toBe(true)
        const after = await dockerState(h)
        expect(after.mainPid).toBe(before.mainPid)
        expect(after.invocation).toBe(before.invocation)
        expect(await containerPid(h, 'keep')).toBe(containerBefore)
        expect((await h.journal('docker')).text).toContain('Reloaded configuration')
      })
    })

    it('4. an address on no interface is refused by preflight; a port taken after preflight fails the real start: exit 4, every file back byte for byte; btrfs never leaves it broken', async ({
      expect,
    }) => {
      await onFreshHost(async (h) => {
        // An admin's own drop-in that sets ExecStart (with -H fd://) and a hand-formatted daemon.json:
        // the hosts change has to edit both, and the rollback has to put both back exactly.
        const dropIn = `${DROPIN_DIR}/10-local.conf`
        await h.writeFile(dropIn, '# local override, keep me\n[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n', 0o644)
        await h.exec(['systemctl', 'daemon-reload'])
        await startWith(h, '{\n    "debug":   false,\n    "labels": ["owner=ops"]\n}\n')
        const touched = [DAEMON_JSON, dropIn, `${DROPIN_DIR}/50-dockcfg.conf`]
        const before = await snapshotFiles(h, touched)
        const stateBefore = await dockerState(h)

        // 192.0.2.1 (TEST-NET-1) is on no interface: preflight refuses it, exit 3, nothing written,
        // dockerd not restarted.
        const literalArgs = ['set', 'hosts', 'fd://', 'tcp://192.0.2.1:2375', '--yes', '--timeout', '45']
        const literal = await cli(h, literalArgs)
        expect(literal.exitCode, describeRun(literalArgs, literal)).toBe(3)
        expect(literal.output).toContain('tcp://192.0.2.1:2375 ("hosts" in daemon.json): no interface of this host has the address')
        expect(await snapshotFiles(h, touched)).toEqual(before)
        expect((await dockerState(h)).invocation).toBe(stateBefore.invocation)

        // A port another process takes after preflight (which refuses a port already taken,
        // guards.e2e.test.ts scenario 21): only the real start finds out. 20.10 sleeps 16 s
        // before it binds a TCP listener without TLS (cmd/dockerd/daemon.go loadListeners): the
        // timeout leaves room for that under load.
        const args = ['set', 'hosts', 'fd://', 'tcp://127.0.0.1:2375', '--yes', '--timeout', '45', '--json']
        const run = await startPaused(h, 'pending-recorded', args)
        await occupyPort(h, 2375)
        const r = await finish(h, run, 'CONT')
        expect(r.exitCode, `dockcfg ${args.join(' ')}\n${r.output}`).toBe(4)
        // The error document says where the host stands in a result's terms (checked against schemas/error.schema.json by finish()).
        const failure = JSON.parse(r.stdout) as {
          error: {exitCode: number}
          changed: boolean
          action: string
          files: string[]
          restored: string[]
          backupId: string
          reason: string
          journal: string[]
        }
        expect(failure).toMatchObject({error: {exitCode: 4}, changed: false, action: 'rolled-back'})
        expect(failure.files).toContain(DAEMON_JSON)
        expect(failure.restored).toEqual(expect.arrayContaining(failure.files))
        // What failed: the reason, and dockerd's own words in the journal of the failed start.
        expect(failure.reason).toContain('docker.service')
        expect(failure.journal.join('\n')).toContain('address already in use')
        expect((await h.exec(['ls', '/var/lib/dockcfg/backups'])).stdout.split('\n')).toContain(failure.backupId)
        expect(r.output).toContain('address already in use')
        expect(r.output).toMatch(/previous configuration was restored/)
        expect(await snapshotFiles(h, touched)).toEqual(before)
        const stateAfter = await dockerState(h)
        expect(stateAfter.active).toBe('active')
        expect(stateAfter.invocation).not.toBe(stateBefore.invocation)
        expect(stateAfter.execStart).toContain('-H fd://')
        expect((await h.exec(['systemctl', 'show', 'docker', '-p', 'NeedDaemonReload', '--value'])).stdout.trim()).toBe('no')
        expect(await pingOk(h, {socket: '/run/docker.sock'})).toBe(true)
        // The rollback settled: no armed timer, no pending record.
        expect(await h.exists('/var/lib/dockcfg/pending-apply.json')).toBe(false)
        expect((await h.exec(['sh', '-c', 'systemctl list-timers --all --no-legend "dockcfg-rollback-*" | wc -l'])).stdout.trim()).toBe('0')

        // The data-root is not on btrfs: refused by preflight (3) or rolled back (4), never broken.
        const btrfsArgs = ['set', 'storage-driver', 'btrfs', '--yes', '--timeout', '20']
        const btrfs = await cli(h, btrfsArgs)
        expect([3, 4], describeRun(btrfsArgs, btrfs)).toContain(btrfs.exitCode)
        expect(await snapshotFiles(h, touched)).toEqual(before)
        expect((await dockerState(h)).active).toBe('active')
        expect(await pingOk(h, {socket: '/run/docker.sock'})).toBe(true)
        expect((await apiGet<{Driver: string}>(h, '/info')).Driver).not.toBe('btrfs')
      })
    })

    it('5. containers and live-restore: refused without --yes (exit 7), applied with it; --keep-containers and live-restore keep them alive', async ({expect}) => {
      await onFreshHost(async (h) => {
        const c1 = await startSleeper(h, 'c1')
        const before = await dockerState(h)

        // log-driver needs a restart and leaves the bridge alone (live-restore can carry containers).
        const refused = await cli(h, ['set', 'log-driver', 'local'])
        expect(refused.exitCode, describeRun(['set', 'log-driver', 'local'], refused)).toBe(7)
        expect(refused.output).toMatch(/1 running container\(s\): c1/)
        expect(await h.exists(DAEMON_JSON)).toBe(false)
        expect((await dockerState(h)).mainPid).toBe(before.mainPid)
        expect(await containerPid(h, 'c1')).toBe(c1)

        // live-restore cannot carry containers across a rebuilt bridge: refused with the reason.
        const keepBip = await cli(h, ['set', 'bip', '192.168.42.1/24', '--keep-containers'])
        expect(keepBip.exitCode, describeRun(['set', 'bip', '--keep-containers'], keepBip)).toBe(7)
        expect(keepBip.output).toContain('rebuilds the default bridge')
        expect(await h.exists(DAEMON_JSON)).toBe(false)

        const yes = await cli(h, ['set', 'log-driver', 'local', '--yes'])
        expect(yes.exitCode, describeRun(['set', 'log-driver', 'local', '--yes'], yes)).toBe(0)
        expect(yes.output).toMatch(/log-driver: live/)
        expect((await dockerState(h)).mainPid).not.toBe(before.mainPid)
        expect(await containerPid(h, 'c1')).toBe(0)

        // --keep-containers: live-restore switched on by reload first, then the restart.
        const c2 = await startSleeper(h, 'c2')
        const pid2 = (await dockerState(h)).mainPid
        const keep = await cli(h, ['set', 'log-driver', 'json-file', '--keep-containers'])
        expect(keep.exitCode, describeRun(['set', 'log-driver', 'json-file', '--keep-containers'], keep)).toBe(0)
        expect((await dockerState(h)).mainPid).not.toBe(pid2)
        expect(await containerPid(h, 'c2')).toBe(c2)
        const info = await apiGet<Info & {LoggingDriver: string}>(h, '/info')
        expect(info.LiveRestoreEnabled).toBe(true)
        expect(info.LoggingDriver).toBe('json-file')

        // With live-restore on, a restart stops nothing: no --yes needed, the container survives.
        const pid3 = (await dockerState(h)).mainPid
        const lr = await cli(h, ['set', 'log-driver', 'local'])
        expect(lr.exitCode, describeRun(['set', 'log-driver', 'local'], lr)).toBe(0)
        expect((await dockerState(h)).mainPid).not.toBe(pid3)
        expect(await containerPid(h, 'c2')).toBe(c2)
      })
    })

    it('6. history and rollback restore the previous configuration and dockerd runs it', async ({expect}) => {
      await onFreshHost(async (h) => {
        const original = '{\n  "log-level": "info"\n}\n'
        await startWith(h, original)
        const set1 = await cli(h, ['set', 'debug', 'true', '--yes'])
        expect(set1.exitCode, describeRun(['set', 'debug'], set1)).toBe(0)
        const set2 = await cli(h, ['set', 'mtu', '1400', '--yes'])
        expect(set2.exitCode, describeRun(['set', 'mtu'], set2)).toBe(0)
        expect((await bridgeNetwork(h)).mtu).toBe('1400')

        const hist = await cli(h, ['history', '--json'])
        expect(hist.exitCode, describeRun(['history', '--json'], hist)).toBe(0)
        const backups = (JSON.parse(hist.stdout) as {backups: Array<{id: string; command: string}>}).backups
        expect(backups.map((b) => b.command)).toEqual([expect.stringMatching(/^dockcfg set debug true/), expect.stringMatching(/^dockcfg set mtu 1400/)])

        // Newest backup: the state before `set mtu`.
        const back1 = await cli(h, ['rollback', '--yes'])
        expect(back1.exitCode, describeRun(['rollback'], back1)).toBe(0)
        expect((await bridgeNetwork(h)).mtu ?? '1500').toBe('1500')
        expect((await apiGet<Info>(h, '/info')).Debug).toBe(true)

        // By id: the state before `set debug`, byte for byte. Removing a key needs a restart
        // (a reload keeps a key the file no longer sets), and dockerd must really run without it.
        const pid = (await dockerState(h)).mainPid
        const back2 = await cli(h, ['rollback', backups[0]?.id ?? '', '--yes'])
        expect(back2.exitCode, describeRun(['rollback', 'ID'], back2)).toBe(0)
        expect(await h.readFile(DAEMON_JSON)).toBe(original)
        expect((await apiGet<Info>(h, '/info')).Debug).toBe(false)
        expect((await dockerState(h)).mainPid).not.toBe(pid)
        expect((await dockerState(h)).active).toBe('active')
      })
    })

    it('7. idempotency: the same set twice reports no change the second time and does not restart dockerd', async ({expect}) => {
      await onFreshHost(async (h) => {
        const first = await cli(h, ['set', 'bip', '192.168.42.1/24', '--yes'])
        expect(first.exitCode, describeRun(['set', 'bip'], first)).toBe(0)
        const before = await dockerState(h)
        const file = await snapshotFiles(h, [DAEMON_JSON])

        const second = await cli(h, ['set', 'bip', '192.168.42.1/24', '--yes', '--json'])
        expect(second.exitCode, describeRun(['set', 'bip', '--json'], second)).toBe(0)
        const result = JSON.parse(second.stdout) as {changed: boolean; action: string}
        expect(result.changed).toBe(false)
        expect(result.action).toBe('none')
        const plain = await cli(h, ['set', 'bip', '192.168.42.1/24', '--yes'])
        expect(plain.output).toContain('nothing to do')

        const after = await dockerState(h)
        expect(after.mainPid).toBe(before.mainPid)
        expect(after.invocation).toBe(before.invocation)
        expect(await snapshotFiles(h, [DAEMON_JSON])).toEqual(file)
        const backups = (JSON.parse((await cli(h, ['history', '--json'])).stdout) as {backups: unknown[]}).backups
        expect(backups).toHaveLength(1)

        // `dockcfg restart` is the one way to restart on purpose: a new dockerd, same configuration.
        const restart = await cli(h, ['restart', '--yes'])
        expect(restart.exitCode, describeRun(['restart', '--yes'], restart)).toBe(0)
        const restarted = await dockerState(h)
        expect(restarted.mainPid).not.toBe(before.mainPid)
        expect(restarted.active).toBe('active')
        expect(await docker0Addresses(h)).toContain('192.168.42.1/24')
      })
    })

    it('8. dockcfg SIGKILLed right after restarting dockerd on a breaking config: the armed timer restores the previous one', async ({expect}) => {
      await onFreshHost(async (h) => {
        const original = '{\n  "debug": true\n}\n'
        await startWith(h, original)
        const files = [DAEMON_JSON, `${DROPIN_DIR}/50-dockcfg.conf`]
        const before = await snapshotFiles(h, files)
        const timeoutSeconds = 5
        // Inside the host: start the apply, watch for docker.service's next invocation (the restart
        // has been issued), then SIGKILL dockcfg at once. Its timer must do the rest. The breaking
        // config is a bridge interface that does not exist: the preflight's trial cannot judge a
        // user-managed bridge (it runs in a network namespace of its own) and leaves it to the real
        // start, which fails ("bridge device with non default name ... must be created manually").
        const script = `
          old=$(systemctl show -p InvocationID --value docker)
          node ${GUEST_CLI} set bridge dockcfg-missing0 --yes --timeout ${timeoutSeconds} >/run/apply.out 2>&1 &
          pid=$!
          while [ "$(systemctl show -p InvocationID --value docker)" = "$old" ] && kill -0 $pid 2>/dev/null; do sleep 0.02; done
          kill -9 $pid; wait $pid; echo "dockcfg exit $?"`
        const armedAt = Date.now()
        const killed = await h.sh(script, {timeoutMs: 120_000})
        const out = await h.readFile('/run/apply.out')
        expect(killed.stdout.trim(), out).toBe('dockcfg exit 137')
        expect(out).toContain('restarting dockerd')

        // The next dockcfg run sees the unfinished apply and says what it found.
        const hist = await cli(h, ['history'])
        expect(await h.exists('/var/lib/dockcfg/pending-apply.json')).toBe(true)
        expect(hist.output).toMatch(/an apply did not finish: "dockcfg set bridge dockcfg-missing0/)
        // ... and no change is built on top of it (the timer would undo it), --yes or not.
        const onTop = await cli(h, ['set', 'debug', 'false', '--yes'])
        expect(onTop.exitCode, describeRun(['set', 'debug', 'false', '--yes'], onTop)).toBe(7)
        expect(onTop.output).toContain('an earlier apply did not finish')
        expect(onTop.output).toMatch(/dockcfg rollback \d{8}T\d{9}Z-[0-9a-f]{6}/)

        // Timer: --timeout + 15 s after arming; allow for the rollback's own restart on top.
        const bound = (timeoutSeconds + 15 + 30) * 1000
        const waited = await waitFor(
          'the rollback timer to restore the previous configuration',
          bound,
          async () => {
            const now = await snapshotFiles(h, files)
            const state = await dockerState(h)
            return JSON.stringify(now) === JSON.stringify(before) && state.active === 'active' && !(await h.exists('/var/lib/dockcfg/pending-apply.json'))
          },
          async () => `${JSON.stringify(await dockerState(h))}\n${(await h.journal('docker')).text.split('\n').slice(-15).join('\n')}`,
        )
        console.log(`[e2e] scenario 8: host back on the previous configuration ${Date.now() - armedAt} ms after the apply started (${waited} ms after the kill)`)

        expect(await snapshotFiles(h, files)).toEqual(before)
        expect((await dockerState(h)).execStart).toContain('-H fd://')
        expect(await pingOk(h, {socket: '/run/docker.sock'})).toBe(true)
        expect((await apiGet<Info>(h, '/info')).Debug).toBe(true)
        const timerLog = await h.exec(['sh', '-c', 'journalctl --no-pager -o cat -u "dockcfg-rollback-*"'])
        expect(timerLog.stdout).toContain('automatic rollback: restored')
        const after = await cli(h, ['history'])
        expect(after.output).not.toContain('did not finish')
      })
    })
  })
})
