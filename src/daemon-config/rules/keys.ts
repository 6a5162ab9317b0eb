import {MAX_FINDINGS_PER_KIND} from '../../core/findings.js'
import {closestKey, findOption, ignoredFlagNameKey, isFlat, isKnownKey, optionStatus, rejectedStructKey, usableKeys} from '../../registry/index.js'
import type {OptionSpec} from '../../registry/types.js'
import type {RuleContext} from './context.js'
import {checkType, describeJson, describeKind, kindHint} from './types.js'
import type {Value} from './value.js'

/**
 * The key stage, before every other rule: for each top-level key, the unknown-key rule, the
 * accepted-but-ignored traps, the version life cycle and the JSON type. A key that passes all of
 * them is added to `ctx.typed`, which is all the later rules read.
 */
export function checkKeys(ctx: RuleContext, entries: readonly Value[]): void {
  for (const entry of entries) checkTopLevel(ctx, entry)
}

function checkTopLevel(ctx: RuleContext, entry: Value): void {
  const spec = findOption(entry.key)
  if (spec !== undefined && optionStatus(spec, ctx.version) === 'not-yet') {
    ctx.report({
      code: 'key-not-yet',
      severity: 'error',
      key: entry.key,
      at: entry.keyAt,
      message: `"${entry.key}" was added in dockerd ${spec.added}; ${ctx.dockerd()} does not know it and refuses the file as an unknown directive`,
      checkedAt: 'config',
      hint: 'upgrade dockerd or delete the key',
    })
    return
  }
  if (entry.type === 'object' && !isFlat(entry.key, ctx.version)) {
    checkFlattenedObject(ctx, entry, spec)
    return
  }
  checkKey(ctx, entry, spec, undefined)
}

/** dockerd replaces a non-flat object by its children before checking keys (section 2.1). */
function checkFlattenedObject(ctx: RuleContext, entry: Value, spec: OptionSpec | undefined): void {
  const {key} = entry
  const members = entry.members()
  if (spec !== undefined && spec.kind !== 'object') {
    const children = members.map((m) => m.key)
    ctx.report({
      code: 'wrong-type',
      severity: 'error',
      key,
      at: entry.at,
      message: `"${key}" must be ${describeKind(spec)}, not an object${children.length ? `; dockerd flattens the object and refuses its members as unknown directives (${children.join(', ')})` : ''}`,
      checkedAt: 'config',
      hint: kindHint(spec),
    })
    return
  }
  if (spec === undefined) {
    const ignored = ignoredFlagNameKey(key, ctx.version)
    const caseMatch = caseInsensitiveMatch(key, ctx.version)
    ctx.report({
      code: 'unknown-object-ignored',
      severity: 'warning',
      key,
      at: entry.keyAt,
      message: `"${key}" is not a daemon.json key, but because its value is an object dockerd never reports it: it checks the members as top-level keys and drops the rest silently`,
      hint:
        ignored?.meant !== undefined
          ? `did you mean "${ignored.meant}"?`
          : caseMatch !== undefined
            ? `keys are case-sensitive: did you mean "${caseMatch}"?`
            : 'move the members to the top level or delete the key',
    })
  }
  // proxies (or an unknown wrapper): each member is checked as if it were a top-level key.
  for (const child of members) checkKey(ctx, child, findOption(child.key), spec === undefined ? key : spec.key)
}

/**
 * The unknown-key rule, the accepted-but-ignored traps and the version life cycle for one
 * flattened key; then the type check. `parent` is set for members of a flattened object.
 */
function checkKey(ctx: RuleContext, entry: Value, spec: OptionSpec | undefined, parent: string | undefined): void {
  const {key} = entry
  const shown = parent === undefined ? key : `${parent}.${key}`
  if (!isKnownKey(key, ctx.version)) {
    unknownKey(ctx, entry, spec, shown)
    return
  }
  if (parent === 'proxies' && ['http-proxy', 'https-proxy', 'no-proxy'].includes(key)) {
    if (entry.type !== 'string') {
      ctx.report({
        code: 'wrong-type',
        severity: 'error',
        key: shown,
        at: entry.at,
        message: `"${shown}" must be a string, not ${describeJson(entry)}: ${ctx.dockerd()} cannot decode the file`,
        checkedAt: 'config',
      })
    }
    return
  }
  const ignored = ignoredFlagNameKey(key, ctx.version)
  if (ignored !== undefined) {
    ctx.report({
      code: 'ignored-key',
      severity: 'warning',
      key: shown,
      at: entry.keyAt,
      message: `"${key}" is accepted by dockerd but silently ignored: ${ignored.note}`,
      hint: ignored.meant === undefined ? 'delete the key' : `use "${ignored.meant}" instead`,
    })
    return
  }
  if (spec === undefined) return
  if (parent !== undefined) {
    // A real key inside an unknown wrapper: present for the conflict check, never applied.
    ctx.report({
      code: 'nested-key-ignored',
      severity: 'warning',
      key: shown,
      at: entry.keyAt,
      message: `"${key}" inside "${parent}" counts as set for dockerd's flag/file conflict check but is never applied`,
      hint: `move "${key}" to the top level`,
    })
    return
  }
  if (!lifeCycle(ctx, entry, spec)) return
  if (entry.type === 'null') {
    ctx.report({
      code: 'null-value',
      severity: 'warning',
      key,
      at: entry.at,
      message: `"${key}": null is accepted and ignored by dockerd (the default applies), but still counts as set for the flag/file conflict check`,
      hint: 'delete the key instead',
    })
    return
  }
  if (!checkType(ctx, entry, spec)) return
  ctx.typed.set(key, entry)
}

function unknownKey(ctx: RuleContext, entry: Value, spec: OptionSpec | undefined, shown: string): void {
  const {key} = entry
  const rejected = rejectedStructKey(key)
  if (rejected !== undefined) {
    ctx.report({
      code: 'rejected-key',
      severity: 'error',
      key: shown,
      at: entry.keyAt,
      message: `"${key}" looks like a daemon.json key (dockerd has a field for it) but every dockerd version refuses it: "the following directives don't match any configuration option: ${key}"`,
      checkedAt: 'config',
      hint: rejected.hint,
    })
    return
  }
  if (spec !== undefined) {
    if (optionStatus(spec, ctx.version) === 'removed') {
      ctx.report({
        code: 'key-removed',
        severity: 'error',
        key: shown,
        at: entry.keyAt,
        message: `"${key}" was removed (${spec.removed ?? spec.ignoredSince}); ${ctx.dockerd()} refuses it as an unknown directive`,
        checkedAt: 'config',
        hint: spec.replacement === undefined ? 'delete the key' : `use ${spec.replacement}`,
      })
      return
    }
    if (spec.kind === 'object') {
      ctx.report({
        code: 'wrong-type',
        severity: 'error',
        key: shown,
        at: entry.at,
        message: `"${key}" must be an object; as ${describeJson(entry)} dockerd refuses it as an unknown directive`,
        checkedAt: 'config',
      })
      return
    }
  }
  const caseMatch = caseInsensitiveMatch(key, ctx.version)
  if (caseMatch !== undefined) {
    ctx.report({
      code: 'key-case',
      severity: 'error',
      key: shown,
      at: entry.keyAt,
      message: `"${key}" is not a daemon.json key: keys are case-sensitive and ${ctx.dockerd()} refuses it as an unknown directive`,
      checkedAt: 'config',
      hint: `write "${caseMatch}"`,
    })
    return
  }
  // Only the first MAX_FINDINGS_PER_KIND unknown keys are listed (capFindings), so only they get a
  // suggestion: a file of 16,000 unknown keys would otherwise spend seconds on hints nobody sees.
  const suggestion = ctx.suggestions++ < MAX_FINDINGS_PER_KIND ? closestKey(key, ctx.version) : undefined
  ctx.report({
    code: 'unknown-key',
    severity: 'error',
    key: shown,
    at: entry.keyAt,
    message: `"${key}" is not a daemon.json key: ${ctx.dockerd()} refuses the file ("the following directives don't match any configuration option: ${key}")`,
    checkedAt: 'config',
    hint: suggestion === undefined ? 'delete the key (see `dockcfg keys`)' : `did you mean "${suggestion}"?`,
  })
}

/** Deprecation and removal of a key dockerd still recognises; false when nothing more is worth checking. */
function lifeCycle(ctx: RuleContext, entry: Value, spec: OptionSpec): boolean {
  const {key} = entry
  const status = optionStatus(spec, ctx.version)
  const replacement = spec.replacement === undefined ? '' : `; use ${spec.replacement}`
  if (status === 'removed') {
    if (spec.ignoredSince !== undefined && ctx.atLeast(spec.ignoredSince)) {
      ctx.report({
        code: 'key-ignored',
        severity: 'warning',
        key,
        at: entry.keyAt,
        message: `"${key}" no longer does anything since dockerd ${spec.ignoredSince}: it is accepted and silently ignored`,
        hint: 'delete the key',
      })
      return false
    }
    if (key === 'oom-score-adjust' && entry.value === 0) {
      ctx.report({
        code: 'key-deprecated',
        severity: 'warning',
        key,
        at: entry.keyAt,
        message: `"oom-score-adjust" is deprecated; ${ctx.dockerd()} still accepts 0 but refuses any other value, and 26.0 refuses the key`,
        hint: 'delete the key; set OOMScoreAdjust= in the service unit instead',
      })
      return false
    }
    ctx.report({
      code: 'key-removed',
      severity: 'error',
      key,
      at: entry.keyAt,
      message: `"${key}" was removed in dockerd ${spec.removed}: ${ctx.dockerd()} refuses to start with it${replacement}`,
      checkedAt: 'config',
      hint: spec.replacement === undefined ? 'delete the key' : `use ${spec.replacement}`,
    })
    return false
  }
  if (status === 'deprecated') {
    const ignoredNow = key === 'api-cors-header' && ctx.atLeast('27.0.0')
    ctx.report({
      code: 'key-deprecated',
      severity: 'warning',
      key,
      at: entry.keyAt,
      message: ignoredNow
        ? `"api-cors-header" is deprecated and ignored by ${ctx.dockerd()} unless DOCKERD_DEPRECATED_CORS_HEADER is set; 28.0 refuses it`
        : `"${key}" is deprecated since dockerd ${spec.deprecated}${spec.removed === undefined ? '' : ` and refused from ${spec.removed}`}${replacement}`,
      hint: spec.replacement === undefined ? 'delete the key' : `use ${spec.replacement}`,
    })
  }
  return true
}

function caseInsensitiveMatch(key: string, version: string): string | undefined {
  const lower = key.toLowerCase()
  if (lower === key) return undefined
  return usableKeys(version).find((k) => k === lower)
}
