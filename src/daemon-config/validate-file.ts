import {resolveDockerdVersion} from '../dockerd/version.js'
import type {System} from '../system/index.js'
import {findingsOf, loadDaemonJson} from './document.js'
import {type Finding, hasErrors} from './findings.js'

/** The typed result of `dockcfg validate` (also its --json output). */
export interface ValidateResult {
  file: string
  exists: boolean
  dockerdVersion: string | undefined
  /** flag: --dockerd-version; installed: asked dockerd; assumed: validated for the newest known. */
  versionSource: 'flag' | 'installed' | 'assumed'
  /** False when dockerd would refuse to start with this configuration. */
  valid: boolean
  findings: Finding[]
}

/** Validates daemon.json as the given (or installed) dockerd would read it. Reads only. */
export async function validateConfiguration(system: System, options: {file: string; dockerdVersion: string | undefined}): Promise<ValidateResult> {
  const version = await resolveDockerdVersion(system, options.dockerdVersion)
  const document = await loadDaemonJson(system, options.file, version.version)
  const findings = document.exists ? findingsOf(document.parsed, version.version) : []
  return {
    file: options.file,
    exists: document.exists,
    dockerdVersion: version.version,
    versionSource: version.source,
    valid: !hasErrors(findings),
    findings,
  }
}
