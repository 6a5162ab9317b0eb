import {describe, expect, it} from 'vitest'

import {runCli, useRoots} from '../support/cli.js'

const UNIT = '/lib/systemd/system/docker.service'
/** Debian's docker.io 20.10.24 unit: its -H fd:// is the flag a `set hosts` takes over. */
const DEBIAN_UNIT = `[Unit]
Description=Docker Application Container Engine
Requires=docker.socket

[Service]
Type=notify
EnvironmentFile=-/etc/default/docker
ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS
`
const V = ['--dockerd-version', '20.10.24']

const {root} = useRoots()

describe('stderr of an apply under --root, in the order things happen', () => {
  it('set: the plan (findings, then decisions), then the write, then what dockerd still needs; plain lines only', async () => {
    const r = await root({[UNIT]: DEBIAN_UNIT})
    const set = await runCli(['set', 'hosts', 'fd://', 'tcp://127.0.0.1:2377', '--root', r.root, ...V])
    expect(set.exitCode, set.stderr).toBe(0)
    expect(set.stdout).toBe('')
    expect(set.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^\/etc\/docker\/daemon\.json:\d+:\d+: warning\[tcp-without-tls\] /),
      expect.stringMatching(/^ {4}hint: /),
      expect.stringMatching(/^hosts: kept in \/etc\/docker\/daemon\.json; removed -H\/--host fd:\/\//),
      expect.stringMatching(/^command line: added drop-in \/etc\/systemd\/system\/docker\.service\.d\/50-dockcfg\.conf/),
      expect.stringMatching(
        /^wrote \/etc\/docker\/daemon\.json, \/etc\/systemd\/system\/docker\.service\.d\/50-dockcfg\.conf \(backup \S+; undo with: dockcfg rollback \S+ --root \S+\)$/,
      ),
      expect.stringMatching(/^not applied \(--root is not \/.*\): dockerd needs a restart/),
    ])
    // Not a terminal: no line is redrawn in place.
    expect(set.stderr).not.toContain('\r')
    expect(set.stderr).not.toContain('\x1b')

    const back = await runCli(['rollback', '--root', r.root, ...V])
    expect(back.exitCode, back.stderr).toBe(0)
    expect(back.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^rolling back to backup \S+$/),
      // The set created both files: putting the tree back deletes them.
      expect.stringMatching(/^removed \/etc\/docker\/daemon\.json, \/etc\/systemd\/system\/docker\.service\.d\/50-dockcfg\.conf /),
      expect.stringMatching(/^not applied /),
    ])
  })
})
