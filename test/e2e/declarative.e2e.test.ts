/**
 * Issue 11's declarative apply against real systemd and a real dockerd (docker.io 20.10.24) in
 * booted test hosts: a desired state applied as one change (one restart, or one reload), again as
 * no change, --check's exit codes, remote access in the same document, a bad document refused.
 * Every scenario gets a fresh host; assertions look at the real effect with the host's own tools.
 */
import {afterAll, describe, it} from 'vitest'

import {e2eGate, stopAllHosts, type TestHost} from './harness/testbed.js'
import {
  apiGet,
  bridgeNetwork,
  cli,
  containerView,
  DAEMON_JSON,
  describeRun,
  docker0Addresses,
  dockerState,
  DROPIN_DIR,
  onFreshHost,
  snapshotFiles,
  startSleeper,
} from './harness/docker-probes.js'

const gate = e2eGate()
const STATE_FILE = '/root/state.json'
const STATE = '{\n  "daemon": {"bip": "192.168.42.1/24", "mtu": 1400, "dns": ["114.114.114.114", "8.8.8.8"]}\n}\n'

interface Info {
  Debug: boolean
  Labels: string[]
}

/** docker.service's starts since `cursor`, as systemd logs them. */
async function startsSince(h: TestHost, cursor: string | undefined): Promise<number> {
  const journal = await h.journal('docker', cursor)
  return journal.entries.filter((e) => /^Started (docker\.service|Docker Application Container Engine)/.test(e.message)).length
}

describe.skipIf(!gate.ok)('declarative apply on a real host (issue 11)', () => {
  afterAll(stopAllHosts)

  describe.concurrent('scenarios', () => {
    it('bip + mtu + dns in one apply: one restart, all three live; the same document again changes nothing; --check 8 then 0', async ({expect}) => {
      await onFreshHost(async (h) => {
        await h.writeFile(STATE_FILE, STATE)
        const sleeper = await startSleeper(h, 'keep')
        expect(sleeper).toBeGreaterThan(0)

        const check = await cli(h, ['apply', '-f', STATE_FILE, '--check'])
        expect(check.exitCode, describeRun(['apply', '--check'], check)).toBe(8)
        // The dry run names what the restart would stop, and the flags that allow it.
        expect(check.stderr).toMatch(/the restart would stop 1 running container\(s\): keep; the change needs --yes/)
        const refused = await cli(h, ['apply', '-f', STATE_FILE])
        expect(refused.exitCode, describeRun(['apply'], refused)).toBe(7)
        expect(refused.stderr).toContain('--yes')

        const before = await dockerState(h)
        const cursor = await h.journalCursor()
        const applied = await cli(h, ['apply', '-f', STATE_FILE, '--yes', '--json'])
        expect(applied.exitCode, describeRun(['apply', '--yes'], applied)).toBe(0)
        const result = JSON.parse(applied.stdout) as {action: string; changedKeys: string[]; backupId: string}
        expect(result.action).toBe('restarted')
        expect(result.changedKeys.sort()).toEqual(['bip', 'dns', 'mtu'])
        const after = await dockerState(h)
        expect(after.mainPid).not.toBe(before.mainPid)
        expect(after.invocation).not.toBe(before.invocation)
        expect(await startsSince(h, cursor)).toBe(1)
        expect((await h.exec(['sh', '-c', 'ls /var/lib/dockcfg/backups'])).stdout.trim().split('\n')).toEqual([result.backupId])

        expect(await docker0Addresses(h)).toContain('192.168.42.1/24')
        const net = await bridgeNetwork(h)
        expect(net.subnets).toContain('192.168.42.0/24')
        expect(net.mtu).toBe('1400')
        const c = await containerView(h)
        expect(c.nameservers, c.raw).toEqual(['114.114.114.114', '8.8.8.8'])
        expect(c.eth0Mtu, c.raw).toBe(1400)

        const cursor2 = await h.journalCursor()
        const second = await h.dockcfg(['apply', '-f', '-', '--yes', '--json'], {input: STATE, allowFail: true})
        expect(second.exitCode, second.stderr).toBe(0)
        expect(JSON.parse(second.stdout)).toMatchObject({changed: false, action: 'none', files: []})
        expect((await dockerState(h)).mainPid).toBe(after.mainPid)
        expect(await startsSince(h, cursor2)).toBe(0)
        const checkAfter = await cli(h, ['apply', '-f', STATE_FILE, '--check'])
        expect(checkAfter.exitCode, describeRun(['apply', '--check'], checkAfter)).toBe(0)
        expect((await h.exec(['sh', '-c', 'ls /var/lib/dockcfg/backups'])).stdout.trim().split('\n')).toEqual([result.backupId])
      })
    })

    it('a reload-only document reloads: same dockerd PID and invocation, the settings live', async ({expect}) => {
      await onFreshHost(async (h) => {
        const before = await dockerState(h)
        const doc = '{"daemon": {"debug": true, "labels": ["env=prod"]}}'
        const run = await h.dockcfg(['apply', '-f', '-', '--json'], {input: doc, allowFail: true})
        expect(run.exitCode, run.stderr).toBe(0)
        expect(JSON.parse(run.stdout)).toMatchObject({action: 'reloaded', activation: 'reload', changed: true})
        const info = await apiGet<Info>(h, '/info')
        expect(info.Debug).toBe(true)
        expect(info.Labels).toContain('env=prod')
        const after = await dockerState(h)
        expect(after.mainPid).toBe(before.mainPid)
        expect(after.invocation).toBe(before.invocation)
        expect((await h.journal('docker')).text).toContain('Reloaded configuration')
      })
    })

    it('remote enabled with a host-local CA opens the TLS listener, with the settings, in one restart; again: nothing', async ({expect}) => {
      await onFreshHost(async (h) => {
        const doc = '{"daemon": {"mtu": 1400}, "owners": {"hosts": "file"}, "remote": {"enabled": true, "address": "0.0.0.0", "port": 2376}}'
        await h.writeFile(STATE_FILE, doc)
        const cursor = await h.journalCursor()
        const run = await cli(h, ['apply', '-f', STATE_FILE, '--yes', '--json'])
        expect(run.exitCode, describeRun(['apply', 'remote'], run)).toBe(0)
        const result = JSON.parse(run.stdout) as {action: string; remote: {listener: string; selfCheck: {ok: boolean}; certificates: {ca: {source: string}}}}
        expect(result.action).toBe('restarted')
        expect(result.remote).toMatchObject({listener: 'tcp://0.0.0.0:2376', selfCheck: {ok: true}, certificates: {ca: {source: 'host-local'}}})
        expect(await startsSince(h, cursor)).toBe(1)
        // The host's own curl, with the client bundle: mutual TLS answers; without a certificate it does not.
        const tls = ['--cacert', '/etc/docker/tls/client/ca.pem', '--cert', '/etc/docker/tls/client/cert.pem', '--key', '/etc/docker/tls/client/key.pem']
        const ping = await h.exec(['curl', '-sS', '--max-time', '5', ...tls, 'https://127.0.0.1:2376/_ping'], {allowFail: true})
        expect(ping.stdout.trim(), ping.stderr).toBe('OK')
        const anonymous = await h.exec(['curl', '-sS', '--max-time', '5', '--cacert', '/etc/docker/tls/client/ca.pem', 'https://127.0.0.1:2376/_ping'], {allowFail: true})
        expect(anonymous.stdout.trim()).not.toBe('OK')
        expect((await bridgeNetwork(h)).mtu).toBe('1400')
        expect(JSON.parse(await h.readFile(DAEMON_JSON))).toMatchObject({mtu: 1400, hosts: ['fd://', 'tcp://0.0.0.0:2376'], tlsverify: true})

        const pid = (await dockerState(h)).mainPid
        const again = await cli(h, ['apply', '-f', STATE_FILE, '--yes', '--json'])
        expect(again.exitCode, describeRun(['apply', 'remote again'], again)).toBe(0)
        expect(JSON.parse(again.stdout)).toMatchObject({changed: false, action: 'none'})
        expect((await dockerState(h)).mainPid).toBe(pid)
      })
    })

    it('a bad document writes nothing and restarts nothing: a bad value (3, line:column), an unknown field (2)', async ({expect}) => {
      await onFreshHost(async (h) => {
        const files = [DAEMON_JSON, `${DROPIN_DIR}/50-dockcfg.conf`]
        const before = await snapshotFiles(h, files)
        const state = await dockerState(h)
        await h.writeFile(STATE_FILE, '{\n  "daemon": {\n    "mtu": 1400,\n    "bip": "192.168.42.1"\n  }\n}\n')
        const bad = await cli(h, ['apply', '-f', STATE_FILE, '--yes'])
        expect(bad.exitCode, describeRun(['apply', 'bad'], bad)).toBe(3)
        expect(bad.stderr).toContain(`${STATE_FILE}:4:12:`)
        const unknown = await h.dockcfg(['apply', '-f', '-', '--yes'], {input: '{"daemon": {"mtu": 1400}, "remtoe": {}}', allowFail: true})
        expect(unknown.exitCode, unknown.stderr).toBe(2)
        expect(unknown.stderr).toContain('unknown field "remtoe"')
        expect(await snapshotFiles(h, files)).toEqual(before)
        const after = await dockerState(h)
        expect(after.invocation).toBe(state.invocation)
        expect(after.mainPid).toBe(state.mainPid)
        expect((await h.exec(['sh', '-c', 'ls /var/lib/dockcfg/backups 2>/dev/null | wc -l'])).stdout.trim()).toBe('0')
      })
    })
  })
})
