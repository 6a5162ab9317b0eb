import {X509Certificate} from 'node:crypto'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCli, useRoots} from '../support/cli.js'

const UNIT = '/lib/systemd/system/docker.service'
const roots = useRoots({
  [UNIT]: `[Service]
Type=notify
ExecStart=/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock
`,
})
const V = ['--dockerd-version', '20.10.24']
const mode = async (p: string) => (await fsp.stat(p)).mode & 0o777

/** A fleet CA, and a request made "on the host" (this machine) and signed "on the control machine" (also this one). */
async function signedRequest(options: {sans?: string[]} = {}): Promise<{base: string; ca: string; req: string}> {
  const base = await roots.dir('dockcfg-csr-')
  const ca = path.join(base, 'ca')
  const req = path.join(base, 'req')
  expect((await runCli(['remote', 'ca', 'create', '--out', ca])).exitCode).toBe(0)
  const csr = await runCli(['remote', 'csr', '--out', req, '--san', 'docker1.example.com', '--json'])
  expect(csr.exitCode, csr.stderr).toBe(0)
  const signed = await runCli(['remote', 'sign', '--ca', ca, '--csr', path.join(req, 'csr.pem'), '--out', req, ...(options.sans ?? ['--accept-csr-sans']), '--json'])
  expect(signed.exitCode, signed.stderr).toBe(0)
  return {base, ca, req}
}

describe('remote csr and remote sign', () => {
  it('csr: key 0600 in a 0700 directory, never printed; sign: a certificate for that key from the fleet CA, SANs shown', async () => {
    const base = await roots.dir('dockcfg-csr-')
    const ca = path.join(base, 'ca')
    const req = path.join(base, 'req')
    expect((await runCli(['remote', 'ca', 'create', '--out', ca])).exitCode).toBe(0)
    const csr = await runCli(['remote', 'csr', '--out', req, '--san', 'docker1.example.com'])
    expect(csr.exitCode, csr.stderr).toBe(0)
    expect(csr.stdout.trim()).toBe(path.join(req, 'csr.pem'))
    expect(csr.stdout + csr.stderr).not.toMatch(/PRIVATE KEY/)
    expect(await mode(req)).toBe(0o700)
    expect(await mode(path.join(req, 'key.pem'))).toBe(0o600)
    // Again: the key there may belong to a request out for signing.
    expect((await runCli(['remote', 'csr', '--out', req])).exitCode).toBe(7)

    const refused = await runCli(['remote', 'sign', '--ca', ca, '--csr', path.join(req, 'csr.pem'), '--out', req])
    expect(refused.exitCode).toBe(7)
    expect(refused.stderr).toMatch(/--accept-csr-sans/)
    await expect(fsp.stat(path.join(req, 'cert.pem'))).rejects.toThrow()

    const signed = await runCli(['remote', 'sign', '--ca', ca, '--csr', path.join(req, 'csr.pem'), '--out', req, '--accept-csr-sans'])
    expect(signed.exitCode, signed.stderr).toBe(0)
    expect(signed.stderr).toMatch(/SANs: .*docker1\.example\.com/)
    const cert = new X509Certificate(await fsp.readFile(path.join(req, 'cert.pem')))
    expect(cert.verify(new X509Certificate(await fsp.readFile(path.join(ca, 'ca.pem'))).publicKey)).toBe(true)
    expect(cert.ca).toBe(false)
    expect(await fsp.readFile(path.join(req, 'ca.pem'), 'utf8')).toBe(await fsp.readFile(path.join(ca, 'ca.pem'), 'utf8'))
    // The CA key never left the CA directory.
    expect(await fsp.readdir(req)).toEqual(['ca.pem', 'cert.pem', 'csr.pem', 'key.pem'])
  })

  it('a file that is not a CSR (garbage, a huge one, a certificate) is exit 2, nothing written', async () => {
    const {base, ca} = await signedRequest()
    for (const [name, text] of [
      ['garbage.pem', 'hello\n'],
      ['huge.pem', `-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(100_000)}\n-----END CERTIFICATE REQUEST-----\n`],
      ['cert.pem', await fsp.readFile(path.join(ca, 'ca.pem'), 'utf8')],
    ] as const) {
      await fsp.writeFile(path.join(base, name), text)
      const res = await runCli(['remote', 'sign', '--ca', ca, '--csr', path.join(base, name), '--out', path.join(base, `out-${name}`), '--accept-csr-sans'])
      expect(res.exitCode, name).toBe(2)
      await expect(fsp.stat(path.join(base, `out-${name}`))).rejects.toThrow()
    }
  })
})

describe("commands whose paths are always this machine's", () => {
  it('refuse --root (exit 2, nothing written) rather than ignore it: no key goes into an image by mistake', async () => {
    const base = await roots.dir('dockcfg-local-')
    const tree = await roots.dir('dockcfg-tree-')
    const ca = path.join(base, 'ca')
    expect((await runCli(['remote', 'ca', 'create', '--out', ca])).exitCode).toBe(0)
    const runs = [
      ['remote', 'ca', 'create', '--out', path.join(base, 'ca2')],
      ['remote', 'csr', '--out', path.join(base, 'req')],
      ['remote', 'client-cert', '--ca', ca, '--out', path.join(base, 'client')],
      ['remote', 'sign', '--ca', ca, '--csr', path.join(base, 'req/csr.pem'), '--out', path.join(base, 'signed')],
    ]
    for (const argv of runs) {
      const res = await runCli([...argv, '--root', tree])
      expect(res.exitCode, argv.join(' ')).toBe(2)
      expect(res.stderr).toContain(`--root does not apply to dockcfg ${argv.slice(0, argv[1] === 'ca' ? 3 : 2).join(' ')}`)
    }
    expect(await fsp.readdir(base)).toEqual(['ca'])
    expect(await fsp.readdir(tree)).toEqual([])
  })
})

describe('remote enable with certificates brought along', () => {
  it('--cert-dir: checked, then written as issued ones are (key 0600), no CA key and no client bundle on the host; again changes nothing', async () => {
    const {req} = await signedRequest()
    const r = await roots.root()
    const res = await runCli(['remote', 'enable', '--cert-dir', req, '--root', r.root, ...V, '--json'])
    expect(res.exitCode, res.stderr).toBe(0)
    const json = res.json<{changed: boolean; certificates: {ca: {source: string}; server: {dnsNames: string[]}}; selfCheck?: unknown}>()
    expect(json.certificates.ca.source).toBe('provided')
    expect(json.certificates.server.dnsNames).toContain('docker1.example.com')
    expect(await r.read('/etc/docker/tls/server-cert.pem')).toBe(await fsp.readFile(path.join(req, 'cert.pem'), 'utf8'))
    expect(await r.read('/etc/docker/tls/server-key.pem')).toBe(await fsp.readFile(path.join(req, 'key.pem'), 'utf8'))
    expect((await fsp.stat(path.join(r.root, 'etc/docker/tls/server-key.pem'))).mode & 0o777).toBe(0o600)
    await expect(fsp.stat(path.join(r.root, 'etc/docker/tls/ca-key.pem'))).rejects.toThrow()
    await expect(fsp.stat(path.join(r.root, 'etc/docker/tls/client'))).rejects.toThrow()
    expect(res.stdout).not.toMatch(/PRIVATE KEY/)

    const again = await runCli(['remote', 'enable', '--cert-dir', req, '--root', r.root, ...V, '--json'])
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.json<{changed: boolean}>().changed).toBe(false)
  })

  it('refuses with exit 3 and writes nothing: a key of another request, a CA that did not sign it, a --san it does not cover', async () => {
    const one = await signedRequest()
    const two = await signedRequest()
    const cases: Array<[string, string[]]> = [
      ['key', ['--cert', path.join(one.req, 'cert.pem'), '--key', path.join(two.req, 'key.pem'), '--cacert', path.join(one.req, 'ca.pem')]],
      ['ca', ['--cert', path.join(one.req, 'cert.pem'), '--key', path.join(one.req, 'key.pem'), '--cacert', path.join(two.req, 'ca.pem')]],
      ['san', ['--cert-dir', one.req, '--san', 'other.example.com']],
    ]
    for (const [what, flags] of cases) {
      const r = await roots.root()
      const res = await runCli(['remote', 'enable', ...flags, '--root', r.root, ...V])
      expect(res.exitCode, `${what}: ${res.stderr}`).toBe(3)
      await expect(fsp.stat(path.join(r.root, 'etc/docker/tls'))).rejects.toThrow()
      await expect(fsp.stat(path.join(r.root, 'etc/docker/daemon.json'))).rejects.toThrow()
    }
  })

  it('--cert-dir with --ca or --client-out is a usage error (exit 2)', async () => {
    const {req, ca} = await signedRequest()
    const r = await roots.root()
    expect((await runCli(['remote', 'enable', '--cert-dir', req, '--ca', ca, '--root', r.root, ...V])).exitCode).toBe(2)
    expect((await runCli(['remote', 'enable', '--cert-dir', req, '--client-out', '/tmp/x', '--root', r.root, ...V])).exitCode).toBe(2)
  })
})
