import {createScanner, type Node, type NodeType, type ParseError, ParseErrorCode, type ParseOptions, ScanError, SyntaxKind} from 'jsonc-parser'

/**
 * Go's encoding/json refuses a document nested deeper than this (scanner.go maxNestingDepth: the
 * 10,001st open { or [ fails with "invalid character '[' exceeded max depth"), so dockerd does.
 */
export const MAX_NESTING_DEPTH = 10_000

export interface JsonTree {
  /** The document's tree, in jsonc-parser's shape (undefined for an empty document). */
  root: Node | undefined
  errors: ParseError[]
  /** The first { or [ that opens level MAX_NESTING_DEPTH + 1, where Go's decoder gives up. */
  tooDeep: {offset: number; char: string} | undefined
  /** Where parsing stopped after `maxErrors` errors (then there is no root). */
  gaveUpAt?: number
}

export interface TreeOptions extends ParseOptions {
  /**
   * Stop after this many errors. A file of nothing but errors is millions of them, and recording
   * each (with the tree recovery builds around them) cost seconds and hundreds of MB for what no
   * one reads: dockerd itself stops at the first.
   */
  maxErrors?: number
}

/** Thrown inside the parser to stop it; never leaves parseJsonTree. */
class GaveUp {
  constructor(readonly offset: number) {}
}

type MutableNode = {-readonly [K in keyof Node]: Node[K]} & {children?: MutableNode[]; parent?: MutableNode}

/** A container being parsed: the token that closes it and whether its next member needs a comma first. */
interface Frame {
  close: SyntaxKind.CloseBraceToken | SyntaxKind.CloseBracketToken
  needsComma: boolean
}

/**
 * jsonc-parser's parseTree, same nodes and same errors (recovery included), without recursion:
 * parseTree descends one JavaScript call per level and overflows the stack on the nesting Go
 * accepts (a 10,000-level daemon.json is one dockerd starts with). This is its parser with the
 * call stack made an explicit one; `test/unit/json/tree.test.ts` compares the two on random text.
 */
export function parseJsonTree(text: string, options: TreeOptions = {}): JsonTree {
  const errors: ParseError[] = []
  try {
    return parseUpToErrors(text, options, errors)
  } catch (error) {
    if (!(error instanceof GaveUp)) throw error
    return {root: undefined, errors, tooDeep: undefined, gaveUpAt: error.offset}
  }
}

function parseUpToErrors(text: string, options: TreeOptions, errors: ParseError[]): JsonTree {
  const maxErrors = options.maxErrors ?? Number.POSITIVE_INFINITY
  const scanner = createScanner(text, false)
  let tooDeep: JsonTree['tooDeep']
  const frames: Frame[] = []

  // ---- the tree, as parseTree's visitor builds it ----
  let currentParent: MutableNode = {type: 'array', offset: -1, length: -1, children: [], parent: undefined}
  const ensurePropertyComplete = (endOffset: number) => {
    if (currentParent.type === 'property') {
      currentParent.length = endOffset - currentParent.offset
      currentParent = currentParent.parent as MutableNode
    }
  }
  const onValue = (node: MutableNode): MutableNode => {
    currentParent.children?.push(node)
    return node
  }
  const onContainerBegin = (type: 'object' | 'array') => {
    if (frames.length >= MAX_NESTING_DEPTH && tooDeep === undefined) tooDeep = {offset: scanner.getTokenOffset(), char: type === 'object' ? '{' : '['}
    currentParent = onValue({type, offset: scanner.getTokenOffset(), length: -1, parent: currentParent, children: []})
  }
  const onContainerEnd = (type: 'object' | 'array') => {
    const end = scanner.getTokenOffset() + scanner.getTokenLength()
    if (type === 'object') ensurePropertyComplete(end)
    currentParent.length = end - currentParent.offset
    currentParent = currentParent.parent as MutableNode
    ensurePropertyComplete(end)
  }
  const onLiteralValue = (value: unknown) => {
    onValue({type: nodeType(value), offset: scanner.getTokenOffset(), length: scanner.getTokenLength(), parent: currentParent, value})
    ensurePropertyComplete(scanner.getTokenOffset() + scanner.getTokenLength())
  }
  const onObjectProperty = (name: string) => {
    const offset = scanner.getTokenOffset()
    const length = scanner.getTokenLength()
    currentParent = onValue({type: 'property', offset, length: -1, parent: currentParent, children: []})
    currentParent.children?.push({type: 'string', value: name, offset, length, parent: currentParent})
  }
  const onSeparator = (sep: ':' | ',') => {
    if (currentParent.type !== 'property') return
    if (sep === ':') currentParent.colonOffset = scanner.getTokenOffset()
    else ensurePropertyComplete(scanner.getTokenOffset())
  }

  // ---- the parser ----
  const onError = (error: ParseErrorCode) => {
    if (errors.length >= maxErrors) throw new GaveUp(scanner.getTokenOffset())
    errors.push({error, offset: scanner.getTokenOffset(), length: scanner.getTokenLength()})
  }
  const scanNext = (): SyntaxKind => {
    for (;;) {
      const token = scanner.scan()
      switch (scanner.getTokenError()) {
        case ScanError.InvalidUnicode:
          onError(ParseErrorCode.InvalidUnicode)
          break
        case ScanError.InvalidEscapeCharacter:
          onError(ParseErrorCode.InvalidEscapeCharacter)
          break
        case ScanError.UnexpectedEndOfNumber:
          onError(ParseErrorCode.UnexpectedEndOfNumber)
          break
        case ScanError.UnexpectedEndOfComment:
          if (!options.disallowComments) onError(ParseErrorCode.UnexpectedEndOfComment)
          break
        case ScanError.UnexpectedEndOfString:
          onError(ParseErrorCode.UnexpectedEndOfString)
          break
        case ScanError.InvalidCharacter:
          onError(ParseErrorCode.InvalidCharacter)
          break
        default:
          break
      }
      switch (token) {
        case SyntaxKind.LineCommentTrivia:
        case SyntaxKind.BlockCommentTrivia:
          if (options.disallowComments) onError(ParseErrorCode.InvalidCommentToken)
          break
        case SyntaxKind.Unknown:
          onError(ParseErrorCode.InvalidSymbol)
          break
        case SyntaxKind.Trivia:
        case SyntaxKind.LineBreakTrivia:
          break
        default:
          return token
      }
    }
  }
  const handleError = (error: ParseErrorCode, skipUntilAfter: readonly SyntaxKind[] = [], skipUntil: readonly SyntaxKind[] = []) => {
    onError(error)
    if (skipUntilAfter.length + skipUntil.length === 0) return
    for (let token = scanner.getToken(); token !== SyntaxKind.EOF; token = scanNext()) {
      if (skipUntilAfter.includes(token)) {
        scanNext()
        break
      }
      if (skipUntil.includes(token)) break
    }
  }
  const parseLiteral = (): boolean => {
    switch (scanner.getToken()) {
      case SyntaxKind.StringLiteral:
        onLiteralValue(scanner.getTokenValue())
        break
      case SyntaxKind.NumericLiteral: {
        let value = Number(scanner.getTokenValue())
        if (Number.isNaN(value)) {
          handleError(ParseErrorCode.InvalidNumberFormat)
          value = 0
        }
        onLiteralValue(value)
        break
      }
      case SyntaxKind.NullKeyword:
        onLiteralValue(null)
        break
      case SyntaxKind.TrueKeyword:
        onLiteralValue(true)
        break
      case SyntaxKind.FalseKeyword:
        onLiteralValue(false)
        break
      default:
        return false
    }
    scanNext()
    return true
  }
  /** parseValue: a scalar is parsed at once (true, or false when there is none); a container is opened. */
  const beginValue = (): boolean | 'open' => {
    const token = scanner.getToken()
    if (token === SyntaxKind.OpenBraceToken || token === SyntaxKind.OpenBracketToken) {
      const object = token === SyntaxKind.OpenBraceToken
      onContainerBegin(object ? 'object' : 'array')
      scanNext()
      frames.push({close: object ? SyntaxKind.CloseBraceToken : SyntaxKind.CloseBracketToken, needsComma: false})
      return 'open'
    }
    return parseLiteral()
  }
  const valueMissing = (close: SyntaxKind) => handleError(ParseErrorCode.ValueExpected, [], [close, SyntaxKind.CommaToken])

  scanNext()
  if (scanner.getToken() === SyntaxKind.EOF) {
    if (!options.allowEmptyContent) handleError(ParseErrorCode.ValueExpected)
    return {root: undefined, errors, tooDeep}
  }
  const top = beginValue()
  if (top === false) {
    handleError(ParseErrorCode.ValueExpected)
    return {root: undefined, errors, tooDeep}
  }
  // Each pass either finishes the innermost container or parses its next member; a member that is
  // a container is pushed and parsed by the following passes.
  containers: while (frames.length > 0) {
    const frame = frames[frames.length - 1] as Frame
    const object = frame.close === SyntaxKind.CloseBraceToken
    while (scanner.getToken() !== frame.close && scanner.getToken() !== SyntaxKind.EOF) {
      if (scanner.getToken() === SyntaxKind.CommaToken) {
        if (!frame.needsComma) handleError(ParseErrorCode.ValueExpected)
        onSeparator(',')
        scanNext()
        if (scanner.getToken() === frame.close && options.allowTrailingComma) break
      } else if (frame.needsComma) {
        handleError(ParseErrorCode.CommaExpected)
      }
      // Whatever follows, the member counts as given: the next one needs a comma first.
      frame.needsComma = true
      if (!object) {
        const value = beginValue()
        if (value === 'open') continue containers
        if (!value) valueMissing(frame.close)
        continue
      }
      // jsonc-parser's parseProperty: a key, a colon, a value.
      if (scanner.getToken() !== SyntaxKind.StringLiteral) {
        handleError(ParseErrorCode.PropertyNameExpected, [], [SyntaxKind.CloseBraceToken, SyntaxKind.CommaToken])
        valueMissing(frame.close)
        continue
      }
      onObjectProperty(scanner.getTokenValue())
      scanNext()
      if (scanner.getToken() !== SyntaxKind.ColonToken) {
        handleError(ParseErrorCode.ColonExpected, [], [SyntaxKind.CloseBraceToken, SyntaxKind.CommaToken])
        continue
      }
      onSeparator(':')
      scanNext()
      const value = beginValue()
      if (value === 'open') continue containers
      if (!value) valueMissing(frame.close)
    }
    // The container is complete (or the text ended): close it and resume its parent.
    onContainerEnd(object ? 'object' : 'array')
    if (scanner.getToken() !== frame.close) handleError(object ? ParseErrorCode.CloseBraceExpected : ParseErrorCode.CloseBracketExpected, [frame.close])
    else scanNext()
    frames.pop()
  }
  if (scanner.getToken() !== SyntaxKind.EOF) handleError(ParseErrorCode.EndOfFileExpected)
  const root = currentParent.children?.[0]
  if (root !== undefined) delete root.parent
  return {root, errors, tooDeep}
}

function nodeType(value: unknown): NodeType {
  switch (typeof value) {
    case 'boolean':
      return 'boolean'
    case 'number':
      return 'number'
    case 'string':
      return 'string'
    default:
      return 'null'
  }
}

/**
 * The value of a node as Go decodes it: in an object the last of duplicate keys wins, in the
 * place of its last occurrence. Without recursion, like the parser, for the same reason.
 */
export function nodeValue(root: Node): unknown {
  if (!isContainer(root)) return root.value
  // Each open container collects its members' values; a finished one becomes a member of its parent.
  const open: Array<{node: Node; next: number; values: unknown[]}> = [{node: root, next: 0, values: []}]
  let result: unknown
  while (open.length > 0) {
    const top = open[open.length - 1] as {node: Node; next: number; values: unknown[]}
    const children = top.node.children ?? []
    if (top.next < children.length) {
      const child = children[top.next++] as Node
      const valueNode = top.node.type === 'object' ? child.children?.[1] : child
      if (valueNode === undefined) top.values.push(undefined)
      else if (isContainer(valueNode)) open.push({node: valueNode, next: 0, values: []})
      else top.values.push(valueNode.value)
      continue
    }
    open.pop()
    const value = top.node.type === 'array' ? top.values : objectOf(top.node, top.values)
    if (open.length === 0) result = value
    else (open[open.length - 1] as {values: unknown[]}).values.push(value)
  }
  return result
}

function isContainer(node: Node): boolean {
  return node.type === 'object' || node.type === 'array'
}

/** An object from its property nodes and their values (in the same order); a property without a value is left out. */
function objectOf(node: Node, values: readonly unknown[]): Record<string, unknown> {
  const byKey = new Map<string, unknown>()
  ;(node.children ?? []).forEach((property, i) => {
    const keyNode = property.children?.[0]
    if (keyNode === undefined || property.children?.[1] === undefined) return
    const key = String(keyNode.value)
    byKey.delete(key)
    byKey.set(key, values[i])
  })
  return Object.fromEntries(byKey)
}
