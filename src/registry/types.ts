import type {JsonValue} from '../json/value.js'

/**
 * Shape of one row of the option registry: everything dockcfg knows about one daemon.json key.
 * The table itself (options.ts) is the single source of truth: validation, conflict detection,
 * `dockcfg keys`, value parsing for `set`, completion and help all read it.
 */

/**
 * How the value is typed in daemon.json, and how `dockcfg set KEY VALUE...` parses its words.
 * - string / boolean / integer: one word.
 * - nullable-boolean: a boolean whose mere presence matters to dockerd (tls, tlsverify).
 * - string-list: every word is one entry (`set dns 1.1.1.1 8.8.8.8`).
 * - string-map: words are k=v (`set log-opts max-size=10m`), JSON values are strings.
 * - bool-map: words are name[=bool] (`set features cdi=true`).
 * - address-pools: words are base=CIDR,size=N.
 * - ulimits: words are name=soft[:hard].
 * - runtimes: words are name=path.
 * - nested-map: words are driver=opt=value (default-network-opts).
 * - object: a structured object; only --json-value sets it (builder, proxies, nri-opts get k=v).
 */
export type ValueKind =
  'string' | 'boolean' | 'nullable-boolean' | 'integer' | 'string-list' | 'string-map' | 'bool-map' | 'address-pools' | 'ulimits' | 'runtimes' | 'nested-map' | 'object'

/** What SIGHUP (`systemctl reload docker`) does for the key. */
export type ReloadBehaviour =
  /** Not reloadable: needs a restart. */
  | 'no'
  /** Reloaded on SIGHUP (documented or in code). */
  | 'yes'

/** When dockerd notices an invalid value: while loading config (--validate sees it) or only at start. */
export type CheckedAt = 'config' | 'start' | 'none'

export interface FlagSpec {
  /** Long flag name without dashes, e.g. `host`, `bip`, `log-opt`. */
  long: string
  /** One-letter shorthand without the dash, e.g. `H`. */
  short?: string
  /** The flag may be given several times, each adding an entry. */
  repeatable?: boolean
  /**
   * For dockerd's "named options" (list/map flags) the conflict check compares this name, not the
   * flag's own: `--host` -> `hosts`, `--log-opt` -> `log-opts`.
   */
  namedKey?: string
  /** Version range in which the flag exists, when narrower than the key's. */
  since?: string
  until?: string
  /**
   * First version in which the flag is a named option (dockerd 29 made `--dns` one). Before it the
   * flag is compared by its own name, which for `dns` gives the same answer.
   */
  namedSince?: string
}

/**
 * A dockerd command-line flag that no daemon.json key corresponds to (`--config-file`,
 * `--validate`, ...). Listed so an argv parser recognises every flag dockerd accepts.
 */
export interface FlagOnlySpec {
  flag: FlagSpec
  /** false for boolean switches (`--validate`), true when the flag consumes a value. */
  takesValue: boolean
  /** Points at a resource of the host, as OptionSpec.hostResource (`--config-file`). */
  hostResource?: boolean
  description: string
}

/** A key backed by a struct field but with no matching flag, so dockerd always refuses it (section 1.6). */
export interface RejectedStructKey {
  key: string
  /** What the user can do instead. */
  hint: string
}

/**
 * A key equal to a flag's long name but with no JSON field behind it: it passes dockerd's
 * unknown-key check and is then dropped without a word (section 1.7).
 */
export interface IgnoredFlagNameKey {
  key: string
  /** The key (or `proxies.<child>`) the user most likely meant; absent when no key can do it. */
  meant?: string
  /** Version range in which the flag, and so the trap, exists. */
  since?: string
  until?: string
  note: string
}

/** Part of dockerd's versions, [since, until); an absent end is open. */
export interface VersionRange {
  since?: string
  until?: string
}

/**
 * The finding for a value dockerd refuses, or (severity warning) accepts but fails on later. Where
 * a list of them is allowed, each covers some versions and the one whose range holds the target
 * version applies (the registry test checks that exactly one does for every version of the key).
 */
export interface ValueRefusal extends VersionRange {
  /** Finding code: stable, scripts match on it. */
  code: string
  /** Absent: error. */
  severity?: 'error' | 'warning'
  /** When dockerd notices: while loading its configuration (--validate sees it) or only at start. */
  checkedAt: 'config' | 'start'
  /**
   * The finding's message, quoting dockerd's own error text where it has one. Placeholders:
   * {key} the key in double quotes, {value} the value (JSON for strings), {raw} the value as
   * written, {dockerd} "dockerd X.Y.Z" (the version validated for), {removed} the version that
   * dropped a retired value, {min} and {max} the bounds of a range.
   */
  message: string
  /**
   * What to do instead. Absent: none for a range; for a value set `use "a" or "b"`, built from
   * the allowed values.
   */
  hint?: string
}

/** A value dockerd accepted once for the key and refuses from `removed`. */
export interface RetiredValue {
  value: string
  /** First dockerd version that refuses it. */
  removed: string
  /** Replaces the refusal's hint once the value is refused, e.g. naming its successor. */
  hint?: string
}

/**
 * The values dockerd accepts for a string key. The empty string always passes (dockerd reads it
 * as unset: the default applies), so it is never listed.
 */
export interface ValueSet {
  /** The closed set of values; absent when other values work too (a storage driver or snapshotter). */
  allowed?: readonly string[]
  /** Values dockerd dropped, kept apart so the finding can say when (and, before that, warn). */
  retired?: readonly RetiredValue[]
  /** dockerd lower-cases the value before comparing (log-level); the listed values are lower case. */
  ignoreCase?: boolean
  /** A value outside `allowed`, or a retired value from its removal on. */
  refused: ValueRefusal | readonly ValueRefusal[]
  /** A retired value before its removal; absent: accepted without a word. */
  deprecated?: ValueRefusal
}

/**
 * Bounds of an integer key's value, for the versions in [since, until). A key may list several:
 * they are checked in order and only the first one violated is reported.
 */
export interface IntegerRange extends VersionRange {
  min?: number
  max?: number
  /** 0 passes whatever the bounds: dockerd replaces it by the default before anything uses it. */
  zeroIsDefault?: boolean
  /** Whose limit it is when not dockerd's own check (shown by `dockcfg keys`). */
  note?: string
  refused: ValueRefusal | readonly ValueRefusal[]
}

/**
 * What moving a key's value does to dockerd's data. Placeholders: {from} and {to} the values
 * before and after, {dataRoot} the data-root after.
 */
export interface StateMove {
  /** What becomes invisible, and where it stays. */
  effect: string
  /** How to carry it over. */
  carry: string
  /** Only this entry of a map key moves state (`features` → `containerd-snapshotter`). */
  entry?: string
}

/** Keys that belong together for a feature of dockcfg's (`remote enable` owns the tls group). */
export type OptionGroup = 'tls'

export interface OptionSpec {
  key: string
  kind: ValueKind
  /** Flags that set the same setting on dockerd's command line (may be empty: file-only keys). */
  flags: readonly FlagSpec[]
  reload: ReloadBehaviour
  /** Free-text qualifier of the reload behaviour, e.g. "only when present in the file". */
  reloadNote?: string
  /** First dockerd version with the key (semver, e.g. "28.0.0"). Absent: 20.10 or older. */
  added?: string
  /** Version that deprecated the key (still accepted, warns). */
  deprecated?: string
  /** First version that refuses the key (unknown directive or hard error). */
  removed?: string
  /**
   * First version that accepts the key but drops its value (struct field gone, key kept known via
   * the skip list). optionStatus reports such keys as 'removed'.
   */
  ignoredSince?: string
  /** What the replacement is, for deprecated/removed keys. */
  replacement?: string
  /** dockerd's default, as it would appear in daemon.json (for `get` and `show`). */
  defaultValue?: JsonValue
  /** When dockerd checks the value; drives the "--validate cannot catch this" warnings. */
  checkedAt: CheckedAt
  /** Networking-relevant (bridge, DNS, firewall). */
  network?: boolean
  /** Exempt from dockerd's unknown-key check (features, builder, ...). */
  skipUnknownCheck?: boolean
  /** First version whose skip list holds the key, when later than `added` (allow-nondistributable-artifacts). */
  skipUnknownCheckSince?: string
  /** Object value that dockerd does not flatten for the conflict check (log-opts, runtimes, ...). */
  flat?: boolean
  /** The only key dockerd lets appear as flag and in the file at once: runtimes. */
  conflictExempt?: boolean
  /** Where the live value can be read back after an apply (see dockerd-options.md section 5). */
  observable?: string
  /** The values a string key takes: a closed set and/or values dockerd dropped. Only on kind string. */
  values?: ValueSet
  /** Bounds of an integer key's value, by version. Only on kind integer. */
  range?: readonly IntegerRange[]
  /**
   * The value names a file dockerd reads while loading its configuration (TLS material, the
   * seccomp profile): the file must exist before dockerd (or its --validate) sees the key.
   */
  readsFile?: boolean
  /**
   * The value points at a resource of the host (API sockets, data and exec roots, PID file,
   * containerd): a second dockerd, such as a trial start, must not share it.
   */
  hostResource?: boolean
  /**
   * dockerd applies the value when it builds the default bridge network at start
   * (daemon/daemon_unix.go configureNetworking/initBridgeDriver; iptables: the bridge driver
   * programs each network's rules when it creates it), which it skips while containers kept
   * running by live-restore are alive (initNetworkController: "there are running containers,
   * updated network configuration will not take affect").
   */
  defaultBridge?: boolean
  /**
   * Changing the value moves where dockerd keeps images, containers and volumes: after the restart
   * they seem gone (they are still on disk, where dockerd no longer looks). dockcfg warns, asks for
   * confirmation on the live host and says how to carry the data over.
   */
  movesState?: StateMove
  /**
   * Why a trial dockerd (preflight on dockerd < 23: scratch directories under /run, its own network
   * namespace) cannot judge the value: what it depends on is only on the real host. The trial
   * leaves the key out and says so; the real start and its rollback decide.
   */
  trialCannotJudge?: string
  /** Keys that belong together: the tls group is what `remote enable` owns. */
  group?: OptionGroup
  /** The value names a file that holds a secret (a private key): output never shows its content. */
  secretFile?: boolean
  /** One-line description for `keys` and help. */
  description: string
}
