import {describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/core/errors.js'
import {readCaDirectory} from '../../../src/remote/client.js'

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
