/**
 * OpenRC hosts (Alpine, Gentoo) start dockerd from /etc/init.d/docker, which sources
 * /etc/conf.d/docker (a shell fragment) and runs `${DOCKERD_BINARY:-/usr/bin/dockerd}` with
 * `${DOCKER_OPTS}` through `eval` (openrc-run's start-stop-daemon / supervise-daemon helpers), so
 * quotes inside DOCKER_OPTS group words. We read plain `NAME=value` assignments and nothing else:
 * any other shell statement is reported, never executed.
 */

import type {FileSystem} from '../system/fs.js'
import {parseShell} from './shell.js'

export const OPENRC_CONFD_DOCKER = '/etc/conf.d/docker'

export interface OpenRcVariable {
  value: string
  line: number
}

export interface OpenRcArg {
  value: string
  file: string
  line: number
  viaVariable: 'DOCKER_OPTS'
}

export interface OpenRcDockerConfig {
  path: string
  exists: boolean
  variables: Record<string, OpenRcVariable>
  /** The daemon binary: DOCKERD_BINARY, else the older DOCKER_BINARY, else the init script default. */
  binary: {value: string; line?: number; fromDefault: boolean}
  /** The dockerd arguments from DOCKER_OPTS, in order. */
  args: OpenRcArg[]
  warnings: Array<{line?: number; message: string}>
}

interface Statement {
  text: string
  line: number
}

/** Splits shell text into statements, joining backslash continuations and multi-line quotes. */
function statements(text: string): Statement[] {
  const out: Statement[] = []
  let cur = ''
  let startLine = 1
  let line = 1
  let quote: '' | "'" | '"' = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (cur === '' && quote === '') startLine = line
    if (c === '\n') {
      line++
      if (quote === '') {
        if (cur.trim() !== '') out.push({text: cur, line: startLine})
        cur = ''
        continue
      }
    }
    if (c === '\\' && quote !== "'" && i + 1 < text.length) {
      cur += c + (text[i + 1] as string)
      if (text[i + 1] === '\n') line++
      i++
      continue
    }
    if (quote === '' && c === '#' && (cur === '' || /\s$/.test(cur))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++
      continue
    }
    if (quote === '' && (c === "'" || c === '"')) quote = c
    else if (quote !== '' && c === quote) quote = ''
    cur += c
  }
  if (cur.trim() !== '') out.push({text: cur, line: startLine})
  return out
}

/**
 * Parses the text of /etc/conf.d/docker. Pure: `path` only labels origins.
 */
export function parseOpenRcConfd(text: string, path: string = OPENRC_CONFD_DOCKER): OpenRcDockerConfig {
  const variables: Record<string, OpenRcVariable> = {}
  const warnings: OpenRcDockerConfig['warnings'] = []
  const lookup = (name: string): string | undefined => variables[name]?.value

  for (const st of statements(text)) {
    const m = /^\s*(export\s+)?([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(st.text)
    if (!m) {
      warnings.push({line: st.line, message: `shell statement not evaluated by dockcfg: ${st.text.trim()}`})
      continue
    }
    const name = m[2] as string
    const rawValue = m[3] as string
    // An assignment value is one word: no field splitting, but quotes and expansions apply.
    const parsed = parseShell(rawValue.replace(/^\s+/, ''), lookup)
    if (/^\s/.test(rawValue) && rawValue.trim() !== '') {
      warnings.push({
        line: st.line,
        message: `'${name}= ${rawValue.trim()}' runs '${rawValue.trim()}' as a command with ${name} empty: the space after '=' is significant in a shell`,
      })
      variables[name] = {value: '', line: st.line}
      continue
    }
    if (parsed.commands.length > 1) warnings.push({line: st.line, message: `more than an assignment on one line; only ${name} is read`})
    for (const u of parsed.unsupported) warnings.push({line: st.line, message: `${name}: ${u} is not evaluated by dockcfg`})
    const words = parsed.commands[0]?.words ?? []
    if (words.length > 1 && !/^["']/.test(rawValue)) {
      warnings.push({line: st.line, message: `${name} has an unquoted value with spaces: a shell runs '${words[1]?.value ?? ''}' as a command`})
    }
    variables[name] = {value: words[0]?.value ?? '', line: st.line}
  }

  const binaryVar = variables.DOCKERD_BINARY ?? variables.DOCKER_BINARY
  const binary = binaryVar && binaryVar.value !== '' ? {value: binaryVar.value, line: binaryVar.line, fromDefault: false} : {value: '/usr/bin/dockerd', fromDefault: true}

  const args: OpenRcArg[] = []
  const opts = variables.DOCKER_OPTS
  if (opts) {
    // openrc-run evals the command line, so DOCKER_OPTS is re-read as shell words.
    const parsed = parseShell(opts.value, lookup)
    for (const u of parsed.unsupported) warnings.push({line: opts.line, message: `DOCKER_OPTS: ${u} is not evaluated by dockcfg`})
    if (parsed.commands.length > 1) warnings.push({line: opts.line, message: 'DOCKER_OPTS contains a shell control operator; only the words before it are read'})
    for (const w of parsed.commands[0]?.words ?? []) args.push({value: w.value, file: path, line: opts.line, viaVariable: 'DOCKER_OPTS'})
  }
  return {path, exists: true, variables, binary, args, warnings}
}

/**
 * Reads /etc/conf.d/docker (or `options.path`) through the FileSystem seam.
 */
export async function readOpenRcDockerConfig(fs: FileSystem, options: {path?: string} = {}): Promise<OpenRcDockerConfig> {
  const path = options.path ?? OPENRC_CONFD_DOCKER
  const text = await fs.readText(path)
  if (text === undefined) {
    return {path, exists: false, variables: {}, binary: {value: '/usr/bin/dockerd', fromDefault: true}, args: [], warnings: []}
  }
  return parseOpenRcConfd(text, path)
}
