/**
 * ExecStart= (and friends) as systemd 252 reads them, in two stages that mirror systemd:
 *
 * 1. Load time, config_parse_exec() in src/core/load-fragment.c: the value is split into words by
 *    extract_first_word(EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE); the first word may carry the prefixes
 *    `-@:+!` (`!!`); specifiers (`%n`, `%t`, ...) are resolved per word *after* unquoting; a lone
 *    `;` separates commands and `\;` is a literal `;` argument; an empty value resets the list.
 * 2. Exec time, replace_env_argv() in src/basic/env-util.c: a word that *starts* with `$NAME`
 *    (not `${` or `$$`) is replaced by the variable's value split at whitespace with quote removal
 *    (unset or empty: the word disappears); in every other word `${NAME}` is substituted in place
 *    (unset: empty) and `$$` becomes `$`; an unbraced `$NAME` inside a word stays literal.
 */

import {extractFirstWordAndWarn, splitWords, WHITESPACE as WS} from './extract-word.js'
import {expandSpecifiers, type SpecifierContext} from './specifiers.js'
import {isSafeString} from './unit-file.js'

export interface ExecFlags {
  /** `-`: a failing exit status is ignored. */
  ignoreFailure: boolean
  /** `@`: the word after the path is argv[0]. */
  separateArgv0: boolean
  /** `:`: no environment variable substitution. */
  noEnvExpand: boolean
  /** `+`: full privileges. */
  fullyPrivileged: boolean
  /** `!`: no setuid/setgid. */
  noSetuid: boolean
  /** `!!`: ambient-capability magic. */
  ambientMagic: boolean
}

export interface ExecCommand {
  /** The executable (specifiers resolved, prefixes removed). */
  path: string
  /** argv as configured: specifiers resolved, `$VAR` not yet expanded. */
  argv: string[]
  /** The prefix characters as written, e.g. `-` or `@` or `!!`. */
  prefixes: string
  flags: ExecFlags
}

export type ExecParseResult =
  | {kind: 'reset'; warnings: string[]}
  | {kind: 'commands'; commands: ExecCommand[]; warnings: string[]}
  /** systemd refuses the unit (-ENOEXEC: "bad unit file setting"). */
  | {kind: 'error'; message: string; warnings: string[]}
  /** systemd logs and ignores the setting (the `-` prefix downgrades errors to this). */
  | {kind: 'ignored'; message: string; warnings: string[]}

function skipWs(text: string, p: number): number {
  while (p < text.length && WS.includes(text[p] as string)) p++
  return p
}

function isValidFilename(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && name.length <= 255
}

function simplifyPath(path: string): string {
  const abs = path.startsWith('/')
  const parts = path.split('/').filter((p) => p !== '' && p !== '.')
  return (abs ? '/' : '') + parts.join('/')
}

/**
 * Parses one ExecStart=-style value like config_parse_exec() in systemd 252.
 */
export function parseExecValue(rvalue: string, ctx: SpecifierContext): ExecParseResult {
  const warnings: string[] = []
  if (rvalue === '') return {kind: 'reset', warnings}

  const commands: ExecCommand[] = []
  let p = 0
  let semicolon: boolean
  do {
    semicolon = false
    const first = extractFirstWordAndWarn(rvalue, p, {unquote: true, cunescape: true})
    if (first.warning) warnings.push(first.warning)
    if (!first.ok) return {kind: 'error', message: `Unbalanced quoting, ignoring: "${rvalue}"`, warnings}
    if (first.word === undefined) break
    p = first.next
    if (first.word === ';') {
      semicolon = true
      continue
    }

    const flags: ExecFlags = {ignoreFailure: false, separateArgv0: false, noEnvExpand: false, fullyPrivileged: false, noSetuid: false, ambientMagic: false}
    let f = 0
    const w = first.word
    for (; f < w.length; f++) {
      const c = w[f]
      if (c === '-' && !flags.ignoreFailure) flags.ignoreFailure = true
      else if (c === '@' && !flags.separateArgv0) flags.separateArgv0 = true
      else if (c === ':' && !flags.noEnvExpand) flags.noEnvExpand = true
      else if (c === '+' && !flags.fullyPrivileged && !flags.noSetuid && !flags.ambientMagic) flags.fullyPrivileged = true
      else if (c === '!' && !flags.fullyPrivileged && !flags.noSetuid && !flags.ambientMagic) flags.noSetuid = true
      else if (c === '!' && !flags.fullyPrivileged && !flags.ambientMagic) {
        flags.noSetuid = false
        flags.ambientMagic = true
      } else break
    }
    const prefixes = w.slice(0, f)
    const ignore = flags.ignoreFailure
    const fail = (message: string): ExecParseResult => (ignore ? {kind: 'ignored', message: `${message}, ignoring`, warnings} : {kind: 'error', message, warnings})

    const pathResult = expandSpecifiers(w.slice(f), ctx)
    if (!pathResult.ok) return fail(pathResult.message)
    let path = pathResult.value
    if (path === '') return fail(`Empty path in command line: '${rvalue}'`)
    if (!isSafeString(path)) return fail(`Executable name contains special characters: ${path}`)
    if (path.endsWith('/')) return fail(`Executable path specifies a directory: ${path}`)
    if (!path.startsWith('/') && !isValidFilename(path)) return fail(`Neither a valid executable name nor an absolute path: ${path}`)

    const argv: string[] = []
    if (!flags.separateArgv0) argv.push(path)
    path = simplifyPath(path)

    while (p < rvalue.length) {
      if (rvalue[p] === ';' && (p + 1 >= rvalue.length || WS.includes(rvalue[p + 1] as string))) {
        p = skipWs(rvalue, p + 1)
        semicolon = true
        break
      }
      if (rvalue[p] === '\\' && rvalue[p + 1] === ';' && (p + 2 >= rvalue.length || WS.includes(rvalue[p + 2] as string))) {
        p = skipWs(rvalue, p + 2)
        argv.push(';')
        continue
      }
      const r = extractFirstWordAndWarn(rvalue, p, {unquote: true, cunescape: true})
      if (r.warning) warnings.push(r.warning)
      if (!r.ok) return fail(`Unbalanced quoting, ignoring: "${rvalue}"`)
      if (r.word === undefined) break
      p = r.next
      const resolved = expandSpecifiers(r.word, ctx)
      if (!resolved.ok) return fail(resolved.message)
      for (const u of resolved.unresolved) warnings.push(`specifier ${u} depends on the host and was not resolved`)
      argv.push(resolved.value)
    }
    if (argv.length === 0) return fail(`Empty executable name or zeroeth argument: ${rvalue}`)
    commands.push({path, argv, prefixes, flags})
  } while (semicolon)

  if (commands.length === 0) return {kind: 'reset', warnings}
  return {kind: 'commands', commands, warnings}
}

/** Where a variable's value came from, for origin reporting. */
export interface VariableSource {
  value: string
  file?: string | undefined
  line?: number | undefined
}

export interface ExpandedWord {
  value: string
  /** Index of the configured word (in ExecCommand.argv) this element came from. */
  wordIndex: number
  /** Set when the element is (part of) a `$NAME` split or a `${NAME}` substitution. */
  viaVariable?: string
  braced?: boolean
}

export interface ExpansionResult {
  argv: ExpandedWord[]
  /** `$NAME` / `${NAME}` that were unset at exec time. */
  unset: Array<{name: string; wordIndex: number; braced: boolean}>
  /** Unbraced `$NAME` inside a word: systemd passes it on literally. */
  literal: Array<{text: string; wordIndex: number}>
}

/** replace_env() with flags 0: `${NAME}` and `$$` only. */
export function substituteBraced(word: string, env: ReadonlyMap<string, VariableSource>): {value: string; used: string[]; unset: string[]} {
  let out = ''
  const used: string[] = []
  const unset: string[] = []
  let i = 0
  let literalStart = 0
  while (i < word.length) {
    if (word[i] !== '$') {
      i++
      continue
    }
    const next = word[i + 1]
    if (next === '$') {
      out += word.slice(literalStart, i + 1)
      i += 2
      literalStart = i
      continue
    }
    if (next === '{') {
      const close = word.indexOf('}', i + 2)
      const colon = word.indexOf(':', i + 2)
      // Without REPLACE_ENV_ALLOW_EXTENDED a ':' inside the braces aborts the substitution.
      if (close < 0 || (colon >= 0 && colon < close)) {
        i += 2
        continue
      }
      const name = word.slice(i + 2, close)
      out += word.slice(literalStart, i)
      const v = env.get(name)
      if (v) {
        out += v.value
        used.push(name)
      } else unset.push(name)
      i = close + 1
      literalStart = i
      continue
    }
    i++
  }
  out += word.slice(literalStart)
  return {value: out, used, unset}
}

/**
 * Expands configured argv words against the environment exactly like replace_env_argv().
 */
export function expandArgv(words: readonly string[], env: ReadonlyMap<string, VariableSource>): ExpansionResult {
  const argv: ExpandedWord[] = []
  const unset: ExpansionResult['unset'] = []
  const literal: ExpansionResult['literal'] = []
  words.forEach((word, wordIndex) => {
    if (word.startsWith('$') && word[1] !== '{' && word[1] !== '$') {
      const name = word.slice(1)
      const v = env.get(name)
      if (!v) {
        unset.push({name, wordIndex, braced: false})
        return
      }
      const split = splitWords(v.value, {relax: true, unquote: true})
      // With EXTRACT_RELAX splitting cannot fail; keep the type checker honest anyway.
      const parts = split.ok ? split.words : []
      for (const value of parts) argv.push({value, wordIndex, viaVariable: name})
      return
    }
    const r = substituteBraced(word, env)
    for (const name of r.unset) unset.push({name, wordIndex, braced: true})
    const m = /\$[A-Za-z_][A-Za-z0-9_]*/.exec(r.value)
    if (m && !word.includes('$$')) literal.push({text: m[0], wordIndex})
    const element: ExpandedWord = {value: r.value, wordIndex}
    const via = r.used[0] ?? r.unset[0]
    if (via !== undefined) {
      element.viaVariable = via
      element.braced = true
    }
    argv.push(element)
  })
  return {argv, unset, literal}
}
