import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {RefusedError} from '../../../src/core/errors.js'
import {type CertificateAuthority, type KeyedCertificate, createCa, issueClientCert, writeCaDir, writeClientBundle} from '../../../src/remote/certs.js'
import {HostFileSystem} from '../../../src/system/fs.js'

let ca: CertificateAuthority
let client: KeyedCertificate
let root: string
let fs: HostFileSystem

beforeAll(async () => {
  ca = await createCa({now: new Date(), commonName: 'bundle CA'})
  client = await issueClientCert(ca, {now: new Date(), commonName: 'c'})
})

beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-remote-'))
  fs = new HostFileSystem(root)
})

afterEach(async () => {
  await fsp.rm(root, {recursive: true, force: true})
})

async function modeOf(treePath: string): Promise<number> {
  return (await fsp.stat(fs.hostPath(treePath))).mode & 0o777
}

describe('writeCaDir', () => {
  it('writes ca.pem 0644 and ca-key.pem 0600 into a new 0700 directory, under --root', async () => {
    const result = await writeCaDir(fs, '/etc/dockcfg/ca', ca)
    expect(await modeOf('/etc/dockcfg/ca')).toBe(0o700)
    expect(await modeOf('/etc/dockcfg/ca/ca.pem')).toBe(0o644)
    expect(await modeOf('/etc/dockcfg/ca/ca-key.pem')).toBe(0o600)
    expect(await fs.readText('/etc/dockcfg/ca/ca.pem')).toBe(ca.certPem)
    expect(await fs.readText('/etc/dockcfg/ca/ca-key.pem')).toBe(ca.key.toPem())
    expect(result.files.map((f) => [f.path, f.mode.toString(8), f.kind])).toEqual([
      ['/etc/dockcfg/ca/ca-key.pem', '600', 'private-key'],
      ['/etc/dockcfg/ca/ca.pem', '644', 'certificate'],
    ])
    expect(result.fingerprintSha256).toBe(ca.info.fingerprintSha256)
    expect(result.warnings).toEqual([])
    // The tree path never escaped the root.
    await expect(fsp.stat('/etc/dockcfg/ca/ca-key.pem')).rejects.toThrow()
  })

  it('the result holds no key material', async () => {
    const result = await writeCaDir(fs, '/ca', ca)
    expect(JSON.stringify(result)).not.toMatch(/PRIVATE KEY|BEGIN/)
  })

  it('refuses to replace an existing CA without overwrite, leaving it untouched', async () => {
    await writeCaDir(fs, '/ca', ca)
    const other = await createCa({now: new Date(), commonName: 'other'})
    const error = await writeCaDir(fs, '/ca', other).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RefusedError)
    expect((error as RefusedError).exitCode).toBe(7)
    expect((error as RefusedError).message).toMatch(/a CA already exists in \/ca \(ca-key.pem, ca.pem\)/)
    expect(await fs.readText('/ca/ca.pem')).toBe(ca.certPem)
    await writeCaDir(fs, '/ca', other, {overwrite: true})
    expect(await fs.readText('/ca/ca.pem')).toBe(other.certPem)
  })

  it('refuses even when only the key is left over', async () => {
    await fs.mkdirp('/ca', 0o700)
    await fsp.writeFile(fs.hostPath('/ca/ca-key.pem'), 'old')
    await expect(writeCaDir(fs, '/ca', ca)).rejects.toBeInstanceOf(RefusedError)
  })

  it('warns (and does not chmod) when an existing directory is group/world readable', async () => {
    await fs.mkdirp('/etc/docker', 0o755)
    await fsp.chmod(fs.hostPath('/etc/docker'), 0o755)
    const result = await writeCaDir(fs, '/etc/docker', ca)
    expect(result.warnings.join()).toMatch(/mode 755; 700 is recommended/)
    expect(await modeOf('/etc/docker')).toBe(0o755)
    expect(await modeOf('/etc/docker/ca-key.pem')).toBe(0o600)
  })
})

describe('writeClientBundle', () => {
  it('uses the docker CLI names ca.pem / cert.pem / key.pem, key 0600', async () => {
    const result = await writeClientBundle(fs, '/home/alice/.docker', {caPem: ca.certPem, client})
    expect((await fs.list('/home/alice/.docker')).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem'])
    expect(await modeOf('/home/alice/.docker/key.pem')).toBe(0o600)
    expect(await modeOf('/home/alice/.docker/cert.pem')).toBe(0o644)
    expect(await modeOf('/home/alice/.docker/ca.pem')).toBe(0o644)
    expect(await modeOf('/home/alice/.docker')).toBe(0o700)
    expect(JSON.stringify(result)).not.toMatch(/BEGIN/)
  })

  it('refuses to clobber existing client credentials (they may be for another daemon)', async () => {
    await fs.mkdirp('/home/alice/.docker', 0o700)
    await fsp.writeFile(fs.hostPath('/home/alice/.docker/cert.pem'), 'someone else')
    const error = await writeClientBundle(fs, '/home/alice/.docker', {caPem: ca.certPem, client}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RefusedError)
    expect((error as RefusedError).remedy).toMatch(/DOCKER_CERT_PATH/)
    expect(await fs.readText('/home/alice/.docker/cert.pem')).toBe('someone else')
  })

  it('refuses to write a key through a symlink, even with overwrite', async () => {
    await fs.mkdirp('/home/alice/.docker', 0o700)
    await fs.mkdirp('/etc', 0o755)
    await fsp.writeFile(fs.hostPath('/etc/shadow'), 'secret')
    await fsp.symlink(fs.hostPath('/etc/shadow'), fs.hostPath('/home/alice/.docker/key.pem'))
    await expect(writeClientBundle(fs, '/home/alice/.docker', {caPem: ca.certPem, client}, {overwrite: true})).rejects.toThrow(/symbolic link/)
    expect(await fsp.readFile(fs.hostPath('/etc/shadow'), 'utf8')).toBe('secret')
  })
})
