/**
 * How dockerd turns text into values: Go's strconv (and go-units for sizes, time for durations),
 * as its flag library (pflag) and its option parsers call them. One implementation, so that
 * "dockerd refuses this flag" (src/dockerd/argv.ts), "this flag means that value" (src/effective/)
 * and "dockerd refuses this daemon.json value" (src/daemon-config/rules/) can never disagree.
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

/** strconv.Atoi's syntax (base 10: a sign and digits, no underscores); overflow is not modelled. */
export function isGoInt(text: string): boolean {
  return /^[+-]?[0-9]+$/.test(text)
}

/** strconv.ParseUint(s, 0, 32): decimal, 0x hex, 0o/0 octal, 0b binary; underscores only with a prefix. */
export function isGoUint32(text: string): boolean {
  let value: bigint
  if (/^0[xX](_?[0-9a-fA-F])+$/.test(text)) value = BigInt(`0x${text.slice(2).replace(/_/g, '')}`)
  else if (/^0[bB](_?[01])+$/.test(text)) value = BigInt(`0b${text.slice(2).replace(/_/g, '')}`)
  else if (/^0[oO](_?[0-7])+$/.test(text)) value = BigInt(`0o${text.slice(2).replace(/_/g, '')}`)
  else if (/^0(_?[0-7])+$/.test(text)) value = BigInt(`0o${text.slice(1).replace(/_/g, '')}`)
  else if (/^(0|[1-9][0-9]*)$/.test(text)) value = BigInt(text)
  else return false
  return value <= 0xffffffffn
}

/** time.ParseDuration's syntax: "0", or numbers each with a unit; overflow is not modelled. */
export function isGoDuration(text: string): boolean {
  return /^[+-]?(?:0|(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$/.test(text)
}

/**
 * strconv.ParseFloat as far as a size string can reach it. Hexadecimal floats give NaN: whether
 * valid or not, nothing is reported for them.
 */
function goParseFloat(text: string): number | undefined {
  if (/^[+-]?0[xX]/.test(text)) return Number.NaN
  if (!/^[+-]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$/.test(text)) return undefined
  return Number(text.replace(/_/g, ''))
}

/**
 * go-units FromHumanSize (unit 1000) / RAMInBytes (unit 1024), in bytes, or undefined when
 * dockerd refuses the text. v20.10 vendors the regexp parser (`modern` false); 23.0+ the parseSize rewrite.
 */
export function parseGoSize(text: string, modern: boolean, unit = 1024): number | undefined {
  const multiplier = (letter: string | undefined): number => unit ** (letter === undefined ? 0 : 'kmgtp'.indexOf(letter.toLowerCase()) + 1)
  if (!modern) {
    const m = /^([0-9]+(?:\.[0-9]+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text)
    return m === null ? undefined : Math.trunc(Number(m[1]) * multiplier(m[2]))
  }
  let sep = -1
  for (let i = text.length - 1; i >= 0 && sep < 0; i--) if ('0123456789. '.includes(text.charAt(i))) sep = i
  if (sep < 0) return undefined
  const num = text.charAt(sep) === ' ' ? text.slice(0, sep) : text.slice(0, sep + 1)
  const suffix = text.slice(sep + 1).toLowerCase()
  const size = goParseFloat(num)
  if (size === undefined || size < 0) return undefined
  if (suffix === '' || suffix === 'b') return Math.trunc(size)
  const letter = suffix.charAt(0)
  if (!'kmgtp'.includes(letter) || suffix.length > 3) return undefined
  if ((suffix.length === 2 && suffix !== `${letter}b`) || (suffix.length === 3 && suffix !== `${letter}ib`)) return undefined
  return Math.trunc(size * multiplier(letter))
}
