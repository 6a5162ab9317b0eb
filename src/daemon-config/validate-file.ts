import {resolveDockerdVersion} from '../dockerd/version.js'
import {inspectEffective} from '../effective/effective.js'
import type {System} from '../system/index.js'
import {type Finding, hasErrors} from './findings.js'
import {byCodeUnits} from '../output/order.js'

/** The typed result of `dockcfg validate` (also its --json output). */
export interface ValidateResult {
  file: string
  exists: boolean
  dockerdVersion: string | undefined
  /** flag: --dockerd-version; installed: asked dockerd; assumed: validated for the newest known. */
  versionSource: 'flag' | 'installed' | 'assumed'
  /** The dockerd command line systemd would run (null: none, or systemd would refuse to run it). */
  execStart: string[] | null
  unit: string | undefined
  dropIns: string[]
  /** False when dockerd would refuse to start with this configuration. */
  valid: boolean
  findings: Finding[]
}

/**
 * Validates the whole configuration dockerd would start with: daemon.json as the given (or
 * installed) dockerd reads it, plus the command line systemd builds, and the conflicts between
 * them. Reads only.
 */
export async function validateConfiguration(system: System, options: {file: string; dockerdVersion: string | undefined}): Promise<ValidateResult> {
  const version = await resolveDockerdVersion(system, options.dockerdVersion)
  const effective = await inspectEffective(system.fs, {configFile: options.file, dockerdVersion: version.version})
  const findings = [...effective.findings].sort((a, b) => byCodeUnits(a.file ?? '', b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
  return {
    file: effective.configFile,
    exists: effective.daemonJson.exists,
    dockerdVersion: version.version,
    versionSource: version.source,
    execStart: effective.argv,
    unit: effective.service.unitPath,
    dropIns: effective.service.dropInPaths,
    valid: !hasErrors(findings),
    findings,
  }
}
