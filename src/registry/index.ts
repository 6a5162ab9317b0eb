import {FLAG_ONLY, IGNORED_FLAG_NAME_KEYS, OPTIONS, REJECTED_STRUCT_KEYS} from './options.js'
import type {FlagOnlySpec, FlagSpec, IgnoredFlagNameKey, IntegerRange, OptionGroup, OptionSpec, RejectedStructKey, RetiredValue, ValueRefusal, VersionRange} from './types.js'

export {FLAG_ONLY, IGNORED_FLAG_NAME_KEYS, OPTIONS, REJECTED_STRUCT_KEYS}
export type * from './types.js'

/** The newest dockerd release the registry was checked against (docker-v29.7.2). */
export const NEWEST_KNOWN_VERSION = '29.7.2'

export type OptionStatus = 'ok' | 'not-yet' | 'deprecated' | 'removed'

const byKey = new Map<string, OptionSpec>(OPTIONS.map((o) => [o.key, o]))

/**
 * Turns what `dockerd --version` or a package manager prints ("20.10.24+dfsg1", "docker-v29.7.2",
 * "v28.0.0-rc.1", "18.06.1-ce") into a plain x.y.z semver string; undefined when there is no
 * version in it. Pre-release tags are dropped on purpose: an rc of 28.0.0 already has 28.0.0's
 * keys. Not semver's coerce: it refuses Docker's own zero-padded months (18.06, 17.03).
 */
export function normalizeVersion(version: string): string | undefined {
  const match = /(?:^|[^\d.])v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,6}))?(?![\d])/.exec(` ${version}`)
  if (match === null) return undefined
  return `${Number(match[1])}.${Number(match[2])}.${Number(match[3] ?? 0)}`
}

// A validation asks for the same few versions thousands of times (every key, flag and rule, each
// against since/until/deprecated): parse each version once per run. The registry's versions are a
// closed set; the user's is one.
const normalized = new Map<string, string>()
const parsed = new Map<string, readonly [number, number, number]>()

/** The version to reason about: the given one normalised, or the newest known when absent/garbled. */
function versionOrNewest(version: string | undefined): string {
  if (version === undefined) return NEWEST_KNOWN_VERSION
  let result = normalized.get(version)
  if (result === undefined) {
    result = normalizeVersion(version) ?? NEWEST_KNOWN_VERSION
    normalized.set(version, result)
  }
  return result
}

/**
 * Every version compared here is plain x.y.z: normalizeVersion's output or one of the registry's
 * (test/unit/registry/version-compare.test.ts checks them all), so three numbers compare them as
 * semver does. Not semver itself: loading it builds its table of regular expressions, about a
 * millisecond of every run's start.
 */
function numbers(version: string): readonly [number, number, number] {
  let result = parsed.get(version)
  if (result === undefined) {
    const match = /^(\d{1,15})\.(\d{1,15})\.(\d{1,15})$/.exec(version)
    if (match === null) throw new TypeError(`Invalid Version: ${version}`)
    result = [Number(match[1]), Number(match[2]), Number(match[3])]
    parsed.set(version, result)
  }
  return result
}

function compare(a: string, b: string): number {
  const [x, y] = [numbers(a), numbers(b)]
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]
}

const lt = (a: string, b: string): boolean => compare(a, b) < 0
const gte = (a: string, b: string): boolean => compare(a, b) >= 0

/** Whether `version` is inside [since, until). */
function inRange(version: string, since: string | undefined, until: string | undefined): boolean {
  if (since !== undefined && lt(version, since)) return false
  if (until !== undefined && gte(version, until)) return false
  return true
}

/** The spec of a daemon.json key (case-sensitive, as dockerd is), whatever the version. */
export function findOption(key: string): OptionSpec | undefined {
  return byKey.get(key)
}

/** Whether the flag exists in `version` (its own range intersected with its key's). */
export function flagExistsIn(spec: OptionSpec | undefined, flag: FlagSpec, version?: string): boolean {
  const v = versionOrNewest(version)
  const since = flag.since ?? spec?.added
  return inRange(v, since, flag.until)
}

/** The key a flag is compared against in dockerd's conflict check at `version` (section 2.3). */
export function conflictName(flag: FlagSpec, version?: string): string {
  if (flag.namedKey === undefined) return flag.long
  if (flag.namedSince !== undefined && lt(versionOrNewest(version), flag.namedSince)) return flag.long
  return flag.namedKey
}

export interface FlagMatch {
  option: OptionSpec
  flag: FlagSpec
}

const matchesName = (flag: FlagSpec, name: string) => flag.long === name || (flag.short !== undefined && flag.short === name)

/**
 * Finds the daemon.json key behind a dockerd flag, by long name or one-letter shorthand (without
 * dashes). When a long name moved between keys across versions (`--host-gateway-ip`: plain until
 * 28.0, named option of host-gateway-ips since), the definition valid at `version` wins; without
 * a version the newest. Flags with no key at all are found by flagOnlyFor.
 */
export function optionForFlag(name: string, version?: string): FlagMatch | undefined {
  const v = versionOrNewest(version)
  let fallback: FlagMatch | undefined
  for (const option of OPTIONS) {
    for (const flag of option.flags) {
      if (!matchesName(flag, name)) continue
      if (flagExistsIn(option, flag, v)) return {option, flag}
      fallback ??= {option, flag}
    }
  }
  return fallback
}

/** A dockerd flag without a daemon.json key (`--config-file`, `--validate`, `-v`, ...), by long or short name. */
export function flagOnlyFor(name: string): FlagOnlySpec | undefined {
  return FLAG_ONLY.find((only) => matchesName(only.flag, name))
}

/** Whether the flag consumes a value (`--bip X`) rather than being a switch (`--debug`). */
export function flagTakesValue(option: OptionSpec): boolean {
  return option.kind !== 'boolean' && option.kind !== 'nullable-boolean'
}

/** Every flag long name dockerd `version` accepts, mapped to what it belongs to. */
export function flagsIn(version?: string): Array<{flag: FlagSpec; option: OptionSpec | undefined}> {
  const v = versionOrNewest(version)
  const out: Array<{flag: FlagSpec; option: OptionSpec | undefined}> = []
  for (const option of OPTIONS) {
    for (const flag of option.flags) {
      if (flagExistsIn(option, flag, v)) out.push({flag, option})
    }
  }
  for (const only of FLAG_ONLY) {
    if (flagExistsIn(undefined, only.flag, v)) out.push({flag: only.flag, option: undefined})
  }
  return out
}

/** Whether dockerd `version` has the key in its skip list (`features`, `builder`, ...). */
export function inSkipList(spec: OptionSpec, version?: string): boolean {
  if (spec.skipUnknownCheck !== true) return false
  return inRange(versionOrNewest(version), spec.skipUnknownCheckSince ?? spec.added, undefined)
}

/**
 * dockerd's unknown-key rule (section 2.2) for one flattened key: known when some flag has that
 * long name, or the key is in the skip list, or it is the name of a named-option flag. Only long
 * names count (`H`, `D` are unknown) and the comparison is case-sensitive.
 * Known does not mean useful: `label` is known and ignored (see IGNORED_FLAG_NAME_KEYS). An
 * object-valued key that is not flat (`proxies`) is never checked itself: ask about its children.
 */
export function isKnownKey(key: string, version?: string): boolean {
  const v = versionOrNewest(version)
  const spec = byKey.get(key)
  if (spec !== undefined && inSkipList(spec, v)) return true
  return flagNamedKeys(v).has(key)
}

const flagNamedKeysByVersion = new Map<string, Set<string>>()

/**
 * The keys a flag of dockerd `version` names (long names, and named-option keys where the
 * conflict check uses them), built once per version: usableKeys asks isKnownKey about every
 * registry row, and walking every flag for each of them cost tens of milliseconds.
 */
function flagNamedKeys(version: string): Set<string> {
  let keys = flagNamedKeysByVersion.get(version)
  if (keys === undefined) {
    keys = new Set()
    for (const {flag} of flagsIn(version)) {
      keys.add(flag.long)
      if (flag.namedKey !== undefined && conflictName(flag, version) === flag.namedKey) keys.add(flag.namedKey)
    }
    flagNamedKeysByVersion.set(version, keys)
  }
  return keys
}

/** The accepted-but-ignored entry for `key` at `version`, if the key is such a trap. */
export function ignoredFlagNameKey(key: string, version?: string): IgnoredFlagNameKey | undefined {
  const v = versionOrNewest(version)
  return IGNORED_FLAG_NAME_KEYS.find((e) => e.key === key && inRange(v, e.since, e.until))
}

/** The section 1.6 entry for `key`, if dockerd always refuses it. */
export function rejectedStructKey(key: string): RejectedStructKey | undefined {
  return REJECTED_STRUCT_KEYS.find((e) => e.key === key)
}

/** Whether dockerd `version` leaves the key's object value whole in the conflict check. */
export function isFlat(key: string, version?: string): boolean {
  const spec = byKey.get(key)
  if (spec?.flat !== true) return false
  // default-network-opts and nri-opts became flat in the release that introduced them.
  return inRange(versionOrNewest(version), spec.added, undefined)
}

/**
 * Section 2.1 flattening, as dockerd does before its unknown-key and conflict checks: every
 * object value is replaced by its children (one level), except the values of "flat" keys.
 * Later keys overwrite earlier ones, like Go's map copy.
 */
export function flattenForConflictCheck(value: Record<string, unknown>, version?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(value)) {
    if (child !== null && typeof child === 'object' && !Array.isArray(child) && !isFlat(key, version)) {
      Object.assign(out, child)
      continue
    }
    out[key] = child
  }
  return out
}

/**
 * Life-cycle state of a key in dockerd `version`: 'not-yet' before `added`, 'removed' from
 * `removed` (refused) or `ignoredSince` (dropped), 'deprecated' from `deprecated`, else 'ok'.
 */
export function optionStatus(spec: OptionSpec, version?: string): OptionStatus {
  const v = versionOrNewest(version)
  if (spec.added !== undefined && lt(v, spec.added)) return 'not-yet'
  if (spec.removed !== undefined && gte(v, spec.removed)) return 'removed'
  if (spec.ignoredSince !== undefined && gte(v, spec.ignoredSince)) return 'removed'
  if (spec.deprecated !== undefined && gte(v, spec.deprecated)) return 'deprecated'
  return 'ok'
}

/** Version comparison for callers that gate behaviour on a dockerd version. */
export function versionAtLeast(version: string | undefined, minimum: string): boolean {
  return gte(versionOrNewest(version), minimum)
}

/**
 * Keys dockerd `version` accepts as top-level daemon.json keys and actually uses. `proxies` is
 * included although isKnownKey says no: dockerd flattens its object and checks the children.
 */
export function usableKeys(version?: string): readonly string[] {
  const v = versionOrNewest(version)
  let keys = usableKeysByVersion.get(v)
  if (keys === undefined) {
    keys = OPTIONS.filter((o) => {
      const status = optionStatus(o, v)
      if (status === 'removed' || status === 'not-yet') return false
      return isKnownKey(o.key, v) || (o.kind === 'object' && !isFlat(o.key, v))
    }).map((o) => o.key)
    usableKeysByVersion.set(v, keys)
  }
  return keys
}

// Asked once per unknown key of a file, which may have thousands.
const usableKeysByVersion = new Map<string, readonly string[]>()

/**
 * The usable key closest to a mistyped one at `version` (Levenshtein, underscores read as dashes,
 * case ignored) among those within a third of their own length of it, or undefined when none is
 * plausibly meant. Distances past that are never computed, so a 100 KB key costs no more than a
 * short one.
 */
export function closestKey(typed: string, version?: string): string | undefined {
  const normal = typed.toLowerCase().replace(/_/g, '-')
  let best: {key: string; distance: number} | undefined
  for (const key of usableKeys(version)) {
    // Only a key closer than the best so far matters.
    const limit = Math.min(Math.max(1, Math.floor(key.length / 3)), best === undefined ? Number.POSITIVE_INFINITY : best.distance - 1)
    const distance = editDistanceWithin(normal, key, limit)
    if (distance !== undefined) best = {key, distance}
  }
  return best?.key
}

/**
 * Edit distance counting a swap of two neighbours as one typo ("mut" -> "mtu"): optimal string
 * alignment, or undefined as soon as it must exceed `limit`. Only the band of cells within `limit`
 * of the diagonal can stay within it, so the work is at most (2 limit + 1) x the shorter length,
 * and none when the lengths alone differ by more. `work`, when given, counts the cells computed.
 */
export function editDistanceWithin(a: string, b: string, limit: number, work?: {cells: number}): number | undefined {
  if (limit < 0 || Math.abs(a.length - b.length) > limit) return undefined
  const far = limit + 1
  // Three rows of the table: two back (for a swap), one back, and the one being filled.
  let older = new Int32Array(b.length + 1).fill(far)
  let previous = new Int32Array(b.length + 1).fill(far)
  let current = new Int32Array(b.length + 1).fill(far)
  for (let j = 0; j <= Math.min(b.length, limit); j++) previous[j] = j
  for (let i = 1; i <= a.length; i++) {
    current.fill(far)
    current[0] = i <= limit ? i : far
    let best = current[0] as number
    for (let j = Math.max(1, i - limit); j <= Math.min(b.length, i + limit); j++) {
      if (work !== undefined) work.cells++
      let d = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (older[j - 2] as number) + 1)
      current[j] = Math.min(d, far)
      if (d < best) best = d
    }
    // Every path to the last cell crosses this row: past the limit here, past it there.
    if (best > limit) return undefined
    ;[older, previous, current] = [previous, current, older]
  }
  const distance = previous[b.length] as number
  return distance <= limit ? distance : undefined
}

// ---- value rules ------------------------------------------------------------------------------

/** Whether `version` (absent: the newest known) lies in the range. */
export function inVersions(range: VersionRange, version?: string): boolean {
  return inRange(versionOrNewest(version), range.since, range.until)
}

/** The refusal of a list that applies at `version`: the first whose range holds it. */
export function refusalAt(refused: ValueRefusal | readonly ValueRefusal[], version?: string): ValueRefusal | undefined {
  const list = (Array.isArray(refused) ? refused : [refused]) as readonly ValueRefusal[]
  return list.find((r) => inVersions(r, version))
}

/** Why dockcfg reports a value: which refusal applies, and what its placeholders refer to. */
export interface ValueVerdict {
  refusal: ValueRefusal
  /** The hint to give: the retired value's once refused, else the refusal's, else one built from the allowed values. */
  hint?: string
  /** The retired value it matched (a value-set verdict). */
  retired?: RetiredValue
  /** The range it left (a range verdict). */
  range?: IntegerRange
}

/** `use "a" or "b"` (`use "a", "b" or "c"`): the hint of a closed value set whose refusal has none. */
function allowedHint(allowed: readonly string[] | undefined): string | undefined {
  const quoted = (allowed ?? []).map((v) => JSON.stringify(v))
  if (quoted.length < 2) return quoted.length === 1 ? `use ${quoted[0]}` : undefined
  return `use ${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`
}

/**
 * The registry's verdict on a key's value at dockerd `version` (OptionSpec.values for strings,
 * OptionSpec.range for integers): undefined when nothing is to be said. The empty string always
 * passes (dockerd reads it as unset).
 */
export function valueVerdict(spec: OptionSpec, value: unknown, version?: string): ValueVerdict | undefined {
  if (typeof value === 'string' && spec.values !== undefined) {
    if (value === '') return undefined
    const set = spec.values
    const compared = set.ignoreCase === true ? value.toLowerCase() : value
    const retired = set.retired?.find((r) => r.value === compared)
    if (retired !== undefined) {
      if (!versionAtLeast(version, retired.removed)) return set.deprecated === undefined ? undefined : {refusal: set.deprecated, hint: set.deprecated.hint, retired}
      const refusal = refusalAt(set.refused, version)
      return refusal === undefined ? undefined : {refusal, hint: retired.hint ?? refusal.hint ?? allowedHint(set.allowed), retired}
    }
    if (set.allowed === undefined || set.allowed.includes(compared)) return undefined
    const refusal = refusalAt(set.refused, version)
    return refusal === undefined ? undefined : {refusal, hint: refusal.hint ?? allowedHint(set.allowed)}
  }
  if (typeof value === 'number' && spec.range !== undefined) {
    for (const range of spec.range) {
      if (!inVersions(range, version)) continue
      if (value === 0 && range.zeroIsDefault === true) continue
      if ((range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max)) continue
      const refusal = refusalAt(range.refused, version)
      return refusal === undefined ? undefined : {refusal, hint: refusal.hint, range}
    }
  }
  return undefined
}

/**
 * The values `dockcfg set KEY` can offer at `version` (absent: the newest known): a closed set's
 * values (retired ones until their removal); undefined for a key without a closed set.
 */
export function allowedValues(spec: OptionSpec, version?: string): string[] | undefined {
  const allowed = spec.values?.allowed
  if (allowed === undefined) return undefined
  const retired = (spec.values?.retired ?? []).filter((r) => !versionAtLeast(version, r.removed)).map((r) => r.value)
  return [...allowed, ...retired]
}

// ---- key attributes as lists --------------------------------------------------------------------

/** Keys whose value names a file dockerd reads while loading its configuration (OptionSpec.readsFile). */
export function fileReadingKeys(): string[] {
  return OPTIONS.filter((o) => o.readsFile === true).map((o) => o.key)
}

/** Keys whose value dockerd applies when it builds the default bridge (OptionSpec.defaultBridge). */
export function defaultBridgeKeys(): string[] {
  return OPTIONS.filter((o) => o.defaultBridge === true).map((o) => o.key)
}

/** Keys whose change moves where dockerd keeps its data (OptionSpec.movesState). */
export function stateMovingKeys(): OptionSpec[] {
  return OPTIONS.filter((o) => o.movesState !== undefined)
}

/** Keys a trial dockerd cannot judge, with the reason (OptionSpec.trialCannotJudge). */
export function trialBlindKeys(): Array<{key: string; flags: string[]; reason: string}> {
  return OPTIONS.filter((o) => o.trialCannotJudge !== undefined).map((o) => ({key: o.key, flags: o.flags.map((f) => f.long), reason: o.trialCannotJudge as string}))
}

/** Keys pointing at a resource of the host (OptionSpec.hostResource). */
export function hostResourceKeys(): string[] {
  return OPTIONS.filter((o) => o.hostResource === true).map((o) => o.key)
}

/**
 * Long names of every flag, of any version, that points at a resource of the host: the flags of
 * the hostResource keys and the hostResource flags without a key (`--config-file`).
 */
export function hostResourceFlags(): string[] {
  return [
    ...OPTIONS.filter((o) => o.hostResource === true).flatMap((o) => o.flags.map((f) => f.long)),
    ...FLAG_ONLY.filter((only) => only.hostResource === true).map((only) => only.flag.long),
  ]
}

/** Keys whose value names a file holding a secret, which output never shows. */
export function secretFileKeys(): string[] {
  return OPTIONS.filter((o) => o.secretFile === true).map((o) => o.key)
}

/** The keys of a group, in table order. */
export function groupKeys(group: OptionGroup): string[] {
  return OPTIONS.filter((o) => o.group === group).map((o) => o.key)
}
