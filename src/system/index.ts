import {type Clock, systemClock} from './clock.js'
import {type FileSystem, HostFileSystem} from './fs.js'
import {ExecaProcessRunner, type ProcessRunner} from './process.js'

/**
 * The composition root: the one place where the real implementations of every outside system are
 * wired. Commands call createSystem(); tests build a System from fakes or a temporary root.
 */
export interface System {
  fs: FileSystem
  processes: ProcessRunner
  clock: Clock
  /** True when the managed tree is this machine's own `/`: only then may services be touched. */
  isLiveHost: boolean
}

export function createSystem(options: {root: string}): System {
  const fs = new HostFileSystem(options.root)
  return {
    fs,
    processes: new ExecaProcessRunner(),
    clock: systemClock,
    isLiveHost: fs.root === '/',
  }
}

export type {Clock} from './clock.js'
export type {FileSystem} from './fs.js'
export type {ProcessRunner, ProcessResult} from './process.js'
