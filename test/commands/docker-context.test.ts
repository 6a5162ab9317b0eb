import {execFileSync} from 'node:child_process'
import * as fsp from 'node:fs/promises'
import {tmpdir} from 'node:os'
import * as path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {contextPaths} from '../../src/remote/docker-context.js'
import {runCli, useRoots} from '../support/cli.js'

const UNIT = '/lib/systemd/system/docker.service'
const roots = useRoots({
  [UNIT]: `[Service]
Type=notify
ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock
`,
})
const V = ['--dockerd-version', '20.10.24']

/** The docker CLI, when this machine has one: the store dockcfg writes must read as the CLI's own. */
const DOCKER = (() => {
  try {
    execFileSync('docker', ['--version'], {stdio: 'ignore'})
    return 'docker'
  } catch {
    return undefined
  }
})()

const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await fsp.rm(d, {recursive: true, force: true})
})
async function scratch(): Promise<string> {
  const d = await fsp.mkdtemp(path.join(tmpdir(), 'dockcfg-ctxcmd-'))
  dirs.push(d)
  return d
}
async function fleetCa(base: string): Promise<string> {
  const ca = path.join(base, 'ca')
  const res = await runCli(['remote', 'ca', 'create', '--out', ca])
  expect(res.exitCode, res.stderr).toBe(0)
  return ca
}
const docker = (config: string, args: string[]) =>
  execFileSync(DOCKER as string, args, {env: {...process.env, DOCKER_CONFIG: config}, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})

describe('remote client-cert --context', () => {
  it('stores the bundle as a docker context in DOCKER_CONFIG, keys 0600, nothing printed but paths', async () => {
    const base = await scratch()
    const ca = await fleetCa(base)
    const config = path.join(base, 'cfg')
    const res = await runCli(['remote', 'client-cert', '--ca', ca, '--out', path.join(base, 'client'), '--context', 'docker1', '--endpoint', 'tcp://10.0.0.5:2376', '--json'], {
      env: {DOCKER_CONFIG: config},
    })
    expect(res.exitCode, res.stderr).toBe(0)
    const p = contextPaths(config, 'docker1')
    expect(res.json()).toMatchObject({context: {name: 'docker1', host: 'tcp://10.0.0.5:2376', created: true, written: true, metaFile: p.metaFile}})
    expect(res.stdout + res.stderr).not.toMatch(/PRIVATE KEY/)
    expect((await fsp.stat(path.join(p.endpointTlsDir, 'key.pem'))).mode & 0o777).toBe(0o600)
    expect(await fsp.readFile(path.join(p.endpointTlsDir, 'key.pem'), 'utf8')).toBe(await fsp.readFile(path.join(base, 'client', 'key.pem'), 'utf8'))
  })

  it('refuses a hostile context name with exit 2 before writing the bundle', async () => {
    const base = await scratch()
    const ca = await fleetCa(base)
    for (const name of ['../x', '/', 'a\nb', 'default']) {
      const res = await runCli(['remote', 'client-cert', '--ca', ca, '--out', path.join(base, 'client'), '--context', name, '--endpoint', 'tcp://h:2376'], {
        env: {DOCKER_CONFIG: path.join(base, 'cfg')},
      })
      expect(res.exitCode, JSON.stringify(name)).toBe(2)
    }
    await expect(fsp.stat(path.join(base, 'client'))).rejects.toThrow()
    await expect(fsp.stat(path.join(base, 'cfg'))).rejects.toThrow()
  })

  it('--context needs --endpoint (exit 2)', async () => {
    const base = await scratch()
    const ca = await fleetCa(base)
    const res = await runCli(['remote', 'client-cert', '--ca', ca, '--out', path.join(base, 'client'), '--context', 'x1'])
    expect(res.exitCode).toBe(2)
  })

  // Without a docker CLI on the machine there is nothing to compare with; this machine's is asked when there is one.
  it.skipIf(DOCKER === undefined)('docker context inspect shows the same context as one docker context create made', async () => {
    const base = await scratch()
    const ca = await fleetCa(base)
    const client = path.join(base, 'client')
    const ours = path.join(base, 'ours')
    const theirs = path.join(base, 'theirs')
    const endpoint = 'tcp://10.0.0.5:2376'
    const res = await runCli(['remote', 'client-cert', '--ca', ca, '--out', client, '--context', 'docker1', '--endpoint', endpoint], {env: {DOCKER_CONFIG: ours}})
    expect(res.exitCode, res.stderr).toBe(0)
    docker(theirs, [
      'context',
      'create',
      'docker1',
      '--description',
      `${endpoint} (dockcfg)`,
      '--docker',
      `host=${endpoint},ca=${client}/ca.pem,cert=${client}/cert.pem,key=${client}/key.pem`,
    ])
    const inspect = (config: string) => JSON.parse(docker(config, ['context', 'inspect', 'docker1']).replaceAll(config, 'CONFIG')) as unknown
    expect(inspect(ours)).toEqual(inspect(theirs))
    const p = (config: string) => contextPaths(config, 'docker1')
    expect(await fsp.readFile(p(ours).metaFile, 'utf8')).toBe(await fsp.readFile(p(theirs).metaFile, 'utf8'))
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) {
      expect(await fsp.readFile(path.join(p(ours).endpointTlsDir, f), 'utf8')).toBe(await fsp.readFile(path.join(p(theirs).endpointTlsDir, f), 'utf8'))
    }
    // The CLI lists it and can switch to it.
    expect(docker(ours, ['context', 'ls', '--format', '{{.Name}} {{.DockerEndpoint}}'])).toContain(`docker1 ${endpoint}`)

    // An update by dockcfg keeps what the CLI added (another description stays, the endpoint moves).
    docker(ours, ['context', 'update', 'docker1', '--description', 'kept'])
    const again = await runCli(['remote', 'client-cert', '--ca', ca, '--out', path.join(base, 'client2'), '--context', 'docker1', '--endpoint', 'tcp://10.0.0.6:2376'], {
      env: {DOCKER_CONFIG: ours},
    })
    expect(again.exitCode, again.stderr).toBe(0)
    const updated = JSON.parse(docker(ours, ['context', 'inspect', 'docker1'])) as Array<{Metadata: {Description: string}; Endpoints: {docker: {Host: string}}}>
    expect(updated[0]?.Metadata.Description).toBe('kept')
    expect(updated[0]?.Endpoints.docker.Host).toBe('tcp://10.0.0.6:2376')
  })
})

describe('remote enable --context', () => {
  it("stores the host-local CA's client bundle as a context reaching the connect endpoint, once written; exactly the bundle's files", async () => {
    const r = await roots.root()
    const config = path.join(await scratch(), 'cfg')
    const dry = await runCli(['remote', 'enable', '--san', '192.0.2.10', '--context', 'host1', '--dry-run', '--root', r.root, ...V, '--json'], {env: {DOCKER_CONFIG: config}})
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.json()).toMatchObject({context: {name: 'host1', created: true, written: false}})
    await expect(fsp.stat(config)).rejects.toThrow()

    const res = await runCli(['remote', 'enable', '--san', '192.0.2.10', '--context', 'host1', '--root', r.root, ...V, '--json'], {env: {DOCKER_CONFIG: config}})
    expect(res.exitCode, res.stderr).toBe(0)
    const result = res.json<{connect: {endpoint: string}; context: {host: string; written: boolean}}>()
    expect(result.context).toMatchObject({host: result.connect.endpoint, written: true})
    const p = contextPaths(config, 'host1')
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) {
      expect(await fsp.readFile(path.join(p.endpointTlsDir, f), 'utf8')).toBe(await r.read(`/etc/docker/tls/client/${f}`))
      expect((await fsp.stat(path.join(p.endpointTlsDir, f))).mode & 0o777).toBe(0o600)
    }
    expect(res.stdout).not.toMatch(/PRIVATE KEY/)
  })

  it('with a shared CA and no --client-out there is no bundle to store: exit 2, nothing written', async () => {
    const r = await roots.root()
    const base = await scratch()
    const ca = await fleetCa(base)
    const res = await runCli(['remote', 'enable', '--ca', ca, '--context', 'host1', '--root', r.root, ...V], {env: {DOCKER_CONFIG: path.join(base, 'cfg')}})
    expect(res.exitCode, res.stderr).toBe(2)
    expect(res.stderr).toMatch(/--client-out/)
    await expect(fsp.stat(path.join(r.root, 'etc/docker/tls'))).rejects.toThrow()
    await expect(fsp.stat(path.join(base, 'cfg'))).rejects.toThrow()
  })

  it("a store it cannot write (a planted symlink) is found before dockerd's configuration is touched: exit 7, nothing written", async () => {
    const r = await roots.root()
    const config = path.join(await scratch(), 'cfg')
    const p = contextPaths(config, 'host1')
    await fsp.mkdir(p.endpointTlsDir, {recursive: true})
    await fsp.symlink(path.join(config, 'elsewhere'), path.join(p.endpointTlsDir, 'key.pem'))
    const res = await runCli(['remote', 'enable', '--context', 'host1', '--root', r.root, ...V], {env: {DOCKER_CONFIG: config}})
    expect(res.exitCode, res.stderr).toBe(7)
    await expect(fsp.stat(path.join(r.root, 'etc/docker/tls'))).rejects.toThrow()
    await expect(fsp.stat(path.join(r.root, 'etc/docker/daemon.json'))).rejects.toThrow()
  })

  it('a hostile context name is exit 2 before anything is planned or written', async () => {
    const r = await roots.root()
    const res = await runCli(['remote', 'enable', '--context', '../../etc', '--root', r.root, ...V])
    expect(res.exitCode).toBe(2)
    await expect(fsp.stat(path.join(r.root, 'etc/docker/tls'))).rejects.toThrow()
  })
})
