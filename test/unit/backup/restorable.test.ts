import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'

import {describe, expect, it} from 'vitest'

import {BACKUP_ID, checkBackupId, createBackup} from '../../../src/backup/backups.js'
import {unmanagedReason} from '../../../src/backup/restorable.js'
import {UsageError} from '../../../src/core/errors.js'
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
    expect(unmanagedReason(file, ['/srv/custom.json'])).toBeUndefined()
  })

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
