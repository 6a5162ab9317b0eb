import {X509Certificate} from 'node:crypto'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'

import {describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/core/errors.js'
import {createCaDirectory, issueClientBundle, readCaDirectory} from '../../../src/remote/client.js'
import type {Clock} from '../../../src/system/clock.js'
import {HostFileSystem} from '../../../src/system/fs.js'
import {expectContract} from '../../support/contract.js'

const reader =
  (files: Record<string, string>) =>
  async (file: string): Promise<string | undefined> =>
    files[file]

describe('readCaDirectory', () => {
  it('reads ca.pem and ca-key.pem of the directory', async () => {
    expect(await readCaDirectory(reader({'/ca/ca.pem': 'CERT', '/ca/ca-key.pem': 'KEY'}), '/ca', 'make one')).toEqual({certPem: 'CERT', keyPem: 'KEY'})
  })

  it('names the missing file and passes the remedy on', async () => {
    await expect(readCaDirectory(reader({'/ca/ca-key.pem': 'KEY'}), '/ca', 'make one')).rejects.toThrow('/ca is not a CA directory: ca.pem is missing')
    const error = await readCaDirectory(reader({'/ca/ca.pem': 'CERT'}), '/ca', 'make one').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect(error).toMatchObject({message: '/ca is not a CA directory: ca-key.pem is missing', remedy: 'make one'})
  })
})

describe('the CA and client bundle commands take their time from the clock seam', () => {
  it('validity runs from the given clock, not the machine\u2019s', async () => {
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-clock-'))
    try {
      const fs = new HostFileSystem(root)
      const clock: Clock = {now: () => new Date('2031-05-01T00:00:00Z'), sleep: async () => undefined}
      const ca = await createCaDirectory(fs, clock, {dir: '/ca', keyType: undefined, commonName: undefined})
      const client = await issueClientBundle(fs, clock, {caDir: '/ca', outDir: '/client', name: undefined, keyType: undefined})
      for (const file of ['/ca/ca.pem', '/client/cert.pem']) {
        const cert = new X509Certificate((await fs.readText(file)) as string)
        expect(new Date(cert.validFrom).getUTCFullYear(), file).toBe(2031)
      }
      expectContract('remote-ca-create.schema.json', ca)
      expectContract('remote-client-cert.schema.json', client)
      expect(ca.notAfter > '2031').toBe(true)
      expect(client.notAfter > '2031').toBe(true)
    } finally {
      await fsp.rm(root, {recursive: true, force: true})
    }
  })
})
