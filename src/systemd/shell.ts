/**
 * A deliberately small POSIX-shell word reader, for the two places where docker's arguments pass
 * through a shell: `ExecStart=/bin/sh -c '...'` wrappers and OpenRC's `DOCKER_OPTS` (which
 * openrc-run hands to `eval`). It understands quoting, backslashes, `$NAME`/`${NAME}` (with field
 * splitting when unquoted), `${NAME:-word}`/`${NAME-word}`, redirections, and splits commands at
 * `|`, `;`, `&&`, `||`, `&`. Anything beyond that (command substitution, arithmetic, globbing,
 * control flow) is reported in `unsupported` so callers can say they could not interpret it.
 */

export interface ShellWord {
  value: string
  /** The variable whose expansion produced (part of) this word. */
  viaVariable?: string
}

export interface ShellCommand {
  words: ShellWord[]
}

export interface ShellParse {
  commands: ShellCommand[]
  /** Human-readable reasons the text may not mean what the words say. */
  unsupported: string[]
}

const BLANK = ' \t\n'

/**
 * Splits `text` into simple commands with expansions done against `vars` (unset variables
 * expand to nothing, like a shell without `set -u`).
 */
export function parseShell(text: string, vars: (name: string) => string | undefined): ShellParse {
  const commands: ShellCommand[] = []
  const unsupported: string[] = []
  let words: ShellWord[] = []
  let cur = ''
  let curVia: string | undefined
  let inWord = false
  let skipNextWordAsRedirectTarget = false

  const note = (reason: string): void => {
    if (!unsupported.includes(reason)) unsupported.push(reason)
  }
  const endWord = (): void => {
    if (inWord) {
      if (skipNextWordAsRedirectTarget) skipNextWordAsRedirectTarget = false
      else {
        const redirect = /^(\d*)(>>|>&|<&|>|<)(.*)$/.exec(cur)
        if (redirect && curVia === undefined) {
          // `2>&1`, `>file`: an attached target ends the redirect, otherwise the next word is it.
          if ((redirect[3] as string) === '') skipNextWordAsRedirectTarget = true
        } else {
          const w: ShellWord = {value: cur}
          if (curVia !== undefined) w.viaVariable = curVia
          words.push(w)
        }
      }
    }
    cur = ''
    curVia = undefined
    inWord = false
  }
  const endCommand = (): void => {
    endWord()
    if (words.length > 0) commands.push({words})
    words = []
  }

  const readName = (i: number): {name: string; end: number} | undefined => {
    if (text[i] === '{') {
      const close = text.indexOf('}', i + 1)
      if (close < 0) return undefined
      return {name: text.slice(i + 1, close), end: close + 1}
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(text.slice(i))
    if (!m) return undefined
    return {name: m[1] as string, end: i + (m[1] as string).length}
  }
  const expand = (expr: string): string => {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=+?])(.*))?$/s.exec(expr)
    if (!m) {
      note(`unsupported parameter expansion \${${expr}}`)
      return ''
    }
    const name = m[1] as string
    const op = m[2]
    const value = vars(name)
    if (op === undefined) return value ?? ''
    const empty = value === undefined || (op.startsWith(':') && value === '')
    if (op.endsWith('-') || op.endsWith('=')) return empty ? (m[3] as string) : (value as string)
    if (op.endsWith('+')) return empty ? '' : (m[3] as string)
    note(`\${${expr}} fails when ${name} is unset`)
    return value ?? ''
  }
  const nameOf = (expr: string): string => /^[A-Za-z_][A-Za-z0-9_]*/.exec(expr)?.[0] ?? expr

  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (BLANK.includes(c)) {
      endWord()
      i++
      continue
    }
    if (c === '#' && !inWord) {
      while (i < text.length && text[i] !== '\n') i++
      continue
    }
    if (c === '\\') {
      if (text[i + 1] === '\n') {
        i += 2
        continue
      }
      if (i + 1 < text.length) {
        cur += text[i + 1]
        inWord = true
      }
      i += 2
      continue
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1)
      if (close < 0) {
        note('unterminated single quote')
        cur += text.slice(i + 1)
        inWord = true
        break
      }
      cur += text.slice(i + 1, close)
      inWord = true
      i = close + 1
      continue
    }
    if (c === '"') {
      inWord = true
      i++
      while (i < text.length && text[i] !== '"') {
        const d = text[i] as string
        if (d === '\\' && i + 1 < text.length && '$`"\\\n'.includes(text[i + 1] as string)) {
          if (text[i + 1] !== '\n') cur += text[i + 1]
          i += 2
        } else if (d === '$' && (text[i + 1] === '(' || text[i + 1] === '(')) {
          note('command substitution $(...)')
          cur += d
          i++
        } else if (d === '`') {
          note('command substitution `...`')
          cur += d
          i++
        } else if (d === '$') {
          const n = readName(i + 1)
          if (!n) {
            cur += d
            i++
            continue
          }
          const expr = n.name
          cur += text[i + 1] === '{' ? expand(expr) : (vars(expr) ?? '')
          curVia ??= nameOf(expr)
          i = n.end
        } else {
          cur += d
          i++
        }
      }
      if (i >= text.length) note('unterminated double quote')
      i++
      continue
    }
    if (c === '$') {
      if (text[i + 1] === '(') {
        note(text[i + 2] === '(' ? 'arithmetic expansion $((...))' : 'command substitution $(...)')
        cur += c
        inWord = true
        i++
        continue
      }
      const n = readName(i + 1)
      if (!n) {
        cur += c
        inWord = true
        i++
        continue
      }
      const value = text[i + 1] === '{' ? expand(n.name) : (vars(n.name) ?? '')
      const via = nameOf(n.name)
      // Unquoted expansion: field splitting on IFS; empty fields vanish.
      const fields = value.split(/[ \t\n]+/)
      fields.forEach((field, k) => {
        if (k > 0) {
          endWord()
        }
        if (field !== '') {
          cur += field
          inWord = true
          curVia ??= via
        }
      })
      if (/[*?[]/.test(value)) note(`$${via} contains glob characters the shell may expand`)
      i = n.end
      continue
    }
    if (c === '`') {
      note('command substitution `...`')
      cur += c
      inWord = true
      i++
      continue
    }
    if (c === '|' || c === ';' || c === '&') {
      const two = text.slice(i, i + 2)
      if (c === '&' && (text[i - 1] === '>' || text[i - 1] === '<')) {
        cur += c
        inWord = true
        i++
        continue
      }
      if (two === '&&' || two === '||' || two === ';;') {
        note(`control operator ${two}`)
        endCommand()
        i += 2
        continue
      }
      if (c !== '|') note(`control operator ${c}`)
      endCommand()
      i++
      continue
    }
    if (c === '(' || c === ')' || c === '{' || c === '}') {
      if (!inWord && (c === '(' || c === ')')) note('subshell or grouping')
    }
    if (/[*?]/.test(c)) note('unquoted glob character')
    cur += c
    inWord = true
    i++
  }
  endCommand()
  const first = commands[0]?.words[0]?.value
  if (first && /^(if|then|else|elif|fi|for|while|until|do|done|case|esac)$/.test(first)) note(`shell control flow (${first})`)
  return {commands, unsupported}
}
