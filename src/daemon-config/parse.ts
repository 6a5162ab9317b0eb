import {type Node, type ParseError, ParseErrorCode, parseTree, printParseErrorCode} from 'jsonc-parser'
// Single functions, not the whole of semver: every dockcfg invocation loads this module.
import coerce from 'semver/functions/coerce.js'
import lt from 'semver/functions/lt.js'
import valid from 'semver/functions/valid.js'

import type {Finding} from './findings.js'

/**
 * daemon.json as dockerd reads it. dockerd decodes with Go's encoding/json: no comments, no trailing
 * commas, duplicate keys allowed (last wins). Version differences (dockerd-options.md section 2.4):
 * 20.10 fails on an empty file and on a BOM but ignores trailing data; 23.0+ accepts empty files
 * and BOMs and refuses trailing data.
 */
export interface ParsedDaemonJson {
  file: string
  text: string
  /** The text started with a UTF-8 byte-order mark (stripped from `text`). */
  bom: boolean
  /** jsonc-parser tree of the document (undefined for an empty document). */
  tree: Node | undefined
  /** The decoded top-level object, duplicate keys resolved as dockerd does (last wins). */
  value: Record<string, unknown>
  /** Syntax findings only; semantic validation lives in validate.ts. */
  findings: Finding[]
  /** dockerd would be able to decode the file at all. */
  decodable: boolean
}

export interface ParseOptions {
  /** Installed (or assumed) dockerd version; undefined means the newest known. */
  dockerdVersion?: string | undefined
}

const BOM = '\ufeff'

/** Converts a 0-based offset to a 1-based line and column. */
export function positionAt(text: string, offset: number): {line: number; column: number} {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  return {line, column: offset - lineStart + 1}
}

function isBefore23(version: string | undefined): boolean {
  return version !== undefined && valid(coerce(version)) !== null && lt(coerce(version)!, '23.0.0')
}

/**
 * Parses daemon.json text the way dockerd would, returning every syntax problem with its position
 * and the reason dockerd refuses it. Never throws for bad input.
 */
export function parseDaemonJson(rawText: string, file: string, options: ParseOptions = {}): ParsedDaemonJson {
  const old = isBefore23(options.dockerdVersion)
  const bom = rawText.startsWith(BOM)
  const text = bom ? rawText.slice(1) : rawText
  const findings: Finding[] = []
  const at = (offset: number) => ({file, ...positionAt(rawText, offset + (bom ? 1 : 0))})

  if (bom && old) {
    findings.push({
      code: 'json-bom',
      severity: 'error',
      message: 'the file starts with a UTF-8 byte-order mark, which dockerd 20.10 cannot decode',
      file,
      line: 1,
      column: 1,
      checkedAt: 'config',
      hint: 'remove the byte-order mark (dockcfg writes files without one)',
    })
  }

  if (text.trim() === '') {
    if (old) {
      findings.push({
        code: 'json-empty',
        severity: 'error',
        message: 'the file is empty; dockerd 20.10 refuses an empty daemon.json ("EOF")',
        file,
        line: 1,
        column: 1,
        checkedAt: 'config',
        hint: 'write {} or delete the file',
      })
    }
    return {file, text, bom, tree: undefined, value: {}, findings, decodable: !old}
  }

  const errors: ParseError[] = []
  const tree = parseTree(text, errors, {disallowComments: true, allowTrailingComma: false, allowEmptyContent: false})

  for (const error of errors) {
    // Only stray symbols after a complete first value are "trailing data"; a missing } at the
    // end of the file also sits past the tree but is an unfinished document.
    const trailing =
      tree !== undefined && error.offset >= tree.offset + tree.length && (error.error === ParseErrorCode.InvalidSymbol || error.error === ParseErrorCode.EndOfFileExpected)
    if (trailing && old) {
      findings.push({
        code: 'json-trailing-data',
        severity: 'warning',
        message: 'data after the closing brace: dockerd 20.10 ignores it, dockerd 23.0 and later refuse the file',
        ...at(error.offset),
        checkedAt: 'config',
        hint: 'delete everything after the final }',
      })
      continue
    }
    findings.push({code: errorCode(error, trailing), severity: 'error', message: describe(error, text, trailing), ...at(error.offset), checkedAt: 'config'})
  }

  // Errors after the first value (trailing data) do not hide a non-object first value: 20.10
  // decodes that first value and fails on it.
  if (tree !== undefined && tree.type !== 'object' && !errors.some((e) => e.offset < tree.offset + tree.length)) {
    findings.push({
      code: 'json-not-object',
      severity: 'error',
      message: `the top level is ${article(tree.type)}, but dockerd needs a JSON object ({...})`,
      ...at(tree.offset),
      checkedAt: 'config',
    })
  }

  const fatal = findings.some((f) => f.severity === 'error')
  if (tree?.type === 'object') collectDuplicateKeys(tree, text, at, findings)
  // dockerd 20.10 decodes the first value only; trailing data it ignores is cut off here too.
  const value = !fatal && tree?.type === 'object' ? decodeObject(text.slice(0, tree.offset + tree.length)) : {}
  return {file, text, bom, tree, value, findings, decodable: !fatal}
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

function errorCode(error: ParseError, trailing: boolean): string {
  if (error.error === ParseErrorCode.InvalidCommentToken) return 'json-comment'
  if (trailing) return 'json-trailing-data'
  return 'json-syntax'
}

function describe(error: ParseError, text: string, trailing: boolean): string {
  const found = text.slice(error.offset, error.offset + Math.max(1, Math.min(error.length, 20)))
  switch (error.error) {
    case ParseErrorCode.InvalidCommentToken:
      return 'comments are not JSON: dockerd refuses daemon.json with // or /* */ comments'
    case ParseErrorCode.PropertyNameExpected:
      if (found.startsWith('}')) return 'trailing comma before }: dockerd refuses trailing commas in daemon.json'
      return `expected a quoted key name, found ${JSON.stringify(found)}`
    case ParseErrorCode.ValueExpected:
      if (found.startsWith(']')) return 'trailing comma before ]: dockerd refuses trailing commas in daemon.json'
      if (found.startsWith('}')) return 'trailing comma before }: dockerd refuses trailing commas in daemon.json'
      return found === '' ? 'unexpected end of file: a value is missing' : `expected a value, found ${JSON.stringify(found)}`
    case ParseErrorCode.InvalidSymbol:
      if (trailing) return `data after the closing brace (${JSON.stringify(found)}): dockerd 23.0 and later refuse the file`
      return `invalid character ${JSON.stringify(found)}: this is not JSON (strings need double quotes)`
    case ParseErrorCode.CloseBraceExpected:
      return found === '' ? 'unexpected end of file: missing }' : `expected , or } but found ${JSON.stringify(found)}`
    case ParseErrorCode.CloseBracketExpected:
      return found === '' ? 'unexpected end of file: missing ]' : `expected , or ] but found ${JSON.stringify(found)}`
    case ParseErrorCode.ColonExpected:
      return `expected : after the key, found ${JSON.stringify(found)}`
    case ParseErrorCode.CommaExpected:
      return `expected , between entries, found ${JSON.stringify(found)}`
    case ParseErrorCode.EndOfFileExpected:
      return `data after the closing brace (${JSON.stringify(found)}): dockerd 23.0 and later refuse the file`
    case ParseErrorCode.UnexpectedEndOfString:
      return 'unterminated string'
    case ParseErrorCode.InvalidEscapeCharacter:
      return 'invalid escape sequence in a string'
    case ParseErrorCode.InvalidUnicode:
      return 'invalid \\u escape in a string'
    case ParseErrorCode.InvalidCharacter:
      return 'control character inside a string: JSON needs it escaped'
    case ParseErrorCode.UnexpectedEndOfComment:
      return 'unterminated comment (comments are not allowed in daemon.json anyway)'
    case ParseErrorCode.UnexpectedEndOfNumber:
      return 'malformed number'
    default:
      return `invalid JSON (${printParseErrorCode(error.error)})`
  }
}

function collectDuplicateKeys(node: Node, text: string, at: (offset: number) => Omit<Finding, 'code' | 'severity' | 'message'>, findings: Finding[], prefix = ''): void {
  const seen = new Map<string, Node>()
  for (const property of node.children ?? []) {
    const keyNode = property.children?.[0]
    const valueNode = property.children?.[1]
    if (keyNode === undefined) continue
    const key = String(keyNode.value)
    const earlier = seen.get(key)
    if (earlier !== undefined) {
      const earlierPos = positionAt(text, earlier.offset)
      findings.push({
        code: 'duplicate-key',
        severity: 'warning',
        key: prefix + key,
        message: `"${prefix + key}" appears twice (first at line ${earlierPos.line}); dockerd silently uses the last one${valueNode?.type === 'object' ? ' (and merges objects)' : ''}`,
        ...at(keyNode.offset),
        hint: 'delete one of them',
      })
    }
    seen.set(key, keyNode)
    if (valueNode?.type === 'object') collectDuplicateKeys(valueNode, text, at, findings, `${prefix + key}.`)
  }
}

function decodeObject(text: string): Record<string, unknown> {
  // JSON.parse matches Go for duplicate keys at the top level (last wins); the object-merge Go
  // does for nested maps is reported by collectDuplicateKeys rather than emulated.
  const value: unknown = JSON.parse(text)
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}
