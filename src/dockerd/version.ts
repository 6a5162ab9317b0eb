import {UsageError} from '../cli/errors.js'
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
  const result = await system.processes.run('dockerd', ['--version'], {timeoutMs: 5000})
  const version = result.exitCode === 0 ? parseDockerdVersion(result.stdout) : undefined
  return version === undefined ? {version: undefined, source: 'assumed', assumedBecause: 'no-dockerd'} : {version, source: 'installed'}
}

/** "Docker version 20.10.24+dfsg1, build 5d6db84" -> "20.10.24". */
export function parseDockerdVersion(output: string): string | undefined {
  const match = /version\s+v?(\d+\.\d+(?:\.\d+)?)/i.exec(output)
  return match ? normalizeVersion(match[1] as string) : undefined
}
