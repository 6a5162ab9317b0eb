import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'

import {describe, expect, it} from 'vitest'

import {BACKUP_ID, checkBackupId, createBackup} from '../../../src/backup/backups.js'
import {checkRestorable, unmanagedReason} from '../../../src/backup/restorable.js'
import {RefusedError, UsageError} from '../../../src/core/errors.js'
import {createSystem} from '../../../src/system/index.js'

describe('backup ids', () => {
  it('createBackup makes ids of exactly the format rollback accepts', async () => {
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-id-'))
    try {
      const manifest = await createBackup(createSystem({root}), 'test', [])
      expect(manifest.id).toMatch(BACKUP_ID)
      expect(() => checkBackupId(manifest.id)).not.toThrow()
    } finally {
      await fsp.rm(root, {recursive: true, force: true})
    }
  })

  it.each(['..', '../../..', 'x/../y', '20261127T174512345Z-3fa2c1/..', '20261127T174512345Z-3FA2C1', '20261127T174512345Z-3fa2c1\n', ''])(
    'refuses %j with a usage error',
    (id) => {
      expect(() => checkBackupId(id)).toThrow(UsageError)
    },
  )
})

describe('the files a rollback may restore', () => {
  it.each([
    '/etc/docker/daemon.json',
    '/srv/custom.json',
    '/etc/systemd/system/docker.service.d/50-dockcfg.conf',
    '/etc/systemd/system/docker.service.d/override.conf',
    '/etc/docker/tls/ca.pem',
    '/etc/docker/tls/ca-key.pem',
    '/etc/docker/tls/server-cert.pem',
    '/etc/docker/tls/server-key.pem',
    '/etc/docker/tls/client/key.pem',
    '/root/docker-client/cert.pem',
  ])('%s is one of dockcfg files', (file) => {
    expect(unmanagedReason(file, ['/srv/custom.json'], ['/root/docker-client'])).toBeUndefined()
  })

  it.each(['/root/docker-client/cert.pem', '/root/.docker/key.pem', '/etc/ssl/private/key.pem', '/etc/docker/tls/client/../key.pem'])(
    '%s, a client bundle name in a directory the backup did not record, is refused',
    (file) => {
      expect(unmanagedReason(file, [], ['/srv/other'])).toMatch(/^not a (file dockcfg writes|normal absolute path)$/)
    },
  )

  it.each<[unknown, string]>([
    ['/etc/passwd', 'not a file dockcfg writes'],
    ['/etc/systemd/system/docker.service', 'not a file dockcfg writes'],
    ['/etc/systemd/system/docker.service.d/x.sh', 'not a file dockcfg writes'],
    ['/etc/docker/tls/other.pem', 'not a file dockcfg writes'],
    ['/etc/docker/../passwd', 'not a normal absolute path'],
    ['/etc/docker/./daemon.json', 'not a normal absolute path'],
    ['//etc/docker/daemon.json', 'not a normal absolute path'],
    ['etc/docker/daemon.json', 'not a normal absolute path'],
    ['/etc/docker/tls/', 'not a normal absolute path'],
    ['/etc/docker/daemon.json\n', 'not a normal absolute path'],
    [42, 'not a path'],
  ])('%j is refused: %s', (file, reason) => {
    expect(unmanagedReason(file, [])).toBe(reason)
  })
})

describe('client bundle directories recorded in the backup', () => {
  const ID = '20261127T174512345Z-3fa2c1'
  const entry = (p: string) => ({path: p, existed: false})

  it('createBackup records them; checkRestorable accepts bundle files only there', async () => {
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-client-'))
    try {
      const manifest = await createBackup(createSystem({root}), 'dockcfg remote enable', [], [], ['/srv/docker-client'])
      expect(manifest.clientDirs).toEqual(['/srv/docker-client'])
      expect((await createBackup(createSystem({root}), 'dockcfg set', [])).clientDirs).toBeUndefined()
    } finally {
      await fsp.rm(root, {recursive: true, force: true})
    }
    const files = [entry('/srv/docker-client/key.pem'), entry('/etc/docker/tls/client/cert.pem')]
    expect(checkRestorable({id: ID, files, clientDirs: ['/srv/docker-client']}, ID, []).files).toHaveLength(2)
    expect(() => checkRestorable({id: ID, files}, ID, [])).toThrow(/names "\/srv\/docker-client\/key\.pem", not a file dockcfg writes/)
    expect(() => checkRestorable({id: ID, files: [entry('/root/.ssh/key.pem')], clientDirs: ['/srv/docker-client']}, ID, [])).toThrow(RefusedError)
  })

  it.each<[unknown]>([['srv/docker-client'], ['/srv/../etc'], ['/'], [42], ['/srv/x/']])('a manifest recording %j as a client directory is refused', (dir) => {
    expect(() => checkRestorable({id: ID, files: [], clientDirs: [dir]}, ID, [])).toThrow(/client bundle directories that are not normal absolute paths/)
  })
})
