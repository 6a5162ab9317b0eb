import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {HostFileSystem} from '../../../src/system/fs.js'

let root: string
let fs: HostFileSystem
beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-fs-'))
  fs = new HostFileSystem(root)
})
afterEach(async () => {
  await fsp.rm(root, {recursive: true, force: true})
})

const modeOf = async (p: string) => (await fsp.stat(path.join(root, p))).mode & 0o777

describe('HostFileSystem.mkdirp', () => {
  it('gives the directory exactly its mode and new parents 0755, whatever the umask', async () => {
    const previous = process.umask(0o077)
    try {
      await fs.mkdirp('/var/lib/dockcfg/backups/x', 0o700)
      await fs.mkdirp('/etc/docker')
    } finally {
      process.umask(previous)
    }
    expect(await modeOf('var')).toBe(0o755)
    expect(await modeOf('var/lib/dockcfg/backups')).toBe(0o755)
    expect(await modeOf('var/lib/dockcfg/backups/x')).toBe(0o700)
    expect(await modeOf('etc/docker')).toBe(0o755)
  })

  it('leaves directories that already exist alone', async () => {
    await fsp.mkdir(path.join(root, 'etc'), {mode: 0o750})
    await fsp.chmod(path.join(root, 'etc'), 0o750)
    await fs.mkdirp('/etc/docker')
    expect(await modeOf('etc')).toBe(0o750)
    expect(await modeOf('etc/docker')).toBe(0o755)
  })
})

describe('HostFileSystem reads', () => {
  it('resolves links inside the tree, treats missing components as missing, and reads through them', async () => {
    await fsp.mkdir(path.join(root, 'etc/docker'), {recursive: true})
    await fsp.writeFile(path.join(root, 'etc/docker/real.json'), '{}')
    await fsp.symlink('/etc/docker/real.json', path.join(root, 'etc/docker/daemon.json'))
    await fsp.symlink('/nowhere', path.join(root, 'etc/dangling'))
    await fsp.writeFile(path.join(root, 'etc/file'), 'x')
    expect(await fs.realpath('/etc/docker/daemon.json')).toBe('/etc/docker/real.json')
    expect(await fs.readText('/etc/docker/daemon.json')).toBe('{}')
    expect(await fs.stat('/etc/dangling')).toBeUndefined()
    expect((await fs.lstat('/etc/dangling'))?.isSymbolicLink()).toBe(true)
    expect(await fs.list('/etc/missing/deeper')).toEqual([])
    // A file used as a directory (ENOTDIR) is "not there", not an error.
    expect(await fs.readText('/etc/file/child')).toBeUndefined()
    expect(await fs.list('/etc/file')).toEqual([])
    expect(await fs.list('/etc')).toEqual(['dangling', 'docker', 'file'])
  })

  it('refuses a symlink loop', async () => {
    await fsp.symlink('/b', path.join(root, 'a'))
    await fsp.symlink('/a', path.join(root, 'b'))
    await expect(fs.readText('/a')).rejects.toThrow(/too many levels of symbolic links/)
  })
})

describe('HostFileSystem reads of files that report no size', () => {
  it('reads procfs files, which say they are empty, to their end (preflight reads /proc/net/tcp)', async () => {
    const host = new HostFileSystem('/')
    expect((await fsp.stat('/proc/self/status')).size).toBe(0)
    expect(await host.readText('/proc/self/status')).toMatch(/^Name:\t/)
    expect(await host.readText('/proc/net/tcp')).toMatch(/^\s*sl\s+local_address/)
  })

  it('still reads an empty regular file as empty', async () => {
    await fsp.writeFile(path.join(root, 'empty'), '')
    expect(await fs.readText('/empty')).toBe('')
  })
})

describe('HostFileSystem writes stay inside the tree', () => {
  it("follows the tree's own absolute links inside the tree, never onto this machine", async () => {
    const outside = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-outside-'))
    try {
      // /var in the image points at an absolute path: inside the tree it means <root><outside>.
      await fsp.symlink(outside, path.join(root, 'var'))
      await fs.mkdirp('/var/lib/dockcfg/backups/x', 0o700)
      await fs.writeAtomic('/var/lib/dockcfg/backups/x/file', 'data', {mode: 0o600})
      await fs.remove('/var/lib/dockcfg/backups/x/file')
      await fs.writeAtomic('/var/lib/dockcfg/kept', 'data', {mode: 0o644})
      expect(await fsp.readdir(outside)).toEqual([])
      expect(await fsp.readFile(path.join(root, outside, 'lib/dockcfg/kept'), 'utf8')).toBe('data')
      expect(fs.hostPathForWrite('/var/lib/dockcfg/kept')).toBe(path.join(root, outside, 'lib/dockcfg/kept'))
    } finally {
      await fsp.rm(outside, {recursive: true, force: true})
    }
  })

  it('replaces a link in the last place rather than writing through it', async () => {
    await fsp.mkdir(path.join(root, 'etc'))
    await fsp.writeFile(path.join(root, 'etc/target'), 'old')
    await fsp.symlink('/etc/target', path.join(root, 'etc/link'))
    await fs.remove('/etc/link')
    expect(await fsp.readFile(path.join(root, 'etc/target'), 'utf8')).toBe('old')
  })

  it("lstat looks at the entry a write would replace, through the tree's own directory links", async () => {
    // etc -> /srv/etc (absolute, inside the tree); the key file there is a planted link.
    await fsp.mkdir(path.join(root, 'srv/etc/docker'), {recursive: true})
    await fsp.symlink('/srv/etc', path.join(root, 'etc'))
    await fsp.symlink('/tmp/stolen.pem', path.join(root, 'srv/etc/docker/key.pem'))
    expect((await fs.lstat('/etc/docker/key.pem'))?.isSymbolicLink()).toBe(true)
  })
})
