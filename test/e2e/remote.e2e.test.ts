import {execFile} from 'node:child_process'
import * as fsp from 'node:fs/promises'
import {connect} from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type CliResult, spawnCli as runCliOnce} from '../support/cli.js'
import {occupyPort} from './harness/docker-probes.js'
import {finish, startPaused} from './harness/paused.js'
import {assertDistBuilt, bootHosts, e2eGate, stopAllHosts, type TestHost} from './harness/testbed.js'

const gate = e2eGate()

/** Checked from THIS machine, the other end of each host's veth pair. */
interface CheckReport {
  ok: boolean
  results: Array<{
    endpoint: string
    ok: boolean
    verdict: string
    findings: Array<{code: string; severity: string; message: string; fix?: string}>
    version?: {version?: string; apiVersion?: string}
    clientCertificate?: {required?: boolean}
  }>
}

let work = ''
/** No DOCKER_* from whoever runs the suite, and no ~/.docker of theirs. */
const cleanEnv = (): Record<string, string> => ({
  DOCKER_HOST: '',
  DOCKER_TLS_VERIFY: '',
  DOCKER_TLS: '',
  DOCKER_CERT_PATH: '',
  DOCKER_CONFIG: path.join(work, 'docker-config'),
  HOME: work,
})

/**
 * The CLI on THIS machine runs the checkout's live dist/, which other people rebuild while the
 * suite runs (`npm run build` starts with rm -rf dist): wait for a complete build, and run again
 * once if the build vanished underneath.
 */
async function runCli(args: readonly string[], options: {env?: Record<string, string>} = {}): Promise<CliResult> {
  for (let attempt = 0; ; attempt++) {
    await waitForBuild()
    const result = await runCliOnce(args, options)
    if (attempt > 0 || !/ERR_MODULE_NOT_FOUND|Cannot find module|command .* not found/i.test(result.stderr)) return result
  }
}

async function waitForBuild(): Promise<void> {
  const root = path.join(import.meta.dirname, '../..')
  const deadline = Date.now() + 120_000
  while (Date.now() < deadline) {
    const [manifest, commands] = await Promise.all([
      fsp.stat(path.join(root, 'oclif.manifest.json')).catch(() => undefined),
      fsp.stat(path.join(root, 'dist/dockcfg.cjs')).catch(() => undefined),
    ])
    if (manifest !== undefined && commands !== undefined && manifest.mtimeMs >= commands.mtimeMs) return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error('no complete build of dist/ within 120 s')
}

async function dockcfg(h: TestHost, args: string[]) {
  return h.dockcfg(args, {allowFail: true, timeoutMs: 180_000})
}

/** Copies a client bundle out of a test host (the host's /etc is not visible from here). */
async function copyBundle(h: TestHost, from: string, to: string): Promise<string> {
  await fsp.mkdir(to, {recursive: true, mode: 0o700})
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) await fsp.writeFile(path.join(to, f), await h.readFile(`${from}/${f}`), {mode: f === 'key.pem' ? 0o600 : 0o644})
  return to
}

function dockerCli(args: string[]): Promise<{exitCode: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile('docker', args, {env: {...process.env, ...cleanEnv()}, timeout: 30_000}, (error, stdout, stderr) => {
      resolve({exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr})
    })
  })
}

/** The docker CLI's flags for mutual TLS with the client bundle in `dir`, aimed at `h`'s listener. */
function dockerTlsArgs(dir: string, h: TestHost): string[] {
  return ['--tlsverify', '--tlscacert', path.join(dir, 'ca.pem'), '--tlscert', path.join(dir, 'cert.pem'), '--tlskey', path.join(dir, 'key.pem'), '-H', `tcp://${h.address}:2376`]
}

function tcpOpen(host: string, port: number, timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({host, port})
    const done = (ok: boolean) => {
      s.destroy()
      resolve(ok)
    }
    s.setTimeout(timeoutMs, () => done(false))
    s.on('connect', () => done(true))
    s.on('error', () => done(false))
  })
}

async function mainPid(h: TestHost): Promise<string> {
  return (await h.exec(['systemctl', 'show', '-p', 'MainPID', '--value', 'docker'])).stdout.trim()
}

describe.skipIf(!gate.ok)('remote TCP access on real hosts (checked from the other end of the veth)', () => {
  let a: TestHost
  let b: TestHost
  let c: TestHost
  let d: TestHost

  beforeAll(async () => {
    assertDistBuilt()
    work = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-remote-e2e-'))
    const t0 = Date.now()
    ;[a, b, c, d] = (await bootHosts(4)) as [TestHost, TestHost, TestHost, TestHost]
    await Promise.all([a, b, c, d].map((h) => h.waitDockerActive()))
    console.log(`[e2e] remote: 4 hosts up in ${Date.now() - t0} ms`)
  })

  afterAll(async () => {
    await stopAllHosts()
    if (work) await fsp.rm(work, {recursive: true, force: true})
  })

  it('1. enable: the client bundle passes the check from outside, no client cert is refused, the docker CLI works', async () => {
    const t0 = Date.now()
    const en = await dockcfg(a, ['remote', 'enable', '--yes'])
    expect(en.exitCode, en.stderr).toBe(0)
    console.log(`[e2e] remote enable on ${a.name}: ${Date.now() - t0} ms`)
    // dockerd 20.10 has no --validate: a trial dockerd started with the new certificates staged before they were written.
    expect(en.stderr).toMatch(/preflight: trial-start: a trial dockerd started with this configuration/)
    expect(en.stderr).toMatch(/dockerd restarted/)
    expect(en.stderr).toMatch(/self-check: tcp:\/\/127\.0\.0\.1:2376 answers over mutual TLS/)
    expect(en.stdout).toContain(`DOCKER_HOST=tcp://${a.address}:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=/etc/docker/tls/client`)
    expect(en.stdout).toMatch(/^docker context create /m)
    expect(`${en.stdout}${en.stderr}`).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/)
    // Local access survives, dockerd started without a hosts conflict.
    expect((await a.exec(['docker', 'version', '--format', '{{.Server.Version}}'])).stdout.trim()).toMatch(/^20\.10/)
    expect(
      (await a.exec(['stat', '-c', '%a', '/etc/docker/tls/server-key.pem', '/etc/docker/tls/ca-key.pem', '/etc/docker/tls/client/key.pem', '/etc/docker/tls'])).stdout
        .split('\n')
        .filter(Boolean),
    ).toEqual(['600', '600', '600', '700'])

    const bundle = await copyBundle(a, '/etc/docker/tls/client', path.join(work, 'a-client'))
    const endpoint = `tcp://${a.address}:2376`
    const ok = await runCli(['remote', 'check', endpoint, '--cert-dir', bundle, '--json'], {env: cleanEnv()})
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0)
    const report = ok.json<CheckReport>()
    expect(report.ok).toBe(true)
    expect(report.results[0]).toMatchObject({endpoint, verdict: 'ok', clientCertificate: {required: true}, version: {apiVersion: '1.41'}})

    // The human table, as a person at a terminal would read it.
    const table = await runCli(['remote', 'check', endpoint, '--cert-dir', bundle], {env: cleanEnv()})
    expect(table.stdout).toMatch(new RegExp(`^${endpoint}: OK`, 'm'))
    expect(table.stdout).toMatch(/client cert demanded\s+ok/)

    // The same endpoint with the CA but no client certificate: the server refuses.
    const noCert = await runCli(['remote', 'check', endpoint, '--tlscacert', path.join(bundle, 'ca.pem'), '--json'], {env: cleanEnv()})
    expect(noCert.exitCode).toBe(6)
    const refused = noCert.json<CheckReport>().results[0]
    expect(refused?.clientCertificate?.required).toBe(true)
    expect(refused?.findings.map((f) => f.code)).toContain('no-client-cert')

    // The real docker CLI with --tlsverify and the bundle.
    const v = await dockerCli([...dockerTlsArgs(bundle, a), 'version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}'])
    expect(v.exitCode, v.stderr).toBe(0)
    expect(v.stdout.trim()).toMatch(/^20\.10\.\S+ 1\.41$/)
    const without = await dockerCli(['--tlsverify', '--tlscacert', path.join(bundle, 'ca.pem'), '-H', `tcp://${a.address}:2376`, 'version', '--format', '{{.Server.Version}}'])
    expect(without.exitCode).not.toBe(0)

    // Idempotent on a live host: nothing written, dockerd not restarted.
    const pid = await mainPid(a)
    const again = await dockcfg(a, ['remote', 'enable', '--yes', '--json'])
    expect(again.exitCode, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({changed: false, action: 'none'})
    expect(await mainPid(a)).toBe(pid)
  })

  it('2. one shared CA: two hosts enabled with --ca, one client bundle reaches both', async () => {
    const caDir = path.join(work, 'fleet-ca')
    const ca = await runCli(['remote', 'ca', 'create', '--out', caDir], {env: cleanEnv()})
    expect(ca.exitCode, ca.stderr).toBe(0)
    const caPem = await fsp.readFile(path.join(caDir, 'ca.pem'), 'utf8')
    const caKey = await fsp.readFile(path.join(caDir, 'ca-key.pem'), 'utf8')
    await Promise.all(
      [b, c].map(async (h) => {
        await h.writeFile('/root/fleet-ca/ca.pem', caPem, 0o644)
        await h.writeFile('/root/fleet-ca/ca-key.pem', caKey, 0o600)
        const en = await dockcfg(h, ['remote', 'enable', '--ca', '/root/fleet-ca', '--yes'])
        expect(en.exitCode, `${h.name}: ${en.stderr}`).toBe(0)
        // The shared CA's key stays with the admin: the host only gets the certificate.
        expect(await h.exists('/etc/docker/tls/ca-key.pem')).toBe(false)
      }),
    )
    const client = path.join(work, 'fleet-client')
    const cc = await runCli(['remote', 'client-cert', '--ca', caDir, '--out', client, '--name', 'e2e'], {env: cleanEnv()})
    expect(cc.exitCode, cc.stderr).toBe(0)
    for (const h of [b, c]) {
      const check = await runCli(['remote', 'check', `tcp://${h.address}:2376`, '--json'], {env: {...cleanEnv(), DOCKER_CERT_PATH: client, DOCKER_TLS_VERIFY: '1'}})
      expect(check.exitCode, `${h.name}: ${check.stdout}`).toBe(0)
      expect(check.json<CheckReport>().results[0]?.verdict).toBe('ok')
      const v = await dockerCli([...dockerTlsArgs(client, h), 'info', '--format', '{{.Name}}'])
      expect(v.exitCode, v.stderr).toBe(0)
      expect(v.stdout.trim()).toBe(h.name)
    }
    // Host A's own CA is not the fleet's: its bundle does not reach B.
    const foreign = await runCli(['remote', 'check', `tcp://${b.address}:2376`, '--cert-dir', path.join(work, 'a-client'), '--json'], {env: cleanEnv()})
    expect(foreign.exitCode).toBe(6)
  })

  it('3. --insecure: non-loopback without --yes is refused with nothing changed; on loopback the check says CRITICAL', async () => {
    const before = await d.exec(['cat', '/etc/docker/daemon.json'], {allowFail: true})
    const pid = await mainPid(d)
    const refused = await dockcfg(d, ['remote', 'enable', '--insecure', '--address', '0.0.0.0'])
    expect(refused.exitCode).toBe(7)
    expect(refused.stderr).toMatch(/refusing to serve the Docker API in plaintext on tcp:\/\/0\.0\.0\.0:2375/)
    expect(await d.exec(['cat', '/etc/docker/daemon.json'], {allowFail: true})).toEqual(before)
    expect(await d.exists('/etc/systemd/system/docker.service.d/50-dockcfg.conf')).toBe(false)
    expect(await mainPid(d)).toBe(pid)
    expect(await tcpOpen(d.address, 2375)).toBe(false)

    const t0 = Date.now()
    const en = await dockcfg(d, ['remote', 'enable', '--insecure'])
    expect(en.exitCode, en.stderr).toBe(0)
    const took = Date.now() - t0
    console.log(`[e2e] remote enable --insecure on ${d.name}: ${took} ms`)
    expect(en.stderr).toMatch(/WARNING: tcp:\/\/127\.0\.0\.1:2375: the Docker API without encryption or authentication/)
    expect(JSON.parse(await d.readFile('/etc/docker/daemon.json'))).toMatchObject({hosts: ['fd://', 'tcp://127.0.0.1:2375'], tls: false})
    // "tls": false explicitly: dockerd did not sleep its 15 s.
    const journal = (await d.journal('docker')).text
    expect(journal).not.toMatch(/delaying startup|intentionally slowed/i)
    // Loopback only: not reachable from this side.
    expect(await tcpOpen(d.address, 2375)).toBe(false)
    const check = await d.dockcfg(['remote', 'check', 'tcp://127.0.0.1:2375', '--json'], {allowFail: true})
    expect(check.exitCode).toBe(6)
    const result = (JSON.parse(check.stdout) as CheckReport).results[0]
    expect(result?.verdict).toBe('CRITICAL')
    expect(result?.findings.find((f) => f.code === 'plaintext-api')?.severity).toBe('CRITICAL')
    // The default check (no ENDPOINT) finds the same listener from the configuration.
    const auto = await d.dockcfg(['remote', 'check'], {allowFail: true})
    expect(auto.exitCode).toBe(6)
    expect(auto.stdout).toMatch(/^tcp:\/\/127\.0\.0\.1:2375: CRITICAL/m)
  })

  it('4. an unreachable endpoint fails with exit 6 within the timeout; a certificate issued for another name is a SAN error', async () => {
    const bundle = path.join(work, 'a-client')
    // A port whose packets are dropped (inside the test host): only the timeout ends the wait.
    await a.exec(['iptables', '-I', 'INPUT', '-p', 'tcp', '--dport', '2399', '-j', 'DROP'])
    const t0 = Date.now()
    const dropped = await runCli(['remote', 'check', `tcp://${a.address}:2399`, '--cert-dir', bundle, '--timeout', '2', '--json'], {env: cleanEnv()})
    const took = Date.now() - t0
    expect(dropped.exitCode).toBe(6)
    expect(took).toBeLessThan(8_000)
    expect(dropped.json<CheckReport>().results[0]?.findings[0]).toMatchObject({code: 'unreachable'})
    const closed = await runCli(['remote', 'check', `tcp://${a.address}:2398`, '--cert-dir', bundle, '--timeout', '2'], {env: cleanEnv()})
    expect(closed.exitCode).toBe(6)
    expect(closed.stdout).toMatch(/tcp connect\s+FAIL\s+refused/)

    // A second address on A that the certificate (issued before it existed) does not name.
    const other = a.address.replace(/\.2$/, '.3')
    await a.exec(['ip', 'addr', 'add', `${other}/24`, 'dev', 'host0'])
    const san = await runCli(['remote', 'check', `tcp://${other}:2376`, '--cert-dir', bundle, '--json'], {env: cleanEnv()})
    expect(san.exitCode).toBe(6)
    const mismatch = san.json<CheckReport>().results[0]?.findings.find((f) => f.code === 'san-mismatch')
    expect(mismatch?.severity).toBe('error')
    expect(mismatch?.fix).toContain(`--san ${other}`)
    // The fix it names works: re-issued with the address, the same bundle passes.
    const fixed = await dockcfg(a, ['remote', 'enable', '--san', other, '--yes'])
    expect(fixed.exitCode, fixed.stderr).toBe(0)
    const after = await runCli(['remote', 'check', `tcp://${other}:2376`, '--cert-dir', bundle, '--json'], {env: cleanEnv()})
    expect(after.exitCode, after.stdout).toBe(0)
  })

  it('5. disable: the listener is gone, the local socket still works', async () => {
    const en = await dockcfg(a, ['remote', 'disable', '--yes'])
    expect(en.exitCode, en.stderr).toBe(0)
    expect(en.stderr).toMatch(/removing tcp:\/\/0\.0\.0\.0:2376/)
    expect(await tcpOpen(a.address, 2376)).toBe(false)
    const check = await runCli(['remote', 'check', `tcp://${a.address}:2376`, '--cert-dir', path.join(work, 'a-client'), '--timeout', '2', '--json'], {env: cleanEnv()})
    expect(check.exitCode).toBe(6)
    expect((await a.exec(['docker', 'version', '--format', '{{.Server.Version}}'])).stdout.trim()).toMatch(/^20\.10/)
    expect(JSON.parse(await a.readFile('/etc/docker/daemon.json')).hosts).toEqual(['fd://'])
    // With --purge the keys go too, and local access still works.
    const purge = await dockcfg(a, ['remote', 'disable', '--purge', '--yes'])
    expect(purge.exitCode, purge.stderr).toBe(0)
    expect(await a.exists('/etc/docker/tls/server-key.pem')).toBe(false)
    expect((await a.exec(['systemctl', 'is-active', 'docker'])).stdout.trim()).toBe('active')
    expect((await a.exec(['docker', 'info', '--format', '{{.Name}}'])).stdout.trim()).toBe(a.name)
  })

  it('6. a listener that cannot start rolls everything back, new certificate files included', async () => {
    // D from scenario 3: back to no TCP listener, then a listener on a port another process takes
    // after preflight: only the real start finds out (a port taken before, or an address on no
    // interface, is refused by preflight before anything is written: guards.e2e.test.ts scenario
    // 21, apply.e2e.test.ts scenario 4).
    expect((await dockcfg(d, ['remote', 'disable', '--purge', '--yes'])).exitCode).toBe(0)
    const before = await d.readFile('/etc/docker/daemon.json')
    const dropin = await d.readFile('/etc/systemd/system/docker.service.d/50-dockcfg.conf')
    const t0 = Date.now()
    const run = await startPaused(d, 'pending-recorded', ['remote', 'enable', '--address', '127.0.0.1', '--port', '2377', '--timeout', '20', '--yes'])
    await occupyPort(d, 2377)
    const en = await finish(d, run, 'CONT')
    console.log(`[e2e] failed enable + rollback on ${d.name}: ${Date.now() - t0} ms`)
    expect(en.exitCode, en.output).toBe(4)
    expect(en.output).toMatch(/previous configuration was restored/)
    expect(en.output).toMatch(/address already in use/)
    expect(await d.readFile('/etc/docker/daemon.json')).toBe(before)
    expect(await d.readFile('/etc/systemd/system/docker.service.d/50-dockcfg.conf')).toBe(dropin)
    expect(await d.exists('/etc/docker/tls')).toBe(false)
    expect((await d.exec(['systemctl', 'is-active', 'docker'])).stdout.trim()).toBe('active')
    expect((await d.exec(['docker', 'info', '--format', '{{.Name}}'])).stdout.trim()).toBe(d.name)
  })
})
