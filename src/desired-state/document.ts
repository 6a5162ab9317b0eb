import {type Node, printParseErrorCode} from 'jsonc-parser'

import {InvalidConfigError, UsageError} from '../core/errors.js'
import {MAX_DAEMON_JSON_BYTES} from '../daemon-config/load.js'
import {MAX_NESTING_DEPTH, nodeValue, parseJsonTree} from '../json/tree.js'
import {closestKey, findOption} from '../registry/index.js'

/**
 * The desired-state document of `dockcfg apply -f FILE|-`: the daemon.json settings to hold, which
 * side owns a directive given both in daemon.json and on dockerd's command line, and the remote
 * access to have. Parsed here with a position for every part, and refused before anything is
 * planned: an unknown field is a usage error (exit 2), a value that cannot be what it names exit 3,
 * both naming the document's line and column. Whether the values make a configuration dockerd
 * accepts is decided later, on the whole result (src/operations/apply-state.ts).
 */

/**
 * A document holds at most what a daemon.json may (load.ts): its `daemon` section becomes one, and
 * the same limits keep parsing a hostile document as cheap as parsing a hostile daemon.json.
 */
export const MAX_DOCUMENT_BYTES = MAX_DAEMON_JSON_BYTES

/** Which side keeps a directive that both daemon.json and the command line set (as `dockcfg fix --prefer`). */
export type Owner = 'file' | 'flags'

/** A place in the document, 1-based. */
export interface Place {
  line: number
  column: number
}

/** One daemon.json key to hold; `value` undefined removes it (`null` in the document). */
export interface DesiredSetting extends Place {
  key: string
  value: unknown
}

export interface DesiredOwner extends Place {
  key: string
  owner: Owner
}

/** Remote access as `remote enable` would leave it, or switched off as `remote disable` does. */
export type DesiredRemote = Place &
  ({enabled: false} | {enabled: true; address: string | undefined; port: number | undefined; ca: string | undefined; san: string[]; insecure: boolean})

export interface DesiredState {
  /** What the document is called in messages: its path, or `<stdin>`. */
  source: string
  daemon: DesiredSetting[]
  owners: DesiredOwner[]
  /** Absent: remote access stays as it is. */
  remote: DesiredRemote | undefined
}

const TOP_FIELDS = ['daemon', 'owners', 'remote'] as const
const REMOTE_FIELDS = ['enabled', 'address', 'port', 'ca', 'san', 'insecure'] as const

/**
 * Parses and checks a desired-state document. Pure: the text is given.
 * @throws UsageError (2) for an unknown field or key, InvalidConfigError (3) for anything else wrong.
 */
export function parseDesiredState(rawText: string, source: string): DesiredState {
  const size = Buffer.byteLength(rawText)
  if (size > MAX_DOCUMENT_BYTES) throw documentTooLarge(source, size)
  const bom = rawText.startsWith('\ufeff')
  const text = bom ? rawText.slice(1) : rawText
  const doc = new Located(text, source, bom)
  if (text.trim() === '') throw doc.invalid(0, 'the document is empty; it must be a JSON object such as {"daemon": {"mtu": 1400}}')

  const {root, errors, tooDeep} = parseJsonTree(text, {disallowComments: true, allowTrailingComma: false, allowEmptyContent: false})
  if (tooDeep !== undefined) throw doc.invalid(tooDeep.offset, `more than ${MAX_NESTING_DEPTH} levels of nested objects and arrays`)
  const first = errors[0]
  if (first !== undefined) throw doc.invalid(first.offset, `not valid JSON: ${describeError(first.error, text, first.offset)}`)
  if (root?.type !== 'object') throw doc.invalid(root?.offset ?? 0, 'the document must be a JSON object with "daemon", "owners" and/or "remote"')
  refuseDuplicates(doc, root)
  refuseInexactNumbers(doc, root)

  const fields = properties(root)
  for (const {name, keyNode} of fields) {
    if (!(TOP_FIELDS as readonly string[]).includes(name)) throw doc.unknown(keyNode.offset, `unknown field "${name}" (the document has ${TOP_FIELDS.join(', ')})`)
  }
  const field = (name: string) => fields.find((f) => f.name === name)?.value
  const daemonNode = field('daemon')
  const ownersNode = field('owners')
  const remoteNode = field('remote')
  return {
    source,
    daemon: daemonNode === undefined ? [] : daemonSettings(doc, daemonNode),
    owners: ownersNode === undefined ? [] : ownerEntries(doc, ownersNode),
    remote: remoteNode === undefined ? undefined : remoteState(doc, remoteNode),
  }
}

/** A document over MAX_DOCUMENT_BYTES: exit 3, refused before it is parsed (or read). */
export function documentTooLarge(source: string, size: number): InvalidConfigError {
  return new InvalidConfigError(
    `${source} is at least ${size} bytes; a desired-state document may hold at most ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB (${MAX_DOCUMENT_BYTES} bytes), what a daemon.json may`,
    {remedy: 'a desired state is a few kilobytes: look at what produced this one'},
  )
}

function daemonSettings(doc: Located, node: Node): DesiredSetting[] {
  if (node.type !== 'object') throw doc.invalid(node.offset, `"daemon" must be an object of daemon.json keys, found ${typeName(node)}`)
  return properties(node).map(({name, keyNode, value}) => {
    const removal = value.type === 'null'
    // Removing a key dockerd does not know is how a file holding one is repaired (as `dockcfg unset`).
    if (!removal && findOption(name) === undefined) throw doc.unknown(keyNode.offset, unknownKeyMessage(`daemon.${name}`, name))
    return {key: name, value: removal ? undefined : nodeValue(value), ...doc.place(value.offset)}
  })
}

function ownerEntries(doc: Located, node: Node): DesiredOwner[] {
  if (node.type !== 'object') throw doc.invalid(node.offset, `"owners" must be an object such as {"hosts": "file"}, found ${typeName(node)}`)
  return properties(node).map(({name, keyNode, value}) => {
    if (findOption(name) === undefined) throw doc.unknown(keyNode.offset, unknownKeyMessage(`owners.${name}`, name))
    if (value.type !== 'string' || (value.value !== 'file' && value.value !== 'flags')) {
      throw doc.invalid(value.offset, `owners.${name} must be "file" (daemon.json keeps it) or "flags" (dockerd's command line keeps it), found ${typeName(value)}`)
    }
    return {key: name, owner: value.value as Owner, ...doc.place(value.offset)}
  })
}

function remoteState(doc: Located, node: Node): DesiredRemote {
  if (node.type !== 'object') throw doc.invalid(node.offset, `"remote" must be an object such as {"enabled": true}, found ${typeName(node)}`)
  const fields = properties(node)
  for (const {name, keyNode} of fields) {
    if (!(REMOTE_FIELDS as readonly string[]).includes(name)) throw doc.unknown(keyNode.offset, `unknown field "remote.${name}" (remote has ${REMOTE_FIELDS.join(', ')})`)
  }
  const get = (name: string) => fields.find((f) => f.name === name)
  const enabled = get('enabled')
  if (enabled === undefined) throw doc.invalid(node.offset, '"remote" needs "enabled": true or false')
  if (enabled.value.type !== 'boolean') throw doc.invalid(enabled.value.offset, `remote.enabled must be true or false, found ${typeName(enabled.value)}`)
  const place = doc.place(node.offset)
  if (enabled.value.value === false) {
    const other = fields.find((f) => f.name !== 'enabled')
    if (other !== undefined) throw doc.unknown(other.keyNode.offset, `remote.${other.name} applies only with "enabled": true`)
    return {enabled: false, ...place}
  }
  const text = (name: string): string | undefined => {
    const f = get(name)
    if (f === undefined) return undefined
    if (f.value.type !== 'string') throw doc.invalid(f.value.offset, `remote.${name} must be a string, found ${typeName(f.value)}`)
    return checkedWord(doc, f.value, `remote.${name}`)
  }
  const portField = get('port')
  let port: number | undefined
  if (portField !== undefined) {
    const v = portField.value
    if (v.type !== 'number' || !Number.isInteger(v.value) || (v.value as number) < 1 || (v.value as number) > 65535) {
      throw doc.invalid(v.offset, `remote.port must be a whole number from 1 to 65535, found ${typeName(v)}`)
    }
    port = v.value as number
  }
  const sanField = get('san')
  let san: string[] = []
  if (sanField !== undefined) {
    const v = sanField.value
    if (v.type !== 'array') throw doc.invalid(v.offset, `remote.san must be a list of DNS names and IP addresses, found ${typeName(v)}`)
    san = (v.children ?? []).map((entry, i) => {
      if (entry.type !== 'string') throw doc.invalid(entry.offset, `remote.san[${i}] must be a string, found ${typeName(entry)}`)
      return checkedWord(doc, entry, `remote.san[${i}]`)
    })
  }
  const insecureField = get('insecure')
  if (insecureField !== undefined && insecureField.value.type !== 'boolean') {
    throw doc.invalid(insecureField.value.offset, `remote.insecure must be true or false, found ${typeName(insecureField.value)}`)
  }
  const ca = text('ca')
  const caField = get('ca')
  if (ca !== undefined && caField !== undefined && !ca.startsWith('/')) {
    throw doc.invalid(caField.value.offset, `remote.ca must be an absolute path to a CA directory on this machine (ca.pem + ca-key.pem), found ${JSON.stringify(ca)}`)
  }
  return {enabled: true, address: text('address'), port, ca, san, insecure: insecureField?.value.value === true, ...place}
}

/** A name or path for a certificate or a listener: one line of printable text. */
function checkedWord(doc: Located, node: Node, name: string): string {
  const value = node.value as string
  if (value.trim() === '') throw doc.invalid(node.offset, `${name} is empty`)
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw doc.invalid(node.offset, `${name} contains a control character`)
  return value
}

/**
 * Go's decoder keeps the last of a key given twice; a document that says two things about one
 * setting says nothing reliable, so it is refused, at any depth.
 */
function refuseDuplicates(doc: Located, root: Node): void {
  const pending: Node[] = [root]
  while (pending.length > 0) {
    const node = pending.pop() as Node
    if (node.type === 'object') {
      const seen = new Map<string, number>()
      for (const {name, keyNode, value} of properties(node)) {
        const earlier = seen.get(name)
        if (earlier !== undefined) throw doc.invalid(keyNode.offset, `"${name}" is given twice in one object (first at line ${doc.place(earlier).line}); give it once`)
        seen.set(name, keyNode.offset)
        pending.push(value)
      }
    } else if (node.type === 'array') {
      // One at a time: spreading a list of a million entries into push() overflows the stack.
      for (const child of node.children ?? []) pending.push(child)
    }
  }
}

/**
 * A number must reach daemon.json exactly: beyond a 64-bit float dockerd refuses the file, and an
 * integer beyond 2^53 would be written back as another number (as `set --json-value`).
 */
function refuseInexactNumbers(doc: Located, root: Node): void {
  const pending: Node[] = [root]
  while (pending.length > 0) {
    const node = pending.pop() as Node
    if (node.type === 'number') {
      const literal = doc.text.slice(node.offset, node.offset + node.length)
      const n = Number(literal)
      if (!Number.isFinite(n)) throw doc.invalid(node.offset, `the number ${literal} is beyond what a JSON number can hold (a 64-bit float)`)
      if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(n)) throw doc.invalid(node.offset, `the integer ${literal} is beyond ±2^53 and cannot be written back exactly`)
    }
    // One at a time: spreading a list of a million entries into push() overflows the stack.
    for (const child of node.children ?? []) pending.push(child)
  }
}

interface Property {
  name: string
  keyNode: Node
  value: Node
}

/** An object's properties (the parser stopped at the first syntax error, so each has a value). */
function properties(node: Node): Property[] {
  return (node.children ?? []).flatMap((p) => {
    const [keyNode, value] = p.children ?? []
    return keyNode === undefined || value === undefined ? [] : [{name: String(keyNode.value), keyNode, value}]
  })
}

function typeName(node: Node): string {
  switch (node.type) {
    case 'object':
      return 'an object'
    case 'array':
      return 'a list'
    case 'null':
      return 'null'
    case 'string': {
      const s = JSON.stringify(node.value)
      return `the string ${s.length > 40 ? `${s.slice(0, 39)}…` : s}`
    }
    default:
      return `${node.type === 'boolean' ? 'the boolean' : 'the number'} ${String(node.value)}`
  }
}

function unknownKeyMessage(field: string, key: string): string {
  const suggestion = closestKey(key)
  return `unknown daemon.json key "${field}"${suggestion ? `; did you mean "${suggestion}"?` : ''} (dockcfg keys lists every key dockerd knows)`
}

function describeError(code: Parameters<typeof printParseErrorCode>[0], text: string, offset: number): string {
  const ch = text.charCodeAt(offset)
  // A control character (NUL, a lone \r in a string) is named, not shown: it may be invisible or end the line.
  if (!Number.isNaN(ch) && (ch < 0x20 || ch === 0x7f) && ch !== 0x0a && ch !== 0x0d && ch !== 0x09)
    return `${printParseErrorCode(code)} (character U+${ch.toString(16).toUpperCase().padStart(4, '0')})`
  return printParseErrorCode(code)
}

/** The document's text with its line index: every error names its line and column. */
class Located {
  private readonly starts: number[] = [0]

  constructor(
    readonly text: string,
    readonly source: string,
    private readonly bom: boolean,
  ) {
    // Lines end where JSON's scanner ends them: \n, \r\n, or a \r on its own.
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) this.starts.push(i + 1)
    }
  }

  place(offset: number): Place {
    let low = 0
    let high = this.starts.length - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if ((this.starts[middle] as number) <= offset) low = middle
      else high = middle - 1
    }
    const column = offset - (this.starts[low] as number) + 1
    return {line: low + 1, column: this.bom && low === 0 ? column + 1 : column}
  }

  at(offset: number): string {
    const p = this.place(offset)
    return `${this.source}:${p.line}:${p.column}`
  }

  invalid(offset: number, message: string): InvalidConfigError {
    const p = this.place(offset)
    return new InvalidConfigError(`${this.at(offset)}: ${message}; nothing was written`, {details: {file: this.source, ...p}})
  }

  unknown(offset: number, message: string): UsageError {
    const p = this.place(offset)
    return new UsageError(`${this.at(offset)}: ${message}; nothing was written`, {details: {file: this.source, ...p}})
  }
}
