import {applyEdits, type FormattingOptions, modify} from 'jsonc-parser'

import {InvalidConfigError} from '../cli/errors.js'
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
        details: parsed.findings,
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

  for (const change of changes) {
    const present = Object.prototype.hasOwnProperty.call(current, change.key)
    if (change.value === undefined ? !present : present && deepEqual(current[change.key], change.value)) continue
    const edits = modify(text, [change.key], change.value, formattingOptions ? {formattingOptions} : {})
    text = applyEdits(text, edits)
    changedKeys.push(change.key)
    if (change.value === undefined) delete current[change.key]
    else current[change.key] = change.value
  }

  if (changedKeys.length === 0) return {before, after: original, changed: false, changedKeys}

  // An emptied file stays a valid, tidy document rather than "{\n}" fragments.
  if (Object.keys(current).length === 0) text = `{}${/\r?\n$/.test(original) ? (format.eol ?? '\n') : ''}`
  // A new file gets a final newline; an existing one keeps whatever ending it had.
  if (original.trim() === '' && !text.endsWith('\n')) text += '\n'
  // The mark is kept (it is the user's byte) unless the target dockerd cannot decode it.
  const after = (hadBom && !options.dropBom ? '\ufeff' : '') + text

  const check = parseDaemonJson(after, file)
  if (!check.decodable || !deepEqual(check.value, current)) {
    throw new InvalidConfigError(`internal error: the edited ${file} would not be the intended strict JSON; nothing was written`, {
      details: check.findings,
    })
  }
  return {before, after, changed: after !== original, changedKeys}
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

/** Structural equality of JSON values (key order of objects does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    const other = b as unknown[]
    return a.length === other.length && a.every((v, i) => deepEqual(v, other[i]))
  }
  const ao = a as Record<string, unknown>
  const bo = b as Record<string, unknown>
  const keys = Object.keys(ao)
  return keys.length === Object.keys(bo).length && keys.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual(ao[k], bo[k]))
}
