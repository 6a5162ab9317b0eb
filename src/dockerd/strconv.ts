/**
 * How dockerd's flag library (pflag) turns command-line words into values: Go's strconv. One
 * implementation, so that "dockerd refuses this flag" (src/dockerd/argv.ts) and "this flag means
 * that value" (src/effective/) can never disagree.
 */

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True'])
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False'])

/** strconv.ParseBool; undefined where Go returns an error. */
export function parseGoBool(text: string): boolean | undefined {
  if (GO_TRUE.has(text)) return true
  if (GO_FALSE.has(text)) return false
  return undefined
}

const INT64_MAX = (1n << 63n) - 1n
const INT64_MIN = -(1n << 63n)

/**
 * strconv.ParseInt(s, 0, 64), as pflag's int flags call it: optional sign; `0x`, `0o`, `0b` or a
 * bare leading `0` (octal) select the base; `_` may separate digits (Go's literal syntax); the
 * result must fit in int64. Undefined where Go returns an error (dockerd then refuses to start).
 */
export function parseGoInt(text: string): number | undefined {
  let rest = text
  let negative = false
  if (rest.startsWith('+') || rest.startsWith('-')) {
    negative = rest.startsWith('-')
    rest = rest.slice(1)
  }
  if (rest === '') return undefined

  let base = 10
  if (rest[0] === '0') {
    const prefix = rest[1]?.toLowerCase()
    if (rest.length >= 3 && (prefix === 'x' || prefix === 'o' || prefix === 'b')) {
      base = prefix === 'x' ? 16 : prefix === 'o' ? 8 : 2
      rest = rest.slice(2)
    } else {
      base = 8
      rest = rest.slice(1)
    }
  }

  let value = 0n
  let underscores = false
  for (const char of rest) {
    if (char === '_') {
      underscores = true
      continue
    }
    const digit = digitValue(char)
    if (digit === undefined || digit >= base) return undefined
    value = value * BigInt(base) + BigInt(digit)
  }
  if (underscores && !underscoresOk(text)) return undefined

  const signed = negative ? -value : value
  if (signed > INT64_MAX || signed < INT64_MIN) return undefined
  return Number(signed)
}

function digitValue(char: string): number | undefined {
  // Go reads bytes: nothing outside ASCII is a digit (and 'K', the Kelvin sign, lowercases to 'k').
  if (char.charCodeAt(0) > 127) return undefined
  const code = char.toLowerCase().charCodeAt(0)
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 97 && code <= 122) return code - 97 + 10
  return undefined
}

/** Go's underscoreOK: `_` only between digits, or between a base prefix and a digit. */
function underscoresOk(text: string): boolean {
  let s = text
  if (s.startsWith('+') || s.startsWith('-')) s = s.slice(1)
  let saw: '^' | '0' | '_' | '!' = '^'
  let i = 0
  let hex = false
  const prefix = s[1]?.toLowerCase()
  if (s.length >= 2 && s[0] === '0' && (prefix === 'b' || prefix === 'o' || prefix === 'x')) {
    i = 2
    saw = '0'
    hex = prefix === 'x'
  }
  for (; i < s.length; i++) {
    const char = s[i] as string
    const lower = char.toLowerCase()
    if ((char >= '0' && char <= '9') || (hex && lower >= 'a' && lower <= 'f')) {
      saw = '0'
      continue
    }
    if (char === '_') {
      if (saw !== '0') return false
      saw = '_'
      continue
    }
    if (saw === '_') return false
    saw = '!'
  }
  return saw !== '_'
}
