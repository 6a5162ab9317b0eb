/**
 * Changes that used to be applied, or refused, wrongly (issue 9 items 17 to 21), at the command
 * tier: the built CLI against temporary --root trees.
 */
import {describe, expect, it} from 'vitest'

import {runCli, useRoots} from '../support/cli.js'

const FILE = '/etc/docker/daemon.json'
const {root} = useRoots()

describe('an MTU the kernel refuses (item 17)', () => {
  it.each(['20.10.24', '24.0.9', '25.0.0', '29.7.2'])('set mtu 99999 is refused for dockerd %s: exit 3, daemon.json untouched', async (version) => {
    const original = '{\n  "debug": true\n}\n'
    const r = await root({[FILE]: original})
    const result = await runCli(['set', 'mtu', '99999', '--yes', '--root', r.root, '--dockerd-version', version])
    expect(result.exitCode, result.stderr).toBe(3)
    expect(result.stderr).toMatch(/"mtu" 99999 is outside 68\.\.65535/)
    expect(result.stderr).toContain('nothing was written')
    expect(await r.read(FILE)).toBe(original)
  })

  it('an MTU inside the kernel limits is still set (jumbo frames)', async () => {
    const r = await root({[FILE]: '{}\n'})
    const result = await runCli(['set', 'mtu', '9000', '--root', r.root, '--dockerd-version', '20.10.24'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(JSON.parse(await r.read(FILE))).toEqual({mtu: 9000})
  })
})

describe('a change that moves where dockerd keeps its data (item 20)', () => {
  it('set data-root on a --root tree: written, with the warning and how to carry the data over', async () => {
    const r = await root({[FILE]: '{}\n'})
    const result = await runCli(['set', 'data-root', '/srv/docker', '--root', r.root, '--dockerd-version', '20.10.24'])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stderr).toContain('warning: "data-root" changes from /var/lib/docker to /srv/docker: images, containers and volumes stay in /var/lib/docker')
    expect(result.stderr).toContain('rsync -aHAX --numeric-ids /var/lib/docker/ /srv/docker/')
    expect(JSON.parse(await r.read(FILE))).toEqual({'data-root': '/srv/docker'})

    const json = await runCli(['set', 'storage-driver', 'vfs', '--root', r.root, '--dockerd-version', '20.10.24', '--json'])
    expect(json.exitCode, json.stderr).toBe(0)
    expect(json.json<{warnings: string[]}>().warnings).toEqual([expect.stringMatching(/^"storage-driver" changes from \(not set\) to vfs: .*docker save/)])
  })
})
