import {randomBytes} from 'node:crypto'
import * as path from 'node:path'

import {type ParsedDockerdArgv, parseDockerdArgv} from '../dockerd/argv.js'
import {stringifyJson} from '../json/stringify.js'
import {hostResourceFlags, hostResourceKeys, trialBlindKeys, versionAtLeast} from '../registry/index.js'
import type {System} from '../system/index.js'
import type {RunningProcess} from '../system/process.js'
import type {PreflightOutcome, TreeView} from './plan.js'
import {checkListenAddresses} from './listen-addresses.js'
import {checkListeners} from './listeners.js'

const TRIAL_TIMEOUT_MS = 30_000

/**
 * Flags that point at host resources (OptionSpec/FlagOnlySpec.hostResource); the trial replaces them
 * with scratch ones. And --validate: the trial decides itself what dockerd does (it must start).
 */
const TRIAL_REPLACED_FLAGS = new Set([...hostResourceFlags(), 'validate'])
/** The same, as daemon.json keys. */
const TRIAL_REPLACED_KEYS = hostResourceKeys()
/** Keys (and their flags) the trial leaves out because it cannot judge them (OptionSpec.trialCannotJudge). */
const TRIAL_BLIND = trialBlindKeys()

/**
 * Throws InvalidConfigError (exit 3) when a `tcp://` address of `hosts` is on no interface of this
 * host (listen-addresses.ts) or another process holds it (listeners.ts); otherwise asks dockerd.
 * `reloadOnly`: the change reaches a running dockerd by SIGHUP alone (see reloadJudgesItself), so
 * where only a trial start could ask (dockerd < 23), the reload itself is dockerd's verdict.
 * `defer`: takes over the trial's teardown once its verdict is in (else it is awaited here).
 */
export async function preflight(
  system: System,
  candidate: Pick<TreeView, 'configText' | 'execArgv' | 'dockerdVersion' | 'hosts'>,
  options: {reloadOnly?: boolean; defer?: Defer} = {},
): Promise<PreflightOutcome> {
  await checkListenAddresses(system, candidate)
  const note = await checkListeners(system, candidate.hosts)
  const outcome = await askDockerd(system, candidate, options)
  return note === undefined ? outcome : {...outcome, detail: `${outcome.detail}; ${note}`}
}

async function askDockerd(
  system: System,
  candidate: Pick<TreeView, 'configText' | 'execArgv' | 'dockerdVersion'>,
  options: {reloadOnly?: boolean; defer?: Defer},
): Promise<PreflightOutcome> {
  const argv = candidate.execArgv
  if (argv === null || argv.length === 0) return {method: 'skipped', ok: true, detail: 'no ExecStart to validate against'}
  const parsed = parseDockerdArgv(argv, candidate.dockerdVersion)
  if (parsed.form === 'unrecognised') return {method: 'skipped', ok: true, detail: parsed.warnings.join('; ')}
  const version = candidate.dockerdVersion
  if (version !== undefined && versionAtLeast(version, '23.0.0')) return validateWithDockerd(system, argv, parsed, candidate.configText)
  if (options.reloadOnly === true) return {method: 'skipped', ok: true, detail: RELOAD_JUDGES}
  return trialStart(system, argv, parsed, candidate.configText, options.defer)
}

export const RELOAD_JUDGES = 'no trial start: a change applied by SIGHUP alone is checked by dockerd itself, which keeps its running configuration when it refuses it'

/**
 * Reload-only keys whose SIGHUP can fail *after* other settings of the same file were applied
 * (dockerd < 25 has no reload transaction: daemon.Reload applies debug, labels, ... and only then
 * fails on registries or runtimes, "Error reconfiguring the daemon"), or whose failure stops
 * dockerd (an authorization plugin that fails lookup is logged at fatal level). A change to one
 * of them keeps its trial start: the trial refuses the value before anything is written.
 */
const RELOAD_FAILS_PARTWAY = new Set(['registry-mirrors', 'insecure-registries', 'allow-nondistributable-artifacts', 'runtimes', 'default-runtime', 'authorization-plugins'])

/**
 * Whether a reload-only change may go without a trial start: every changed key is checked by
 * dockerd's configuration loading (config.Reload: JSON, unknown keys, flag conflicts, values) before
 * anything is applied, so a refused reload leaves dockerd exactly as it was, and the engine sees the
 * refusal in the journal and puts the files back (apply.ts, reload()).
 */
export function reloadJudgesItself(changedKeys: readonly string[]): boolean {
  return changedKeys.length > 0 && changedKeys.every((k) => !RELOAD_FAILS_PARTWAY.has(k))
}

/** A fresh directory under /run/dockcfg, root-only (0700) unless `mode` says otherwise. */
export async function scratchDir(system: System, prefix: string, mode = 0o700): Promise<string> {
  const dir = `/run/dockcfg/${prefix}-${randomBytes(4).toString('hex')}`
  await system.fs.mkdirp(dir, mode)
  return dir
}

async function validateWithDockerd(system: System, argv: readonly string[], parsed: ParsedDockerdArgv, configText: string): Promise<PreflightOutcome> {
  const dir = await scratchDir(system, 'validate')
  try {
    const config = `${dir}/daemon.json`
    await system.fs.writeAtomic(config, configText, {mode: 0o600})
    const flags = argv.slice(parsed.argsStart).filter((_, i) => !isConfigFileWord(parsed, i + parsed.argsStart))
    const result = await system.processes.run(argv[0] as string, ['--validate', '--config-file', system.fs.hostPath(config), ...flags], {timeoutMs: 30_000})
    const text = `${result.stderr}${result.stdout}`.trim()
    return {method: 'validate', ok: result.exitCode === 0, detail: result.exitCode === 0 ? 'configuration OK' : lastMeaningfulLine(text)}
  } finally {
    await system.fs.remove(dir)
  }
}

function isConfigFileWord(parsed: ParsedDockerdArgv, index: number): boolean {
  return parsed.flags.some((f) => f.name === 'config-file' && index >= f.index && index < f.index + f.span)
}

/**
 * The trial's scratch layout: `dir` is 0711 (enter, not list) because with userns-remap dockerd
 * makes its root <data-root>/<uid>.<gid> and refuses to start unless the remapped root can pass
 * through every directory above it (daemon/daemon_unix.go setupDaemonRoot: "a subdirectory in your
 * graphroot path (...) restricts access to the remapped root uid/gid"). A 0700 scratch directory
 * made the trial refuse `userns-remap default`, which the real dockerd starts with (issue 9 item
 * 19). The configuration, socket and PID file stay in a 0700 `private` directory inside.
 */
async function trialStart(system: System, argv: readonly string[], parsed: ParsedDockerdArgv, configText: string, defer?: Defer): Promise<PreflightOutcome> {
  const dir = await scratchDir(system, 'trial', 0o711)
  const privateDir = `${dir}/private`
  const netns = `dockcfg-trial-${randomBytes(3).toString('hex')}`
  const host = (p: string) => system.fs.hostPath(p)
  let netnsAdded = false
  let child: RunningProcess | undefined
  const teardown = async () => {
    if (child !== undefined) {
      child.kill('SIGTERM')
      // A timer of its own (cleared at once), not clock.sleep: a pending 10 s sleep kept the
      // whole CLI alive for 10 s after every apply had finished.
      await settledWithin(child.ended, 10_000)
      child.kill('SIGKILL')
      await child.ended
    }
    if (netnsAdded) {
      await system.processes.run('ip', ['netns', 'delete', netns], {timeoutMs: 10_000})
      // dockerd bind-mounts its data-root onto itself; unmount before deleting the scratch tree.
      await system.processes.run('umount', ['--recursive', '--lazy', host(`${dir}/data`)], {timeoutMs: 10_000})
      await system.processes.run('umount', ['--recursive', '--lazy', host(`${dir}/exec`)], {timeoutMs: 10_000})
    }
    await system.fs.remove(dir)
  }
  let handedOver = false
  try {
    await system.fs.mkdirp(privateDir, 0o700)
    const trial = trialCandidate(configText, argv, parsed)
    if (trial.usernsRemap) {
      const closed = await closedAncestor(system, dir)
      if (closed !== undefined) {
        return {
          method: 'skipped',
          ok: true,
          detail: `trial start not possible: with userns-remap the remapped root must pass through ${closed} (o+x), which it cannot; the restart and its rollback decide`,
        }
      }
    }
    await system.fs.writeAtomic(`${privateDir}/daemon.json`, stringifyJson(trial.config), {mode: 0o600})
    const notJudged =
      trial.notJudged.length === 0 ? '' : `; not judged by the trial: ${trial.notJudged.map((b) => `${b.key} (${b.reason})`).join(', ')}: the restart and its rollback decide`
    const add = await system.processes.run('ip', ['netns', 'add', netns], {timeoutMs: 10_000})
    if (add.exitCode !== 0) return {method: 'skipped', ok: true, detail: `trial start not possible (ip netns add: ${add.stderr.trim()})`}
    netnsAdded = true
    // nsenter --net, not `ip netns exec`: the latter remounts /sys and dockerd then cannot find its cgroups.
    const args = [
      `--net=/var/run/netns/${netns}`,
      argv[0] as string,
      '--config-file',
      host(`${privateDir}/daemon.json`),
      '--data-root',
      host(`${dir}/data`),
      '--exec-root',
      host(`${dir}/exec`),
      '--pidfile',
      host(`${privateDir}/docker.pid`),
      '-H',
      `unix://${host(`${privateDir}/docker.sock`)}`,
      ...trial.flags,
    ]
    const started = system.processes.start('nsenter', args, {timeoutMs: TRIAL_TIMEOUT_MS})
    child = started
    const api = await system.docker(`${privateDir}/docker.sock`, 1000)
    const deadline = system.clock.now().getTime() + TRIAL_TIMEOUT_MS
    // Looks come quickly at first and back off: the trial is up in about half a second.
    for (let pause = 20; !started.hasEnded() && system.clock.now().getTime() < deadline; pause = Math.min(pause * 2, 160)) {
      if (await api.ping()) {
        // The verdict is in. Stopping the trial dockerd and removing its traces takes a while
        // (its shutdown, the netns, two unmounts): the caller may let that run alongside its
        // next steps, which share nothing with the trial's namespace and scratch directory.
        if (defer !== undefined) {
          handedOver = true
          defer(teardown())
        }
        return {method: 'trial-start', ok: true, detail: `a trial dockerd started with this configuration${notJudged}`}
      }
      await system.clock.sleep(pause)
    }
    if (!started.hasEnded()) {
      started.kill('SIGKILL')
      await started.ended
      return {method: 'trial-start', ok: false, detail: `a trial dockerd did not come up within ${TRIAL_TIMEOUT_MS / 1000} s: ${lastMeaningfulLine(started.output())}`}
    }
    return {method: 'trial-start', ok: false, detail: lastMeaningfulLine(started.output())}
  } finally {
    if (!handedOver) await teardown()
  }
}

/** Takes over work that must finish before the command ends, but not before its next step. */
export type Defer = (work: Promise<void>) => void

/**
 * What the trial dockerd gets: the candidate without what points at the host's resources (scratch
 * ones replace them) and without what the trial cannot judge (named in `notJudged`).
 */
export function trialCandidate(
  configText: string,
  argv: readonly string[],
  parsed: ParsedDockerdArgv,
): {config: Record<string, unknown>; flags: string[]; notJudged: Array<{key: string; reason: string}>; usernsRemap: boolean} {
  const config = JSON.parse(configText.trim() === '' ? '{}' : configText.replace(/^\ufeff/, '')) as Record<string, unknown>
  const argvFlags = new Set(parsed.flags.map((f) => f.name))
  const blind = TRIAL_BLIND.filter((b) => config[b.key] !== undefined || b.flags.some((f) => argvFlags.has(f)))
  const usernsRemap = (typeof config['userns-remap'] === 'string' && config['userns-remap'] !== '') || argvFlags.has('userns-remap')
  for (const key of [...TRIAL_REPLACED_KEYS, ...blind.map((b) => b.key)]) delete config[key]
  const dropped = new Set([...TRIAL_REPLACED_FLAGS, ...blind.flatMap((b) => b.flags)])
  const flags = argv.slice(parsed.argsStart).filter((_, offset) => {
    const index = offset + parsed.argsStart
    const flag = parsed.flags.find((f) => index >= f.index && index < f.index + f.span)
    return flag === undefined || !dropped.has(flag.name)
  })
  return {config, flags, notJudged: blind.map((b) => ({key: b.key, reason: b.reason})), usernsRemap}
}

/** The first directory above `dir` (tree path) that others cannot pass through (no o+x), if any. */
async function closedAncestor(system: System, dir: string): Promise<string | undefined> {
  for (let d = path.posix.dirname(dir); ; d = path.posix.dirname(d)) {
    const info = await system.fs.stat(d)
    if (info !== undefined && (info.mode & 0o001) === 0) return d
    if (d === '/') return undefined
  }
}

/** Resolves when `promise` settles or after `ms`, whichever comes first, leaving no timer behind. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      promise.then(
        () => undefined,
        () => undefined,
      ),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** dockerd's decisive line: the last error/fatal log line, else the last line. */
export function lastMeaningfulLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
  const decisive = [...lines].reverse().find((l) => /level=(fatal|error)|unable to configure|failed to start daemon|^Error/i.test(l))
  const line = decisive ?? lines.at(-1) ?? 'dockerd exited without a message'
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(line)
  return msg ? (msg[1] as string).replace(/\\"/g, '"') : line
}
