/**
 * Issue 9 item 7 on a real host: a value must never reach a unit file in a form systemd reads as
 * another line (systemd 252 ends lines at \r and NUL too), and a legitimate value with spaces,
 * quotes, `$`, `%` and `\` must reach dockerd's argv exactly. The evidence is systemd's and the
 * kernel's: the file the injected ExecStartPre= would create, and /proc/<pid>/cmdline of dockerd.
 */
import {afterAll, describe, expect, it} from 'vitest'

import {cli, DAEMON_JSON, describeRun, dockerState, DROPIN_DIR, snapshotFiles} from './harness/docker-probes.js'
import {bootHost, e2eGate, stopAllHosts, type TestHost} from './harness/testbed.js'

const gate = e2eGate()
const MARKER = '/tmp/x'
const INJECTION = `a=b\r[Service]\rExecStartPre=/bin/touch ${MARKER}`
/** A label no shell, systemd quoting or specifier expansion may change on its way to dockerd. */
const LEGIT = `k=sp ace "dq" 'sq' $HOME \${HOME} $$ %n %% back\\slash end`

/** dockerd's argv as the kernel has it. */
async function dockerdArgv(h: TestHost): Promise<string[]> {
  const {mainPid} = await dockerState(h)
  const b64 = (await h.exec(['base64', '-w0', `/proc/${mainPid}/cmdline`])).stdout
  return Buffer.from(b64, 'base64').toString('utf8').replace(/\0$/, '').split('\0')
}

/** Restarts docker.service the way an admin would, after systemd re-read every unit file. */
async function reloadAndRestart(h: TestHost): Promise<void> {
  await h.exec(['systemctl', 'daemon-reload'])
  await h.exec(['systemctl', 'restart', 'docker'])
  await h.waitDockerActive()
}

describe.skipIf(!gate.ok)('values reaching docker.service (issue 9 item 7)', () => {
  afterAll(stopAllHosts)

  it('an injection through a value is refused and runs nothing; a legitimate value reaches dockerd exactly', async () => {
    const h = await bootHost()
    try {
      await h.waitDockerActive()
      // $DOCKER_OPTS carries a --label, so setting labels makes dockcfg write an ExecStart drop-in.
      await h.writeFile('/etc/default/docker', 'DOCKER_OPTS="--label x=y"\n')
      await h.writeFile(DAEMON_JSON, '{}\n')
      await reloadAndRestart(h)
      const files = [DAEMON_JSON, `${DROPIN_DIR}/50-dockcfg.conf`]
      const before = await snapshotFiles(h, files)

      // Typed on the command line: exit 2, nothing written.
      const typed = await cli(h, ['set', 'labels', INJECTION, '--yes'])
      expect(typed.exitCode, describeRun(['set', 'labels', JSON.stringify(INJECTION)], typed)).toBe(2)
      expect(typed.stderr).toContain('contains a carriage return (U+000D)')
      expect(await snapshotFiles(h, files)).toEqual(before)

      // In a file the user has, moving onto the command line: exit 3, nothing written.
      await h.writeFile(DAEMON_JSON, `${JSON.stringify({labels: [INJECTION]})}\n`)
      const fromFile = await cli(h, ['fix', '--prefer', 'flags', '--yes'])
      expect(fromFile.exitCode, describeRun(['fix', '--prefer', 'flags'], fromFile)).toBe(3)
      expect(fromFile.stderr).toMatch(/from "labels" in \/etc\/docker\/daemon\.json line 1 contains a carriage return/)
      expect(await h.exists(`${DROPIN_DIR}/50-dockcfg.conf`)).toBe(false)

      // systemd, made to read every unit again and to start docker.service, runs no injected line.
      await h.writeFile(DAEMON_JSON, '{}\n')
      await reloadAndRestart(h)
      expect(await h.exists(MARKER)).toBe(false)

      // A legitimate value moved onto the command line (fix --prefer flags quotes it for systemd).
      // Written only: what starts dockerd on it here is systemd itself, not dockcfg's apply.
      await h.writeFile(DAEMON_JSON, `${JSON.stringify({labels: [LEGIT]})}\n`)
      const legit = await cli(h, ['fix', '--prefer', 'flags', '--no-restart'])
      expect(legit.exitCode, describeRun(['fix', '--prefer', 'flags', '--no-restart'], legit)).toBe(0)
      await reloadAndRestart(h)
      expect(await dockerdArgv(h)).toEqual(['/usr/sbin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock', '--label', 'x=y', `--label=${LEGIT}`])

      // A value spelled out of $DOCKER_OPTS when another flag leaves it: what dockerd had before.
      await h.exec(['rm', '-f', `${DROPIN_DIR}/50-dockcfg.conf`])
      await h.writeFile('/etc/default/docker', `DOCKER_OPTS="--dns 1.1.1.1 --label '${LEGIT.replace(/["\\`$]/g, (c) => `\\${c}`)}'"\n`)
      await h.writeFile(DAEMON_JSON, '{}\n')
      await reloadAndRestart(h)
      // Whatever systemd's two rounds of unquoting made of it, it keeps spaces, quotes, $ and %.
      const spelled = (await dockerdArgv(h)).at(-1) ?? ''
      expect(spelled).toContain('k=sp ace "dq" sq $HOME ${HOME} $$ %n %% back')
      const dns = await cli(h, ['set', 'dns', '8.8.8.8', '--yes'])
      expect(dns.exitCode, describeRun(['set', 'dns', '8.8.8.8'], dns)).toBe(0)
      expect(await dockerdArgv(h)).toEqual(['/usr/sbin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock', '--label', spelled])
      expect(await h.exists(MARKER)).toBe(false)
    } finally {
      await h.stop()
    }
  })
})
