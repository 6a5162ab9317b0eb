/**
 * Writing dockcfg's ExecStart drop-in: `ExecStart=` (reset) followed by the new command, every
 * argument quoted so that systemd's tokenizer, specifier expansion and `$` expansion (see exec.ts)
 * give back exactly the argv we meant. Pure text in, text out.
 */

import {escapeSpecifiers} from './specifiers.js'
import {appendAssignment, findAssignments, parseUnitFile, removeAssignment, renderUnitFile, replaceAssignment, type AssignmentEntry, type UnitFile} from './unit-file.js'

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

/**
 * The ExecStart= value for `argv` (argv[0] must be an absolute path without prefix characters).
 */
export function renderExecStartValue(argv: readonly string[]): string {
  const exe = argv[0]
  if (exe === undefined) throw new RangeError('argv must not be empty')
  if (!exe.startsWith('/')) throw new RangeError(`argv[0] must be an absolute path, got '${exe}'`)
  if (!PLAIN.test(exe) || exe.includes('%') || exe.includes('$')) throw new RangeError(`argv[0] contains characters that cannot stand in an executable path: '${exe}'`)
  return argv.map((a, i) => (i === 0 ? a : quoteExecArg(a))).join(' ')
}

export interface DropInOptions {
  /** Comment lines (without `# `) placed above the [Service] section. */
  header?: readonly string[]
}

/**
 * A complete drop-in that replaces the unit's ExecStart with `argv`.
 */
export function renderExecStartDropIn(argv: readonly string[], options: DropInOptions = {}): string {
  const header = (options.header ?? []).map((l) => (l === '' ? '#\n' : `# ${l}\n`)).join('')
  return `${header}[Service]\nExecStart=\nExecStart=${renderExecStartValue(argv)}\n`
}

export interface DropInEdit {
  text: string
  /** What was done, for the user. */
  actions: string[]
}

/**
 * Edits an existing drop-in so that its effective ExecStart becomes `argv`: the last non-empty
 * [Service] ExecStart= is replaced in place (other non-empty ones after the last reset are
 * removed, since a non-oneshot service refuses several), a missing `ExecStart=` reset is inserted
 * right before it, and every other byte of the file is kept.
 */
export function editExecStartDropIn(text: string, argv: readonly string[]): DropInEdit {
  const value = renderExecStartValue(argv)
  const actions: string[] = []
  let file: UnitFile = parseUnitFile(text)
  const all = findAssignments(file, 'Service', 'ExecStart')
  const lastReset = [...all].reverse().find((e) => e.value === '')
  const commands = all.filter((e) => e.value !== '' && (!lastReset || e.start > lastReset.start))

  if (commands.length === 0) {
    file = appendAssignment(file, 'Service', 'ExecStart', '')
    file = appendAssignment(file, 'Service', 'ExecStart', value)
    actions.push('added ExecStart= reset and ExecStart= to [Service]')
    return {text: renderUnitFile(file), actions}
  }

  // Remove the extra commands from the bottom up so earlier offsets stay valid.
  for (const extra of commands.slice(1).reverse()) {
    file = removeAssignment(file, locate(file, extra))
    actions.push(`removed extra ExecStart= at line ${extra.line}`)
  }
  const target = locate(file, commands[0] as AssignmentEntry)
  file = replaceAssignment(file, target, value)
  actions.push(`replaced ExecStart= at line ${target.line}`)

  if (!lastReset) {
    // Re-parse positions: the reset must come right before the replaced command.
    const replaced = file.entries.find((e): e is AssignmentEntry => e.kind === 'assignment' && e.key === 'ExecStart' && e.value === value && e.line >= target.line)
    if (!replaced) throw new Error('internal: replaced ExecStart= not found')
    const before = renderUnitFile({...file, entries: file.entries.filter((e) => e.start < replaced.start)})
    const after = renderUnitFile({...file, entries: file.entries.filter((e) => e.start >= replaced.start)})
    const indent = /^[ \t]*/.exec(replaced.raw)?.[0] ?? ''
    const eol = text.includes('\r\n') ? '\r\n' : '\n'
    file = parseUnitFile(`${before}${indent}ExecStart=${eol}${after}`)
    actions.push('inserted ExecStart= reset before it')
  }
  return {text: renderUnitFile(file), actions}
}

function locate(file: UnitFile, entry: AssignmentEntry): AssignmentEntry {
  const found = file.entries.find((e): e is AssignmentEntry => e.kind === 'assignment' && e.line === entry.line && e.key === entry.key)
  if (!found) throw new Error(`internal: ExecStart= at line ${entry.line} vanished while editing`)
  return found
}
