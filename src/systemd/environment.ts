/**
 * Environment= and EnvironmentFile= as systemd 252 reads them:
 *
 * - `Environment=` (config_parse_environ): the value is split into words with quote removal and
 *   C unescaping, so one line can carry several `NAME=value` assignments; an empty value resets
 *   the list; an invalid assignment is ignored with a warning.
 * - `EnvironmentFile=` files (load_env_file / parse_env_file_internal in src/basic/env-file.c):
 *   a small shell-like grammar that is NOT a shell: no `export`, no `$VAR` expansion, no commands.
 *   Invalid names are dropped (strv_env_clean). We warn about every shell-only form we meet,
 *   because those are exactly the lines people expect to work and systemd silently ignores.
 * - Precedence: EnvironmentFile= values override Environment= values; later files override
 *   earlier ones; within a file the last assignment wins.
 */

import {extractFirstWord, WHITESPACE} from './extract-word.js'

export interface EnvAssignment {
  name: string
  value: string
  /** 1-based line of the assignment in the file it came from. */
  line: number
}

export interface EnvFileWarning {
  line: number
  message: string
}

export interface ParsedEnvFile {
  /** Effective assignments in file order (duplicates removed, last one kept at its own line). */
  assignments: EnvAssignment[]
  warnings: EnvFileWarning[]
}

const NEWLINE = '\n\r'
const COMMENTS = '#;'
// SHELL_NEED_ESCAPE: inside "...", a backslash before these is removed; before anything else kept.
const SHELL_NEED_ESCAPE = '"\\`$'

/** env_name_is_valid(): [A-Za-z0-9_]+ not starting with a digit. */
export function envNameIsValid(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
}

interface RawPush {
  key: string
  value: string
  line: number
  quoted: boolean
  unquotedWhitespace: boolean
}

/**
 * A port of parse_env_file_internal() from systemd 252. Note 252's COMMENT_ESCAPE rule: a comment
 * line ending in a backslash swallows the following line too (changed in systemd 254).
 */
function scanEnvFile(text: string): {pushes: RawPush[]; swallowed: number[]} {
  type State = 'PRE_KEY' | 'KEY' | 'PRE_VALUE' | 'VALUE' | 'VALUE_ESCAPE' | 'SINGLE_QUOTE_VALUE' | 'DOUBLE_QUOTE_VALUE' | 'DOUBLE_QUOTE_VALUE_ESCAPE' | 'COMMENT' | 'COMMENT_ESCAPE'
  let state: State = 'PRE_KEY'
  let key = ''
  let value: string | undefined
  let lastKeyWs = -1
  let lastValueWs = -1
  let line = 1
  let keyLine = 1
  let quoted = false
  let unquotedWhitespace = false
  const pushes: RawPush[] = []
  const swallowed: number[] = []

  const push = (chomp: boolean): void => {
    let k = key
    if (lastKeyWs >= 0) k = k.slice(0, lastKeyWs)
    let v = value ?? ''
    if (chomp && lastValueWs >= 0) v = v.slice(0, lastValueWs)
    pushes.push({key: k, value: v, line: keyLine, quoted, unquotedWhitespace: unquotedWhitespace && /\S\s+\S/.test(v)})
    key = ''
    value = undefined
    quoted = false
    unquotedWhitespace = false
  }
  const add = (c: string): void => {
    value = (value ?? '') + c
  }

  for (const c of text) {
    switch (state) {
      case 'PRE_KEY':
        if (COMMENTS.includes(c)) state = 'COMMENT'
        else if (!WHITESPACE.includes(c)) {
          state = 'KEY'
          lastKeyWs = -1
          keyLine = line
          key = c
        } else if (c === '\n') line++
        break
      case 'KEY':
        if (NEWLINE.includes(c)) {
          state = 'PRE_KEY'
          if (c === '\n') line++
          key = ''
        } else if (c === '=') {
          state = 'PRE_VALUE'
          lastValueWs = -1
        } else {
          if (!WHITESPACE.includes(c)) lastKeyWs = -1
          else if (lastKeyWs < 0) lastKeyWs = key.length
          key += c
        }
        break
      case 'PRE_VALUE':
        if (NEWLINE.includes(c)) {
          state = 'PRE_KEY'
          push(false)
          if (c === '\n') line++
        } else if (c === "'") {
          state = 'SINGLE_QUOTE_VALUE'
          quoted = true
        } else if (c === '"') {
          state = 'DOUBLE_QUOTE_VALUE'
          quoted = true
        } else if (c === '\\') state = 'VALUE_ESCAPE'
        else if (!WHITESPACE.includes(c)) {
          state = 'VALUE'
          add(c)
        }
        break
      case 'VALUE':
        if (NEWLINE.includes(c)) {
          state = 'PRE_KEY'
          push(true)
          if (c === '\n') line++
        } else if (c === '\\') {
          state = 'VALUE_ESCAPE'
          lastValueWs = -1
        } else {
          if (!WHITESPACE.includes(c)) lastValueWs = -1
          else {
            unquotedWhitespace = true
            if (lastValueWs < 0) lastValueWs = (value ?? '').length
          }
          add(c)
        }
        break
      case 'VALUE_ESCAPE':
        state = 'VALUE'
        // An escaped newline is a continuation and is eaten entirely.
        if (!NEWLINE.includes(c)) add(c)
        else if (c === '\n') line++
        break
      case 'SINGLE_QUOTE_VALUE':
        if (c === "'") state = 'PRE_VALUE'
        else {
          if (c === '\n') line++
          add(c)
        }
        break
      case 'DOUBLE_QUOTE_VALUE':
        if (c === '"') state = 'PRE_VALUE'
        else if (c === '\\') state = 'DOUBLE_QUOTE_VALUE_ESCAPE'
        else {
          if (c === '\n') line++
          add(c)
        }
        break
      case 'DOUBLE_QUOTE_VALUE_ESCAPE':
        state = 'DOUBLE_QUOTE_VALUE'
        if (SHELL_NEED_ESCAPE.includes(c)) add(c)
        else if (c !== '\n') add('\\' + c)
        else line++
        break
      case 'COMMENT':
        if (c === '\\') state = 'COMMENT_ESCAPE'
        else if (NEWLINE.includes(c)) {
          state = 'PRE_KEY'
          if (c === '\n') line++
        }
        break
      case 'COMMENT_ESCAPE':
        // systemd 252: whatever follows the backslash, newline included, stays in the comment.
        state = 'COMMENT'
        if (c === '\n') {
          line++
          swallowed.push(line)
        }
        break
    }
  }

  if (
    state === 'PRE_VALUE' ||
    state === 'VALUE' ||
    state === 'VALUE_ESCAPE' ||
    state === 'SINGLE_QUOTE_VALUE' ||
    state === 'DOUBLE_QUOTE_VALUE' ||
    state === 'DOUBLE_QUOTE_VALUE_ESCAPE'
  ) {
    push(state === 'VALUE')
  }
  return {pushes, swallowed}
}

const SHELL_KEYWORDS = /^(if|then|else|elif|fi|for|while|do|done|case|esac|function|source|\.|unset|set|echo|test|\[)(\s|$)/

/**
 * Parses an EnvironmentFile= as systemd 252 does, returning the variables it really sets and
 * warnings for shell-only syntax that a reader would expect to work.
 */
export function parseEnvFile(text: string): ParsedEnvFile {
  const {pushes, swallowed} = scanEnvFile(text)
  const warnings: EnvFileWarning[] = []
  const lines = text.split('\n')

  for (const n of swallowed) {
    const content = lines[n - 1] ?? ''
    if (content.trim() !== '') {
      warnings.push({line: n, message: `systemd 252 treats this line as part of the comment above it (that comment ends in a backslash): ${content.trim()}`})
    }
  }

  // Lines without any '=' never reach push(); the shell-looking ones deserve a word.
  lines.forEach((content, index) => {
    const t = content.trim()
    if (t === '' || COMMENTS.includes(t[0] as string) || t.includes('=')) return
    if (SHELL_KEYWORDS.test(t) || /[;&|`$()]/.test(t)) {
      warnings.push({line: index + 1, message: `shell syntax that systemd ignores in an EnvironmentFile: ${t}`})
    }
  })

  const byName = new Map<string, EnvAssignment>()
  for (const p of pushes) {
    if (!envNameIsValid(p.key)) {
      const m = /^export\s+([A-Za-z_][A-Za-z0-9_]*)$/.exec(p.key)
      if (m) {
        warnings.push({line: p.line, message: `'export ${m[1]}=...' is shell syntax: systemd ignores the whole line, so ${m[1]} is NOT set (drop the 'export')`})
      } else {
        warnings.push({line: p.line, message: `invalid variable name '${p.key}': systemd ignores this assignment`})
      }
      continue
    }
    if (/\$\{?[A-Za-z_]|\$\(|`/.test(p.value)) {
      warnings.push({line: p.line, message: `${p.key} contains shell expansion syntax that systemd does not evaluate in an EnvironmentFile; it is passed on literally: ${p.value}`})
    }
    if (!p.quoted && p.unquotedWhitespace) {
      warnings.push({line: p.line, message: `${p.key} has an unquoted value with spaces: systemd keeps it whole, a shell would not (quote it for both to agree)`})
    }
    byName.delete(p.key)
    byName.set(p.key, {name: p.key, value: p.value, line: p.line})
  }
  warnings.sort((a, b) => a.line - b.line)
  return {assignments: [...byName.values()], warnings}
}

export interface EnvironmentLineResult {
  /** True for `Environment=` with an empty value: the list accumulated so far is dropped. */
  reset: boolean
  assignments: Array<{name: string; value: string}>
  warnings: string[]
}

/**
 * One `Environment=` value (already specifier-expanded words are not needed: specifiers are
 * resolved per word by the caller through `resolveWord`).
 */
export function parseEnvironmentValue(
  rvalue: string,
  resolveWord: (word: string) => {ok: true; value: string} | {ok: false; message: string} = (w) => ({ok: true, value: w}),
): EnvironmentLineResult {
  if (rvalue === '') return {reset: true, assignments: [], warnings: []}
  const assignments: Array<{name: string; value: string}> = []
  const warnings: string[] = []
  let p = 0
  for (;;) {
    const r = extractFirstWord(rvalue, p, {unquote: true, cunescape: true})
    if (!r.ok) {
      // systemd keeps the words already applied and ignores the rest of the line.
      warnings.push(`Invalid syntax, ignoring: ${rvalue}`)
      break
    }
    if (r.word === undefined) break
    p = r.next
    const resolved = resolveWord(r.word)
    if (!resolved.ok) {
      warnings.push(`Failed to resolve specifiers in ${r.word}, ignoring: ${resolved.message}`)
      continue
    }
    const eq = resolved.value.indexOf('=')
    const name = eq < 0 ? '' : resolved.value.slice(0, eq)
    if (eq < 0 || !envNameIsValid(name)) {
      warnings.push(`Invalid environment assignment, ignoring: ${resolved.value}`)
      continue
    }
    assignments.push({name, value: resolved.value.slice(eq + 1)})
  }
  return {reset: false, assignments, warnings}
}
