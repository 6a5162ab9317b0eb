import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {stagePlannedFiles} from '../../../src/apply/planned-files.js'
import {HostFileSystem} from '../../../src/system/fs.js'
import type {System} from '../../../src/system/index.js'

// Lives with the remote tests: remote enable is why preflight must see files a change adds.
let root: string
let system: System

beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-staged-'))
  system = {fs: new HostFileSystem(root)} as unknown as System
})
afterEach(async () => {
  await fsp.rm(root, {recursive: true, force: true})
})

describe('stagePlannedFiles (preflight of a change that adds TLS files)', () => {
  const config = JSON.stringify({
    hosts: ['fd://'],
    tlsverify: true,
    tlscacert: '/etc/docker/tls/ca.pem',
    tlscert: '/etc/docker/tls/server-cert.pem',
    tlskey: '/etc/docker/tls/server-key.pem',
  })

  it('points the candidate at root-only copies of planned files, then removes them', async () => {
    const changes = [
      {path: '/etc/docker/tls/ca.pem', before: undefined, after: 'CA'},
      {path: '/etc/docker/tls/server-key.pem', before: undefined, after: 'KEY'},
      {path: '/etc/docker/daemon.json', before: undefined, after: config},
    ]
    const staged = await stagePlannedFiles(system, config, changes)
    const candidate = JSON.parse(staged.configText) as {tlscacert: string; tlscert: string; tlskey: string}
    // Planned files are staged; one that exists only on disk (tlscert here) is left as configured.
    expect(candidate.tlscert).toBe('/etc/docker/tls/server-cert.pem')
    expect(candidate.tlscacert.startsWith(path.join(root, 'run/dockcfg/staged-'))).toBe(true)
    expect(await fsp.readFile(candidate.tlskey, 'utf8')).toBe('KEY')
    expect((await fsp.stat(candidate.tlskey)).mode & 0o777).toBe(0o600)
    expect((await fsp.stat(path.dirname(candidate.tlskey))).mode & 0o777).toBe(0o700)
    await staged.cleanup()
    await expect(fsp.stat(path.dirname(candidate.tlskey))).rejects.toThrow(/ENOENT/)
  })

  it('leaves the text alone when no key names a planned file, or the text is not JSON', async () => {
    for (const text of [config, 'not json', '[]']) {
      const staged = await stagePlannedFiles(system, text, [{path: '/etc/other', before: undefined, after: 'x'}])
      expect(staged.configText).toBe(text)
    }
    const deleted = await stagePlannedFiles(system, config, [{path: '/etc/docker/tls/ca.pem', before: 'old', after: undefined}])
    expect(deleted.configText).toBe(config)
    await expect(fsp.stat(path.join(root, 'run/dockcfg'))).rejects.toThrow(/ENOENT/)
  })
})
