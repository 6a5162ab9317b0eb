import type {Finding} from '../core/findings.js'
import {NEWEST_KNOWN_VERSION, normalizeVersion} from '../registry/index.js'
import type {ParsedDaemonJson} from './parse.js'
import {addressPoolRules} from './rules/address-pools.js'
import {bridgeRules, bridgeV6Rules, mtuRule} from './rules/bridge.js'
import {containerdNamespaceRule, nriOptsRules} from './rules/containerd.js'
import {type Locate, type Located, type Rule, RuleContext} from './rules/context.js'
import {dnsRules} from './rules/dns.js'
import {cgroupParentRule, execOptsRules} from './rules/exec-opts.js'
import {firewallRules} from './rules/firewall.js'
import {hostRules} from './rules/hosts.js'
import {checkKeys} from './rules/keys.js'
import {labelRules} from './rules/labels.js'
import {logOptsRules} from './rules/log-opts.js'
import {miscRules} from './rules/misc.js'
import {registryRules} from './rules/registries.js'
import {registryValueRules} from './rules/registry-values.js'
import {runtimeRules} from './rules/runtimes.js'
import {fileEntries, flagEntry, type Value} from './rules/value.js'
import {zeroValueRule} from './rules/zero-values.js'

export interface ValidateOptions {
  /** Installed (or target) dockerd version; undefined validates for the newest known and says so. */
  dockerdVersion?: string | undefined
}

/**
 * The rule families, in the order they run, after the key stage (rules/keys.ts) has typed every
 * key. Each reads `ctx.typed`; two also read what ran before them, through `ctx.hasError`:
 * - logOptsRules skips the options when "log-driver" has an error: one from the key stage (a
 *   wrong type) or from registryValueRules (a retired driver), which therefore runs first;
 * - zeroValueRule, last, says "zero means the default" only of a key without an error from any
 *   rule before it.
 * mtuRule asks the registry for its verdict itself rather than reading registryValueRules'
 * findings. The other families are independent of each other: their order is only the order in
 * which findings at the same position are listed.
 */
const RULES: readonly Rule[] = [
  registryValueRules,
  bridgeRules,
  bridgeV6Rules,
  mtuRule,
  dnsRules,
  addressPoolRules,
  labelRules,
  registryRules,
  logOptsRules,
  hostRules,
  firewallRules,
  execOptsRules,
  runtimeRules,
  cgroupParentRule,
  containerdNamespaceRule,
  nriOptsRules,
  miscRules,
  zeroValueRule,
]

/**
 * Checks decoded daemon.json against everything dockerd `version` would refuse or silently
 * ignore, at config load or only at start (dockerd-options.md sections 1-2). Syntax findings are
 * the parser's job and are not repeated; an undecodable file yields only the version notice.
 */
export function validateDaemonConfig(parsed: ParsedDaemonJson, options: ValidateOptions = {}): Finding[] {
  const ctx = new RuleContext(versionFor(options.dockerdVersion), fileLocator(parsed), ({finding}) => [finding.line ?? 0, finding.column ?? 0])
  versionNotice(ctx, options.dockerdVersion)
  const tree = parsed.tree
  if (parsed.decodable && tree !== undefined && tree.type === 'object') run(ctx, fileEntries(tree, parsed.text))
  return ctx.found.map((l) => l.finding).sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
}

/** Syntax and semantic findings of a parsed daemon.json together, in file order. */
export function daemonJsonFindings(parsed: ParsedDaemonJson, dockerdVersion: string | undefined): Finding[] {
  const semantic = parsed.decodable ? validateDaemonConfig(parsed, {dockerdVersion}) : []
  return [...parsed.findings, ...semantic].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
}

/**
 * The same rules over the configuration dockerd merges: a decodable daemon.json plus, for each
 * key the file does not set, the value of its command-line flags (as src/effective/flag-values.ts
 * builds it). Findings carry no position: the caller places each at its flag or file key. They are
 * listed as the merged configuration would list them, file keys first, then the flags in the order given.
 */
export function validateMerged(parsed: ParsedDaemonJson, flags: ReadonlyArray<{key: string; value: unknown}>, dockerdVersion: string | undefined): Located[] {
  const file = parsed.tree?.type === 'object' ? fileEntries(parsed.tree, parsed.text) : []
  const inFile = new Set(Object.keys(parsed.value))
  const added = flags.filter((f) => !inFile.has(f.key))
  const rank = new Map([...Object.keys(parsed.value), ...added.map((f) => f.key)].map((key, i) => [key, i]))
  const where = (l: Located): [number, number] => (l.at === undefined ? [-1, 0] : [rank.get(l.at.top) ?? -1, l.at.order])
  const ctx = new RuleContext(versionFor(dockerdVersion), () => ({}), where)
  versionNotice(ctx, dockerdVersion)
  run(ctx, [...file, ...added.map((f) => flagEntry(f.key, f.value))])
  return ctx.found
    .map((l) => ({l, w: where(l)}))
    .sort((a, b) => a.w[0] - b.w[0] || a.w[1] - b.w[1])
    .map(({l}) => l)
}

/**
 * The locator for daemon.json: a place in the file is its line and column. (Flag values have no
 * place in the file: validateMerged's findings are placed at the flag by their key's origin.)
 */
function fileLocator(parsed: ParsedDaemonJson): Locate {
  return (at) => (at?.node === undefined ? {file: parsed.file} : {file: parsed.file, ...parsed.position(at.node.offset)})
}

function run(ctx: RuleContext, entries: readonly Value[]): void {
  checkKeys(ctx, entries)
  for (const rule of RULES) rule(ctx)
}

function versionFor(requested: string | undefined): string {
  return (requested === undefined ? undefined : normalizeVersion(requested)) ?? NEWEST_KNOWN_VERSION
}

function versionNotice(ctx: RuleContext, requested: string | undefined): void {
  if (requested === undefined) {
    ctx.report({
      code: 'version-assumed',
      severity: 'info',
      message: `no dockerd version given: validated for dockerd ${NEWEST_KNOWN_VERSION}, the newest known`,
      hint: 'pass the installed version to get version-specific results',
    })
  } else if (normalizeVersion(requested) === undefined) {
    ctx.report({
      code: 'version-assumed',
      severity: 'warning',
      message: `"${requested}" is not a dockerd version: validated for dockerd ${NEWEST_KNOWN_VERSION}, the newest known`,
    })
  }
}
