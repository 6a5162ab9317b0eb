import {type Finding} from '../core/findings.js'
import type {ParsedDaemonJson} from './parse.js'
import {validateDaemonConfig} from './validate.js'

/** Syntax and semantic findings together, in file order. */
export function findingsOf(parsed: ParsedDaemonJson, dockerdVersion: string | undefined): Finding[] {
  const semantic = parsed.decodable ? validateDaemonConfig(parsed, {dockerdVersion}) : []
  return [...parsed.findings, ...semantic].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
}
