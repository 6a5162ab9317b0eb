/**
 * Unit specifiers (`%n`, `%t`, ...) as systemd 252's unit_full_printf() resolves them for a
 * system-manager unit. Host facts that would need I/O (hostname, machine id, boot id, kernel
 * release) come in through the context so this stays pure; when absent they resolve to a
 * placeholder and are reported, so callers never mistake a guess for the real value.
 */

export interface SpecifierContext {
  /** Full unit name, e.g. `docker.service` or `foo@bar.service`. */
  unitName: string
  /** Tree path of the unit fragment (for %y / %Y). */
  fragmentPath?: string | undefined
  hostname?: string | undefined
  machineId?: string | undefined
  bootId?: string | undefined
  kernelRelease?: string | undefined
  architecture?: string | undefined
  osId?: string | undefined
  osVersionId?: string | undefined
}

export type SpecifierResult = {ok: true; value: string; unresolved: string[]} | {ok: false; specifier: string; message: string}

/** unit_name_unescape(): `-` means `/`, `\xNN` is a byte. */
export function unitNameUnescape(text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (c === '-') out += '/'
    else if (c === '\\' && text[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 4), 16))
      i += 3
    } else out += c
  }
  return out
}

interface UnitNameParts {
  prefix: string
  instance: string
  suffix: string
}

function splitUnitName(name: string): UnitNameParts {
  const dot = name.lastIndexOf('.')
  const base = dot >= 0 ? name.slice(0, dot) : name
  const suffix = dot >= 0 ? name.slice(dot) : ''
  const at = base.indexOf('@')
  if (at < 0) return {prefix: base, instance: '', suffix}
  return {prefix: base.slice(0, at), instance: base.slice(at + 1), suffix}
}

function lastComponent(prefix: string): string {
  const dash = prefix.lastIndexOf('-')
  return dash >= 0 ? prefix.slice(dash + 1) : prefix
}

/** The specifiers systemd 252 accepts in unit settings, resolved for this context. */
function lookup(spec: string, ctx: SpecifierContext, unresolved: string[]): string | undefined {
  const parts = splitUnitName(ctx.unitName)
  const hostFact = (value: string | undefined, what: string): string => {
    if (value !== undefined) return value
    unresolved.push(`%${spec} (${what})`)
    return `%${spec}`
  }
  switch (spec) {
    case 'n':
      return ctx.unitName
    case 'N':
      return ctx.unitName.slice(0, ctx.unitName.length - parts.suffix.length)
    case 'p':
      return parts.prefix
    case 'P':
      return unitNameUnescape(parts.prefix)
    case 'i':
      return parts.instance
    case 'I':
      return unitNameUnescape(parts.instance)
    case 'j':
      return lastComponent(parts.prefix)
    case 'J':
      return unitNameUnescape(lastComponent(parts.prefix))
    case 'f': {
      // specifier_filename(): the unescaped instance, or prefix, as an absolute path.
      const u = unitNameUnescape(parts.instance || parts.prefix)
      return u.startsWith('/') ? u : `/${u}`
    }
    case 'y':
      return ctx.fragmentPath ?? hostFact(undefined, 'unit file path')
    case 'Y': {
      if (ctx.fragmentPath === undefined) return hostFact(undefined, 'unit file directory')
      const slash = ctx.fragmentPath.lastIndexOf('/')
      return slash > 0 ? ctx.fragmentPath.slice(0, slash) : '/'
    }
    case 'C':
      return '/var/cache'
    case 'd':
      return `/run/credentials/${ctx.unitName}`
    case 'E':
      return '/etc'
    case 'L':
      return '/var/log'
    case 'S':
      return '/var/lib'
    case 't':
      return '/run'
    case 'T':
      return '/tmp'
    case 'V':
      return '/var/tmp'
    // The system manager runs as root; these describe the manager, not User=.
    case 'h':
      return '/root'
    case 's':
      return '/bin/sh'
    case 'u':
    case 'g':
      return 'root'
    case 'U':
    case 'G':
      return '0'
    case 'H':
      return hostFact(ctx.hostname, 'hostname')
    case 'l':
      return ctx.hostname === undefined ? hostFact(undefined, 'short hostname') : (ctx.hostname.split('.')[0] as string)
    case 'q':
      return hostFact(ctx.hostname, 'pretty hostname')
    case 'm':
      return hostFact(ctx.machineId, 'machine id')
    case 'b':
      return hostFact(ctx.bootId, 'boot id')
    case 'v':
      return hostFact(ctx.kernelRelease, 'kernel release')
    case 'a':
      return hostFact(ctx.architecture, 'architecture')
    case 'o':
      return hostFact(ctx.osId, 'os id')
    case 'w':
      return hostFact(ctx.osVersionId, 'os version id')
    case 'A':
    case 'B':
    case 'M':
    case 'W':
      return hostFact(undefined, 'os-release field')
    // Deprecated cgroup specifiers still resolve in 252.
    case 'c':
      return `/system.slice/${ctx.unitName}`
    case 'r':
      return '/system.slice'
    case 'R':
      return '/'
    default:
      return undefined
  }
}

/**
 * specifier_printf(): replaces every `%X`. An unknown specifier fails the whole setting
 * (systemd: "Failed to resolve unit specifiers", -EBADSLT); a lone trailing `%` is kept.
 */
export function expandSpecifiers(text: string, ctx: SpecifierContext): SpecifierResult {
  let out = ''
  const unresolved: string[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (c !== '%') {
      out += c
      continue
    }
    if (i + 1 >= text.length) {
      out += '%'
      break
    }
    const spec = text[++i] as string
    if (spec === '%') {
      out += '%'
      continue
    }
    const value = lookup(spec, ctx, unresolved)
    if (value === undefined) {
      return {ok: false, specifier: `%${spec}`, message: `Failed to resolve unit specifiers in '${text}': unknown specifier %${spec}`}
    }
    out += value
  }
  return {ok: true, value: out, unresolved}
}

/** Escapes `%` so that a literal string survives specifier expansion. */
export function escapeSpecifiers(text: string): string {
  return text.replaceAll('%', '%%')
}
