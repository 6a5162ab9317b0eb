/**
 * Quoting for the ExecStart= lines dockcfg writes (src/effective/fix.ts): every argument quoted so
 * that systemd's tokenizer, specifier expansion and `$` expansion (see exec.ts) give back exactly
 * the argv we meant. Pure text in, text out.
 */

import {escapeSpecifiers} from './specifiers.js'

const PLAIN = /^[A-Za-z0-9_@%+=:,./$-]+$/

function escapeChar(ch: string): string {
  switch (ch) {
    case '\\':
      return '\\\\'
    case '"':
      return '\\"'
    case '\n':
      return '\\n'
    case '\t':
      return '\\t'
    case '\r':
      return '\\r'
    default: {
      const code = ch.codePointAt(0) as number
      if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`
      // Unicode line/paragraph separators would survive, but keep unit files plain ASCII-safe.
      if (code === 0x2028 || code === 0x2029 || code === 0xfeff) return `\\u${code.toString(16).padStart(4, '0')}`
      return ch
    }
  }
}

/**
 * Quotes one argv element for an ExecStart= line: `%` becomes `%%` (specifiers), `$` becomes `$$`
 * (variable expansion), and anything beyond plain characters goes in double quotes with C escapes.
 * Throws for a NUL character, which no command line can carry.
 */
export function quoteExecArg(arg: string): string {
  if (arg.includes('\0')) throw new RangeError('an argument cannot contain a NUL character')
  const escaped = escapeSpecifiers(arg).replaceAll('$', '$$$$')
  // A lone ";" is a command separator when unquoted.
  if (escaped !== '' && escaped !== ';' && PLAIN.test(escaped)) return escaped
  let out = '"'
  for (const ch of escaped) out += escapeChar(ch)
  return out + '"'
}
