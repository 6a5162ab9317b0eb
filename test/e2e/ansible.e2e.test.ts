import {execFile} from 'node:child_process'
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {availableParallelism, loadavg} from 'node:os'
import {request} from 'node:https'
import {dirname, join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DAEMON_JSON, DROPIN_DIR, dockerState, type FileSnapshot, snapshotFiles} from './harness/docker-probes.js'
import {ansibleEnv, fleetDir, packOfflineTarball, type PlaybookRun, runPlaybook, type SshKey, ssh, sshKeyPair, startSshd, writeInventory} from './harness/fleet.js'
import {runProcess} from './harness/proc.js'
import {assertDistBuilt, bootHosts, BUSYBOX_IMAGE, e2eGate, ensureBusyboxImage, REPO_ROOT, stopAllHosts, type TestHost, WORK_DIR} from './harness/testbed.js'

// The fleet story of issue 11 from the control side: Debian's ansible-core, over SSH, installs
// dockcfg from its npm tarball on three test hosts and holds them in one desired state (bip, mtu,
// dns, remote access with one shared CA) through the role and module in templates/ansible. Every
// dockerd is then checked from this side, over its TLS listener, with the one client bundle.
const gate = e2eGate()

const PLAYBOOK = join(REPO_ROOT, 'templates/ansible/playbook.yml')
// /usr is read-only inside a test host (this machine's, mounted), so npm's default prefix cannot take it.
const PREFIX = '/opt/dockcfg-fleet'
const DESIRED = {bip: '192.168.42.1/24', mtu: 1400, dns: ['192.0.2.53']}
const PORT = 2376
/** The benchmark's input: scripts that print benchmark rows read it (README, "Ansible"). */
const BENCH_FILE = join(WORK_DIR, 'bench', 'ansible-fleet.json')

interface Bridge {
  IPAM: {Config: Array<{Subnet?: string; Gateway?: string}>}
  Options: Record<string, string>
}

/** GET on a host's Engine API from this side, over mutual TLS with the client bundle in `bundle`. */
function tlsGet<T>(address: string, path: string, bundle: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address,
        port: PORT,
        path,
        ca: readFileSync(join(bundle, 'ca.pem')),
        cert: readFileSync(join(bundle, 'cert.pem')),
        key: readFileSync(join(bundle, 'key.pem')),
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8')
          if (res.statusCode !== 200) reject(new Error(`GET ${path} on ${address}: HTTP ${res.statusCode}: ${body}`))
          else resolve(JSON.parse(body) as T)
        })
      },
    )
    req.on('timeout', () => req.destroy(new Error(`GET ${path} on ${address}: timed out`)))
    req.on('error', reject)
    req.end()
  })
}

/** The docker CLI of this machine against a host's TLS listener. */
function dockerRemote(h: TestHost, bundle: string, args: readonly string[]): Promise<{exitCode: number; stdout: string; stderr: string}> {
  const tls = ['--tlsverify', '--tlscacert', join(bundle, 'ca.pem'), '--tlscert', join(bundle, 'cert.pem'), '--tlskey', join(bundle, 'key.pem'), '-H', `tcp://${h.address}:${PORT}`]
  return new Promise((resolve) => {
    execFile('docker', [...tls, ...args], {env: {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(bundle, '..')}, timeout: 60_000}, (error, stdout, stderr) => {
      resolve({exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr})
    })
  })
}

/** Every file dockerd's configuration is made of (daemon.json, drop-ins, TLS material), with its bytes and mode. */
async function dockerFiles(h: TestHost): Promise<FileSnapshot> {
  const list = await h.exec(['find', dirname(DAEMON_JSON), DROPIN_DIR, '-type', 'f'], {allowFail: true})
  return snapshotFiles(
    h,
    list.stdout
      .split('\n')
      .filter((l) => l !== '')
      .sort(),
  )
}

/** dockcfg on the control machine: the checkout's build, as the role's CA tasks run it too. */
function controlDockcfg(args: readonly string[]): Promise<{exitCode: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'bin/run.js'), ...args],
      {env: {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/root'}, timeout: 60_000},
      (error, stdout, stderr) => {
        resolve({exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr})
      },
    )
  })
}

describe.skipIf(!gate.ok)('Ansible drives dockcfg on a fleet of three test hosts over SSH', () => {
  let hosts: TestHost[]
  let dir: string
  let key: SshKey
  let inventory: string
  let caDir: string
  let clientDir: string
  let tarball: string
  const timings: Record<string, number> = {}

  /** The role's variables: install from the tarball, the shared CA, the desired state. */
  function writeVars(name: string, daemon: Record<string, unknown>): string {
    const vars = {
      dockcfg_install_method: 'tarball',
      dockcfg_tarball: tarball,
      dockcfg_npm_prefix: PREFIX,
      // No registry from a test host: everything comes from the tarball.
      dockcfg_npm_args: ['--offline'],
      dockcfg_ca_create: true,
      dockcfg_ca_src: caDir,
      dockcfg_client_dir: clientDir,
      dockcfg_control_executable: `${process.execPath} ${join(REPO_ROOT, 'bin/run.js')}`,
      dockcfg_daemon: daemon,
      dockcfg_remote: {enabled: true, address: '0.0.0.0', port: PORT},
    }
    const path = join(dir, name)
    writeFileSync(path, JSON.stringify(vars, null, 2))
    return path
  }

  async function playbook(vars: string, ...extra: string[]): Promise<PlaybookRun> {
    const run = await runPlaybook(dir, ['-i', inventory, PLAYBOOK, '-e', `@${vars}`, ...extra])
    // The CA key travels to every host and each host makes its own server key: none may show.
    expect(run.stdout + run.stderr, run.describe).not.toMatch(/PRIVATE KEY/)
    return run
  }

  function expectEveryHost(run: PlaybookRun, check: (line: PlaybookRun['recap'][string]) => boolean): void {
    expect(Object.keys(run.recap).sort(), run.describe).toEqual(hosts.map((h) => h.name).sort())
    for (const h of hosts) expect(check(run.recap[h.name]!), `${h.name}: ${JSON.stringify(run.recap[h.name])}\n${run.describe}`).toBe(true)
  }

  beforeAll(async () => {
    assertDistBuilt()
    dir = fleetDir('ansible')
    caDir = join(dir, 'fleet-ca')
    clientDir = join(dir, 'client')
    mkdirSync(join(dir, 'ansible-tmp'), {recursive: true})
    mkdirSync(join(dir, 'ansible-cp'), {recursive: true})
    const [booted, packed, pair] = await Promise.all([bootHosts(3), packOfflineTarball(dir), sshKeyPair(dir)])
    hosts = booted
    tarball = packed
    key = pair
    await Promise.all(
      hosts.map(async (h) => {
        await h.waitDockerActive()
        await startSshd(h, key)
        await ensureBusyboxImage(h)
      }),
    )
    inventory = writeInventory(join(dir, 'inventory.ini'), hosts, key)
  })

  afterAll(async () => {
    await stopAllHosts()
    // The run's CA and client keys go with it; only the timings stay.
    if (dir !== undefined) rmSync(dir, {recursive: true, force: true})
    if (Object.keys(timings).length > 0) {
      mkdirSync(join(BENCH_FILE, '..'), {recursive: true})
      // The load is part of the number: several suites may share the machine's cores.
      const record = {
        what: 'ansible-playbook, templates/ansible role, 3 test hosts over SSH: bip + mtu + dns + remote access (one shared CA)',
        hosts: 3,
        at: new Date().toISOString(),
        cpus: availableParallelism(),
        loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
        ms: timings,
      }
      writeFileSync(BENCH_FILE, JSON.stringify(record, null, 2) + '\n')
      console.log(`[e2e] ansible fleet timings (${BENCH_FILE}): ${JSON.stringify(timings)}`)
    }
  })

  it('reaches every host over SSH with the run key, each under its own hostname', async () => {
    for (const h of hosts) expect((await ssh(h, key, ['hostname'])).stdout.trim()).toBe(h.name)
    // What any Ansible run costs here before dockcfg does anything: the baseline of the timings.
    const t0 = Date.now()
    const ping = await runProcess(['ansible', 'docker', '-i', inventory, '-m', 'ping'], {allowFail: true, timeoutMs: 300_000, env: ansibleEnv(dir)})
    timings['ansible-ping'] = Date.now() - t0
    expect(ping.exitCode, ping.stdout + ping.stderr).toBe(0)
  })

  it('installs dockcfg on all three from the npm tarball (Node checked on each host)', async () => {
    const run = await playbook(writeVars('vars.json', DESIRED), '--tags', 'dockcfg-install')
    timings['install'] = run.ms
    expect(run.exitCode, run.describe).toBe(0)
    expectEveryHost(run, (r) => r.failed === 0 && r.unreachable === 0 && r.changed >= 2)
    for (const h of hosts) {
      const version = await h.exec([`${PREFIX}/bin/dockcfg`, '--version'], {env: {PATH: '/usr/bin:/bin'}})
      expect(version.stdout).toMatch(/^dockcfg\/\d+\.\d+\.\d+ /)
    }
  })

  it('applies bip, mtu, dns and remote access to all three with one shared CA; every dockerd shows it live over TLS', async () => {
    const before = await Promise.all(hosts.map((h) => dockerState(h)))
    const run = await playbook(join(dir, 'vars.json'))
    timings['apply'] = run.ms
    console.log(`[e2e] ansible: 3-host playbook (bip, mtu, dns, remote access) took ${run.ms} ms`)
    expect(run.exitCode, run.describe).toBe(0)
    expectEveryHost(run, (r) => r.failed === 0 && r.unreachable === 0 && r.changed >= 1)
    // One CA, made once on this side: the client bundle from it is accepted by every host, and each
    // host's server certificate is verified against it.
    expect(readFileSync(join(clientDir, 'ca.pem'), 'utf8')).toBe(readFileSync(join(caDir, 'ca.pem'), 'utf8'))
    for (const [i, h] of hosts.entries()) {
      expect(await h.readFile('/etc/dockcfg/fleet-ca/ca.pem')).toBe(readFileSync(join(caDir, 'ca.pem'), 'utf8'))
      expect((await h.exec(['stat', '-c', '%a', '/etc/dockcfg/fleet-ca/ca-key.pem'])).stdout.trim()).toBe('600')
      const info = await tlsGet<{Name: string}>(h.address, '/info', clientDir)
      expect(info.Name).toBe(h.name)
      const bridge = await tlsGet<Bridge>(h.address, '/networks/bridge', clientDir)
      expect(bridge.IPAM.Config).toEqual([expect.objectContaining({Subnet: '192.168.42.0/24', Gateway: '192.168.42.1'})])
      expect(bridge.Options['com.docker.network.driver.mtu']).toBe('1400')
      const resolv = await dockerRemote(h, clientDir, ['run', '--rm', BUSYBOX_IMAGE, 'cat', '/etc/resolv.conf'])
      expect(resolv.exitCode, resolv.stderr).toBe(0)
      expect(resolv.stdout).toMatch(/^nameserver 192\.0\.2\.53$/m)
      // One restart for the whole desired state.
      expect((await dockerState(h)).invocation).not.toBe(before[i]!.invocation)
    }
  })

  it('a second run reports zero changes on every host and restarts nothing', async () => {
    const before = await Promise.all(hosts.map((h) => dockerState(h)))
    const run = await playbook(join(dir, 'vars.json'))
    timings['second-run'] = run.ms
    expect(run.exitCode, run.describe).toBe(0)
    expectEveryHost(run, (r) => r.failed === 0 && r.unreachable === 0 && r.changed === 0 && r.ok > 0)
    for (const [i, h] of hosts.entries()) expect(await dockerState(h)).toEqual(before[i])
  })

  it('--check --diff after editing the desired state reports the change on every host and makes none', async () => {
    const edited = writeVars('vars-edited.json', {...DESIRED, mtu: 1450})
    const before = await Promise.all(hosts.map(async (h) => ({state: await dockerState(h), files: await dockerFiles(h)})))
    const run = await playbook(edited, '--check', '--diff')
    timings['check'] = run.ms
    expect(run.exitCode, run.describe).toBe(0)
    expectEveryHost(run, (r) => r.failed === 0 && r.changed === 1)
    // dockcfg's diff, as Ansible prints a task's diff: the mtu line of daemon.json.
    expect(run.stdout, run.describe).toMatch(/^\+\s*"mtu": 1450/m)
    expect(run.stdout).not.toMatch(/PRIVATE KEY/)
    for (const [i, h] of hosts.entries()) {
      expect(await dockerState(h)).toEqual(before[i]!.state)
      expect(await dockerFiles(h)).toEqual(before[i]!.files)
      const bridge = await tlsGet<Bridge>(h.address, '/networks/bridge', clientDir)
      expect(bridge.Options['com.docker.network.driver.mtu']).toBe('1400')
    }
  })

  it("a desired state dockcfg refuses fails on every host with dockcfg's message and exit code, nothing changed", async () => {
    const bad = writeVars('vars-bad.json', {...DESIRED, bip: '192.168.42.1/33'})
    const before = await Promise.all(hosts.map(async (h) => ({state: await dockerState(h), files: await dockerFiles(h)})))
    const run = await playbook(bad)
    expect(run.exitCode, run.describe).toBe(2)
    expectEveryHost(run, (r) => r.failed === 1 && r.changed === 0)
    // The module's result: dockcfg's exit code as rc, its message naming the value.
    expect(run.stdout.match(/"rc": 3\b/g)?.length, run.describe).toBe(hosts.length)
    expect(run.stdout).toContain('192.168.42.1/33')
    for (const [i, h] of hosts.entries()) {
      expect(await dockerState(h)).toEqual(before[i]!.state)
      expect(await dockerFiles(h)).toEqual(before[i]!.files)
    }
  })

  it('dockcfg remote check reaches all three with the one client bundle', async () => {
    for (const h of hosts) {
      const r = await controlDockcfg(['remote', 'check', `tcp://${h.address}:${PORT}`, '--cert-dir', clientDir, '--json'])
      expect(r.exitCode, `${h.name}: ${r.stdout}\n${r.stderr}`).toBe(0)
    }
  })
})
