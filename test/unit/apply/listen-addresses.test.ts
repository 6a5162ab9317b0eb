import {afterEach, describe, expect, it} from 'vitest'

import type {ApplyOptions, Inspector} from '../../../src/apply/plan.js'
import {preflight} from '../../../src/apply/preflight.js'
import type {System} from '../../../src/system/index.js'
import {applyChanges, CONFIG, expectRefusedUntouched, inspector, type Rig, rig, seedConfig} from './fakes.js'

describe('preflight refuses a tcp:// listener on an address no interface has', () => {
  const rigs: Rig[] = []
  afterEach(() => {
    for (const r of rigs.splice(0)) r.host.cleanup()
  })
  const options: ApplyOptions = {dryRun: false, noRestart: false, yes: true, keepContainers: false, timeoutMs: 30_000}
  const withHosts: Inspector = async (fs) => {
    const view = await inspector(fs)
    return {...view, hosts: (view.config['hosts'] as string[] | undefined) ?? ['fd://']}
  }
  /** The rig's system with this host's interfaces: loopback, one IPv4 and one IPv6 address. */
  function withInterfaces(r: Rig): System {
    const addresses = ['127.0.0.1', '::1', '10.0.0.5', '2001:db8::5', 'fe80::1%eth0']
    return {...r.system, network: {...r.system.network, interfaceAddresses: () => addresses.map((address) => ({address}))}}
  }
  const candidate = (hosts: string[], configText = '{}\n') => ({configText, execArgv: ['/usr/bin/dockerd', '-H', 'fd://'], dockerdVersion: '24.0.7', hosts})

  it('exit 3 naming the address and daemon.json\'s "hosts"; nothing written, dockerd never restarted', async () => {
    const r = rig({services: [], servicesAllowed: ['show']})
    rigs.push(r)
    await seedConfig(r, '{}\n')
    const after = '{"hosts": ["fd://", "tcp://192.0.2.1:2375"]}\n'
    const error = await applyChanges(
      withInterfaces(r),
      {command: 'dockcfg set hosts', changes: [{path: CONFIG, before: '{}\n', after}], changedKeys: ['hosts'], activation: 'restart'},
      withHosts,
      options,
    ).then(
      () => undefined,
      (e: unknown) => e,
    )
    await expectRefusedUntouched(r, error, 'tcp://192.0.2.1:2375 ("hosts" in daemon.json): no interface of this host has the address', '{}\n')
    expect(r.processes.runs.filter((run) => run.includes('--validate'))).toEqual([])
  })

  it('names the -H flag when daemon.json does not set the entry; IPv6 and IPv4-mapped addresses too', async () => {
    const r = rig({services: [], servicesAllowed: ['show']})
    rigs.push(r)
    await expect(preflight(withInterfaces(r), candidate(['fd://', 'tcp://[2001:db8::9]:2376']))).rejects.toThrow(
      /tcp:\/\/\[2001:db8::9\]:2376 \(-H\/--host on dockerd's command line\): no interface of this host has the address/,
    )
    await expect(preflight(withInterfaces(r), candidate(['tcp://[::ffff:10.0.0.6]:2376']))).rejects.toThrow(/\[::ffff:10\.0\.0\.6\]/)
  })

  it("wildcards, loopback, the host's own addresses and names pass", async () => {
    const r = rig({services: [], servicesAllowed: ['show']})
    rigs.push(r)
    const fine = [
      'tcp://0.0.0.0:2375',
      'tcp://[::]:2376',
      'tcp://:2377',
      'tcp://127.0.0.2:2378',
      'tcp://10.0.0.5:2379',
      'tcp://[2001:db8::5]:2380',
      'tcp://[::ffff:10.0.0.5]:2381',
      'tcp://docker.example:2382',
    ]
    expect(await preflight(withInterfaces(r), candidate(['fd://', ...fine]))).toMatchObject({ok: true})
  })

  it('with ip_nonlocal_bind the kernel binds any address: nothing to refuse', async () => {
    const r = rig({services: [], servicesAllowed: ['show']})
    rigs.push(r)
    await r.host.fs.mkdirp('/proc/sys/net/ipv4')
    await r.host.fs.writeAtomic('/proc/sys/net/ipv4/ip_nonlocal_bind', '1\n', {mode: 0o644})
    expect(await preflight(withInterfaces(r), candidate(['tcp://192.0.2.1:2375']))).toMatchObject({ok: true})
    await expect(preflight(withInterfaces(r), candidate(['tcp://[2001:db8::9]:2375']))).rejects.toThrow(/no interface of this host has the address/)
  })
})
