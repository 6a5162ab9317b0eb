import * as path from 'node:path'

import {RefusedError} from '../core/errors.js'
import {CA_FILES, CLIENT_FILES, DEFAULT_CONFIG_FILE, DROPIN_DIR, SERVER_FILES, TLS_DIR, TLS_PATHS} from '../core/managed-files.js'
import {BACKUP_ID, type BackupManifest} from './backups.js'

/**
 * What a rollback may restore: only files dockcfg itself writes, so a damaged or planted
 * manifest can never make a root process write (or delete) anything else. The set, in one place,
 * from what the code writes:
 *
 * - daemon.json: the default path, the --config-file given, or the one ExecStart names;
 * - drop-ins in /etc/systemd/system/docker.service.d (src/effective/fix.ts: 50-dockcfg.conf, an
 *   /etc drop-in edited in place, a same-name copy masking a vendor one);
 * - the TLS material `remote enable` writes in /etc/docker/tls and its client/ bundle, and a client
 *   bundle (ca.pem, cert.pem, key.pem) in the --client-out directory, which can be anywhere: only
 *   in a directory the manifest records as one (BackupManifest.clientDirs), never by file name
 *   alone (`remote client-cert` writes bundles without a backup, so no manifest names their files).
 *
 * Every path must be absolute and normal (no `.`/`..`, no `//`, no control character): tree paths
 * are mapped under --root and resolved inside it by the fs seam, and a normal absolute path cannot
 * climb out.
 */

const TLS_FILE_NAMES = new Set<string>([...Object.values(SERVER_FILES), ...Object.values(CA_FILES)])
const CLIENT_FILE_NAMES = new Set<string>(Object.values(CLIENT_FILES))

/** Why dockcfg would never write `file`, or undefined when it is one of its files. */
export function unmanagedReason(file: unknown, configFiles: readonly string[], clientDirs: readonly string[] = []): string | undefined {
  if (typeof file !== 'string') return 'not a path'
  if (!isNormalAbsolute(file)) return 'not a normal absolute path'
  const dir = path.posix.dirname(file)
  const name = path.posix.basename(file)
  if (file === DEFAULT_CONFIG_FILE || configFiles.includes(file)) return undefined
  if (dir === DROPIN_DIR && name.endsWith('.conf')) return undefined
  if (dir === TLS_DIR && TLS_FILE_NAMES.has(name)) return undefined
  // A client bundle: /etc/docker/tls/client, or a --client-out directory the backup recorded.
  if (CLIENT_FILE_NAMES.has(name) && (dir === TLS_PATHS.clientDir || clientDirs.includes(dir))) return undefined
  return 'not a file dockcfg writes'
}

function isNormalAbsolute(file: string): boolean {
  return file.startsWith('/') && path.posix.normalize(file) === file && !file.endsWith('/') && !/\p{Cc}/u.test(file)
}

const COPY_NAME = /^file-\d+$/
const SHA256 = /^[0-9a-f]{64}$/

function isId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0
}

/**
 * Refuses (exit 7, nothing written) a backup whose manifest is not one createBackup wrote for the
 * backup `id`, or names a file outside the managed set: a rollback must put back exactly dockcfg's
 * own files, from copies inside its own backup directory.
 */
export function checkRestorable(manifest: unknown, id: string, configFiles: readonly string[]): BackupManifest {
  const refuse = (why: string): never => {
    throw new RefusedError(`backup ${id} cannot be restored: ${why}. Nothing was written`, {
      remedy: 'dockcfg history lists the backups; restore a file by hand if you trust its copy',
    })
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) return refuse('its manifest is not an object')
  const m = manifest as Partial<Record<keyof BackupManifest, unknown>>
  if (m.id !== id || !BACKUP_ID.test(id)) return refuse(`its manifest names another backup (${JSON.stringify(m.id)})`)
  if (!Array.isArray(m.files)) return refuse('its manifest has no list of files')
  const clientDirs = m.clientDirs ?? []
  if (!Array.isArray(clientDirs) || !clientDirs.every((d) => typeof d === 'string' && isNormalAbsolute(d) && d !== '/')) {
    return refuse('its manifest lists client bundle directories that are not normal absolute paths')
  }
  for (const entry of m.files as unknown[]) {
    if (entry === null || typeof entry !== 'object') return refuse('its manifest lists a file that is not an object')
    const f = entry as Record<string, unknown>
    const why = unmanagedReason(f.path, configFiles, clientDirs as string[])
    if (why !== undefined) return refuse(`it names ${JSON.stringify(f.path)}, ${why}`)
    if (f.existed === false) continue
    if (f.existed !== true || typeof f.copy !== 'string' || !COPY_NAME.test(f.copy) || typeof f.sha256 !== 'string' || !SHA256.test(f.sha256)) {
      return refuse(`its entry for ${f.path as string} does not name a copy in the backup directory with its checksum`)
    }
    if ((f.mode !== undefined && (!isId(f.mode) || f.mode > 0o7777)) || (f.uid !== undefined && !isId(f.uid)) || (f.gid !== undefined && !isId(f.gid))) {
      return refuse(`its entry for ${f.path as string} has a mode or owner that is not a number`)
    }
  }
  return manifest as BackupManifest
}
