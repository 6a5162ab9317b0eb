import {resolveDockerdVersion} from '../dockerd/version.js'
import {inspectEffective} from '../effective/effective.js'
import type {FileSystem} from '../system/fs.js'
import type {System} from '../system/index.js'
import {OverlayFileSystem} from '../system/overlay-fs.js'
import {capFindings, countOf, type Finding, hasErrors} from '../core/findings.js'
import {byCodeUnits} from '../core/order.js'

/** The typed result of `dockcfg validate` (also its --json output). */
export interface ValidateResult {
  file: string
  exists: boolean
  dockerdVersion: string | undefined
  /** flag: --dockerd-version; installed: asked dockerd; assumed: validated for the newest known. */
  versionSource: 'flag' | 'installed' | 'assumed'
  /** With 'assumed': tree (--root: the tree's dockerd is never run) or no-dockerd (none installed). */
  assumedBecause?: 'tree' | 'no-dockerd'
  /** The dockerd command line systemd would run (null: none, or systemd would refuse to run it). */
  execStart: string[] | null
  unit: string | undefined
  dropIns: string[]
  /** False when dockerd would refuse to start with this configuration. */
  valid: boolean
  /** How many findings are errors and warnings (`findings` lists MAX_FINDINGS_PER_KIND of each kind). */
  errors: number
  warnings: number
  findings: Finding[]
}

/** A daemon.json to check in place of the tree's (`validate --file`), read by the command. */
export interface Candidate {
  /** As the user should see it in findings: the absolute path on this machine. */
  path: string
  text: string
}

/**
 * Validates the whole configuration dockerd would start with: daemon.json as the given (or
 * installed) dockerd reads it, plus the command line systemd builds, and the conflicts between
 * them. With a candidate, that file stands in for the daemon.json dockerd would read, so the
 * answer is "would dockerd start if this were installed". Reads only.
 */
export async function validateConfiguration(system: System, options: {file: string; dockerdVersion: string | undefined; candidate?: Candidate}): Promise<ValidateResult> {
  const version = await resolveDockerdVersion(system, options.dockerdVersion)
  const inspect = (fs: FileSystem) => inspectEffective(fs, {configFile: options.file, dockerdVersion: version.version})
  let effective = await inspect(system.fs)
  const candidate = options.candidate
  if (candidate !== undefined) {
    // The file dockerd reads may be another one than --config-file (ExecStart --config-file wins).
    effective = await inspect(new OverlayFileSystem(system.fs, [{path: effective.configFile, after: candidate.text}]))
  }
  const shown = (file: string | undefined) => (candidate !== undefined && file === effective.configFile ? candidate.path : file)
  const findings = effective.findings
    .map((f) => (f.file === undefined ? f : {...f, file: shown(f.file)}))
    .sort((a, b) => byCodeUnits(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
  return {
    file: shown(effective.configFile) as string,
    exists: effective.daemonJson.exists,
    dockerdVersion: version.version,
    versionSource: version.source,
    ...(version.assumedBecause ? {assumedBecause: version.assumedBecause} : {}),
    execStart: effective.argv,
    unit: effective.service.unitPath,
    dropIns: effective.service.dropInPaths,
    valid: !hasErrors(findings),
    errors: findings.reduce((n, f) => n + (f.severity === 'error' ? countOf(f) : 0), 0),
    warnings: findings.reduce((n, f) => n + (f.severity === 'warning' ? countOf(f) : 0), 0),
    findings: capFindings(findings),
  }
}
