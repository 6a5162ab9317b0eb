import {capFindings, type Finding} from '../core/findings.js'
import {resolveDockerdVersion} from '../dockerd/version.js'
import {inspectEffective, type Origin, type Setting} from '../effective/effective.js'
import type {System} from '../system/index.js'

/** The typed result of `dockcfg show`. */
export interface ShowResult {
  configFile: string
  unit: string | undefined
  dropIns: string[]
  environmentFiles: string[]
  execStart: string[] | null
  settings: Setting[]
  conflicts: Array<{key: string; message: string; flag: Origin[]; file: Origin}>
  findings: Finding[]
  dockerdVersion: string | undefined
}

/**
 * `dockcfg show`: the configuration dockerd would start with, each setting with where it comes
 * from. `daemonJsonExists` is for the human view only (the --json result names the file either way).
 */
export async function runShow(system: System, request: {configFile: string; dockerdVersion: string | undefined}): Promise<{result: ShowResult; daemonJsonExists: boolean}> {
  const {version} = await resolveDockerdVersion(system, request.dockerdVersion)
  const e = await inspectEffective(system.fs, {configFile: request.configFile, dockerdVersion: version})
  const result: ShowResult = {
    configFile: e.configFile,
    unit: e.service.unitPath,
    dropIns: e.service.dropInPaths,
    environmentFiles: e.service.environmentFiles.flatMap((f) => f.loaded),
    execStart: e.argv,
    settings: e.settings.map((s) => ({
      key: s.key,
      value: s.value,
      origin: s.origin,
      ...(s.moreOrigins ? {moreOrigins: s.moreOrigins} : {}),
      ...(s.alsoSetBy ? {alsoSetBy: s.alsoSetBy} : {}),
    })),
    conflicts: e.conflicts.map((c) => ({key: c.key, message: c.message, flag: c.flagOrigins, file: c.fileOrigin})),
    findings: capFindings(e.findings),
    dockerdVersion: version,
  }
  return {result, daemonJsonExists: e.daemonJson.exists}
}
