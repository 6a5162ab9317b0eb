import {mkdtemp, mkdir, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import * as path from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {inspectEffective} from '../../../src/effective/effective.js'
import {planRemoteShutdown} from '../../../src/remote/disable.js'
import {createSystem} from '../../../src/system/index.js'

const roots: string[] = []
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, {recursive: true, force: true})
})

/** planRemoteShutdown on a tree with this daemon.json (no docker.service: daemon.json alone owns hosts). */
async function plan(daemonJson: string) {
  const root = await mkdtemp(path.join(tmpdir(), 'dockcfg-disable-'))
  roots.push(root)
  await mkdir(path.join(root, 'etc/docker'), {recursive: true})
  await writeFile(path.join(root, 'etc/docker/daemon.json'), daemonJson)
  const system = createSystem({root})
  const effective = await inspectEffective(system.fs, {dockerdVersion: '24.0.7'})
  return {effective, shutdown: await planRemoteShutdown(system, effective, false)}
}

describe('remote disable with entries of "hosts" that are not strings', () => {
  it('removes only the tcp:// entries: a number or null stays where it was, for validation to report', async () => {
    const {effective, shutdown} = await plan('{"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376", 5, null, {"a": 1}]}\n')
    expect(effective.findings.some((f) => f.severity === 'error' && f.message.includes('every entry of "hosts" must be a string'))).toBe(true)
    expect(shutdown.removed).toEqual(['tcp://0.0.0.0:2376'])
    expect(shutdown.hosts).toEqual(['unix:///var/run/docker.sock', 5, null, {a: 1}])
  })

  it('with no string entry left the local socket is named, the others kept', async () => {
    const {shutdown} = await plan('{"hosts": ["tcp://0.0.0.0:2376", 7]}\n')
    expect(shutdown.removed).toEqual(['tcp://0.0.0.0:2376'])
    expect(shutdown.hosts).toEqual(['unix:///var/run/docker.sock', 7])
  })

  it('nothing to remove: "hosts" stays exactly as it is', async () => {
    const {shutdown} = await plan('{"hosts": ["fd://", false]}\n')
    expect(shutdown.removed).toEqual([])
    expect(shutdown.hosts).toEqual(['fd://', false])
  })
})
