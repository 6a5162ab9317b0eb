import {createScanner, type Node, type ParseError, ParseErrorCode, printParseErrorCode, SyntaxKind} from 'jsonc-parser'

import {MAX_NESTING_DEPTH, parseJsonTree} from '../json/tree.js'
import type {JsonValue} from '../json/value.js'
import {normalizeVersion, versionAtLeast} from '../registry/index.js'

import {CountedFindings, type Finding} from '../core/findings.js'

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
  value: Record<string, JsonValue>
  /** Syntax findings only; semantic validation lives in validate.ts. */
  findings: Finding[]
  /** dockerd would be able to decode the file at all. */
  decodable: boolean
  /**
   * The 1-based line and column in the file of an offset in `text` (a stripped byte-order mark
   * counted as a column of line 1). The lines are indexed once per document: every finding needs a
   * position, and counting lines from the start for each one cost the square of the file's size.
   */
  position(offset: number): {line: number; column: number}
}

export interface ParseOptions {
  /** Installed (or assumed) dockerd version; undefined means the newest known. */
  dockerdVersion?: string | undefined
}

const BOM = '\ufeff'

/** Where each line of a text starts. */
function lineStarts(text: string): number[] {
  const starts = [0]
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return starts
}

/** The position of an offset: the last line that starts at or before it (binary search). */
function positionIn(starts: readonly number[], offset: number): {line: number; column: number} {
  let low = 0
  let high = starts.length - 1
  while (low < high) {
    const middle = (low + high + 1) >> 1
    if ((starts[middle] as number) <= offset) low = middle
    else high = middle - 1
  }
  return {line: low + 1, column: offset - (starts[low] as number) + 1}
}

function isBefore23(version: string | undefined): boolean {
  const normal = version === undefined ? undefined : normalizeVersion(version)
  return normal !== undefined && !versionAtLeast(normal, '23.0.0')
}

/**
 * Parses daemon.json text the way dockerd would, returning every syntax problem with its position
 * and the reason dockerd refuses it. Never throws for bad input.
 */
/**
 * Parser errors recorded before parsing stops (recovery reports many problems twice): a file with
 * a few thousand bad lines still gets exact counts, and one of millions costs milliseconds.
 */
export const MAX_SYNTAX_ERRORS = 10_000

export function parseDaemonJson(rawText: string, file: string, options: ParseOptions = {}): ParsedDaemonJson {
  const old = isBefore23(options.dockerdVersion)
  const bom = rawText.startsWith(BOM)
  const text = bom ? rawText.slice(1) : rawText
  const findings: Finding[] = []
  const starts = lineStarts(text)
  const position = (offset: number) => {
    const p = positionIn(starts, offset)
    return bom && p.line === 1 ? {line: 1, column: p.column + 1} : p
  }
  const at = (offset: number) => ({file, ...position(offset)})

  if (bom && old) {
    findings.push({
      code: 'json-bom',
      severity: 'error',
      message: 'the file starts with a UTF-8 byte-order mark, which dockerd 20.10 cannot decode',
      file,
      line: 1,
      column: 1,
      checkedAt: 'config',
      hint: 'remove the byte-order mark (a dockcfg set or unset that changes the file drops it for this dockerd version)',
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
    return {file, text, bom, tree: undefined, value: {}, findings, decodable: !old, position}
  }

  const {root: tree, errors, tooDeep, gaveUpAt} = parseJsonTree(text, {disallowComments: true, allowTrailingComma: false, allowEmptyContent: false, maxErrors: MAX_SYNTAX_ERRORS})

  const end = tree === undefined ? 0 : tree.offset + tree.length
  // A complete first value that is not an object. Errors after it (trailing data) do not hide it:
  // 20.10 decodes that first value and fails on it. What follows it is the same problem (typically
  // the { } around the settings are missing), so it is folded into the one json-not-object finding.
  const notObject = tree !== undefined && tree.type !== 'object' && !errors.some((e) => e.offset < end)
  let moreData: number | undefined
  // Without braces there is no closing brace to point at.
  const after = tree?.type === 'object' ? 'the closing brace' : 'the first value'

  // One finding per syntax error can be millions of them: only those that can be listed are built.
  const syntax = new CountedFindings()
  for (const {error, token, prev} of errors.length === 0 ? [] : distinctErrors(text, errors, gaveUpAt)) {
    // Only stray symbols after a complete first value are "trailing data"; a missing } at the
    // end of the file also sits past the tree but is an unfinished document.
    const trailing = tree !== undefined && error.offset >= end && (error.error === ParseErrorCode.InvalidSymbol || error.error === ParseErrorCode.EndOfFileExpected)
    if (trailing && notObject) {
      moreData ??= error.offset
      continue
    }
    if (trailing && old) {
      syntax.add('json-trailing-data', 'warning', () => ({
        code: 'json-trailing-data',
        severity: 'warning',
        message: `data after ${after}: dockerd 20.10 ignores it, dockerd 23.0 and later refuse the file`,
        ...at(error.offset),
        checkedAt: 'config',
        hint: tree?.type === 'object' ? 'delete everything after the final }' : 'delete everything after the first value',
      }))
      continue
    }
    const code = errorCode(error, trailing)
    syntax.add(code, 'error', () => ({
      code,
      severity: 'error',
      message: describe(error, text, trailing ? after : undefined, token, prev),
      ...at(error.offset),
      checkedAt: 'config',
    }))
  }
  findings.push(...syntax.findings)
  if (gaveUpAt !== undefined) {
    findings.push({
      code: 'json-too-many-errors',
      severity: 'error',
      message: 'dockcfg stopped reading the file here: it has too many syntax errors to list (the first of them are above)',
      ...at(gaveUpAt),
      checkedAt: 'config',
      hint: 'this is not a daemon.json dockerd can read (dockerd stops at the first error); fix the first errors listed, or start from {}',
    })
  }

  if (notObject) {
    const source = text.slice(tree.offset, tree.offset + tree.length)
    const found = tree.type === 'array' ? 'an array' : tree.type === 'null' ? 'null' : `${article(tree.type)} ${source.length > 30 ? `${source.slice(0, 29)}…` : source}`
    const more = moreData === undefined ? undefined : at(moreData)
    findings.push({
      code: 'json-not-object',
      severity: 'error',
      message:
        more === undefined
          ? `daemon.json must be a JSON object {...}: dockerd reads its settings from one; found ${found}`
          : `daemon.json must be a JSON object {...}: dockerd reads its settings from one; found ${found}, followed by more data at line ${more.line}, column ${more.column} (are the enclosing { } missing?)`,
      ...at(tree.offset),
      checkedAt: 'config',
      ...(more === undefined ? {} : {hint: 'put the settings between { and }'}),
    })
  }

  if (tooDeep !== undefined) {
    findings.push({
      code: 'json-too-deep',
      severity: 'error',
      message: `more than ${MAX_NESTING_DEPTH} levels of nested objects and arrays: dockerd refuses the file ("invalid character '${tooDeep.char}' exceeded max depth")`,
      ...at(tooDeep.offset),
      checkedAt: 'config',
      hint: 'no daemon.json setting nests more than a few levels: this part of the file is not a configuration',
    })
  }

  const fatal = findings.some((f) => f.severity === 'error')
  if (tree?.type === 'object') collectDuplicateKeys(tree, position, at, findings)
  // dockerd 20.10 decodes the first value only; trailing data it ignores is cut off here too.
  const value = !fatal && tree?.type === 'object' ? decodeObject(text.slice(0, tree.offset + tree.length)) : {}
  return {file, text, bom, tree, value, findings, decodable: !fatal, position}
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

function errorCode(error: ParseError, trailing: boolean): string {
  if (error.error === ParseErrorCode.InvalidCommentToken) return 'json-comment'
  if (trailing) return 'json-trailing-data'
  return 'json-syntax'
}

/** A token that matters to the grammar (no whitespace, no comments), with the container it is in. */
interface Token {
  kind: SyntaxKind
  offset: number
  /** The innermost open { or [ before the token (the one a closing token closes); undefined at the top level. */
  container: 'object' | 'array' | undefined
}

const CONTAINERS = [undefined, 'object', 'array'] as const

/**
 * The significant tokens of a text, in columns of typed arrays rather than an object each: a file
 * of syntax errors is millions of tokens, and only those at an error are ever looked at as a Token.
 */
class Tokens {
  length = 0
  private kinds = new Uint8Array(1024)
  private offsets = new Int32Array(1024)
  /** An index into CONTAINERS. */
  private containers = new Uint8Array(1024)

  push(kind: SyntaxKind, offset: number, container: 0 | 1 | 2): void {
    if (this.length === this.kinds.length) {
      const grow = <T extends Uint8Array | Int32Array>(from: T, to: T): T => (to.set(from), to)
      this.kinds = grow(this.kinds, new Uint8Array(this.length * 2))
      this.offsets = grow(this.offsets, new Int32Array(this.length * 2))
      this.containers = grow(this.containers, new Uint8Array(this.length * 2))
    }
    this.kinds[this.length] = kind
    this.offsets[this.length] = offset
    this.containers[this.length] = container
    this.length++
  }

  kind(i: number): SyntaxKind {
    return this.kinds[i] as SyntaxKind
  }

  offset(i: number): number {
    return this.offsets[i] as number
  }

  /** The token at an index, undefined outside the list. */
  at(i: number): Token | undefined {
    if (i < 0 || i >= this.length) return undefined
    return {kind: this.kind(i), offset: this.offset(i), container: CONTAINERS[this.containers[i] as 0 | 1 | 2]}
  }
}

/** Up to the first token after `end`, when given: what lies beyond the last error is never looked at. */
function significantTokens(text: string, end = text.length): Tokens {
  const scanner = createScanner(text, false)
  const tokens = new Tokens()
  const open: (1 | 2)[] = []
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF && scanner.getTokenOffset() <= end; kind = scanner.scan()) {
    if (kind === SyntaxKind.Trivia || kind === SyntaxKind.LineBreakTrivia || kind === SyntaxKind.LineCommentTrivia || kind === SyntaxKind.BlockCommentTrivia) continue
    tokens.push(kind, scanner.getTokenOffset(), open.at(-1) ?? 0)
    if (kind === SyntaxKind.OpenBraceToken) open.push(1)
    else if (kind === SyntaxKind.OpenBracketToken) open.push(2)
    else if (kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken) open.pop()
  }
  return tokens
}

/** Errors that depend on where the parser thinks it is in the document (as opposed to what one token is). */
const STRUCTURAL: ReadonlySet<ParseErrorCode> = new Set([
  ParseErrorCode.PropertyNameExpected,
  ParseErrorCode.ValueExpected,
  ParseErrorCode.ColonExpected,
  ParseErrorCode.CommaExpected,
  ParseErrorCode.CloseBraceExpected,
  ParseErrorCode.CloseBracketExpected,
  ParseErrorCode.EndOfFileExpected,
])

interface LocatedError {
  error: ParseError
  /** The token at the error (undefined at the end of the file) and the significant token before it. */
  token: Token | undefined
  prev: Token | undefined
}

/**
 * jsonc-parser's errors without its error-recovery echoes, so that each problem is reported once:
 * - a missing key makes it report a missing value as well (at the same } for a trailing comma);
 * - a token it cannot read (tru, 'debug') makes it report the key or value that token stood for as missing;
 * - after skipping over an unbalanced { or [ while recovering, it closes the wrong containers, so
 *   what it reports about the structure from there on (a "missing value" at the next }, "data after
 *   the closing brace" at the real closing brace) is noise. Token-level errors (comments, unreadable
 *   tokens, bad strings) stay reliable and are all kept.
 */
function* distinctErrors(text: string, errors: readonly ParseError[], gaveUpAt: number | undefined): Generator<LocatedError> {
  const tokens = significantTokens(text, gaveUpAt)
  const structuralOffsets = new Set<number>()
  let afterMissingKey = false
  let lost = false
  for (const error of errors) {
    const index = firstIndexFrom(tokens, error.offset)
    const token = tokens.at(index)
    const prev = tokens.at(index - 1)
    if (!STRUCTURAL.has(error.error)) {
      yield {error, token, prev}
      continue
    }
    const missing = error.error === ParseErrorCode.PropertyNameExpected || error.error === ParseErrorCode.ValueExpected
    const echo = lost || structuralOffsets.has(error.offset) || (afterMissingKey && error.error === ParseErrorCode.ValueExpected) || (missing && prev?.kind === SyntaxKind.Unknown)
    afterMissingKey = error.error === ParseErrorCode.PropertyNameExpected
    structuralOffsets.add(error.offset)
    if (!echo) yield {error, token, prev}
    lost ||= recoverySkipsUnbalanced(error, index, tokens)
  }
}

/** The first token at or after the offset (binary search: there can be one error per token). */
function firstIndexFrom(tokens: Tokens, offset: number): number {
  let low = 0
  let high = tokens.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (tokens.offset(middle) < offset) low = middle + 1
    else high = middle
  }
  return low
}

/**
 * After a missing key, a missing value or a missing colon inside a container, jsonc-parser skips
 * tokens up to the next , or the container's closing token without counting nesting. True when
 * that skip passes an unmatched { [ } or ], which leaves the parser in the wrong container.
 */
function recoverySkipsUnbalanced(error: ParseError, index: number, tokens: Tokens): boolean {
  if (error.error !== ParseErrorCode.PropertyNameExpected && error.error !== ParseErrorCode.ValueExpected && error.error !== ParseErrorCode.ColonExpected) return false
  const container = tokens.at(index)?.container
  if (container === undefined) return false // at the top level the parser gives up instead
  const close = container === 'object' ? SyntaxKind.CloseBraceToken : SyntaxKind.CloseBracketToken
  let depth = 0
  // By index, not over tokens.slice(index): a copy of the rest of the file per error made a file
  // of many errors cost the square of its size.
  for (let i = index; i < tokens.length; i++) {
    const kind = tokens.kind(i)
    if (kind === close || kind === SyntaxKind.CommaToken) return depth !== 0
    if (kind === SyntaxKind.OpenBraceToken || kind === SyntaxKind.OpenBracketToken) depth++
    else if (kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken) depth--
    if (depth < 0) return true
  }
  return depth !== 0
}

/** A misspelt or mis-cased true, false or null (tru, True, nul, falsee). */
function looksLikeLiteral(word: string): boolean {
  const lower = word.toLowerCase()
  return /^[a-z]+$/.test(lower) && ['true', 'false', 'null'].some((literal) => literal.startsWith(lower) || lower.startsWith(literal))
}

const TRAILING_COMMA = ': dockerd refuses trailing commas in daemon.json'

/** `trailingAfter`: for data after the first value, what it comes after. */
function describe(error: ParseError, text: string, trailingAfter: string | undefined, token: Token | undefined, prev: Token | undefined): string {
  const found = text.slice(error.offset, error.offset + Math.max(1, Math.min(error.length, 20)))
  const afterComma = prev?.kind === SyntaxKind.CommaToken
  const kind = token?.offset === error.offset ? token.kind : undefined
  switch (error.error) {
    case ParseErrorCode.InvalidCommentToken:
      return 'comments are not JSON: dockerd refuses daemon.json with // or /* */ comments'
    case ParseErrorCode.PropertyNameExpected:
      if (kind === SyntaxKind.CloseBraceToken && afterComma) return `trailing comma before }${TRAILING_COMMA}`
      if (kind === SyntaxKind.OpenBraceToken) return 'expected a quoted key name, found "{": an object inside an object needs a key ("name": {...})'
      if (kind === SyntaxKind.OpenBracketToken) return 'expected a quoted key name, found "[": an array inside an object needs a key ("name": [...])'
      return found === '' ? 'unexpected end of file: a key is missing' : `expected a quoted key name, found ${JSON.stringify(found)}`
    case ParseErrorCode.ValueExpected:
      if (kind === SyntaxKind.CloseBracketToken && afterComma && token?.container === 'array') return `trailing comma before ]${TRAILING_COMMA}`
      if (kind === SyntaxKind.CloseBraceToken && afterComma && token?.container === 'object') return `trailing comma before }${TRAILING_COMMA}`
      return found === '' ? 'unexpected end of file: a value is missing' : `expected a value, found ${JSON.stringify(found)}`
    case ParseErrorCode.InvalidSymbol:
      if (trailingAfter !== undefined) return `data after ${trailingAfter} (${JSON.stringify(found)}): dockerd 23.0 and later refuse the file`
      if (looksLikeLiteral(found) && (token?.container !== 'object' || prev?.kind === SyntaxKind.ColonToken)) {
        return `invalid value ${JSON.stringify(found)} (true, false, null, a number, a string, an array or an object expected)`
      }
      return `invalid character ${JSON.stringify(found)}: this is not JSON (strings need double quotes)`
    case ParseErrorCode.CloseBraceExpected:
      return found === '' ? 'unexpected end of file: missing }' : `expected , or } but found ${JSON.stringify(found)}`
    case ParseErrorCode.CloseBracketExpected:
      return found === '' ? 'unexpected end of file: missing ]' : `expected , or ] but found ${JSON.stringify(found)}`
    case ParseErrorCode.ColonExpected:
      return `expected : after the key, found ${JSON.stringify(found)}`
    case ParseErrorCode.CommaExpected:
      if (kind === SyntaxKind.CloseBraceToken && token?.container === 'array') return 'expected , or ] but found "}"'
      if (kind === SyntaxKind.CloseBracketToken && token?.container === 'object') return 'expected , or } but found "]"'
      return `expected , between entries, found ${JSON.stringify(found)}`
    case ParseErrorCode.EndOfFileExpected:
      return `data after ${trailingAfter ?? 'the closing brace'} (${JSON.stringify(found)}): dockerd 23.0 and later refuse the file`
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

function collectDuplicateKeys(
  root: Node,
  position: (offset: number) => {line: number},
  at: (offset: number) => Omit<Finding, 'code' | 'severity' | 'message'>,
  findings: Finding[],
): void {
  // An explicit stack rather than recursion: objects may nest 10,000 deep.
  const pending: Array<{node: Node; prefix: string}> = [{node: root, prefix: ''}]
  while (pending.length > 0) {
    const {node, prefix} = pending.pop() as {node: Node; prefix: string}
    const seen = new Map<string, Node>()
    for (const property of node.children ?? []) {
      const keyNode = property.children?.[0]
      const valueNode = property.children?.[1]
      if (keyNode === undefined) continue
      const key = String(keyNode.value)
      const earlier = seen.get(key)
      if (earlier !== undefined) {
        const earlierPos = position(earlier.offset)
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
      // A path deep inside the document is shown by its innermost keys only: spelling out all 10,000 would cost the square of the depth.
      if (valueNode?.type === 'object') pending.push({node: valueNode, prefix: prefix.length + key.length < 200 ? `${prefix + key}.` : `….${key}.`})
    }
  }
}

function decodeObject(text: string): Record<string, JsonValue> {
  // JSON.parse matches Go for duplicate keys at the top level (last wins); the object-merge Go
  // does for nested maps is reported by collectDuplicateKeys rather than emulated.
  const value: unknown = JSON.parse(text)
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, JsonValue>) : {}
}
