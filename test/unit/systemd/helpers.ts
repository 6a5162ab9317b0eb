import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import {fileURLToPath} from 'node:url'

import {HostFileSystem} from '../../../src/system/fs.js'

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures')
export const VENDOR_UNIT = path.join(FIXTURES, 'vendor/debian-12-docker.io-docker.service')

/** The small unit the `env--` truth cases were captured with (see systemd-truth/README.md). */
export const ENV_CASE_UNIT = `[Unit]
Description=Docker

[Service]
Type=notify
EnvironmentFile=-/etc/default/docker
EnvironmentFile=-/etc/sysconfig/docker
ExecStart=/usr/sbin/dockerd $DOCKER_OPTS $OPTIONS $other_args $DOCKER_NETWORK_OPTIONS $DOCKER_STORAGE_OPTIONS
`

export interface TruthCase {
  case: string
  argv: string[] | null
  systemd?: string[]
}

/** Fixture file names of a corpus folder (SOURCES.md excluded). */
export async function fixtureNames(folder: string): Promise<string[]> {
  return (await fsp.readdir(path.join(FIXTURES, folder))).filter((n) => n !== 'SOURCES.md').sort()
}

export async function loadTruthCases(): Promise<TruthCase[]> {
  const dir = path.join(FIXTURES, 'systemd-truth')
  const names = (await fsp.readdir(dir)).filter((n) => n.endsWith('.json')).sort()
  return Promise.all(names.map(async (n) => JSON.parse(await fsp.readFile(path.join(dir, n), 'utf8')) as TruthCase))
}

/** A temporary root holding `files` (tree path -> bytes). */
export async function makeTree(files: Record<string, Buffer | string>): Promise<{fs: HostFileSystem; root: string; cleanup: () => Promise<void>}> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-systemd-'))
  for (const [treePath, data] of Object.entries(files)) {
    const host = path.join(root, treePath)
    await fsp.mkdir(path.dirname(host), {recursive: true})
    await fsp.writeFile(host, data)
  }
  return {fs: new HostFileSystem(root), root, cleanup: () => fsp.rm(root, {recursive: true, force: true})}
}

/**
 * The tree of one truth case, composed exactly as systemd-truth/README.md describes: a stock
 * Debian 12 host (vendor unit under /lib) plus the case's file.
 */
export async function truthCaseFiles(name: string): Promise<Record<string, Buffer | string>> {
  const files: Record<string, Buffer | string> = {'/lib/systemd/system/docker.service': await fsp.readFile(VENDOR_UNIT)}
  const sep = name.indexOf('--')
  const kind = name.slice(0, sep)
  const item = name.slice(sep + 2)
  if (kind === 'unit') {
    files['/etc/systemd/system/docker.service'] = await fsp.readFile(path.join(FIXTURES, 'units', item))
  } else if (kind === 'dropin') {
    const fileName = item.endsWith('.conf') ? item : `${item}.conf`
    files[`/etc/systemd/system/docker.service.d/${fileName}`] = await fsp.readFile(path.join(FIXTURES, 'dropins', item))
  } else if (kind === 'env') {
    const bytes = await fsp.readFile(path.join(FIXTURES, 'envfiles', item))
    files['/etc/systemd/system/docker.service'] = ENV_CASE_UNIT
    files['/etc/default/docker'] = bytes
    files['/etc/sysconfig/docker'] = bytes
  } else {
    throw new Error(`unknown truth case kind: ${name}`)
  }
  return files
}
