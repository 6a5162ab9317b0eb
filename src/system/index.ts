import {type Checkpoint, checkpointsFrom} from './checkpoint.js'
import {type Clock, systemClock} from './clock.js'
import {type Environment, processEnvironment} from './environment.js'
import {type FileSystem, HostFileSystem} from './fs.js'
import {type Host, processHost} from './host.js'
import {hostLockFiles, type LockFiles} from './lock-file.js'
import {type Network, hostNetwork} from './network.js'
import {ChildProcessRunner, type ProcessRunner} from './process.js'
import type {DockerApi} from './docker-api.js'
import type {ServiceManager} from './service-manager.js'

/**
 * The composition root: the one place where the real implementations of every outside system are
 * wired (files under --root, processes, systemd, the Docker API, the network, the environment, the
 * clock). Commands call createSystem(); tests build a System from fakes or a temporary root. Seams
 * that pull in heavier modules are factories or import them on first use, so commands that never
 * restart dockerd or dial out never load them.
 */
export interface System {
  fs: FileSystem
  processes: ProcessRunner
  clock: Clock
  /** Name resolution, TCP/TLS connections and HTTP to other machines (and this one's own names). */
  network: Network
  /** Environment variables and the home directory. */
  env: Environment
  /** True when the managed tree is this machine's own `/`: only then may services be touched. */
  isLiveHost: boolean
  /** The user dockcfg runs as: files it trusts are owned by root or by this user. */
  euid: number
  services(): Promise<ServiceManager>
  /** The Engine API on a unix socket given as a tree path. */
  docker(socketTreePath: string, timeoutMs?: number): Promise<DockerApi>
  /** Marks a named point of an apply; only tests make it do anything (checkpoint.ts). */
  checkpoint: Checkpoint
  /** This process and the others: pid, liveness, boot id (host.ts). */
  host: Host
  /** What dockcfg's lock is made of (lock-file.ts). */
  lockFiles: LockFiles
}

export function createSystem(options: {root: string}): System {
  const fs = new HostFileSystem(options.root)
  const processes = new ChildProcessRunner()
  return {
    fs,
    processes,
    clock: systemClock,
    network: hostNetwork,
    env: processEnvironment,
    isLiveHost: fs.root === '/',
    euid: process.geteuid?.() ?? -1,
    async services() {
      const {SystemctlServiceManager} = await import('./service-manager.js')
      return new SystemctlServiceManager(processes)
    },
    async docker(socketTreePath, timeoutMs) {
      const {UnixSocketDockerApi} = await import('./docker-api.js')
      return new UnixSocketDockerApi(fs.hostPath(socketTreePath), timeoutMs)
    },
    checkpoint: checkpointsFrom(process.env.DOCKCFG_TEST_PAUSE_AT, (line) => process.stderr.write(line)),
    host: processHost,
    lockFiles: hostLockFiles,
  }
}

export type {Checkpoint} from './checkpoint.js'
export type {Clock} from './clock.js'
export type {Environment} from './environment.js'
export type {FileSystem} from './fs.js'
export type {Host} from './host.js'
export type {LockFiles} from './lock-file.js'
export type {Network} from './network.js'
export type {ProcessRunner, ProcessResult} from './process.js'
