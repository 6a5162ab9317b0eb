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
  defaultValue?: unknown
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
  /** One-line description for `keys` and help. */
  description: string
}
