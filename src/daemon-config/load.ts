import {type Node, findNodeAtLocation} from 'jsonc-parser'

import {type ParsedDaemonJson, parseDaemonJson} from './parse.js'
import {tooLarge} from './refusals.js'
import type {FileSystem} from '../system/fs.js'
import type {System} from '../system/index.js'

/** daemon.json as found on disk, parsed for one dockerd version. */
export interface DaemonJsonDocument {
  path: string
  exists: boolean
  /** Raw text ('' when the file does not exist). */
  text: string
  parsed: ParsedDaemonJson
}

/**
 * The largest daemon.json dockcfg reads. dockerd has no limit (daemon/config reads the file whole
 * with os.ReadFile) and a real daemon.json is a few kilobytes, but a fleet may keep many labels
 * there: 100,000 labels of 40 characters are 4 MB. Parsing and checking cost grows linearly with
 * the size, and every command does it a few times (before and after a change, with the command
 * line merged in): 8 MiB leaves that case twice its size and keeps each command within seconds
 * (npm run bench:hostile measures the largest file allowed).
 */
export const MAX_DAEMON_JSON_BYTES = 8 * 1024 * 1024

/** daemon.json's text (undefined when there is none), refused before it is read when it is larger than MAX_DAEMON_JSON_BYTES. */
export async function readDaemonJsonText(fs: FileSystem, path: string): Promise<string | undefined> {
  const info = await fs.stat(path)
  if (info?.isFile() === true && info.size > MAX_DAEMON_JSON_BYTES) throw tooLarge(path, info.size, MAX_DAEMON_JSON_BYTES)
  return fs.readText(path)
}

export async function loadDaemonJson(system: System, path: string, dockerdVersion: string | undefined): Promise<DaemonJsonDocument> {
  const text = await readDaemonJsonText(system.fs, path)
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
  return node?.parent === undefined ? undefined : parsed.position(node.parent.offset).line
}
