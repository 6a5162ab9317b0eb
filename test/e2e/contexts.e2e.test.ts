import {execFile} from 'node:child_process'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type CliResult, spawnCli} from '../support/cli.js'
import {assertDistBuilt, bootHosts, e2eGate, stopAllHosts, type TestHost} from './harness/testbed.js'

const gate = e2eGate()

interface Report {
  ok: boolean
  source: string
  results: Array<{endpoint: string; context?: string; ok: boolean; verdict: string; clientCertificate?: {required?: boolean}}>
}

let work = ''
/** No DOCKER_* and no ~/.docker of whoever runs the suite: the context store is this test's own. */
const env = (): Record<string, string> => ({
  DOCKER_HOST: '',
  DOCKER_CONTEXT: '',
  DOCKER_TLS_VERIFY: '',
  DOCKER_TLS: '',
  DOCKER_CERT_PATH: '',
  DOCKER_CONFIG: path.join(work, 'docker-config'),
  HOME: work,
})
const here = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => spawnCli(args, {env: {...env(), ...extra}})

function dockerCli(args: string[]): Promise<{exitCode: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile('docker', args, {env: {...process.env, ...env()}, timeout: 30_000}, (error, stdout, stderr) => {
      resolve({exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr})
    })
  })
}

describe.skipIf(!gate.ok)('fleet certificates without moving the CA key, and docker contexts checked in one call', () => {
  let a: TestHost
  let b: TestHost
  let c: TestHost
  let caDir = ''

  beforeAll(async () => {
    assertDistBuilt()
    work = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-contexts-e2e-'))
    const t0 = Date.now()
    ;[a, b, c] = (await bootHosts(3)) as [TestHost, TestHost, TestHost]
    await Promise.all([a, b, c].map((h) => h.waitDockerActive()))
    console.log(`[e2e] contexts: 3 hosts up in ${Date.now() - t0} ms`)
    caDir = path.join(work, 'fleet-ca')
    const ca = await here(['remote', 'ca', 'create', '--out', caDir])
    expect(ca.exitCode, ca.stderr).toBe(0)
  })

  afterAll(async () => {
    await stopAllHosts()
    if (work) await fsp.rm(work, {recursive: true, force: true})
  })

  it('1. csr on each host, sign here (names vouched for), enable with the signed certificate, contexts here; one check of both contexts: two rows, exit 0', async () => {
    for (const h of [a, b]) {
      const csr = await h.dockcfg(['remote', 'csr', '--out', '/root/tls-request', '--json'], {allowFail: true})
      expect(csr.exitCode, csr.stderr).toBe(0)
      const asked = JSON.parse(csr.stdout) as {dnsNames: string[]; ips: string[]}
      expect(asked.dnsNames).toContain(h.name)
      expect(asked.ips).toContain(h.address)
      expect((await h.exec(['stat', '-c', '%a', '/root/tls-request/key.pem'])).stdout.trim()).toBe('600')

      // Only the CSR travels.
      const local = path.join(work, h.name)
      await fsp.mkdir(local, {recursive: true})
      await fsp.writeFile(path.join(local, 'csr.pem'), await h.readFile('/root/tls-request/csr.pem'))
      // Vouching for one name only is not enough: the signer is told which names it did not vouch for.
      const partial = await here(['remote', 'sign', '--ca', caDir, '--csr', path.join(local, 'csr.pem'), '--out', local, '--san', h.address])
      expect(partial.exitCode).toBe(7)
      expect(partial.stderr).toContain(h.name)
      const vouched = [...asked.dnsNames, ...asked.ips].flatMap((n) => ['--san', n])
      const signed = await here(['remote', 'sign', '--ca', caDir, '--csr', path.join(local, 'csr.pem'), '--out', local, ...vouched])
      expect(signed.exitCode, signed.stderr).toBe(0)
      expect(signed.stderr).toContain(h.address)

      await h.writeFile('/root/tls-request/cert.pem', await fsp.readFile(path.join(local, 'cert.pem')), 0o644)
      await h.writeFile('/root/tls-request/ca.pem', await fsp.readFile(path.join(local, 'ca.pem')), 0o644)
      const en = await h.dockcfg(['remote', 'enable', '--cert-dir', '/root/tls-request', '--yes', '--json'], {allowFail: true, timeoutMs: 180_000})
      expect(en.exitCode, en.stderr).toBe(0)
      expect(JSON.parse(en.stdout)).toMatchObject({action: 'restarted', certificates: {ca: {source: 'provided'}}})
      // The CA key never reached the host.
      expect(await h.exists('/etc/docker/tls/ca-key.pem')).toBe(false)
      expect(en.stdout + en.stderr).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/)

      const cc = await here([
        'remote',
        'client-cert',
        '--ca',
        caDir,
        '--out',
        path.join(work, `client-${h.name}`),
        '--context',
        `e2e-${h.name}`,
        '--endpoint',
        `tcp://${h.address}:2376`,
      ])
      expect(cc.exitCode, cc.stderr).toBe(0)
    }

    const names = [`e2e-${a.name}`, `e2e-${b.name}`]
    const table = await here(['remote', 'check', '--context', names[0] as string, '--context', names[1] as string])
    expect(table.exitCode, table.stdout + table.stderr).toBe(0)
    const lines = table.stdout.split('\n')
    expect(lines[0]).toMatch(/^ENDPOINT\s+CONTEXT\s+RESULT\s+DETAIL$/)
    expect(lines[1]).toMatch(new RegExp(`^tcp://${a.address.replaceAll('.', '\\.')}:2376\\s+${names[0]}\\s+ok\\s+Docker 20\\.10`))
    expect(lines[2]).toMatch(new RegExp(`^tcp://${b.address.replaceAll('.', '\\.')}:2376\\s+${names[1]}\\s+ok\\s+Docker 20\\.10`))
    expect(table.stdout).toMatch(/2 of 2 endpoints passed/)

    const json = await here(['remote', 'check', '--context', names[0] as string, '--context', names[1] as string, '--json'])
    expect(json.exitCode).toBe(0)
    const report = json.json<Report>()
    expect(report.results.map((r) => [r.context, r.ok, r.clientCertificate?.required])).toEqual([
      [names[0], true, true],
      [names[1], true, true],
    ])

    // The docker CLI uses the contexts dockcfg wrote, and so does DOCKER_CONTEXT.
    const info = await dockerCli(['--context', names[1] as string, 'info', '--format', '{{.Name}}'])
    expect(info.exitCode, info.stderr).toBe(0)
    expect(info.stdout.trim()).toBe(b.name)
    const fromEnv = await here(['remote', 'check', '--json'], {DOCKER_CONTEXT: names[0] as string})
    expect(fromEnv.json<Report>()).toMatchObject({source: 'DOCKER_CONTEXT', ok: true, results: [{context: names[0]}]})
  })

  it('2. a stopped listener: the same one call exits 6, its row fails, the other stays ok', async () => {
    await b.exec(['systemctl', 'stop', 'docker.service', 'docker.socket'])
    const names = [`e2e-${a.name}`, `e2e-${b.name}`]
    const table = await here(['remote', 'check', '--context', names[0] as string, '--context', names[1] as string, '--timeout', '3'])
    expect(table.exitCode).toBe(6)
    expect(table.stdout).toMatch(new RegExp(`^tcp://${a.address.replaceAll('.', '\\.')}:2376\\s+${names[0]}\\s+ok`, 'm'))
    expect(table.stdout).toMatch(new RegExp(`^tcp://${b.address.replaceAll('.', '\\.')}:2376\\s+${names[1]}\\s+FAIL`, 'm'))
    expect(table.stdout).toMatch(/tcp connect\s+FAIL\s+refused/)
    expect(table.stderr).toMatch(new RegExp(`remote check failed: ${names[1]}`))
    const json = await here(['remote', 'check', '--context', names[0] as string, '--context', names[1] as string, '--timeout', '3', '--json'])
    expect(json.exitCode).toBe(6)
    expect(json.json<Report>().results.map((r) => r.ok)).toEqual([true, false])
    await b.exec(['systemctl', 'start', 'docker.socket', 'docker.service'])
  })

  it('3. remote enable --context on the machine it enables: the docker CLI and remote check there use the stored context', async () => {
    const en = await c.dockcfg(['remote', 'enable', '--context', 'self', '--yes', '--json'], {allowFail: true, timeoutMs: 180_000})
    expect(en.exitCode, en.stderr).toBe(0)
    const result = JSON.parse(en.stdout) as {action: string; connect: {endpoint: string}; context: {name: string; host: string; written: boolean}}
    expect(result).toMatchObject({action: 'restarted', context: {name: 'self', host: `tcp://${c.address}:2376`, written: true}})
    expect(en.stdout + en.stderr).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/)
    const info = await c.exec(['docker', '--context', 'self', 'info', '--format', '{{.Name}}'], {allowFail: true})
    expect(info.exitCode, info.stderr).toBe(0)
    expect(info.stdout.trim()).toBe(c.name)
    const check = await c.dockcfg(['remote', 'check', '--context', 'self', '--json'], {allowFail: true})
    expect(check.exitCode, check.stdout).toBe(0)
    expect(JSON.parse(check.stdout)).toMatchObject({ok: true, results: [{context: 'self', clientCertificate: {required: true}}]})
  })
})
