import type {ApplyResult} from '../apply/plan.js'
import {UsageError} from '../core/errors.js'
import type {Finding} from '../core/findings.js'
import type {KeyChange} from '../daemon-config/edit.js'
import type {Activation} from '../daemon-config/plan-edit.js'
import {unknownKey} from '../daemon-config/refusals.js'
import {valueFromJson, valueFromWords} from '../daemon-config/values.js'
import {findOption} from '../registry/index.js'
import type {OptionSpec} from '../registry/types.js'
import type {System} from '../system/index.js'
import {planKeyChanges, reportedWarnings} from './key-changes.js'
import {onEffectiveTree, type OperationRequest, runChange} from './pipeline.js'

/** The typed result of `set` and `unset` (also their --json output). */
export interface ChangeKeysResult extends ApplyResult {
  /** The daemon.json dockerd reads. */
  file: string
  changedKeys: string[]
  /** What the change needs from dockerd: nothing, a reload (SIGHUP) or a restart. */
  activation: Activation
  /** Warnings the change introduces (errors refuse the change before this point). */
  findings: Finding[]
  /** One sentence per decision: how a key also on dockerd's command line was given one owner (apply: also listeners removed, certificates issued). */
  actions: string[]
  dockerdVersion: string | undefined
}

/**
 * `dockcfg set KEY VALUE...`: the value typed by the key's registry entry, from words or JSON.
 * `dockcfg set K=V [K:=JSON]...` (the first argument holds `=`): several keys as one change.
 */
export async function runSet(
  system: System,
  request: Omit<OperationRequest, 'command'> & {key: string; words: string[]; jsonValue: string | undefined},
): Promise<ChangeKeysResult> {
  if (request.key.includes('=')) {
    if (request.jsonValue !== undefined) throw new UsageError('--json-value is for one key: in KEY=VALUE form give a JSON value as KEY:=JSON')
    const argv = [request.key, ...request.words]
    return changeKeys(system, {...request, command: ['dockcfg', 'set', ...argv].join(' ')}, keyValuePairs(argv))
  }
  const spec = requireOption(request.key)
  const {words, jsonValue} = request
  if (jsonValue !== undefined && words.length > 0) throw new UsageError('give the value either as words or with --json-value, not both')
  if (jsonValue === undefined && words.length === 0) throw new UsageError(`no value given for ${spec.key}`, {remedy: `dockcfg keys ${spec.key} shows its type`})
  const value = jsonValue === undefined ? valueFromWords(spec, words) : valueFromJson(spec.key, jsonValue)
  // The words as given (--json-value is not among them), as the backup manifest and the drop-in header record them.
  const argv = [request.key, ...words]
  return changeKeys(system, {...request, command: ['dockcfg', 'set', ...argv].join(' ')}, [{key: spec.key, value}])
}

/** `dockcfg unset KEY`. Any key may be removed, one dockerd does not know included: that is how such a file is repaired. */
export async function runUnset(system: System, request: Omit<OperationRequest, 'command'> & {key: string}): Promise<ChangeKeysResult> {
  return changeKeys(system, {...request, command: `dockcfg unset ${request.key}`}, [{key: request.key, value: undefined}])
}

/**
 * Plans a change to daemon.json keys, gives a key also on the command line one owner (as `fix`
 * does) and applies it through the pipeline. Throws InvalidConfigError (exit 3, nothing written)
 * when dockerd would refuse the result.
 */
async function changeKeys(system: System, request: OperationRequest, keyChanges: KeyChange[]): Promise<ChangeKeysResult> {
  return runChange(system, onEffectiveTree(request), {
    plan: async (tree) => {
      const {current} = tree
      // Removing a key dockerd does not know is how such a file is repaired; one that is not in the
      // file either is a typo ("unset mut"), not a successful no-op.
      for (const change of keyChanges) {
        if (change.value === undefined && findOption(change.key) === undefined && !Object.hasOwn(current.config, change.key)) throw unknownKey(change.key)
      }
      const plan = await planKeyChanges(system, tree, {changes: keyChanges, command: request.command})
      const findings = reportedWarnings(plan.introduced)
      return {...plan, findings, notes: {findings, actions: plan.actions}}
    },
    result: (applied, plan, tree) => changeKeysResult(applied, plan, tree),
  })
}

/** The result of a change to daemon.json keys: the engine's, with what was planned (set, unset, apply). */
export function changeKeysResult(
  applied: ApplyResult,
  plan: Pick<ChangeKeysResult, 'changedKeys' | 'activation' | 'findings' | 'actions'>,
  tree: {current: {configFile: string}; version: string | undefined},
): ChangeKeysResult {
  return {
    ...applied,
    file: tree.current.configFile,
    changedKeys: plan.changedKeys,
    activation: plan.activation,
    findings: plan.findings,
    actions: plan.actions,
    dockerdVersion: tree.version,
  }
}

/**
 * `KEY=VALUE` pairs: VALUE is typed as the one word of `set KEY VALUE` would be (a list splits at
 * commas, a map takes NAME=VALUE: `log-opts=max-size=10m`); `KEY:=JSON` takes any JSON, as --json-value.
 */
export function keyValuePairs(argv: readonly string[]): KeyChange[] {
  const seen = new Set<string>()
  return argv.map((arg) => {
    const eq = arg.indexOf('=')
    if (eq === -1) throw new UsageError(`"${arg}" is not KEY=VALUE: once the first argument is a pair, every argument is one`, {remedy: 'dockcfg set bip=192.168.42.1/24 mtu=1400'})
    const json = arg[eq - 1] === ':'
    const key = arg.slice(0, json ? eq - 1 : eq)
    if (key === '') throw new UsageError(`"${arg}" names no key`)
    if (seen.has(key)) throw new UsageError(`${key} is given twice`)
    seen.add(key)
    const text = arg.slice(eq + 1)
    return {key, value: json ? valueFromJson(requireOption(key).key, text) : valueFromWords(requireOption(key), [text])}
  })
}

/** Looks a key up for `set`, refusing keys dockerd does not know. */
function requireOption(key: string): OptionSpec {
  const spec = findOption(key)
  if (spec === undefined) throw unknownKey(key)
  return spec
}
