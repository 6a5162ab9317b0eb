/**
 * Fakes for the apply engine's seams: a simulated docker.service (systemd's view) and dockerd (the
 * Engine API), a virtual clock, and a process runner for `dockerd --validate` and `ip`. They are
 * strict: a call the test did not allow throws (and is remembered, in case the engine swallows the
 * error), and `verify()` fails when a call the test expected never happened.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {expect} from 'vitest'

import type {ApplyOptions, ApplyResult, Inspector, TreeView} from '../../../src/apply/plan.js'
import type {RestartResult} from '../../../src/apply/restart.js'
import type {AutoRollbackResult} from '../../../src/apply/rollback.js'
import {listBackups} from '../../../src/backup/backups.js'
import {DockcfgError} from '../../../src/core/errors.js'
import {type ChangePlan, type PipelineRequest, runChange} from '../../../src/operations/pipeline.js'
import {restartOnCurrentTree} from '../../../src/operations/restart.js'
import {autoRollbackOnTree, rollbackOnTree, type RollbackResult} from '../../../src/operations/rollback.js'
import type {ContainerSummary, DockerApi, DockerInfo} from '../../../src/system/docker-api.js'
import {defaultBridgeKeys} from '../../../src/registry/index.js'
import type {ServiceManager} from '../../../src/system/service-manager.js'
import {type Clock, createSystem, type FileSystem, type ProcessResult, type ProcessRunner, type System} from '../../../src/system/index.js'

export const CONFIG = '/etc/docker/daemon.json'
export const DROPIN = '/etc/systemd/system/docker.service.d/50-dockcfg.conf'

type ServiceCall = keyof ServiceManager
type DockerCall = keyof DockerApi

/** Expected calls must happen at least once; allowed calls may happen; anything else is an error. */
class Strict<Name extends string> {
  readonly calls: Name[] = []
  readonly unexpected: string[] = []
  constructor(
    private readonly what: string,
    private readonly expected: ReadonlySet<Name>,
    private readonly allowed: ReadonlySet<Name>,
  ) {}

  record(name: Name, detail = ''): void {
    this.calls.push(name)
    if (!this.expected.has(name) && !this.allowed.has(name)) {
      const message = `unexpected ${this.what} call: ${name}(${detail})`
      this.unexpected.push(message)
      throw new Error(message)
    }
  }

  problems(): string[] {
    const missing = [...this.expected].filter((n) => !this.calls.includes(n)).map((n) => `expected ${this.what} call never happened: ${n}`)
    return [...this.unexpected, ...missing]
  }
}

export type StartOutcome = 'ok' | 'fail'
export type ReloadOutcome = 'ok' | 'refused'

export interface Container {
  id: string
  name: string
  /** HostConfig.NetworkMode; absent: "default". */
  networkMode?: string
}

/**
 * One simulated host: docker.service's unit state and journal, dockerd's live configuration (read
 * from the tree's daemon.json at each start or accepted reload), running containers, timers.
 */
export class FakeHost {
  readonly root = mkdtempSync(join(tmpdir(), 'dockcfg-apply-'))
  readonly fs: FileSystem
  now = Date.parse('2026-11-27T12:00:00Z')
  active = true
  failedState = false
  mainPid = 1000
  invocation = 1
  journalLines: Array<{cursor: number; invocation: number; text: string}> = []
  /** What dockerd runs with: the daemon.json it last loaded, on top of its command-line flags. */
  live: Record<string, unknown> = {}
  /** Settings dockerd's command line gives (as daemon.json would hold them). */
  flags: Record<string, unknown> = {}
  /** Keys dockerd silently does not apply (to provoke a verification mismatch). */
  ignoredKeys = new Set<string>()
  containers: Container[] = []
  /** Containers stopped through the API, which can be started again. */
  stoppedContainers: Container[] = []
  /** Ids whose start through the API fails. */
  unstartable = new Set<string>()
  /** Outcome of each start, in order; a start with no entry left succeeds. */
  starts: StartOutcome[] = []
  reloads: ReloadOutcome[] = []
  /** dockerd's daemon events (an accepted reload), with their Unix time in seconds. */
  daemonEvents: Array<{Action: string; time: number}> = []
  timers = new Map<string, {seconds: number; command: readonly string[]}>()
  disarmed: string[] = []
  restartCount = 0
  socketActive = true
  /** `stop UNIT` / `start UNIT` with the daemon.json content at that moment, in order. */
  events: string[] = []
  /** Hooks to look at the host at the moment something happens. */
  onStart?: (host: FakeHost) => Promise<void> | void
  validateFails?: string
  /** systemd-run's error when arming a timer fails. */
  armFails?: string
  /** `systemctl stop NAME.timer` leaves the timer armed. */
  disarmFails = false
  /** What `ss -ltnpe` prints; undefined: ss is not installed. */
  ss?: string

  constructor() {
    this.fs = createSystem({root: this.root}).fs
  }

  cleanup(): void {
    rmSync(this.root, {recursive: true, force: true})
  }

  log(text: string, invocation = this.invocation): void {
    this.journalLines.push({cursor: this.journalLines.length + 1, invocation, text})
  }

  async loadConfig(): Promise<Record<string, unknown>> {
    const text = await this.fs.readText(CONFIG)
    const parsed = {...this.flags, ...(text === undefined || text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>))}
    for (const k of this.ignoredKeys) {
      if (k in this.live) parsed[k] = this.live[k]
      else delete parsed[k]
    }
    return parsed
  }

  async start(): Promise<void> {
    this.restartCount++
    const liveRestore = this.live['live-restore'] === true
    if (!liveRestore) this.containers = []
    this.invocation++
    const outcome = this.starts.shift() ?? 'ok'
    await this.onStart?.(this)
    if (outcome === 'ok') {
      const loaded = await this.loadConfig()
      if (loaded['live-restore'] !== true) this.containers = []
      // Like dockerd: the default bridge stays as it was while live-restored containers run.
      const survivors = this.containers.filter((c) => !(c.networkMode ?? '').startsWith('container:'))
      for (const key of survivors.length > 0 ? defaultBridgeKeys() : []) {
        if (key in this.live) loaded[key] = this.live[key]
        else delete loaded[key]
      }
      this.live = loaded
      this.active = true
      this.failedState = false
      this.mainPid += 1
      this.log('API listen on /run/docker.sock')
    } else {
      this.active = false
      this.failedState = true
      this.mainPid = 0
      this.log('failed to load listeners: listen tcp 127.0.0.1:2375: bind: address already in use')
      this.log("docker.service: Failed with result 'exit-code'.")
    }
  }
}

export class FakeServices implements ServiceManager {
  readonly strict: Strict<ServiceCall>
  constructor(
    private readonly host: FakeHost,
    expected: readonly ServiceCall[],
    allowed: readonly ServiceCall[] = ['show', 'journal', 'journalCursor'],
  ) {
    // Asking whether systemd runs is a harmless query every apply makes.
    this.strict = new Strict('ServiceManager', new Set(expected), new Set<ServiceCall>([...allowed, 'available']))
  }

  async available(): Promise<boolean> {
    this.strict.record('available')
    return true
  }

  async show(unit: string, properties: readonly string[]): Promise<Record<string, string>> {
    this.strict.record('show', unit)
    const h = this.host
    if (unit === 'docker.socket') return {LoadState: 'loaded', ActiveState: h.socketActive ? 'active' : 'inactive'}
    const all: Record<string, string> = {
      ActiveState: h.active ? 'active' : h.failedState ? 'failed' : 'inactive',
      SubState: h.active ? 'running' : h.failedState ? 'failed' : 'dead',
      Result: h.failedState ? 'exit-code' : 'success',
      InvocationID: `inv${h.invocation}`,
      MainPID: String(h.active ? h.mainPid : 0),
      ExecMainStatus: h.failedState ? '1' : '0',
    }
    return Object.fromEntries(properties.map((p) => [p, all[p] ?? '']))
  }

  async daemonReload(): Promise<void> {
    this.strict.record('daemonReload')
  }

  async resetFailed(units: readonly string[]): Promise<void> {
    this.strict.record('resetFailed', units.join(' '))
    if (!this.host.active) this.host.failedState = false
  }

  async restart(units: readonly string[]): Promise<{exitCode: number; stderr: string}> {
    this.strict.record('restart', units.join(' '))
    const h = this.host
    h.events.push(`restart ${units.join(' ')} ${(await h.fs.readText(CONFIG)) ?? ''}`.trim())
    // Restarting the socket too (Requires=) restarts the service with it; the socket ends active.
    if (units.includes('docker.socket')) h.socketActive = true
    await h.start()
    return {exitCode: 0, stderr: ''}
  }

  /** Like systemd, one call for several units; each unit's job is recorded as its own event. */
  async stop(units: readonly string[]): Promise<{exitCode: number; stderr: string}> {
    this.strict.record('stop', units.join(' '))
    for (const unit of units) await this.stopOne(unit)
    return {exitCode: 0, stderr: ''}
  }

  private async stopOne(unit: string): Promise<void> {
    const h = this.host
    h.events.push(`stop ${unit} ${(await h.fs.readText(CONFIG)) ?? ''}`.trim())
    if (unit === 'docker.socket') {
      h.socketActive = false
      return
    }
    if (h.live['live-restore'] !== true) h.containers = []
    h.active = false
    h.mainPid = 0
  }

  async start(units: readonly string[]): Promise<{exitCode: number; stderr: string}> {
    this.strict.record('start', units.join(' '))
    for (const unit of units) await this.startOne(unit)
    return {exitCode: 0, stderr: ''}
  }

  private async startOne(unit: string): Promise<void> {
    this.host.events.push(`start ${unit} ${(await this.host.fs.readText(CONFIG)) ?? ''}`.trim())
    if (unit === 'docker.socket') {
      this.host.socketActive = true
      return
    }
    // Like Requires=docker.socket: dockerd -H fd:// cannot start without its socket.
    if (!this.host.socketActive) throw new Error('docker.service started while docker.socket is stopped')
    if (!this.host.active) await this.host.start()
  }

  async reload(unit: string): Promise<{exitCode: number; stderr: string}> {
    this.strict.record('reload', unit)
    const h = this.host
    const outcome = h.reloads.shift() ?? 'ok'
    if (outcome === 'refused') {
      h.log('unable to configure the Docker daemon with file /etc/docker/daemon.json: the following directives are specified both as a flag and in the configuration file: hosts')
    } else {
      // Like dockerd: only the keys the file sets are copied (removed keys stay as they were).
      h.live = {...h.live, ...(await h.loadConfig())}
      h.log(`Reloaded configuration: ${JSON.stringify(h.live)}`)
      h.daemonEvents.push({Action: 'reload', time: h.now / 1000})
    }
    return {exitCode: 0, stderr: ''}
  }

  async journal(unit: string, options: {invocationId?: string; cursor?: string; lines?: number}): Promise<string[]> {
    this.strict.record('journal', unit)
    let lines = this.host.journalLines
    if (options.invocationId) lines = lines.filter((l) => `inv${l.invocation}` === options.invocationId)
    if (options.cursor) lines = lines.filter((l) => l.cursor > Number(options.cursor))
    return lines.map((l) => l.text)
  }

  async journalCursor(): Promise<string | undefined> {
    this.strict.record('journalCursor')
    return String(this.host.journalLines.length)
  }

  async armTimer(name: string, seconds: number, command: readonly string[]): Promise<void> {
    this.strict.record('armTimer', name)
    if (this.host.armFails !== undefined) throw new Error(this.host.armFails)
    this.host.timers.set(name, {seconds, command})
  }

  async disarmTimer(name: string): Promise<boolean> {
    this.strict.record('disarmTimer', name)
    if (this.host.disarmFails) return !this.host.timers.has(name)
    this.host.timers.delete(name)
    this.host.disarmed.push(name)
    return true
  }
}

export class FakeDocker implements DockerApi {
  readonly strict: Strict<DockerCall>
  constructor(
    private readonly host: FakeHost,
    expected: readonly DockerCall[] = [],
    allowed: readonly DockerCall[] = ['ping', 'info', 'network', 'daemonEvents', 'version', 'runningContainers'],
  ) {
    this.strict = new Strict('DockerApi', new Set(expected), new Set(allowed))
  }

  async ping(): Promise<boolean> {
    this.strict.record('ping')
    return this.host.active
  }

  async info(): Promise<DockerInfo> {
    this.strict.record('info')
    const live = this.host.live
    return {
      Debug: live['debug'] === true,
      Labels: (live['labels'] as string[] | undefined) ?? [],
      LiveRestoreEnabled: live['live-restore'] === true,
      LoggingDriver: (live['log-driver'] as string | undefined) ?? 'json-file',
      DockerRootDir: (live['data-root'] as string | undefined) ?? '/var/lib/docker',
      ContainersRunning: this.host.containers.length,
    }
  }

  async version(): Promise<Record<string, unknown>> {
    this.strict.record('version')
    return {Version: '24.0.7'}
  }

  async network(name: string): Promise<Record<string, unknown> | undefined> {
    this.strict.record('network', name)
    const live = this.host.live
    const bip = (live['bip'] as string | undefined) ?? '172.17.0.1/16'
    const [gw, prefix] = bip.split('/')
    const subnet = prefix === '24' ? `${gw?.split('.').slice(0, 3).join('.')}.0/24` : '172.17.0.0/16'
    return {IPAM: {Config: [{Subnet: subnet, Gateway: gw}]}, Options: {'com.docker.network.driver.mtu': String(live['mtu'] ?? 1500)}}
  }

  async runningContainers(): Promise<ContainerSummary[]> {
    this.strict.record('runningContainers')
    return this.host.containers.map((c) => ({Id: c.id, Names: [`/${c.name}`], Image: 'bb:1', State: 'running', HostConfig: {NetworkMode: c.networkMode ?? 'default'}}))
  }

  async stopContainer(id: string): Promise<void> {
    this.strict.record('stopContainer', id)
    this.host.stoppedContainers.push(...this.host.containers.filter((c) => c.id === id))
    this.host.containers = this.host.containers.filter((c) => c.id !== id)
  }

  async startContainer(id: string): Promise<void> {
    this.strict.record('startContainer', id)
    if (this.host.unstartable.has(id)) throw new Error(`POST /containers/${id}/start: HTTP 500: cannot start`)
    this.host.containers.push(...this.host.stoppedContainers.filter((c) => c.id === id))
    this.host.stoppedContainers = this.host.stoppedContainers.filter((c) => c.id !== id)
  }

  async daemonEvents(since: number, until: number): Promise<Array<{Action?: string}>> {
    this.strict.record('daemonEvents')
    return this.host.daemonEvents.filter((e) => e.time >= since && e.time <= until)
  }
}

/** Virtual time: sleeps return at once and move the clock, so 60 s health loops cost nothing. */
export class FakeClock implements Clock {
  constructor(private readonly host: FakeHost) {}
  now(): Date {
    return new Date(this.host.now)
  }
  async sleep(ms: number): Promise<void> {
    this.host.now += ms
    await Promise.resolve()
  }
}

/** `dockerd --validate` (the engine believes dockerd is 24.0), `ip -j addr show dev docker0` and `ss -ltnpe`. */
export class FakeProcesses implements ProcessRunner {
  readonly runs: string[] = []
  constructor(private readonly host: FakeHost) {}

  async which(file: string): Promise<string | undefined> {
    return file === 'dockerd' ? '/usr/bin/dockerd' : file
  }

  async run(file: string, args: readonly string[]): Promise<ProcessResult> {
    this.runs.push([file, ...args].join(' '))
    if (file === '/usr/bin/dockerd' && args[0] === '--validate') {
      const fails = this.host.validateFails
      return fails === undefined
        ? ok('configuration OK\n')
        : {exitCode: 1, stdout: '', stderr: `unable to configure the Docker daemon with file ${args[2]}: ${fails}\n`, failedToStart: false}
    }
    if (file === 'ip' && args.join(' ') === '-j -4 addr show dev docker0') {
      const bip = (this.host.live['bip'] as string | undefined) ?? '172.17.0.1/16'
      const [local, prefixlen] = bip.split('/')
      return ok(JSON.stringify([{ifname: 'docker0', addr_info: [{local, prefixlen: Number(prefixlen)}]}]))
    }
    if (file === 'ss' && args.join(' ') === '-ltnpe') {
      return this.host.ss === undefined ? {exitCode: -2, stdout: '', stderr: 'spawn ss ENOENT', failedToStart: true} : ok(this.host.ss)
    }
    throw new Error(`unexpected process: ${file} ${args.join(' ')}`)
  }

  start(file: string, args: readonly string[]): never {
    throw new Error(`unexpected process left running: ${file} ${args.join(' ')}`)
  }
}

function ok(stdout: string): ProcessResult {
  return {exitCode: 0, stdout, stderr: '', failedToStart: false}
}

/** The engine's view of the tree: daemon.json as it is in `fs`, a stock ExecStart with -H fd://. */
export const inspector: Inspector = inspectorWithFlags({})

/** The same, with settings also given on the command line (FakeHost.flags). */
export function inspectorWithFlags(flags: Record<string, unknown>): Inspector {
  return async (fs) => view(fs, flags)
}

async function view(fs: FileSystem, flags: Record<string, unknown>): Promise<TreeView> {
  const text = (await fs.readText(CONFIG)) ?? ''
  const config = text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
  return {
    configFile: CONFIG,
    config,
    merged: {...flags, hosts: ['fd://'], ...config},
    configText: text,
    execArgv: ['/usr/bin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock'],
    hosts: ['fd://'],
    socket: '/run/docker.sock',
    errors: [],
    dockerdVersion: '24.0.7',
  }
}

/**
 * A refusal before anything happened (exit 3, "nothing was changed", naming `reason`): daemon.json
 * still `config`, no backup taken, dockerd never restarted.
 */
export async function expectRefusedUntouched(r: Rig, error: unknown, reason: string, config: string): Promise<void> {
  expect(error).toBeInstanceOf(DockcfgError)
  expect((error as DockcfgError).exitCode).toBe(3)
  expect((error as DockcfgError).message).toContain(reason)
  expect((error as DockcfgError).message).toContain('nothing was changed')
  expect(await r.host.fs.readText(CONFIG)).toBe(config)
  expect(await listBackups(r.system)).toEqual([])
  expect(r.host.restartCount).toBe(0)
}

export interface Rig {
  host: FakeHost
  services: FakeServices
  docker: FakeDocker
  processes: FakeProcesses
  system: System
  /** All strictness problems of both fakes (unexpected and missing calls). */
  problems(): string[]
}

/** createSystem({root: tmpdir}) with the services, Docker API, processes and clock replaced. */
export function rig(options: {
  services: readonly ServiceCall[]
  servicesAllowed?: readonly ServiceCall[]
  docker?: readonly DockerCall[]
  liveHost?: boolean
  host?: FakeHost
}): Rig {
  const host = options.host ?? new FakeHost()
  const services = new FakeServices(host, options.services, options.servicesAllowed)
  const docker = new FakeDocker(host, options.docker)
  const processes = new FakeProcesses(host)
  const base = createSystem({root: host.root})
  const system: System = {
    ...base,
    processes,
    clock: new FakeClock(host),
    // The engine only touches services when the tree is this machine's `/`; the rig says it is.
    isLiveHost: options.liveHost ?? true,
    services: async () => services,
    docker: async () => docker,
  }
  return {host, services, docker, processes, system, problems: () => [...services.strict.problems(), ...docker.strict.problems()]}
}

/** Writes daemon.json in the tree and makes it what dockerd runs. */
export async function seedConfig(r: Rig, text: string): Promise<void> {
  await r.host.fs.mkdirp('/etc/docker')
  await r.host.fs.writeAtomic(CONFIG, text, {mode: 0o644})
  r.host.live = await r.host.loadConfig()
}

/**
 * The operations as the engine's tests drive them: through the real pipeline (lock, one
 * inspection, the check of errors a change brings, the engine), with the rig's inspector instead
 * of the effective-configuration model.
 */
function pipelineOf(command: string, inspect: Inspector, apply: ApplyOptions): PipelineRequest<TreeView> {
  return {command, dockerdVersion: '24.0.7', inspector: () => inspect, apply}
}

/** A change planned against the rig's tree, as a command's planner would hand it over. */
export type ApplyRequest = ChangePlan & {command: string}

export function applyChanges(system: System, request: ApplyRequest, inspect: Inspector, options: ApplyOptions): Promise<ApplyResult> {
  return runChange(system, pipelineOf(request.command, inspect, options), {plan: async () => request, result: (applied) => applied})
}

export function rollbackTo(system: System, id: string | undefined, configFile: string, inspect: Inspector, options: ApplyOptions): Promise<RollbackResult> {
  return rollbackOnTree(system, pipelineOf('dockcfg rollback', inspect, options), id, configFile)
}

export function autoRollback(system: System, id: string, inspect: Inspector): Promise<AutoRollbackResult> {
  return autoRollbackOnTree(system, {dockerdVersion: '24.0.7', inspector: () => inspect}, id)
}

export function restartDaemon(system: System, inspect: Inspector, options: ApplyOptions): Promise<RestartResult> {
  return restartOnCurrentTree(system, pipelineOf('dockcfg restart', inspect, options))
}
