import type {Node} from 'jsonc-parser'

import {nodeValue} from '../../json/tree.js'

/**
 * Where a finding points. Only the locator (the runner's `locate`) looks inside: a rule passes the
 * place of the value it judges, whether that value was written in daemon.json or on the command line.
 */
export interface Place {
  /** The top-level key the place belongs to. */
  readonly top: string
  /** Document order inside that key's value (a key before its value, a container before its members). */
  readonly order: number
  /** The daemon.json node, for a value written in the file. */
  readonly node?: Node
}

export type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object'

/** One value as dockerd decodes it, wherever it was written: a daemon.json node or a flag's words. */
export interface Value {
  /** The member name ('' for an array item or a top-level value without one). */
  readonly key: string
  readonly value: unknown
  /** The JSON type as written. */
  readonly type: JsonType
  /** A JSON integer literal: Go decodes only those into int fields (no 1.0, no 1e3). */
  readonly integer: boolean
  readonly keyAt: Place
  readonly at: Place
  /** An object's members, one per name (the last occurrence wins, as in Go), in written order. */
  members(): Value[]
  /** An array's items. */
  items(): Value[]
}

/** The top-level members of a daemon.json tree (an object node). */
export function fileEntries(tree: Node, text: string): Value[] {
  return membersOf(tree, text, undefined)
}

/** The members of an object node, one per key: the last occurrence wins, as in Go. */
function membersOf(objectNode: Node, text: string, top: string | undefined): Value[] {
  if (objectNode.type !== 'object') return []
  const byKey = new Map<string, Value>()
  for (const property of objectNode.children ?? []) {
    const keyNode = property.children?.[0]
    const valueNode = property.children?.[1]
    if (keyNode === undefined || valueNode === undefined) continue
    const key = String(keyNode.value)
    byKey.delete(key)
    byKey.set(key, new FileValue(key, keyNode, valueNode, text, top ?? key))
  }
  return [...byKey.values()].sort((a, b) => a.keyAt.order - b.keyAt.order)
}

class FileValue implements Value {
  readonly keyAt: Place
  readonly at: Place
  #value: unknown
  #decoded = false
  // Several rules walk the same list (the type check, then the value rule): wrap each node once.
  #members: Value[] | undefined
  #items: Value[] | undefined

  constructor(
    readonly key: string,
    keyNode: Node,
    private readonly node: Node,
    private readonly text: string,
    private readonly top: string,
  ) {
    this.keyAt = {top, order: keyNode.offset, node: keyNode}
    this.at = {top, order: node.offset, node}
  }

  get value(): unknown {
    if (!this.#decoded) {
      this.#value = nodeValue(this.node)
      this.#decoded = true
    }
    return this.#value
  }

  get type(): JsonType {
    return this.node.type as JsonType
  }

  get integer(): boolean {
    return this.node.type === 'number' && /^-?(0|[1-9][0-9]*)$/.test(this.text.slice(this.node.offset, this.node.offset + this.node.length))
  }

  members(): Value[] {
    return (this.#members ??= membersOf(this.node, this.text, this.top))
  }

  items(): Value[] {
    if (this.node.type !== 'array') return []
    return (this.#items ??= (this.node.children ?? []).map((item) => new FileValue('', item, item, this.text, this.top)))
  }
}

/**
 * A value built from command-line words (src/effective/flag-values.ts), as the JSON that
 * daemon.json would hold for it: members whose value is undefined are absent and a number that is
 * not finite is null, as JSON.stringify writes them. Places are numbered in document order.
 */
export function flagEntry(key: string, value: unknown): Value {
  const counter = {next: 0}
  return new FlagValue(key, value, key, counter)
}

class FlagValue implements Value {
  readonly keyAt: Place
  readonly at: Place
  readonly value: unknown
  readonly type: JsonType
  private readonly children: Value[]

  constructor(
    readonly key: string,
    raw: unknown,
    top: string,
    counter: {next: number},
  ) {
    this.keyAt = {top, order: counter.next++}
    this.at = {top, order: counter.next++}
    this.value = typeof raw === 'number' && !Number.isFinite(raw) ? null : raw
    this.type = jsonTypeOf(this.value)
    if (this.type === 'array') this.children = (this.value as unknown[]).map((item) => new FlagValue('', item === undefined ? null : item, top, counter))
    else if (this.type === 'object')
      this.children = Object.entries(this.value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => new FlagValue(k, v, top, counter))
    else this.children = []
  }

  get integer(): boolean {
    // JSON.stringify writes integers from 1e21 on with an exponent.
    return typeof this.value === 'number' && Number.isInteger(this.value) && Math.abs(this.value) < 1e21
  }

  members(): Value[] {
    return this.type === 'object' ? this.children : []
  }

  items(): Value[] {
    return this.type === 'array' ? this.children : []
  }
}

function jsonTypeOf(value: unknown): JsonType {
  if (value === null || value === undefined) return 'null'
  if (Array.isArray(value)) return 'array'
  switch (typeof value) {
    case 'string':
      return 'string'
    case 'number':
      return 'number'
    case 'boolean':
      return 'boolean'
    default:
      return 'object'
  }
}
