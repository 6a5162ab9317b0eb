import * as fsp from 'node:fs/promises'
import * as path from 'node:path'

import {afterAll} from 'vitest'

import {FIXTURES, VENDOR_UNIT, makeTree} from '../systemd/helpers.js'
import type {HostFileSystem} from '../../../src/system/fs.js'

export {FIXTURES, VENDOR_UNIT}

export const VENDOR_PATH = '/lib/systemd/system/docker.service'
export const DAEMON_JSON = '/etc/docker/daemon.json'
export const DROPIN_DIR = '/etc/systemd/system/docker.service.d'

/** Bytes of a test fixture (`dropins/x.conf`). */
export function fixture(rel: string): Promise<string> {
  return fsp.readFile(path.join(FIXTURES, rel), 'utf8')
}

/** A stock Debian 12 tree (vendor unit under /lib) plus `files`; removed after the test file. */
export async function debianTree(files: Record<string, string> = {}): Promise<HostFileSystem> {
  return tree({[VENDOR_PATH]: await fsp.readFile(VENDOR_UNIT, 'utf8'), ...files})
}

const cleanups: Array<() => Promise<void>> = []
afterAll(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()))
})

export async function tree(files: Record<string, string>): Promise<HostFileSystem> {
  const t = await makeTree(files)
  cleanups.push(t.cleanup)
  return t.fs
}
