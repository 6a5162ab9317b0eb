import {afterEach, describe, expect, it} from 'vitest'

import type {ApplyOptions, Inspector} from '../../../src/apply/plan.js'
import {preflight} from '../../../src/apply/preflight.js'
import {clashes, parseProcNetTcp, parseSsHolders, type TcpEndpoint, tcpEndpoints, type TcpListener} from '../../../src/apply/listeners.js'
import {formatIp, parseIp} from '../../../src/network/cidr.js'
import {applyChanges, CONFIG, expectRefusedUntouched, type FakeHost, inspector, type Rig, rig, seedConfig} from './fakes.js'

// Rows as Linux 6.1 prints them (x86-64), taken from a test host with `python3` on 127.0.0.1:2376.
const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'
const TCP = [
  HEADER,
  '   0: 0100007F:808F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 82167 1 0000000034e07b4e 100 0 0 10 0',
  '   1: 0100007F:0948 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 87616 1 00000000a7005d7d 100 0 0 10 0',
  // An established connection on the same port is no listener.
  '   2: 0100007F:0948 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 99999 1 0000000000000000 20 4 30 10 -1',
].join('\n')
const TCP6 = [
  HEADER,
  '   0: 00000000000000000000000000000000:0947 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5001 1 0 100 0 0 10 0',
  '   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5002 1 0 100 0 0 10 0',
  '   2: 0000000000000000FFFF00000A00000A:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5003 1 0 100 0 0 10 0',
].join('\n')

const show = (l: TcpListener) => `${formatIp(l.ip)} ${l.port} ${l.inode}`
const ip = (text: string) => parseIp(text) as NonNullable<ReturnType<typeof parseIp>>
const endpoint = (address: string, port: number): TcpEndpoint => ({host: `tcp://${address}:${port}`, ip: ip(address), port})
const listener = (address: string, port: number): TcpListener => ({ip: ip(address), port, inode: 1})

describe('the kernel socket tables', () => {
  it('reads the LISTEN rows of /proc/net/tcp and tcp6 (little-endian words), nothing else', () => {
    expect(parseProcNetTcp(TCP, 4, true).map(show)).toEqual(['127.0.0.1 32911 82167', '127.0.0.1 2376 87616'])
    expect(parseProcNetTcp(TCP6, 6, true).map(show)).toEqual([':: 2375 5001', '::1 8080 5002', '::ffff:a00:a 80 5003'])
  })

  it('reads big-endian words as printed', () => {
    expect(parseProcNetTcp('0: 7F000001:0948 00000000:0000 0A 0:0 0:0 0 0 0 42', 4, false).map(show)).toEqual(['127.0.0.1 2376 42'])
  })

  it('skips what is not a row: short lines, bad hex, a missing inode, hostile bytes', () => {
    const junk = ['', 'garbage', '0: 0100007F 00000000:0000 0A', '0: ZZ00007F:0948 0:0 0A 0 0 0 0 0 1', '0: 0100007F:0948 0:0 0A 0 0 0 0 0 x', '\u0000\r\n0: 0100007F:0948'].join(
      '\n',
    )
    expect(parseProcNetTcp(junk, 4, true)).toEqual([])
  })
})

describe("dockerd's tcp endpoints", () => {
  it('reads hosts as opts.ParseTCPAddr does: no scheme is tcp, no host is localhost, no port is 2375', () => {
    const found = tcpEndpoints([
      'fd://',
      'unix:///var/run/docker.sock',
      'tcp://127.0.0.1:2376',
      'tcp://0.0.0.0',
      '10.0.0.5:2377',
      'tcp://:2378',
      'tcp://[::1]:2379',
      'tcp://[::]',
      'tcp://localhost:2380',
      'tcp://docker.example.com:2381',
      'tcp://1.2.3.4:99999',
      'tcp://1.2.3.4:2376/path',
    ]).map((e) => `${formatIp(e.ip)} ${e.port}`)
    expect(found).toEqual(['127.0.0.1 2376', '0.0.0.0 2375', '10.0.0.5 2377', '127.0.0.1 2378', '::1 2379', ':: 2375', '127.0.0.1 2380'])
  })
})

describe('which listener blocks a bind (Linux, SO_REUSEADDR)', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1', true],
    ['127.0.0.1', '10.0.0.1', false],
    ['127.0.0.1', '0.0.0.0', true],
    ['127.0.0.1', '::', true],
    ['127.0.0.1', '::ffff:127.0.0.1', true],
    ['127.0.0.1', '::1', false],
    // Go listens on 0.0.0.0 with one dual-stack IPv6 socket: it clashes with everything on the port.
    ['0.0.0.0', '10.0.0.1', true],
    ['0.0.0.0', '::1', true],
    ['::', '127.0.0.1', true],
    ['::1', '::1', true],
    ['::1', '0.0.0.0', false],
    ['::1', '::', true],
  ])('dockerd on %s, a listener on %s: %s', (wanted, held, expected) => {
    expect(clashes(endpoint(wanted, 2376), listener(held, 2376))).toBe(expected)
    expect(clashes(endpoint(wanted, 2376), listener(held, 2377))).toBe(false)
  })
})

describe('ss holders', () => {
  it('maps socket inodes to processes; several users of one socket (systemd socket activation) all count', () => {
    const out = [
      'State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
      'LISTEN 0      8      127.0.0.1:2376      0.0.0.0:*     users:(("python3",pid=351,fd=3)) ino:87616 sk:1 cgroup:/system.slice/port-squatter-2376.service <->',
      'LISTEN 0      4096   *:2375              *:*           users:(("dockerd",pid=700,fd=9),("systemd",pid=1,fd=50)) ino:5001 sk:2 <->',
      'LISTEN 0      4096   *:80                *:*           ino:5003 sk:3 <->',
    ].join('\n')
    const holders = parseSsHolders(out)
    expect(holders.get(87616)).toEqual([{name: 'python3', pid: 351}])
    expect(holders.get(5001)).toEqual([
      {name: 'dockerd', pid: 700},
      {name: 'systemd', pid: 1},
    ])
    expect(holders.get(5003)).toEqual([])
  })
})

describe('preflight refuses a listener another process holds (issue 9 item 21)', () => {
  const rigs: Rig[] = []
  afterEach(() => {
    for (const r of rigs.splice(0)) r.host.cleanup()
  })
  const options: ApplyOptions = {dryRun: false, noRestart: false, yes: true, keepContainers: false, timeoutMs: 30_000}
  /** The fake inspector, with hosts read from daemon.json as dockerd's effective listeners. */
  const withHosts: Inspector = async (fs) => {
    const view = await inspector(fs)
    return {...view, hosts: (view.config['hosts'] as string[] | undefined) ?? ['fd://']}
  }
  async function squatted(host: FakeHost, holder: string): Promise<void> {
    await host.fs.mkdirp('/proc/net')
    await host.fs.writeAtomic('/proc/net/tcp', `${TCP}\n`, {mode: 0o444})
    await host.fs.writeAtomic('/proc/net/tcp6', `${HEADER}\n`, {mode: 0o444})
    host.ss = `LISTEN 0 8 127.0.0.1:2376 0.0.0.0:* users:(${holder}) ino:87616 sk:1 <->\n`
  }
  const setHosts = '{"hosts": ["tcp://127.0.0.1:2376"]}\n'

  it('a process name with control characters is quoted, not printed raw', async () => {
    const r = rig({services: [], servicesAllowed: ['show']})
    rigs.push(r)
    await squatted(r.host, '("evil\\x1b[2J\r",pid=66,fd=3)')
    r.host.ss = r.host.ss?.replace('\\x1b', '\u001b')
    await expect(preflight(r.system, candidate())).rejects.toThrow('by "evil\\u001b[2J\\r" (pid 66)')
  })

  it('exit 3 naming the port and the process; nothing written, dockerd never restarted', async () => {
    const r = rig({services: [], servicesAllowed: ['show']})
    rigs.push(r)
    await seedConfig(r, '{}\n')
    await squatted(r.host, '("python3",pid=351,fd=3)')
    const error = await applyChanges(
      r.system,
      {command: 'dockcfg set hosts', changes: [{path: CONFIG, before: '{}\n', after: setHosts}], changedKeys: ['hosts'], activation: 'restart'},
      withHosts,
      options,
    ).then(
      () => undefined,
      (e: unknown) => e,
    )
    await expectRefusedUntouched(r, error, 'tcp://127.0.0.1:2376: port 2376 is already in use on 127.0.0.1:2376 by python3 (pid 351)', '{}\n')
    expect(r.problems()).toEqual([])
  })

  const candidate = () => ({configText: setHosts, execArgv: ['/usr/bin/dockerd', '-H', 'fd://'], dockerdVersion: '24.0.7', hosts: ['fd://', 'tcp://0.0.0.0:2376']})

  it('a port the running dockerd holds itself is no clash: it lets go of it when it stops', async () => {
    const r = rig({services: ['show']})
    rigs.push(r)
    await squatted(r.host, `("dockerd",pid=${r.host.mainPid},fd=7),("systemd",pid=1,fd=40)`)
    expect(await preflight(r.system, candidate())).toEqual({method: 'validate', ok: true, detail: 'configuration OK'})
    // Once dockerd is down, the same socket belongs to someone else.
    r.host.active = false
    await expect(preflight(r.system, candidate())).rejects.toThrow(/port 2376 is already in use on 127\.0\.0\.1:2376 by dockerd \(pid 1000\), systemd \(pid 1\)/)
    expect(r.problems()).toEqual([])
  })

  it('without ss it cannot tell dockerd from a stranger: no refusal, the preflight says the restart will tell', async () => {
    const r = rig({services: ['show']})
    rigs.push(r)
    await squatted(r.host, '')
    r.host.ss = undefined
    const outcome = await preflight(r.system, candidate())
    expect(outcome).toMatchObject({method: 'validate', ok: true})
    expect(outcome.detail).toBe('configuration OK; port 2376 is in use and ss could not say whether dockerd itself holds it: the restart will tell')
    // dockerd down: nothing of its own to tell apart, so the clash is a clash.
    r.host.active = false
    await expect(preflight(r.system, candidate())).rejects.toThrow(/by a process dockcfg cannot see/)
  })

  it('the socket tables are read only when a tcp:// listener is planned', async () => {
    const r = rig({services: [], servicesAllowed: []})
    rigs.push(r)
    await squatted(r.host, '("python3",pid=351,fd=3)')
    expect(await preflight(r.system, {...candidate(), hosts: ['fd://', 'unix:///run/other.sock']})).toMatchObject({ok: true})
    expect(r.processes.runs.filter((run) => run.startsWith('ss'))).toEqual([])
    expect(r.problems()).toEqual([])
  })
})
