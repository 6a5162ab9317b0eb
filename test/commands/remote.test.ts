import {X509Certificate, createPrivateKey} from 'node:crypto'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCli, useRoots} from '../support/cli.js'

const FILE = '/etc/docker/daemon.json'
const UNIT = '/lib/systemd/system/docker.service'
const DROPIN = '/etc/systemd/system/docker.service.d/50-dockcfg.conf'
/** Debian's docker.io 20.10.24 unit, the one whose -H fd:// makes "hosts" in daemon.json fatal. */
const DEBIAN_UNIT = `[Unit]
Description=Docker Application Container Engine
After=network-online.target docker.socket firewalld.service containerd.service
Requires=docker.socket

[Service]
Type=notify
EnvironmentFile=-/etc/default/docker
ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock $DOCKER_OPTS
ExecReload=/bin/kill -s HUP $MAINPID

[Install]
WantedBy=multi-user.target
`
const V = ['--dockerd-version', '20.10.24']
/** A key body (also inside a diff, where lines start with +, - or a space). */
const PRIVATE_KEY = /BEGIN [A-Z ]*PRIVATE KEY-----\n[+\- ]?[A-Za-z0-9+/]{20}/

const roots = useRoots({[UNIT]: DEBIAN_UNIT})
async function root(files?: Record<string, string>) {
  const r = await roots.root(files)
  return {
    ...r,
    mode: async (p: string) => (await fsp.stat(path.join(r.root, p))).mode & 0o777,
    exists: (p: string) =>
      fsp.stat(path.join(r.root, p)).then(
        () => true,
        () => false,
      ),
  }
}
const tmpDir = () => roots.dir('dockcfg-remote-')
async function backups(r: {root: string}): Promise<string[]> {
  return fsp.readdir(path.join(r.root, 'var/lib/dockcfg/backups')).catch(() => [])
}

describe('dockcfg remote enable', () => {
  it('writes the TLS material with the right modes, daemon.json and a drop-in without -H; prints how to connect, never a key', async () => {
    const r = await root()
    const res = await runCli(['remote', 'enable', '--san', 'docker1.example.com', '--san', '192.0.2.10', '--root', r.root, ...V])
    expect(res.exitCode, res.stderr).toBe(0)

    const config = JSON.parse(await r.read(FILE)) as Record<string, unknown>
    expect(config).toEqual({
      hosts: ['fd://', 'tcp://0.0.0.0:2376'],
      tlsverify: true,
      tlscacert: '/etc/docker/tls/ca.pem',
      tlscert: '/etc/docker/tls/server-cert.pem',
      tlskey: '/etc/docker/tls/server-key.pem',
    })
    // hosts has one owner: the drop-in starts dockerd without -H, so no flag/file conflict.
    const dropin = await r.read(DROPIN)
    expect(dropin).toMatch(/^ExecStart=$/m)
    expect(dropin).toMatch(/^ExecStart=\/usr\/sbin\/dockerd --containerd=\/run\/containerd\/containerd.sock\b/m)
    expect(dropin).not.toMatch(/-H fd:\/\//)

    expect(await r.mode('/etc/docker/tls')).toBe(0o700)
    expect(await r.mode('/etc/docker/tls/ca.pem')).toBe(0o644)
    expect(await r.mode('/etc/docker/tls/ca-key.pem')).toBe(0o600)
    expect(await r.mode('/etc/docker/tls/server-cert.pem')).toBe(0o644)
    expect(await r.mode('/etc/docker/tls/server-key.pem')).toBe(0o600)
    expect(await r.mode('/etc/docker/tls/client')).toBe(0o700)
    expect(await r.mode('/etc/docker/tls/client/key.pem')).toBe(0o600)
    expect(await r.mode('/etc/docker/tls/client/cert.pem')).toBe(0o644)

    const ca = new X509Certificate(await r.read('/etc/docker/tls/ca.pem'))
    const server = new X509Certificate(await r.read('/etc/docker/tls/server-cert.pem'))
    expect(ca.ca).toBe(true)
    expect(server.verify(ca.publicKey)).toBe(true)
    expect(server.checkPrivateKey(createPrivateKey(await r.read('/etc/docker/tls/server-key.pem')))).toBe(true)
    expect(server.subjectAltName).toContain('DNS:docker1.example.com')
    expect(server.subjectAltName).toContain('IP Address:192.0.2.10')
    expect(server.subjectAltName).toContain('IP Address:127.0.0.1')
    const client = new X509Certificate(await r.read('/etc/docker/tls/client/cert.pem'))
    expect(client.verify(ca.publicKey)).toBe(true)
    expect(client.checkPrivateKey(createPrivateKey(await r.read('/etc/docker/tls/client/key.pem')))).toBe(true)
    expect(await r.read('/etc/docker/tls/client/ca.pem')).toBe(await r.read('/etc/docker/tls/ca.pem'))

    expect(res.stdout).toMatch(/^export DOCKER_HOST=tcp:\/\/[^ ]+:2376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=\/etc\/docker\/tls\/client$/m)
    expect(res.stdout).toMatch(
      /^docker context create dockcfg-\S+ --docker "host=tcp:\/\/[^,]+:2376,ca=\/etc\/docker\/tls\/client\/ca.pem,cert=\/etc\/docker\/tls\/client\/cert.pem,key=\/etc\/docker\/tls\/client\/key.pem"$/m,
    )
    expect(res.stderr).toMatch(/not applied \(--root is not \/.*\): dockerd needs a restart/)
    expect(`${res.stdout}${res.stderr}`).not.toMatch(PRIVATE_KEY)
  })

  it('is idempotent: the same enable again changes nothing and makes no backup', async () => {
    const r = await root()
    expect((await runCli(['remote', 'enable', '--root', r.root, ...V])).exitCode).toBe(0)
    const snapshot = await Promise.all(['/etc/docker/tls/server-cert.pem', '/etc/docker/tls/client/cert.pem', FILE, DROPIN].map((p) => r.read(p)))
    const before = await backups(r)
    const again = await runCli(['remote', 'enable', '--root', r.root, '--json', ...V])
    expect(again.exitCode, again.stderr).toBe(0)
    const json = again.json<{changed: boolean; certificates: {ca: {reused: boolean}; server: {reused: boolean}; client: {reused: boolean}}; diff: string}>()
    expect(json).toMatchObject({changed: false, certificates: {ca: {reused: true}, server: {reused: true}, client: {reused: true}}})
    expect(await Promise.all(['/etc/docker/tls/server-cert.pem', '/etc/docker/tls/client/cert.pem', FILE, DROPIN].map((p) => r.read(p)))).toEqual(snapshot)
    expect(await backups(r)).toEqual(before)
    expect(again.stdout).not.toMatch(PRIVATE_KEY)
  })

  it('re-issues only the server certificate when a new --san is asked for', async () => {
    const r = await root()
    expect((await runCli(['remote', 'enable', '--root', r.root, ...V])).exitCode).toBe(0)
    const ca = await r.read('/etc/docker/tls/ca.pem')
    const oldServer = await r.read('/etc/docker/tls/server-cert.pem')
    const res = await runCli(['remote', 'enable', '--san', 'new.example.com', '--root', r.root, '--json', ...V])
    expect(res.exitCode, res.stderr).toBe(0)
    expect(res.json()).toMatchObject({
      changed: true,
      certificates: {ca: {reused: true}, server: {reused: false, reason: 'it does not cover new.example.com'}, client: {reused: true}},
    })
    expect(await r.read('/etc/docker/tls/ca.pem')).toBe(ca)
    expect(await r.read('/etc/docker/tls/server-cert.pem')).not.toBe(oldServer)
    expect(new X509Certificate(await r.read('/etc/docker/tls/server-cert.pem')).subjectAltName).toContain('DNS:new.example.com')
  })

  it('--dry-run shows the plan with every private key redacted and writes nothing', async () => {
    const r = await root()
    const res = await runCli(['remote', 'enable', '--dry-run', '--root', r.root, ...V])
    expect(res.exitCode, res.stderr).toBe(0)
    expect(res.stdout).toContain('+++ b/etc/docker/tls/server-key.pem')
    expect(res.stdout).toMatch(/\+\[private key redacted: \d+ bytes, sha256 [0-9a-f]{12}\]/)
    expect(res.stdout).toContain('"tlsverify": true')
    expect(res.stdout).not.toMatch(PRIVATE_KEY)
    expect(await r.exists('/etc/docker/tls')).toBe(false)
    expect(await r.exists(FILE)).toBe(false)
  })

  it('--insecure on a non-loopback address without --yes: exit 7, nothing written', async () => {
    const r = await root()
    for (const address of ['0.0.0.0', '192.0.2.10']) {
      const res = await runCli(['remote', 'enable', '--insecure', '--address', address, '--root', r.root, ...V])
      expect(res.exitCode).toBe(7)
      expect(res.stderr).toMatch(/refusing to serve the Docker API in plaintext/)
      expect(res.stderr).toMatch(/root/)
    }
    expect(await r.exists(FILE)).toBe(false)
    expect(await r.exists(DROPIN)).toBe(false)
    expect(await r.exists('/etc/docker/tls')).toBe(false)
    expect(await backups(r)).toEqual([])
  })

  it('--insecure on loopback: plaintext listener, "tls": false explicitly, and says what it exposes', async () => {
    const r = await root()
    const res = await runCli(['remote', 'enable', '--insecure', '--root', r.root, ...V])
    expect(res.exitCode, res.stderr).toBe(0)
    expect(JSON.parse(await r.read(FILE))).toEqual({hosts: ['fd://', 'tcp://127.0.0.1:2375'], tls: false})
    expect(res.stderr).toMatch(/WARNING: tcp:\/\/127\.0\.0\.1:2375: the Docker API without encryption or authentication gives every local user/)
    expect(res.stdout).toMatch(/^export DOCKER_HOST=tcp:\/\/127\.0\.0\.1:2375$/m)
    expect(await r.exists('/etc/docker/tls')).toBe(false)
    // Non-loopback with --yes is allowed (the operator said so).
    const yes = await runCli(['remote', 'enable', '--insecure', '--address', '0.0.0.0', '--yes', '--root', r.root, ...V])
    expect(yes.exitCode, yes.stderr).toBe(0)
    expect(JSON.parse(await r.read(FILE))).toMatchObject({hosts: ['fd://', 'tcp://127.0.0.1:2375', 'tcp://0.0.0.0:2375'], tls: false})
  })

  it('keeps the default unix socket when neither the unit nor daemon.json names a listener', async () => {
    const r = await root({[FILE]: '{\n  "debug": true\n}\n'})
    const res = await runCli(['remote', 'enable', '--address', '127.0.0.1', '--root', r.root, ...V])
    expect(res.exitCode, res.stderr).toBe(0)
    expect(JSON.parse(await r.read(FILE))).toMatchObject({debug: true, hosts: ['unix:///var/run/docker.sock', 'tcp://127.0.0.1:2376']})
    expect(await r.exists(DROPIN)).toBe(false)
  })
})

describe('dockcfg remote ca create / client-cert / enable --ca', () => {
  it('one fleet CA: the host gets a server certificate from it (no CA key on the host), client bundles chain to it', async () => {
    const work = await tmpDir()
    const caDir = path.join(work, 'ca')
    const created = await runCli(['remote', 'ca', 'create', '--out', caDir, '--json'])
    expect(created.exitCode, created.stderr).toBe(0)
    expect(created.json()).toMatchObject({
      dir: caDir,
      files: [
        {path: `${caDir}/ca-key.pem`, mode: 0o600},
        {path: `${caDir}/ca.pem`, mode: 0o644},
      ],
    })
    expect((await fsp.stat(caDir)).mode & 0o777).toBe(0o700)
    expect(created.stdout).not.toMatch(PRIVATE_KEY)
    // A second create never replaces the CA.
    const again = await runCli(['remote', 'ca', 'create', '--out', caDir])
    expect(again.exitCode).toBe(7)

    const r = await root()
    const res = await runCli(['remote', 'enable', '--ca', caDir, '--root', r.root, '--json', ...V])
    expect(res.exitCode, res.stderr).toBe(0)
    expect(res.json()).toMatchObject({certificates: {ca: {source: 'shared', reused: false}}})
    expect(await r.read('/etc/docker/tls/ca.pem')).toBe(await fsp.readFile(path.join(caDir, 'ca.pem'), 'utf8'))
    expect(await r.exists('/etc/docker/tls/ca-key.pem')).toBe(false)
    expect(await r.exists('/etc/docker/tls/client')).toBe(false)
    const ca = new X509Certificate(await fsp.readFile(path.join(caDir, 'ca.pem')))
    expect(new X509Certificate(await r.read('/etc/docker/tls/server-cert.pem')).verify(ca.publicKey)).toBe(true)
    // Idempotent with the shared CA too.
    const second = await runCli(['remote', 'enable', '--ca', caDir, '--root', r.root, '--json', ...V])
    expect(second.json()).toMatchObject({changed: false})

    const out = path.join(work, 'alice')
    const client = await runCli(['remote', 'client-cert', '--ca', caDir, '--out', out, '--name', 'alice'])
    expect(client.exitCode, client.stderr).toBe(0)
    expect(client.stdout).toContain(`DOCKER_CERT_PATH=${out}`)
    expect(client.stdout).not.toMatch(PRIVATE_KEY)
    expect((await fsp.stat(path.join(out, 'key.pem'))).mode & 0o777).toBe(0o600)
    const cert = new X509Certificate(await fsp.readFile(path.join(out, 'cert.pem')))
    expect(cert.verify(ca.publicKey)).toBe(true)
    expect(cert.subject).toContain('CN=alice')
    // Existing client files are never replaced.
    expect((await runCli(['remote', 'client-cert', '--ca', caDir, '--out', out])).exitCode).toBe(7)
  })

  it('client-cert needs a CA directory with its key', async () => {
    const work = await tmpDir()
    const res = await runCli(['remote', 'client-cert', '--ca', work, '--out', path.join(work, 'x')])
    expect(res.exitCode).toBe(2)
    expect(res.stderr).toMatch(/not a CA directory/)
  })
})

describe('dockcfg remote disable', () => {
  it('removes the TCP listener and keeps local access; --purge also removes the TLS settings and files', async () => {
    const r = await root()
    expect((await runCli(['remote', 'enable', '--root', r.root, ...V])).exitCode).toBe(0)
    const res = await runCli(['remote', 'disable', '--root', r.root, ...V])
    expect(res.exitCode, res.stderr).toBe(0)
    expect(res.stderr).toMatch(/removing tcp:\/\/0\.0\.0\.0:2376; local access stays on fd:\/\//)
    const config = JSON.parse(await r.read(FILE)) as Record<string, unknown>
    expect(config.hosts).toEqual(['fd://'])
    expect(config.tlsverify).toBe(true)
    expect(await r.exists('/etc/docker/tls/server-key.pem')).toBe(true)

    const purge = await runCli(['remote', 'disable', '--purge', '--root', r.root, '--json', ...V])
    expect(purge.exitCode, purge.stderr).toBe(0)
    expect(JSON.parse(await r.read(FILE))).toEqual({hosts: ['fd://']})
    for (const f of ['server-key.pem', 'server-cert.pem', 'ca.pem', 'ca-key.pem', 'client/key.pem']) expect(await r.exists(`/etc/docker/tls/${f}`)).toBe(false)
    expect(purge.stdout).not.toMatch(PRIVATE_KEY)
    // Backups keep the deleted keys root-only, for rollback.
    const ids = await backups(r)
    const last = ids.sort().at(-1) as string
    const manifest = JSON.parse(await r.read(`/var/lib/dockcfg/backups/${last}/manifest.json`)) as {files: Array<{path: string; copy?: string}>}
    const keyCopy = manifest.files.find((f) => f.path === '/etc/docker/tls/server-key.pem')?.copy as string
    expect(await r.mode(`/var/lib/dockcfg/backups/${last}/${keyCopy}`)).toBe(0o600)
  })

  it('a rollback of remote enable leaves no trace: the directories it created go, one holding anything else stays', async () => {
    const r = await root()
    const out = '/srv/docker-client'
    const enable = await runCli(['remote', 'enable', '--client-out', out, '--root', r.root, ...V])
    expect(enable.exitCode, enable.stderr).toBe(0)
    for (const dir of ['/etc/docker/tls/client', '/etc/systemd/system/docker.service.d', out]) expect(await r.exists(dir)).toBe(true)
    const back = await runCli(['rollback', '--root', r.root, ...V])
    expect(back.exitCode, back.stderr).toBe(0)
    // The tree had no /etc and no /srv before: every directory the change made is gone again.
    for (const dir of ['/etc', '/srv']) expect(await r.exists(dir), dir).toBe(false)
    expect(await fsp.readdir(r.root)).toEqual(['lib', 'var'])

    // Someone's own file in a directory the change created keeps it (and its parents).
    const again = await runCli(['remote', 'enable', '--client-out', out, '--root', r.root, ...V])
    expect(again.exitCode, again.stderr).toBe(0)
    await fsp.writeFile(path.join(r.root, out, 'notes.txt'), 'mine\n')
    const back2 = await runCli(['rollback', '--root', r.root, ...V])
    expect(back2.exitCode, back2.stderr).toBe(0)
    expect(await fsp.readdir(path.join(r.root, out))).toEqual(['notes.txt'])
    expect(await r.exists('/etc/docker/tls')).toBe(false)
  })

  it('removes a -H tcp:// from ExecStart too, through a drop-in', async () => {
    const r = await root({[UNIT]: DEBIAN_UNIT.replace('-H fd://', '-H fd:// -H tcp://127.0.0.1:2375')})
    const res = await runCli(['remote', 'disable', '--root', r.root, ...V])
    expect(res.exitCode, res.stderr).toBe(0)
    expect(JSON.parse(await r.read(FILE))).toEqual({hosts: ['fd://']})
    expect(await r.read(DROPIN)).not.toMatch(/-H/)
  })
})

describe('dockcfg remote check', () => {
  it('exit 6 when the configuration has no TCP listener', async () => {
    const r = await root()
    const res = await runCli(['remote', 'check', '--root', r.root, ...V], {env: {DOCKER_HOST: ''}})
    expect(res.exitCode).toBe(6)
    expect(res.stderr).toMatch(/no tcp:\/\/ listener/)
  })

  it('exit 6 with a FAILED table and a --json report when nothing listens', async () => {
    const r = await root({[FILE]: '{"hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:1"], "tlsverify": true}'})
    const t0 = Date.now()
    const res = await runCli(['remote', 'check', '--root', r.root, '--timeout', '2', ...V], {env: {DOCKER_HOST: '', DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: ''}})
    expect(res.exitCode).toBe(6)
    expect(res.stdout).toMatch(/^tcp:\/\/127\.0\.0\.1:1: FAILED/m)
    expect(res.stdout).toMatch(/tcp connect\s+FAIL\s+refused/)
    expect(Date.now() - t0).toBeLessThan(10_000)
    const json = await runCli(['remote', 'check', 'tcp://127.0.0.1:1', '--json', '--timeout', '2'], {env: {DOCKER_HOST: '', DOCKER_TLS_VERIFY: ''}})
    expect(json.exitCode).toBe(6)
    expect(json.json()).toMatchObject({ok: false, source: 'argument', results: [{endpoint: 'tcp://127.0.0.1:1', verdict: 'error', findings: [{code: 'unreachable'}]}]})
  })

  it('takes DOCKER_HOST and refuses a missing CA file like the docker CLI', async () => {
    const res = await runCli(['remote', 'check', '--timeout', '2'], {env: {DOCKER_HOST: 'tcp://127.0.0.1:1', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent'}})
    expect(res.exitCode).toBe(2)
    expect(res.stderr).toMatch(/could not read CA certificate \/nonexistent\/ca\.pem/)
  })
})
