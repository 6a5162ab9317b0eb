/**
 * Issue 9 item 1 on a real host: /etc/docker on a tiny, nearly full tmpfs. A `set` whose new
 * daemon.json needs more room than is left must be refused with exit 3 before dockerd is touched,
 * leaving daemon.json byte-identical and no temp file, backup, lock, pending record or timer.
 * (write-file-atomic's single short write renamed a truncated daemon.json into place.)
 */
import {afterAll, describe, expect, it} from 'vitest'

import {bootHost, e2eGate, stopAllHosts} from './harness/testbed.js'
import {cli, DAEMON_JSON, describeRun, dockerState, snapshotFiles} from './harness/docker-probes.js'

const gate = e2eGate()

describe.skipIf(!gate.ok)('a full disk under /etc/docker on a real host (issue 9 item 1)', () => {
  afterAll(stopAllHosts)

  it('set exits 3, daemon.json is byte-identical, dockerd untouched, nothing left behind', async () => {
    const h = await bootHost()
    try {
      await h.waitDockerActive()
      await h.writeFile(DAEMON_JSON, '{\n  "labels": ["a=b"]\n}\n', 0o644)
      await h.exec(['systemctl', 'restart', 'docker'])
      await h.waitDockerActive()
      // What /etc/docker holds (daemon.json, dockerd's key.json) moves onto a 16 KiB tmpfs, filled
      // up to one free page: the new daemon.json below needs two.
      await h.sh(
        [
          'set -e',
          'cp -a /etc/docker /root/etc-docker',
          'mount -t tmpfs -o size=16k,mode=0755 tmpfs /etc/docker',
          'cp -a /root/etc-docker/. /etc/docker/',
          'free=$(df -B4096 --output=avail /etc/docker | tail -1)',
          'dd if=/dev/zero of=/etc/docker/fill bs=4096 count=$((free - 1)) 2>/dev/null',
        ].join('\n'),
      )
      expect((await h.sh('df -B4096 --output=avail /etc/docker | tail -1')).stdout.trim()).toBe('1')
      const files = [DAEMON_JSON, '/etc/docker/key.json']
      const before = await snapshotFiles(h, files)
      const stateBefore = await dockerState(h)
      const listing = async (dir: string) => (await h.sh(`ls -A ${dir} 2>/dev/null; true`)).stdout.split('\n').filter(Boolean)

      const args = ['set', 'labels', `x=${'y'.repeat(6000)}`, '--yes']
      const run = await cli(h, args)
      expect(run.exitCode, describeRun(args, run)).toBe(3)
      expect(run.stderr).toContain('dockcfg: nothing was written: the file system holding /etc/docker is full (ENOSPC writing /etc/docker/daemon.json)\n')
      expect(run.stderr).toContain('hint: free space on it (df -h /etc/docker), then run the command again\n')
      expect(run.stderr).not.toContain('restart')
      expect(run.stderr).not.toContain('reload')

      expect(await snapshotFiles(h, files)).toEqual(before)
      const stateAfter = await dockerState(h)
      expect([stateAfter.active, stateAfter.invocation, stateAfter.mainPid]).toEqual(['active', stateBefore.invocation, stateBefore.mainPid])
      expect((await h.exec(['journalctl', '-u', 'docker', '--no-pager', '-o', 'cat', '--since', '-2min'])).stdout).not.toContain('Reloaded configuration')
      expect(await listing('/etc/docker')).toEqual(['daemon.json', 'fill', 'key.json'])
      expect(await listing('/var/lib/dockcfg/backups')).toEqual([])
      // The lock's directory: neither the lock nor its temp file (only the installed dockerd's
      // version, which dockcfg keeps there between runs).
      expect(await listing('/run/dockcfg')).toEqual(['dockerd-version.json'])
      expect(await h.exists('/var/lib/dockcfg/pending-apply.json')).toBe(false)
      expect((await h.sh('systemctl list-units --all --no-legend "dockcfg-rollback-*" | wc -l')).stdout.trim()).toBe('0')
    } finally {
      await h.stop()
    }
  })
})
