import {conflictKeyOf, type ParsedFlag} from '../dockerd/argv.js'
import {flattenForConflictCheck, findOption, versionAtLeast} from '../registry/index.js'
import {parseGoInt} from '../dockerd/strconv.js'
import {flagValueAsJson} from './flag-values.js'
import {byCodeUnits} from '../core/order.js'

/** One directive given both on dockerd's command line and in daemon.json. */
export interface Conflict {
  /** The name dockerd reports (the daemon.json key: `hosts`, `labels`, `debug`). */
  key: string
  /** The flag as written on the command line, e.g. `-H` / `--host`. */
  flag: string
  flagValues: string[]
  fileValue: unknown
  /** Indexes (in ExecStart argv) of the flag occurrences. */
  flagIndexes: number[]
}

/**
 * dockerd's flag-vs-file rule (dockerd-options.md section 2.3): every flag explicitly set on the
 * command line whose conflict name is present in the flattened file is a conflict, whatever the
 * values, with `runtimes` the only exemption. Returns them sorted by flag name as dockerd does.
 */
export function findConflicts(flags: readonly ParsedFlag[], fileValue: Record<string, unknown>, version?: string): Conflict[] {
  const flat = flattenForConflictCheck(fileValue, version)
  const byKey = new Map<string, Conflict & {sortName: string}>()
  for (const f of flags) {
    // A flag-only switch conflicts by its name ("config-file" in the file with --config-file).
    const key = conflictKeyOf(f, version)
    const names = f.flag?.namedKey === undefined && f.flag?.short ? [key, f.flag.short] : [key]
    const hit = names.find((n) => Object.hasOwn(flat, n))
    if (hit === undefined) continue
    if (f.option?.conflictExempt || findOption(hit)?.conflictExempt) continue
    const existing = byKey.get(hit)
    if (existing) {
      existing.flagValues.push(f.value)
      existing.flagIndexes.push(f.index)
      continue
    }
    byKey.set(hit, {
      key: hit,
      flag: f.flag?.short ? `-${f.flag.short}/--${f.name}` : `--${f.name}`,
      flagValues: [f.value],
      fileValue: flat[hit],
      flagIndexes: [f.index],
      sortName: f.name,
    })
  }
  // pflag sorts flag names with sort.Strings, i.e. by bytes: `ip-masq` < `ip6tables` < `iptables`.
  return [...byKey.values()].sort((a, b) => byCodeUnits(a.sortName, b.sortName)).map(({sortName: _s, ...c}) => c)
}

/**
 * The parsed flags behind a conflict. Matched by argv index AND name, because a shorthand cluster
 * (`-DH fd://`) puts several flags at one index: index alone would drag -D along with -H.
 */
export function flagsOfConflict(c: Conflict, flags: readonly ParsedFlag[], version?: string): ParsedFlag[] {
  return flags.filter((f) => c.flagIndexes.includes(f.index) && (conflictKeyOf(f, version) === c.key || f.flag?.short === c.key))
}

/**
 * dockerd's own sentence for a set of conflicts, so users recognise it from the journal. `version`
 * matters only for the credential masking of http-proxy/https-proxy that dockerd 23.0 added.
 */
export function conflictMessage(conflicts: readonly Conflict[], version?: string): string {
  const mask = versionAtLeast(version, '23.0.0')
  const parts = conflicts.map((c) => {
    let flagText = goFlagValue(c)
    let fileText = goValue(c.fileValue)
    if (mask && (c.key === 'http-proxy' || c.key === 'https-proxy')) {
      flagText = maskCredentials(flagText)
      fileText = typeof c.fileValue === 'string' ? maskCredentials(c.fileValue) : fileText
    }
    return `${c.key}: (from flag: ${flagText}, from file: ${fileText})`
  })
  return `the following directives are specified both as a flag and in the configuration file: ${parts.join(', ')}`
}

/** dockerd's MaskCredentials: any user info in a URL becomes xxxxx:xxxxx. */
function maskCredentials(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^@/?#]*@/, '$1xxxxx:xxxxx@')
}

/**
 * The flag's String() as dockerd prints it (dockerd-options.md 2.3 "FV"): list options `[a b]`,
 * map options `map[k:v]` (fmt sorts keys), ulimits `[nofile=1:2]`, address pools `base size`
 * joined by ", ", scalars as parsed (booleans "true"/"false", ints in decimal).
 */
function goFlagValue(c: Conflict): string {
  const option = findOption(c.key)
  const last = c.flagValues.at(-1) ?? ''
  // No option: a flag-only name (`config-file`) or a proxies child (`http-proxy`), both strings.
  if (option === undefined) return last
  switch (option.kind) {
    case 'string':
    case 'boolean':
    case 'nullable-boolean':
      return last
    case 'integer': {
      const n = parseGoInt(last)
      return n === undefined ? last : String(n)
    }
    case 'string-list':
      return `[${c.flagValues.join(' ')}]`
    case 'ulimits':
      return `[${Object.values(flagValueAsJson(option, c.flagValues) as Record<string, {Name: string; Soft: number; Hard: number}>)
        .map((u) => `${u.Name}=${u.Soft}:${u.Hard}`)
        .join(' ')}]`
    case 'address-pools':
      return (flagValueAsJson(option, c.flagValues) as Array<{base: string; size: number}>).map((p) => `${p.base} ${p.size}`).join(', ')
    default:
      return goValue(flagValueAsJson(option, c.flagValues))
  }
}

/**
 * Go's %v of a decoded JSON value: arrays [a b], objects map[k:v] (sorted keys), floats as %g.
 * Without recursion: a value in the file may nest as deep as Go decodes (10,000 levels).
 */
export function goValue(value: unknown): string {
  const parts: string[] = []
  const stack: unknown[] = [value]
  // Brackets, separators and "key:" go on the stack as Literal; anything else on it is a value.
  while (stack.length > 0) {
    const item = stack.pop()
    if (item instanceof Literal) {
      parts.push(item.text)
    } else if (Array.isArray(item)) {
      stack.push(new Literal(']'))
      for (let i = item.length - 1; i >= 0; i--) stack.push(item[i], new Literal(i === 0 ? '' : ' '))
      parts.push('[')
    } else if (item !== null && typeof item === 'object') {
      const record = item as Record<string, unknown>
      const keys = Object.keys(record).sort()
      stack.push(new Literal(']'))
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string
        stack.push(record[key], new Literal(`${i === 0 ? '' : ' '}${key}:`))
      }
      parts.push('map[')
    } else {
      parts.push(typeof item === 'number' ? goFloat(item) : item === null ? '<nil>' : String(item))
    }
  }
  return parts.join('')
}

/** Literal output text on goValue's stack, as opposed to a value to print. */
class Literal {
  constructor(readonly text: string) {}
}

function goFloat(n: number): string {
  if (!Number.isFinite(n) || n === 0) return String(n)
  // strconv's shortest %g: exponent form when the decimal exponent is < -4 or >= 6 (1e6 -> 1e+06).
  const exp = Math.floor(Math.log10(Math.abs(n)))
  if (exp < -4 || exp >= 6) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2')
  return String(n)
}
