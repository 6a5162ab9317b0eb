import {applyEdits, type Edit, format, type FormattingOptions, type Node} from 'jsonc-parser'

import {InvalidConfigError} from '../core/errors.js'
import {capFindings, errorLines} from '../core/findings.js'
import {MAX_DAEMON_JSON_BYTES} from './load.js'
import {MAX_INDENTED_DEPTH, stringifyJson} from '../json/stringify.js'
import {parseJsonTree} from '../json/tree.js'
import {parseDaemonJson} from './parse.js'

/** One requested change: set a top-level key to a value, or remove it (value undefined). */
export interface KeyChange {
  key: string
  value: unknown
}

export interface EditPlan {
  before: string | undefined
  after: string
  changed: boolean
  /** Keys whose value actually differs (a set to the same value is not a change). */
  changedKeys: string[]
}

const NEW_FILE_FORMAT: FormattingOptions = {tabSize: 2, insertSpaces: true, eol: '\n', insertFinalNewline: true}

/**
 * Computes the new daemon.json text for a set of key changes, touching only the bytes of the keys
 * that change: the user's key order, indentation and line endings survive. Pure: no I/O.
 * Throws InvalidConfigError when the current text cannot be edited safely (it does not parse) or
 * when the result would not be strict JSON.
 */
export function planDaemonJsonEdit(before: string | undefined, changes: readonly KeyChange[], file = 'daemon.json', options: {dropBom?: boolean} = {}): EditPlan {
  const original = before ?? ''
  const hadBom = original.startsWith('\ufeff')
  let text = hadBom ? original.slice(1) : original
  if (text.trim() !== '') {
    const parsed = parseDaemonJson(original, file)
    if (!parsed.decodable) {
      const first = parsed.findings.find((f) => f.severity === 'error')
      throw new InvalidConfigError(`${file}:${first?.line ?? 1}:${first?.column ?? 1}: cannot edit a file that does not parse: ${first?.message ?? 'invalid JSON'}`, {
        remedy: 'fix the file by hand first (dockcfg validate shows every problem), then run the command again',
        details: capFindings(parsed.findings),
      })
    }
  }

  const current = text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
  const changedKeys: string[] = []
  const format = text.trim() === '' ? NEW_FILE_FORMAT : detectFormat(text)
  // jsonc-parser re-formats whole lines around an edit; on a one-line document that would be the
  // whole file, so such documents are edited without formatting and stay on one line.
  const formattingOptions = text.trim() === '' || text.trim().includes('\n') ? format : undefined
  if (text.trim() === '') text = '{}'

  let duplicatesRemoved = false
  for (const change of changes) {
    const present = Object.prototype.hasOwnProperty.call(current, change.key)
    // dockerd reads the last of a key given twice; the key the user names leaves only one behind
    // (none for unset), so what they asked for is what the file says, and no older copy remains.
    // (The last copy is then replaced or removed like any key, formatting and all.)
    const deduplicated = present ? removeEarlierCopies(text, change.key) : text
    if (deduplicated !== text) duplicatesRemoved = true
    if (change.value === undefined ? !present : present && deepEqual(current[change.key], change.value)) {
      text = deduplicated
      continue
    }
    text = applyEdits(deduplicated, setTopLevelKey(deduplicated, change.key, change.value, formattingOptions))
    changedKeys.push(change.key)
    if (change.value === undefined) delete current[change.key]
    else current[change.key] = change.value
  }

  if (changedKeys.length === 0 && !duplicatesRemoved) return {before, after: original, changed: false, changedKeys}

  // An emptied file stays a valid, tidy document rather than "{\n}" fragments.
  if (Object.keys(current).length === 0) text = `{}${/\r?\n$/.test(original) ? (format.eol ?? '\n') : ''}`
  // A new file gets a final newline; an existing one keeps whatever ending it had.
  if (original.trim() === '' && !text.endsWith('\n')) text += '\n'
  // The mark is kept (it is the user's byte) unless the target dockerd cannot decode it.
  const after = (hadBom && !options.dropBom ? '\ufeff' : '') + text

  const size = Buffer.byteLength(after)
  if (size > MAX_DAEMON_JSON_BYTES) {
    throw new InvalidConfigError(
      `${file} would be ${size} bytes, over the ${MAX_DAEMON_JSON_BYTES / 1024 / 1024} MiB dockcfg reads (${MAX_DAEMON_JSON_BYTES} bytes); nothing was written`,
      {
        remedy: 'a real daemon.json is a few kilobytes: remove what does not belong in it first',
      },
    )
  }
  const check = parseDaemonJson(after, file)
  // A value can nest the document past what dockerd decodes: that is the user's value, not a bug.
  if (check.findings.some((f) => f.code === 'json-too-deep')) {
    throw new InvalidConfigError(`dockerd would refuse the result; nothing was written:\n${errorLines(check.findings, file)}`, {details: capFindings(check.findings)})
  }
  if (!check.decodable || !deepEqual(check.value, current)) {
    throw new InvalidConfigError(`internal error: the edited ${file} would not be the intended strict JSON; nothing was written`, {
      details: capFindings(check.findings),
    })
  }
  return {before, after, changed: after !== original, changedKeys}
}

/**
 * jsonc-parser's modify(text, [key], value) for a document that is an object, on the parser that
 * does not recurse (modify parses with parseTree, which overflows the stack on the 10,000 levels
 * of nesting dockerd accepts). Same edits: the first property named `key` is replaced or removed,
 * a new one is appended after the last; with formatting options the lines around the edit are
 * re-indented. A value nested deeper than MAX_INDENTED_DEPTH goes in on one line: indenting it
 * would repeat every level's indentation on each line below it.
 */
function setTopLevelKey(text: string, key: string, value: unknown, formatting: FormattingOptions | undefined): Edit[] {
  const root = parseJsonTree(text).root
  if (root?.type !== 'object') throw new Error('internal error: setTopLevelKey needs a document that is an object')
  const properties = root.children ?? []
  const index = properties.findIndex((p) => p.children?.length === 2 && p.children[0]?.value === key)
  const existing = properties[index]
  const content = value === undefined ? '' : stringifyJson(value)
  const options = formatting !== undefined && nestingDepth(value) <= MAX_INDENTED_DEPTH ? formatting : undefined
  if (existing !== undefined && value === undefined) {
    const previous = properties[index - 1]
    const next = properties[1]
    const begin = previous !== undefined ? previous.offset + previous.length : root.offset + 1
    const end = previous === undefined && next !== undefined ? next.offset : existing.offset + existing.length
    return withFormatting(text, {offset: begin, length: end - begin, content: ''}, options)
  }
  if (existing !== undefined) {
    const valueNode = existing.children?.[1] as Node
    return withFormatting(text, {offset: valueNode.offset, length: valueNode.length, content}, options)
  }
  if (value === undefined) return []
  const property = `${JSON.stringify(key)}: ${content}`
  const last = properties.at(-1)
  const edit = last === undefined ? {offset: root.offset + 1, length: 0, content: property} : {offset: last.offset + last.length, length: 0, content: `,${property}`}
  return withFormatting(text, edit, options)
}

/**
 * The text without the top-level properties named `key` but the last (the one dockerd reads). Runs
 * of removed properties go as one cut each, in one pass, so a file that repeats a key a hundred
 * thousand times costs one parse and one copy.
 */
function removeEarlierCopies(text: string, key: string): string {
  const root = parseJsonTree(text).root
  const properties = root?.type === 'object' ? (root.children ?? []) : []
  const named = properties.flatMap((p, i) => (p.children?.[0]?.value === key ? [i] : []))
  const removed = new Set(named.slice(0, -1))
  if (removed.size === 0) return text
  const cuts: Array<[number, number]> = []
  for (let a = 0; a < properties.length; a++) {
    if (!removed.has(a)) continue
    let b = a
    while (removed.has(b + 1)) b++
    // A run after a kept property takes the comma before it; a run at the start, the comma after
    // it (a kept property always follows: the last copy).
    const before = properties[a - 1]
    const last = properties[b] as Node
    cuts.push(before === undefined ? [(properties[a] as Node).offset, (properties[b + 1] as Node).offset] : [before.offset + before.length, last.offset + last.length])
    a = b
  }
  let out = ''
  let at = 0
  for (const [from, to] of cuts) {
    out += text.slice(at, from)
    at = to
  }
  return out + text.slice(at)
}

/** jsonc-parser's withFormatting: the edit, then the touched lines formatted, as one edit. */
function withFormatting(text: string, edit: Edit, formatting: FormattingOptions | undefined): Edit[] {
  if (formatting === undefined) return [edit]
  let newText = applyEdits(text, [edit])
  let begin = edit.offset
  let end = edit.offset + edit.content.length
  if (edit.length === 0 || edit.content.length === 0) {
    // An insertion or a removal: format the whole lines around it.
    while (begin > 0 && !isEOL(newText, begin - 1)) begin--
    while (end < newText.length && !isEOL(newText, end)) end++
  }
  const edits = format(newText, {offset: begin, length: end - begin}, {...formatting, keepLines: false})
  for (let i = edits.length - 1; i >= 0; i--) {
    const e = edits[i] as Edit
    newText = applyEdits(newText, [e])
    begin = Math.min(begin, e.offset)
    end = Math.max(end, e.offset + e.length)
    end += e.content.length - e.length
  }
  return [{offset: begin, length: text.length - (newText.length - end) - begin, content: newText.substring(begin, end)}]
}

function isEOL(text: string, offset: number): boolean {
  return text.charAt(offset) === '\r' || text.charAt(offset) === '\n'
}

/** How many containers deep a value nests (0 for a scalar). */
function nestingDepth(value: unknown): number {
  let deepest = 0
  const pending: Array<{value: unknown; depth: number}> = [{value, depth: 0}]
  while (pending.length > 0) {
    const {value: v, depth} = pending.pop() as {value: unknown; depth: number}
    if (v === null || typeof v !== 'object') continue
    deepest = Math.max(deepest, depth + 1)
    for (const child of Object.values(v)) pending.push({value: child, depth: depth + 1})
  }
  return deepest
}

/** Infers indentation and line endings from an existing document so edits blend in. */
export function detectFormat(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const indents = [...text.matchAll(/\n([ \t]+)\S/g)].map((m) => m[1] as string)
  const first = indents[0]
  if (first === undefined) return {...NEW_FILE_FORMAT, eol}
  if (first.startsWith('\t')) return {tabSize: 1, insertSpaces: false, eol, insertFinalNewline: true}
  const unit = indents
    .map((i) => i.length)
    .filter((n) => n > 0)
    .reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY)
  return {tabSize: Number.isFinite(unit) ? unit : 2, insertSpaces: true, eol, insertFinalNewline: true}
}

/** Structural equality of JSON values (key order of objects does not matter), without recursion: values may nest 10,000 deep. */
export function deepEqual(a: unknown, b: unknown): boolean {
  const pairs: Array<[unknown, unknown]> = [[a, b]]
  while (pairs.length > 0) {
    const [x, y] = pairs.pop() as [unknown, unknown]
    if (x === y) continue
    if (typeof x !== typeof y || x === null || y === null || typeof x !== 'object') return false
    if (Array.isArray(x) !== Array.isArray(y)) return false
    if (Array.isArray(x)) {
      const other = y as unknown[]
      if (x.length !== other.length) return false
      for (let i = 0; i < x.length; i++) pairs.push([x[i], other[i]])
      continue
    }
    const xo = x as Record<string, unknown>
    const yo = y as Record<string, unknown>
    const keys = Object.keys(xo)
    if (keys.length !== Object.keys(yo).length) return false
    for (const k of keys) {
      if (!Object.prototype.hasOwnProperty.call(yo, k)) return false
      pairs.push([xo[k], yo[k]])
    }
  }
  return true
}
