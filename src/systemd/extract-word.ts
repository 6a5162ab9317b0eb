/**
 * A port of systemd 252's `extract_first_word()` (src/basic/extract-word.c) and `cunescape_one()`
 * (src/basic/escape.c), the word splitter behind ExecStart=, Environment= and the splitting of
 * `$VAR` values. Everything that models how systemd reads a command line builds on this, so it
 * mirrors the C control flow rather than a cleaner tokeniser: the quirks are the point.
 */

/** The subset of systemd's ExtractFlags that unit-file parsing uses. */
export interface ExtractFlags {
  /** EXTRACT_UNQUOTE: '...' and "..." group words and the quotes are removed (anywhere in a word). */
  unquote?: boolean
  /** EXTRACT_CUNESCAPE: backslash sequences are C escapes (\n, \x41, \u00e9, \s, ...). */
  cunescape?: boolean
  /** EXTRACT_UNESCAPE_RELAX: an unknown escape is kept verbatim instead of failing. */
  unescapeRelax?: boolean
  /** EXTRACT_RELAX: an unterminated quote or trailing backslash ends the word instead of failing. */
  relax?: boolean
}

export type ExtractResult =
  {ok: true; word: string; next: number} | {ok: true; word: undefined; next: number} | {ok: false; reason: 'invalid-escape' | 'unbalanced-quote' | 'trailing-backslash'; at: number}

/** systemd's WHITESPACE: the only separators unit files know. */
export const WHITESPACE = ' \t\n\r'

const HEX = '0123456789abcdefABCDEF'

function unhex(c: string | undefined): number {
  if (c === undefined || !HEX.includes(c)) return -1
  return Number.parseInt(c, 16)
}

function unoct(c: string | undefined): number {
  if (c === undefined || c < '0' || c > '7') return -1
  return c.charCodeAt(0) - 48
}

/**
 * One C escape starting right after a backslash: returns the decoded text and how many input
 * characters it consumed, or undefined when systemd would call it invalid (-EINVAL).
 * Octal and \x escapes yield single bytes in C; above 0x7f we return the code point of that byte,
 * which is the closest a JS string can get (documented limitation: raw non-UTF-8 bytes).
 */
export function cunescapeOne(text: string, at: number): {value: string; length: number} | undefined {
  const c = text[at]
  switch (c) {
    case 'a':
      return {value: '\x07', length: 1}
    case 'b':
      return {value: '\b', length: 1}
    case 'f':
      return {value: '\f', length: 1}
    case 'n':
      return {value: '\n', length: 1}
    case 'r':
      return {value: '\r', length: 1}
    case 't':
      return {value: '\t', length: 1}
    case 'v':
      return {value: '\v', length: 1}
    case '\\':
      return {value: '\\', length: 1}
    case '"':
      return {value: '"', length: 1}
    case "'":
      return {value: "'", length: 1}
    case 's':
      return {value: ' ', length: 1}
    case 'x': {
      const a = unhex(text[at + 1])
      const b = unhex(text[at + 2])
      if (a < 0 || b < 0) return undefined
      // systemd refuses NUL bytes: they would truncate the C string.
      if (a === 0 && b === 0) return undefined
      return {value: String.fromCharCode((a << 4) | b), length: 3}
    }
    case 'u':
    case 'U': {
      const n = c === 'u' ? 4 : 8
      let code = 0
      for (let i = 1; i <= n; i++) {
        const d = unhex(text[at + i])
        if (d < 0) return undefined
        code = code * 16 + d
      }
      if (code === 0) return undefined
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined
      return {value: String.fromCodePoint(code), length: n + 1}
    }
    default: {
      if (c !== undefined && c >= '0' && c <= '7') {
        const a = unoct(text[at])
        const b = unoct(text[at + 1])
        const d = unoct(text[at + 2])
        if (a < 0 || b < 0 || d < 0) return undefined
        if (a === 0 && b === 0 && d === 0) return undefined
        const m = (a << 6) | (b << 3) | d
        if (m > 255) return undefined
        return {value: String.fromCharCode(m), length: 3}
      }
      return undefined
    }
  }
}

/**
 * Extracts the first word of `text` starting at `start`, exactly like systemd's
 * extract_first_word(). `word` is undefined when only separators remained (C returns 0).
 * `next` is where the following call should resume (text.length when the input is used up).
 */
export function extractFirstWord(text: string, start: number, flags: ExtractFlags, separators: string = WHITESPACE): ExtractResult {
  let p = start
  // Skip leading separators; reaching the end here means "no word".
  while (p < text.length && separators.includes(text[p] as string)) p++
  if (p >= text.length) return {ok: true, word: undefined, next: text.length}

  let out = ''
  let quote: '' | "'" | '"' = ''
  let backslash = false

  for (;;) {
    if (backslash) {
      if (p >= text.length) {
        if (flags.unescapeRelax && (quote === '' || flags.relax)) return {ok: true, word: out + '\\', next: text.length}
        if (flags.relax) return {ok: true, word: out, next: text.length}
        return {ok: false, reason: 'trailing-backslash', at: p}
      }
      const c = text[p] as string
      if (flags.cunescape) {
        const decoded = cunescapeOne(text, p)
        if (decoded) {
          out += decoded.value
          p += decoded.length
        } else if (flags.unescapeRelax) {
          out += '\\' + c
          p++
        } else {
          return {ok: false, reason: 'invalid-escape', at: p}
        }
      } else {
        out += c
        p++
      }
      backslash = false
      continue
    }

    if (quote !== '') {
      for (;;) {
        if (p >= text.length) {
          if (flags.relax) return {ok: true, word: out, next: text.length}
          return {ok: false, reason: 'unbalanced-quote', at: p}
        }
        const c = text[p] as string
        if (c === quote) {
          quote = ''
          p++
          break
        }
        if (c === '\\') {
          backslash = true
          p++
          break
        }
        out += c
        p++
      }
      continue
    }

    for (;;) {
      if (p >= text.length) return {ok: true, word: out, next: text.length}
      const c = text[p] as string
      if ((c === "'" || c === '"') && flags.unquote) {
        quote = c
        p++
        break
      }
      if (c === '\\') {
        backslash = true
        p++
        break
      }
      if (separators.includes(c)) {
        // Coalesce the separators so that `next` points at the next word (or the end).
        while (p < text.length && separators.includes(text[p] as string)) p++
        return {ok: true, word: out, next: p}
      }
      out += c
      p++
    }
  }
}

/**
 * systemd's strv_split_full(): every word of `text`, or the failure of the first bad one.
 */
export function splitWords(text: string, flags: ExtractFlags, separators: string = WHITESPACE): {ok: true; words: string[]} | {ok: false; reason: string; at: number} {
  const words: string[] = []
  let p = 0
  for (;;) {
    const r = extractFirstWord(text, p, flags, separators)
    if (!r.ok) return {ok: false, reason: r.reason, at: r.at}
    if (r.word === undefined) return {ok: true, words}
    words.push(r.word)
    p = r.next
  }
}

/**
 * extract_first_word_and_warn(): on an invalid escape, systemd retries with UNESCAPE_RELAX and
 * keeps the backslash, with a warning; unbalanced quoting stays an error.
 */
export function extractFirstWordAndWarn(text: string, start: number, flags: ExtractFlags): ExtractResult & {warning?: string} {
  const first = extractFirstWord(text, start, flags)
  if (first.ok || flags.unescapeRelax) return first
  const retry = extractFirstWord(text, start, {...flags, unescapeRelax: true})
  if (retry.ok) {
    return {...retry, warning: `Ignoring unknown escape sequences: "${retry.word ?? ''}"`}
  }
  return retry
}
