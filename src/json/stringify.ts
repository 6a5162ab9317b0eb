/**
 * Containers nested deeper than this are written on one line even when indenting: every level of
 * indentation repeats on each line below it, so a 10,000-level value (which dockerd accepts)
 * would print as hundreds of megabytes of spaces.
 */
export const MAX_INDENTED_DEPTH = 32

export interface StringifyOptions {
  /** Spaces per level, like JSON.stringify's third argument (0: one line). */
  indent?: number
  /** Stop once the text is longer than this: the result is then cut to it, ending in "…". */
  maxLength?: number
}

/** A container being written: its members are taken one at a time, so a cut ends the work. */
interface Open {
  container: object
  keys: readonly string[] | undefined
  next: number
  written: number
  level: number
}

/**
 * JSON.stringify without recursion (V8's overflows the stack around 5,000 levels of nesting, far
 * below the 10,000 Go and dockerd accept) and with a length budget, so that a cell of `show`
 * costs what it prints rather than the whole value. The text is JSON.stringify's for every value
 * JSON.stringify accepts (toJSON, undefined members, non-finite numbers, circular structures
 * refused), apart from the one-line form of containers deeper than MAX_INDENTED_DEPTH.
 */
export function stringifyJson(value: unknown, options: StringifyOptions = {}): string {
  const indent = options.indent ?? 0
  const max = options.maxLength ?? Number.POSITIVE_INFINITY
  const parts: string[] = []
  let length = 0
  const emit = (text: string) => {
    parts.push(text)
    length += text.length
  }
  const ancestors = new Set<object>()
  const stack: Open[] = []
  const pretty = (level: number) => indent > 0 && level <= MAX_INDENTED_DEPTH
  const newline = (level: number) => `\n${' '.repeat(indent * level)}`
  /** Writes a scalar, or opens a container (its members follow, one per turn of the loop below). */
  const write = (v: unknown, level: number) => {
    // Past the budget a long string is cut before it is escaped: the cut falls inside it anyway.
    if (typeof v === 'string' && v.length > max - length) return emit(JSON.stringify(v.slice(0, Math.max(0, max - length) + 1)))
    if (v === null || typeof v !== 'object') return emit(scalar(v))
    if (ancestors.has(v)) throw new TypeError('Converting circular structure to JSON')
    ancestors.add(v)
    emit(Array.isArray(v) ? '[' : '{')
    stack.push({container: v, keys: Array.isArray(v) ? undefined : Object.keys(v), next: 0, written: 0, level: level + 1})
  }
  const first = resolve(value, '')
  if (first !== undefined) write(first.value, 0)
  while (stack.length > 0 && length <= max) {
    const open = stack[stack.length - 1] as Open
    const array = open.keys === undefined
    const size = array ? (open.container as unknown[]).length : (open.keys as string[]).length
    if (open.next >= size) {
      stack.pop()
      ancestors.delete(open.container)
      emit(`${open.written > 0 && pretty(open.level) ? newline(open.level - 1) : ''}${array ? ']' : '}'}`)
      continue
    }
    const index = open.next++
    const key = array ? String(index) : (open.keys?.[index] as string)
    const member = resolve((open.container as Record<string, unknown>)[key], key)
    // An object leaves out what JSON cannot hold; an array writes null in its place.
    if (member === undefined && !array) continue
    emit(`${open.written++ > 0 ? ',' : ''}${pretty(open.level) ? newline(open.level) : ''}${array ? '' : `${JSON.stringify(key)}${indent > 0 ? ': ' : ':'}`}`)
    write(member === undefined ? null : member.value, open.level)
  }
  const text = parts.join('')
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text
}

/** A member as JSON.stringify sees it: after toJSON, undefined when it is left out (undefined, a function, a symbol). */
function resolve(value: unknown, key: string): {value: unknown} | undefined {
  let v = value
  if (v !== null && typeof v === 'object' && typeof (v as {toJSON?: unknown}).toJSON === 'function') v = (v as {toJSON(key: string): unknown}).toJSON(key)
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined
  return {value: v}
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null'
  if (typeof value === 'bigint') throw new TypeError('Do not know how to serialize a BigInt')
  return String(value)
}
