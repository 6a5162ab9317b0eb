import {type Node, findNodeAtLocation} from 'jsonc-parser'

import {type Finding, hasErrors} from './findings.js'
import {type ParsedDaemonJson, parseDaemonJson, positionAt} from './parse.js'
import {validateDaemonConfig} from './validate.js'
import type {System} from '../system/index.js'

/** daemon.json as found on disk, parsed and validated for one dockerd version. */
export interface DaemonJsonDocument {
  path: string
  exists: boolean
  /** Raw text ('' when the file does not exist). */
  text: string
  parsed: ParsedDaemonJson
}

export async function loadDaemonJson(system: System, path: string, dockerdVersion: string | undefined): Promise<DaemonJsonDocument> {
  const text = await system.fs.readText(path)
  return {
    path,
    exists: text !== undefined,
    text: text ?? '',
    parsed: parseDaemonJson(text ?? '{}', path, {dockerdVersion}),
  }
}

/** Syntax and semantic findings together, in file order. */
export function findingsOf(parsed: ParsedDaemonJson, dockerdVersion: string | undefined): Finding[] {
  const semantic = parsed.decodable ? validateDaemonConfig(parsed, {dockerdVersion}) : []
  return [...parsed.findings, ...semantic].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
}

export function wouldDockerdRefuse(findings: readonly Finding[]): boolean {
  return hasErrors(findings)
}

/** Line of a top-level key in the document, for messages that point at the file. */
export function keyLine(parsed: ParsedDaemonJson, key: string): number | undefined {
  if (parsed.tree === undefined) return undefined
  const node: Node | undefined = findNodeAtLocation(parsed.tree, [key])
  return node?.parent === undefined ? undefined : positionAt(parsed.text, node.parent.offset).line
}
