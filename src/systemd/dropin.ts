/**
 * Text that dockcfg writes into systemd unit files (src/effective/fix.ts): ExecStart= arguments
 * quoted so that systemd's tokenizer, specifier expansion and `$` expansion (see exec.ts) give back
 * exactly the argv we meant, and comment text that can never end its line. Pure text in, text out.
 *
 * systemd ends a line at \n, \r and NUL (read_line_full(), see unit-file.ts), so a control character
 * that reached a unit file unescaped could start a new directive or section. Arguments refuse them
 * outright (dockerd has no use for them and the caller names where the value came from); comments
 * show them escaped.
 */

import {escapeSpecifiers} from './specifiers.js'

/** systemd refuses a unit file with a line this long or longer (LONG_LINE_MAX, counted in bytes). */
export const LONG_LINE_MAX = 1024 * 1024

const PLAIN = /^[A-Za-z0-9_@%+=:,./$-]+$/
/** Unicode Cc: C0 controls (NUL, tab, \n, \r, ESC, ...), DEL and the C1 controls. */
const CONTROL = /\p{Cc}/u
/** Line and paragraph separators and the byte-order mark: harmless to systemd, confusing to editors. */
const INVISIBLE_BREAKS = /[\u2028\u2029\uFEFF]/u

function codePointText(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
}

const NAMES: Readonly<Record<number, string>> = {0: 'a NUL', 9: 'a tab', 10: 'a newline', 13: 'a carriage return', 27: 'an escape'}

/**
 * Why `text` may not go into a unit file as a value, or undefined when it may: a control character
 * (named, with its position) or a lone UTF-16 surrogate (it would be written as U+FFFD, a different
 * value than the one asked for).
 */
export function unitValueProblem(text: string): string | undefined {
  if (!text.isWellFormed()) return 'text that is not valid Unicode (a lone surrogate)'
  let index = 0
  for (const ch of text) {
    if (CONTROL.test(ch)) {
      const code = ch.codePointAt(0) as number
      return `${NAMES[code] ?? 'a control character'} (${codePointText(code)}) at character ${index + 1}`
    }
    index += ch.length
  }
  return undefined
}

function escapeInQuotes(ch: string): string {
  if (ch === '\\') return '\\\\'
  if (ch === '"') return '\\"'
  if (INVISIBLE_BREAKS.test(ch)) return `\\u${(ch.codePointAt(0) as number).toString(16).padStart(4, '0')}`
  return ch
}

/**
 * Quotes one argv element for an ExecStart= line: `%` becomes `%%` (specifiers), `$` becomes `$$`
 * (variable expansion), and anything beyond plain characters goes in double quotes with C escapes.
 * Throws a RangeError for a value unitValueProblem() refuses: callers check first and name the
 * source, so reaching this is a bug, never a unit file with an injected line.
 */
export function quoteExecArg(arg: string): string {
  const problem = unitValueProblem(arg)
  if (problem !== undefined) throw new RangeError(`an ExecStart argument cannot contain ${problem}`)
  const escaped = escapeSpecifiers(arg).replaceAll('$', '$$$$')
  // A lone ";" is a command separator when unquoted.
  if (escaped !== '' && escaped !== ';' && PLAIN.test(escaped)) return escaped
  let out = '"'
  for (const ch of escaped) out += escapeInQuotes(ch)
  return out + '"'
}

/** How much of one piece of text a comment line shows; the rest is summarised, never written. */
const COMMENT_TEXT_MAX = 2000

/**
 * Free text (a command line, a path, a note) made safe for the body of a `#` comment line: every
 * control character, separator and lone surrogate is shown as an escape (`\r` as `\x0d`), and
 * overly long text is cut, so the comment stays one line that systemd skips whole.
 */
export function commentText(text: string): string {
  let out = ''
  let shown = 0
  for (const ch of text) {
    if (shown >= COMMENT_TEXT_MAX) return `${out}… (${text.length - shown} more characters)`
    const code = ch.codePointAt(0) as number
    if (CONTROL.test(ch)) out += code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
    else if (INVISIBLE_BREAKS.test(ch) || (code >= 0xd800 && code <= 0xdfff)) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += ch
    shown += ch.length
  }
  return out
}
