import {type Node, findNodeAtLocation} from 'jsonc-parser'

import {type ParsedDaemonJson, parseDaemonJson, positionAt} from './parse.js'
import type {System} from '../system/index.js'

/** daemon.json as found on disk, parsed for one dockerd version. */
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

/** Line of a top-level key in the document, for messages that point at the file. */
export function keyLine(parsed: ParsedDaemonJson, key: string): number | undefined {
  if (parsed.tree === undefined) return undefined
  const node: Node | undefined = findNodeAtLocation(parsed.tree, [key])
  return node?.parent === undefined ? undefined : positionAt(parsed.text, node.parent.offset).line
}
