/**
 * A line-preserving parser for systemd unit files and drop-ins, with systemd 252's semantics
 * (src/shared/conf-parser.c: config_parse() and parse_line()):
 *
 * - a physical line whose first non-blank character is `#` or `;` is a comment and is skipped
 *   even in the middle of a backslash continuation (it neither ends nor joins the continuation);
 * - a line ending in an odd number of backslashes continues on the next line, the backslash
 *   becoming a space; a blank line ends a continuation;
 * - key and value are trimmed of " \t\n\r" around the first `=`;
 * - assignments before any section header are ignored ("Assignment outside of section");
 * - a `[` line that does not end in `]` makes systemd reject the whole file.
 *
 * Every entry keeps its exact source text, so rendering the entries back reproduces the input
 * byte for byte, and edits touch only the entries they change.
 */

import {WHITESPACE as WS} from './extract-word.js'

const BOM = '\uFEFF'

function strip(s: string): string {
  let a = 0
  let b = s.length
  while (a < b && WS.includes(s[a] as string)) a++
  while (b > a && WS.includes(s[b - 1] as string)) b--
  return s.slice(a, b)
}

function skipLeadingWs(s: string): string {
  let a = 0
  while (a < s.length && WS.includes(s[a] as string)) a++
  return s.slice(a)
}

interface EntryBase {
  /** Exact source text of the entry, line terminators included. */
  raw: string
  /** Offsets of `raw` in the file's text (UTF-16 code units; equal to bytes for ASCII files). */
  start: number
  end: number
  /** 1-based number of the first and last physical line. */
  line: number
  endLine: number
}

export interface SectionEntry extends EntryBase {
  kind: 'section'
  name: string
}

export interface AssignmentEntry extends EntryBase {
  kind: 'assignment'
  /** Section header in effect, or undefined when the assignment precedes every header. */
  section: string | undefined
  key: string
  /** The value as systemd sees it: continuations joined, outer whitespace trimmed. */
  value: string
  /** Comment lines swallowed inside a continuation (systemd skips them). */
  commentLines: number[]
}

export interface CommentEntry extends EntryBase {
  kind: 'comment'
}

export interface BlankEntry extends EntryBase {
  kind: 'blank'
}

export interface InvalidEntry extends EntryBase {
  kind: 'invalid'
  section: string | undefined
  /** The logical line systemd saw. */
  text: string
  /** systemd's message for it. */
  problem: string
  /** True when systemd refuses the whole file because of this line. */
  fatal: boolean
}

export type UnitEntry = SectionEntry | AssignmentEntry | CommentEntry | BlankEntry | InvalidEntry

export interface UnitFile {
  /** Tree path the text came from (used in origins and messages). */
  path: string
  text: string
  entries: UnitEntry[]
}

interface PhysicalLine {
  content: string
  raw: string
  start: number
}

/** The bit of each character systemd's read_line() takes for an end of line (fileio.c categorize_eol()). */
const EOL_BITS: Readonly<Record<string, number>> = {'\0': 1, '\n': 2, '\r': 4}
const NUL_BIT = 1

/**
 * systemd's read_line_full(): a line ends at \n, \r or NUL, and a run of *different* markers is one
 * terminator (\r\n, \n\r, \r\0, \r\n\0, ...) that a NUL always closes. So "a\rb" is two lines, "a\n\nb"
 * three (with a blank one, which ends a continuation), and "a\0b" two.
 */
function physicalLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = []
  let i = 0
  while (i < text.length) {
    const start = i
    while (i < text.length && EOL_BITS[text[i] as string] === undefined) i++
    const content = text.slice(start, i)
    let seen = 0
    while (i < text.length) {
      const bit = EOL_BITS[text[i] as string]
      if (bit === undefined || (seen & NUL_BIT) !== 0 || (seen & bit) !== 0) break
      seen |= bit
      i++
    }
    lines.push({content, raw: text.slice(start, i), start})
  }
  return lines
}

function endsEscaped(s: string): boolean {
  let escaped = false
  for (const c of s) {
    if (escaped) escaped = false
    else if (c === '\\') escaped = true
  }
  return escaped
}

function isCommentLine(content: string): boolean {
  const l = skipLeadingWs(content)
  return l.length > 0 && (l[0] === '#' || l[0] === ';')
}

/** string_is_safe(): no control characters, backslashes or quotes (section names, executable paths). */
export function isSafeString(s: string): boolean {
  for (const ch of s) {
    const code = ch.charCodeAt(0)
    if (code < 0x20 || code === 0x7f || ch === '\\' || ch === '"' || ch === "'") return false
  }
  return true
}

/** Parses unit-file text into entries that cover it exactly. Never throws. */
export function parseUnitFile(text: string, path = '<memory>'): UnitFile {
  const entries: UnitEntry[] = []
  const lines = physicalLines(text)
  let section: string | undefined
  let bomSeen = false

  let i = 0
  while (i < lines.length) {
    const first = lines[i] as PhysicalLine
    const firstNo = i + 1
    if (isCommentLine(first.content)) {
      entries.push({kind: 'comment', raw: first.raw, start: first.start, end: first.start + first.raw.length, line: firstNo, endLine: firstNo})
      i++
      continue
    }

    let logical = ''
    const commentLines: number[] = []
    let j = i
    let continued = false
    for (;;) {
      const pl = lines[j] as PhysicalLine
      if (continued && isCommentLine(pl.content)) {
        commentLines.push(j + 1)
        j++
        if (j >= lines.length) break
        continue
      }
      let content = pl.content
      if (!bomSeen && content.startsWith(BOM)) {
        content = content.slice(BOM.length)
        bomSeen = true
      }
      if (endsEscaped(content)) {
        logical += content.slice(0, -1) + ' '
        continued = true
        j++
        // systemd parses a dangling continuation at end of file as if it had ended.
        if (j >= lines.length) break
        continue
      }
      logical += content
      j++
      break
    }
    const last = lines[j - 1] as PhysicalLine
    const start = first.start
    const end = last.start + last.raw.length
    const base = {raw: text.slice(start, end), start, end, line: firstNo, endLine: j}
    i = j

    const l = strip(logical)
    if (l === '') {
      entries.push({kind: 'blank', ...base})
      continue
    }
    if (l.startsWith('[')) {
      if (!l.endsWith(']')) {
        entries.push({kind: 'invalid', ...base, section, text: l, problem: `Invalid section header '${l}'`, fatal: true})
        continue
      }
      const name = l.slice(1, -1)
      if (!isSafeString(name)) {
        entries.push({kind: 'invalid', ...base, section, text: l, problem: `Bad characters in section header '${l}'`, fatal: true})
        continue
      }
      section = name
      entries.push({kind: 'section', ...base, name})
      continue
    }
    const eq = l.indexOf('=')
    if (eq < 0 || (eq === 0 && section === undefined)) {
      const problem = section === undefined ? 'Assignment outside of section. Ignoring.' : "Missing '=', ignoring line."
      entries.push({kind: 'invalid', ...base, section, text: l, problem, fatal: false})
      continue
    }
    if (eq === 0 && section !== undefined) {
      entries.push({kind: 'invalid', ...base, section, text: l, problem: "Missing key name before '=', ignoring line.", fatal: false})
      continue
    }
    entries.push({kind: 'assignment', ...base, section, key: strip(l.slice(0, eq)), value: strip(l.slice(eq + 1)), commentLines})
  }
  return {path, text, entries}
}

/** Renders entries back to text; for an unedited parse this is the original text, byte for byte. */
export function renderUnitFile(file: UnitFile): string {
  return file.entries.map((e) => e.raw).join('')
}

/** Every assignment of `key` in sections named `section`, in file order. */
export function findAssignments(file: UnitFile, section: string, key: string): AssignmentEntry[] {
  return file.entries.filter((e): e is AssignmentEntry => e.kind === 'assignment' && e.section === section && e.key === key)
}

function lineEnding(file: UnitFile): string {
  return file.text.includes('\r\n') ? '\r\n' : '\n'
}

function terminatorOf(raw: string): string {
  const m = /[\r\n\0]+$/.exec(raw)
  return m ? m[0] : ''
}

/**
 * Checks that `value` reads back unchanged as an assignment value: systemd trims it, and a
 * trailing backslash or a newline would change how the following lines are read.
 */
function assertWritableValue(key: string, value: string): void {
  if (/[\r\n\0]/.test(value)) throw new RangeError(`${key}= value must be a single line without NUL`)
  if (endsEscaped(value)) throw new RangeError(`${key}= value must not end in a backslash (it would continue onto the next line)`)
  if (strip(value) !== value) throw new RangeError(`${key}= value must not start or end with whitespace (systemd trims it)`)
  if (/^[ \t]*[#;]/.test(key) || key.includes('=') || strip(key) !== key || key === '') throw new RangeError(`invalid key '${key}'`)
}

function rebuild(file: UnitFile, text: string): UnitFile {
  return parseUnitFile(text, file.path)
}

function spliceEntries(file: UnitFile, index: number, remove: number, insert: string): UnitFile {
  const before = file.entries
    .slice(0, index)
    .map((e) => e.raw)
    .join('')
  const after = file.entries
    .slice(index + remove)
    .map((e) => e.raw)
    .join('')
  return rebuild(file, before + insert + after)
}

function indexOfEntry(file: UnitFile, entry: UnitEntry): number {
  const index = file.entries.findIndex((e) => e.start === entry.start && e.end === entry.end && e.raw === entry.raw)
  if (index < 0) throw new RangeError('entry does not belong to this unit file')
  return index
}

/**
 * Replaces one assignment's value in place. The line keeps its indentation and terminator;
 * comment lines that sat inside a continuation are kept, just above the new line.
 */
export function replaceAssignment(file: UnitFile, entry: AssignmentEntry, value: string): UnitFile {
  assertWritableValue(entry.key, value)
  const index = indexOfEntry(file, entry)
  const indent = /^[ \t]*/.exec(entry.raw)?.[0] ?? ''
  const physical = physicalLines(entry.raw)
  const keptComments = entry.commentLines.map((n) => physical[n - entry.line]?.raw ?? '').join('')
  const text = `${keptComments}${indent}${entry.key}=${value}${terminatorOf(entry.raw)}`
  return spliceEntries(file, index, 1, text)
}

/**
 * Appends `key=value` at the end of the last `[section]` (after its last non-blank line), or adds
 * the section at the end of the file when it is missing.
 */
export function appendAssignment(file: UnitFile, section: string, key: string, value: string): UnitFile {
  assertWritableValue(key, value)
  const eol = lineEnding(file)
  let headerIndex = -1
  for (let k = file.entries.length - 1; k >= 0; k--) {
    const e = file.entries[k] as UnitEntry
    if (e.kind === 'section' && e.name === section) {
      headerIndex = k
      break
    }
  }
  if (headerIndex < 0) {
    const text = renderUnitFile(file)
    const needsEol = text.length > 0 && terminatorOf(text) === ''
    const separator = text.length > 0 ? eol : ''
    return rebuild(file, `${text}${needsEol ? eol : ''}${separator}[${section}]${eol}${key}=${value}${eol}`)
  }
  let insertAfter = headerIndex
  for (let k = headerIndex + 1; k < file.entries.length; k++) {
    const e = file.entries[k] as UnitEntry
    if (e.kind === 'section' || (e.kind === 'invalid' && e.fatal)) break
    if (e.kind === 'assignment' || e.kind === 'invalid') insertAfter = k
  }
  const anchor = file.entries[insertAfter] as UnitEntry
  const anchorText = terminatorOf(anchor.raw) === '' ? anchor.raw + eol : anchor.raw
  return spliceEntries(file, insertAfter, 1, `${anchorText}${key}=${value}${eol}`)
}
