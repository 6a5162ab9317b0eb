import {createScanner, SyntaxKind} from 'jsonc-parser'

import {UsageError} from '../core/errors.js'
import type {OptionSpec} from '../registry/types.js'

/**
 * Turns the words a user typed after `dockcfg set KEY` into the JSON value daemon.json holds for
 * that key, typed by the registry. Pure. Throws UsageError naming the key and the word at fault.
 */
export function valueFromWords(spec: OptionSpec, words: readonly string[]): unknown {
  const key = spec.key
  const one = (): string => {
    if (words.length !== 1) throw new UsageError(`${key} takes exactly one value, got ${words.length}`, {remedy: example(spec)})
    return words[0] as string
  }
  switch (spec.kind) {
    case 'string':
      return one()
    case 'boolean':
    case 'nullable-boolean':
      return parseBool(key, one())
    case 'integer': {
      const word = one()
      if (!/^-?\d+$/.test(word)) throw new UsageError(`${key} needs a whole number, got "${word}"`, {remedy: example(spec)})
      const n = Number(word)
      if (!Number.isSafeInteger(n)) throw new UsageError(`${key}: ${word} is out of range`)
      return n
    }
    case 'string-list':
      return splitListWords(words)
    case 'string-map':
      return Object.fromEntries(words.map((w) => splitPair(key, w)))
    case 'bool-map':
      return Object.fromEntries(
        words.map((w) => {
          const eq = w.indexOf('=')
          return eq === -1 ? [w, true] : [w.slice(0, eq), parseBool(key, w.slice(eq + 1))]
        }),
      )
    case 'address-pools':
      return words.map((w) => parsePool(key, w))
    case 'ulimits':
      return Object.fromEntries(words.map((w) => parseUlimit(key, w)))
    case 'runtimes':
      return Object.fromEntries(
        words.map((w) => {
          const [name, path] = splitPair(key, w)
          return [name, {path}]
        }),
      )
    case 'nested-map': {
      const out: Record<string, Record<string, string>> = {}
      for (const w of words) {
        const [driver, rest] = splitPair(key, w)
        const [opt, value] = splitPair(key, rest)
        out[driver] = {...out[driver], [opt]: value}
      }
      return out
    }
    case 'object':
      if (words.every((w) => w.includes('='))) return Object.fromEntries(words.map((w) => splitPair(key, w)))
      throw new UsageError(`${key} is an object; give it as KEY=VALUE words or with --json-value`, {remedy: example(spec)})
    default:
      throw new UsageError(`${key} cannot be set from words; use --json-value`)
  }
}

/**
 * `--json-value '<json>'`: any key, any JSON; validation happens afterwards like for any value.
 * A number must survive the trip into daemon.json exactly: beyond float64 (1e309) dockerd's JSON
 * decoder refuses the file, and an integer beyond 2^53 would be written back as another number.
 */
export function valueFromJson(key: string, json: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(json) as unknown
  } catch (error) {
    throw new UsageError(`--json-value for ${key} is not valid JSON: ${(error as Error).message}`)
  }
  // Token by token (no recursion: the value may be nested as deep as dockerd allows).
  const scanner = createScanner(json, true)
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind !== SyntaxKind.NumericLiteral) continue
    const literal = scanner.getTokenValue()
    const n = Number(literal)
    if (!Number.isFinite(n)) {
      throw new UsageError(`--json-value for ${key}: the number ${literal} is beyond what a JSON number can hold (a 64-bit float); dockerd would refuse the file`)
    }
    if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(n)) {
      throw new UsageError(`--json-value for ${key}: the integer ${literal} is beyond ±2^53 and cannot be written back exactly`, {
        remedy: 'no daemon.json key needs an integer that large; dockerd reads integers as at most 64 bits (9223372036854775807)',
      })
    }
  }
  return value
}

function parseBool(key: string, word: string): boolean {
  if (/^(true|1|yes|on)$/i.test(word)) return true
  if (/^(false|0|no|off)$/i.test(word)) return false
  throw new UsageError(`${key} needs true or false, got "${word}"`)
}

/** `set dns 1.1.1.1,8.8.8.8` is as natural to type as two words; both give the same list. */
function splitListWords(words: readonly string[]): string[] {
  return words
    .flatMap((w) => w.split(','))
    .map((w) => w.trim())
    .filter((w) => w !== '')
}

function splitPair(key: string, word: string): [string, string] {
  const eq = word.indexOf('=')
  if (eq <= 0) throw new UsageError(`${key}: "${word}" is not in NAME=VALUE form`)
  return [word.slice(0, eq), word.slice(eq + 1)]
}

function parsePool(key: string, word: string): {base: string; size: number} {
  const fields = Object.fromEntries(word.split(',').map((part) => splitPair(key, part)))
  const unknown = Object.keys(fields).filter((k) => k !== 'base' && k !== 'size')
  if (unknown.length > 0 || fields.base === undefined || fields.size === undefined || !/^\d+$/.test(fields.size)) {
    throw new UsageError(`${key}: "${word}" must be base=CIDR,size=N`, {remedy: 'dockcfg set default-address-pools base=10.10.0.0/16,size=24'})
  }
  return {base: fields.base, size: Number(fields.size)}
}

function parseUlimit(key: string, word: string): [string, {Name: string; Soft: number; Hard: number}] {
  const match = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(word)
  if (!match) throw new UsageError(`${key}: "${word}" must be NAME=SOFT[:HARD], e.g. nofile=1024:2048`)
  const soft = Number(match[2])
  const hard = match[3] === undefined ? soft : Number(match[3])
  const name = match[1] as string
  return [name, {Name: name, Soft: soft, Hard: hard}]
}

function example(spec: OptionSpec): string {
  return `see: dockcfg keys ${spec.key}`
}

/**
 * The entries of a list value as dockerd decodes them into a []string: a JSON null entry becomes
 * "" (Go leaves the zero value), anything else that is not a string yields nothing, and so does a
 * value that is not an array. Type errors are validation findings; code that only needs the
 * strings (which socket to talk to, what to verify) reads them through this.
 */
export function stringEntries(value: unknown): string[] {
  if (!Array.isArray(value)) return []
  const out: string[] = []
  for (const entry of value as unknown[]) {
    if (typeof entry === 'string') out.push(entry)
    else if (entry === null) out.push('')
  }
  return out
}
