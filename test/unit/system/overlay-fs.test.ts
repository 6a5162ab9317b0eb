import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {HostFileSystem} from '../../../src/system/fs.js'
import {OverlayFileSystem} from '../../../src/system/overlay-fs.js'

let root: string
beforeAll(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-overlay-'))
  await fsp.mkdir(path.join(root, 'etc/d'), {recursive: true})
  await fsp.writeFile(path.join(root, 'etc/d/a.conf'), 'A')
  await fsp.writeFile(path.join(root, 'etc/d/b.conf'), 'B')
})
afterAll(() => fsp.rm(root, {recursive: true, force: true}))

describe('OverlayFileSystem', () => {
  it('shows planned contents, new files and deletions without touching the disk', async () => {
    const base = new HostFileSystem(root)
    const view = new OverlayFileSystem(base, [
      {path: '/etc/d/a.conf', after: 'A2'},
      {path: '/etc/d/b.conf', after: undefined},
      {path: '/etc/d/c.conf', after: 'C'},
    ])
    expect(await view.readText('/etc/d/a.conf')).toBe('A2')
    expect(await view.readText('/etc/d/b.conf')).toBeUndefined()
    expect(await view.readText('/etc/d/c.conf')).toBe('C')
    expect(await view.list('/etc/d')).toEqual(['a.conf', 'c.conf'])
    expect((await view.stat('/etc/d/c.conf'))?.isFile()).toBe(true)
    expect(await view.stat('/etc/d/b.conf')).toBeUndefined()
    await expect(view.writeAtomic('/etc/d/a.conf', 'x', {mode: 0o644})).rejects.toThrow(/read-only/)
    expect(await base.readText('/etc/d/a.conf')).toBe('A')
    expect(await base.readText('/etc/d/c.conf')).toBeUndefined()
  })
})

describe('HostFileSystem', () => {
  it('keeps absolute symlinks inside --root', async () => {
    await fsp.symlink('/etc/d/a.conf', path.join(root, 'etc/link'))
    const fs = new HostFileSystem(root)
    expect(await fs.realpath('/etc/link')).toBe('/etc/d/a.conf')
    expect(await fs.readText('/etc/link')).toBe('A')
    expect(fs.hostPath('/etc/link')).toBe(path.join(root, 'etc/link'))
  })
})
