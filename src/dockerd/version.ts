import {UsageError} from '../core/errors.js'
import {normalizeVersion} from '../registry/index.js'
import type {System} from '../system/index.js'

/** The dockerd version validation is done for, and where that answer came from. */
export interface DockerdVersion {
  version: string | undefined
  source: 'flag' | 'installed' | 'assumed'
  /** Why the version was assumed: a tree's dockerd is never run; a live host may have none. */
  assumedBecause?: 'tree' | 'no-dockerd'
}

/**
 * Where the installed dockerd's answer to `--version` is kept between runs. Asking costs a process
 * (~140 ms, more than the rest of a `validate`), and fleet scripts call dockcfg many times on a host
 * whose dockerd rarely changes. /run/dockcfg is root's alone (see lockPath) and a reboot clears it.
 */
export const VERSION_CACHE = '/run/dockcfg/dockerd-version.json'

interface VersionCache {
  /** The binary's path and identity: a package upgrade replaces the file, a rewrite in place changes ctime. */
  binary: string
  identity: string
  version: string
}

/**
 * Which dockerd version to validate for. An explicit --dockerd-version wins (with --root the
 * installed binary says nothing about the image); on the live host the installed dockerd answers;
 * otherwise undefined, and validation assumes the newest version it knows.
 */
export async function resolveDockerdVersion(system: System, override: string | undefined): Promise<DockerdVersion> {
  if (override !== undefined) {
    const version = normalizeVersion(override)
    if (version === undefined) throw new UsageError(`--dockerd-version ${JSON.stringify(override)} is not a version (for example 20.10.24 or 29.7.2)`)
    return {version, source: 'flag'}
  }
  if (!system.isLiveHost) return {version: undefined, source: 'assumed', assumedBecause: 'tree'}
  const version = await installedVersion(system)
  return version === undefined ? {version: undefined, source: 'assumed', assumedBecause: 'no-dockerd'} : {version, source: 'installed'}
}

async function installedVersion(system: System): Promise<string | undefined> {
  const binary = await system.processes.which('dockerd')
  if (binary === undefined) return undefined
  const identity = await binaryIdentity(system, binary)
  const cached = identity === undefined ? undefined : await readCache(system)
  if (cached !== undefined && cached.binary === binary && cached.identity === identity) return cached.version
  const result = await system.processes.run(binary, ['--version'], {timeoutMs: 5000})
  const version = result.exitCode === 0 ? parseDockerdVersion(result.stdout) : undefined
  if (version !== undefined && identity !== undefined) await writeCache(system, {binary, identity, version})
  return version
}

async function binaryIdentity(system: System, binary: string): Promise<string | undefined> {
  const stat = await system.fs.stat(binary)
  return stat === undefined ? undefined : `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`
}

/**
 * The cached answer, trusted only when root (or the user running dockcfg) owns it and nobody else
 * can write it: a planted cache would make dockcfg validate for the wrong engine.
 */
async function readCache(system: System): Promise<VersionCache | undefined> {
  const stat = await system.fs.stat(VERSION_CACHE)
  if (stat === undefined || !stat.isFile() || (stat.uid !== 0 && stat.uid !== system.euid) || (stat.mode & 0o022) !== 0 || stat.size > 4096) return undefined
  try {
    const cache = JSON.parse((await system.fs.readText(VERSION_CACHE)) ?? '') as Partial<VersionCache>
    const version = typeof cache.version === 'string' ? normalizeVersion(cache.version) : undefined
    if (typeof cache.binary !== 'string' || typeof cache.identity !== 'string' || version === undefined) return undefined
    return {binary: cache.binary, identity: cache.identity, version}
  } catch {
    return undefined
  }
}

/** Best effort: a run that cannot write the cache (not root) simply asks dockerd next time too. */
async function writeCache(system: System, cache: VersionCache): Promise<void> {
  try {
    await system.fs.mkdirp('/run/dockcfg', 0o700)
    await system.fs.writeAtomic(VERSION_CACHE, `${JSON.stringify(cache)}\n`, {mode: 0o600})
  } catch {
    // Nothing to undo: the answer is still right for this run.
  }
}

/** "Docker version 20.10.24+dfsg1, build 5d6db84" -> "20.10.24". */
export function parseDockerdVersion(output: string): string | undefined {
  const match = /version\s+v?(\d+\.\d+(?:\.\d+)?)/i.exec(output)
  return match ? normalizeVersion(match[1] as string) : undefined
}
