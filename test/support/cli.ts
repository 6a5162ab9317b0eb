import {spawn} from 'node:child_process'
import {Console} from 'node:console'
import {readFileSync} from 'node:fs'
import * as fsp from 'node:fs/promises'
import {createRequire, Module} from 'node:module'
import * as os from 'node:os'
import * as path from 'node:path'
import {Readable, Writable} from 'node:stream'
import * as vm from 'node:vm'

import {afterEach} from 'vitest'

import {checkJsonOutput} from './contract.js'

const project = path.join(import.meta.dirname, '../..')
export const BIN = path.join(project, 'bin/run.js')
const BUNDLE = path.join(project, 'dist/dockcfg.cjs')

export interface CliResult {
  exitCode: number
  stdout: string
  stderr: string
  /** stdout parsed as JSON (for --json runs). */
  json<T = unknown>(): T
}

export interface RunOptions {
  env?: Record<string, string>
  input?: string
  cwd?: string
  /** Sees stderr as it comes, for a test that acts while the run waits. */
  onStderr?: (soFar: string) => void
}

export interface SpawnOptions extends RunOptions {
  /** Kills the run when aborted: a test that times out on a hang leaves no process behind. */
  signal?: AbortSignal
  /** A command that runs node for the CLI (setpriv, unshare): `[...wrapper, node, bin/run.js, ...args]`. */
  wrapper?: readonly string[]
}

const result = (exitCode: number, stdout: string, stderr: string): CliResult => ({exitCode, stdout, stderr, json: <T>() => JSON.parse(stdout) as T})

/**
 * Runs the built CLI as a user would, in its own process (bin/run.js, its code cache, dist/), with
 * no TTY on either stream. For what needs a process of its own: runs that contend for the lock,
 * another user, a mount namespace, the loader itself; everything else uses runCli.
 */
export function spawnCli(args: readonly string[], options: SpawnOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [command, ...prefix] = [...(options.wrapper ?? []), process.execPath]
    const child = spawn(command as string, [...prefix, BIN, ...args], {
      env: {...process.env, ...options.env},
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.cwd ? {cwd: options.cwd} : {}),
      ...(options.signal ? {signal: options.signal, killSignal: 'SIGKILL' as const} : {}),
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
      options.onStderr?.(stderr)
    })
    child.on('error', reject)
    child.on('close', (code) => {
      try {
        resolve(checked(args, result(code ?? -1, stdout, stderr)))
      } catch (error) {
        reject(error as Error)
      }
    })
    child.stdin.end(options.input ?? '')
  })
}

/**
 * Runs the built CLI (dist/dockcfg.cjs, what bin/run.js runs) inside this test process, as a fresh
 * process would see it: a new instance of the bundle for every run, so no module-level cache, oclif
 * config or singleton survives from one run to the next; its own argv, environment, working
 * directory, umask and exit code, restored afterwards; stdin, stdout and stderr that are not
 * terminals; and oclif's process.exit turned into the run's exit code. Spawning a process per case
 * cost the command tier about two minutes; starting Node is most of a short command's time.
 *
 * Runs are one at a time (they share the process's streams and environment): runs a test starts
 * side by side run in turn. Whatever needs a real separate process uses spawnCli.
 */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const run = queue.then(async () => checked(args, await runInProcess(args, options)))
  queue = run.then(
    () => undefined,
    () => undefined,
  )
  return run
}

let queue: Promise<void> = Promise.resolve()

/** Every --json output a test produces is a contract check (test/support/contract.ts). */
function checked(args: readonly string[], run: CliResult): CliResult {
  checkJsonOutput(args, run)
  return run
}
let compiled: vm.Script | undefined

/** A new instance of the bundle, loaded the way bin/run.js loads it, compiled once per test process. */
function freshBundle(): {main(dir: string): Promise<void>} {
  compiled ??= new vm.Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(BUNDLE, 'latin1')}\n})`, {filename: BUNDLE})
  const bundle = new Module(BUNDLE)
  bundle.filename = BUNDLE
  const load = createRequire(BUNDLE)
  // oclif loads the command list from this same file (package.json oclif.commands): this instance.
  load.cache[BUNDLE] = bundle
  ;(compiled.runInThisContext() as (...a: unknown[]) => void).call(bundle.exports, bundle.exports, load, bundle, BUNDLE, path.dirname(BUNDLE))
  bundle.loaded = true
  return bundle.exports as {main(dir: string): Promise<void>}
}

const STREAMS = ['stdin', 'stdout', 'stderr'] as const
/** Where oclif keeps its settings and its spinner state: per process, so per run here. */
const GLOBALS = ['oclif', 'ux'] as const

async function runInProcess(args: readonly string[], options: RunOptions): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  /** The code the run gave process.exit: a process writes nothing after that. */
  let exited: number | undefined
  const out = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      if (exited === undefined) stdout += String(chunk)
      done()
    },
  })
  const err = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      if (exited === undefined) {
        stderr += String(chunk)
        options.onStderr?.(stderr)
      }
      done()
    },
  })
  const streams = {stdin: Readable.from(options.input === undefined || options.input === '' ? [] : [options.input]), stdout: out, stderr: err}

  const global = globalThis as Record<string, unknown>
  const saved = {
    argv: process.argv,
    env: {...process.env},
    cwd: process.cwd(),
    umask: process.umask(),
    exitCode: process.exitCode,
    exit: process.exit,
    console: globalThis.console,
    streams: STREAMS.map((name) => [name, Object.getOwnPropertyDescriptor(process, name)] as const),
    globals: GLOBALS.map((name) => [name, Object.getOwnPropertyDescriptor(global, name)] as const),
  }
  try {
    for (const name of STREAMS) Object.defineProperty(process, name, {value: streams[name], configurable: true, enumerable: true, writable: false})
    for (const name of GLOBALS) delete global[name]
    globalThis.console = new Console({stdout: out, stderr: err})
    process.argv = [process.execPath, BIN, ...args]
    // What bin/run.js sets before it loads the bundle.
    Object.assign(process.env, {OCLIF_DISABLE_ENGINE_WARNING: '1'}, options.env)
    if (options.cwd) process.chdir(options.cwd)
    process.exitCode = undefined
    // The first exit ends the run; oclif's handle() calls it last, so the run then returns.
    process.exit = ((code?: number | string | null) => {
      exited ??= Number(code ?? process.exitCode ?? 0)
    }) as typeof process.exit
    await freshBundle().main(BUNDLE)
    return result(exited ?? Number(process.exitCode ?? 0), stdout, stderr)
  } finally {
    process.exit = saved.exit
    process.exitCode = saved.exitCode
    process.umask(saved.umask)
    if (process.cwd() !== saved.cwd) process.chdir(saved.cwd)
    for (const key of Object.keys(process.env)) if (!(key in saved.env)) delete process.env[key]
    Object.assign(process.env, saved.env)
    process.argv = saved.argv
    globalThis.console = saved.console
    for (const [name, descriptor] of saved.globals) {
      if (descriptor) Object.defineProperty(global, name, descriptor)
      else delete global[name]
    }
    for (const [name, descriptor] of saved.streams) if (descriptor) Object.defineProperty(process, name, descriptor)
  }
}

export interface Root {
  root: string
  read(p: string): Promise<string>
  cleanup(): Promise<void>
}

/** A temporary --root tree, populated with the given files (tree path -> content). */
async function makeRoot(files: Record<string, string> = {}): Promise<Root> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-root-'))
  for (const [file, content] of Object.entries(files)) {
    await fsp.mkdir(path.join(root, path.dirname(file)), {recursive: true})
    await fsp.writeFile(path.join(root, file), content)
  }
  return {
    root,
    read: (p) => fsp.readFile(path.join(root, p), 'utf8'),
    cleanup: () => fsp.rm(root, {recursive: true, force: true}),
  }
}

/**
 * Temporary --root trees (and other directories) that are removed after each test of the file that
 * calls this at its top level: `const {root} = useRoots()`, then `await root(files)`; `defaults` are
 * the files of a root made without any.
 */
export function useRoots(defaults: Record<string, string> = {}): {root(files?: Record<string, string>): Promise<Root>; dir(prefix?: string): Promise<string>} {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()))
  })
  return {
    async root(files = defaults) {
      const r = await makeRoot(files)
      cleanups.push(r.cleanup)
      return r
    },
    async dir(prefix = 'dockcfg-') {
      const dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix))
      cleanups.push(() => fsp.rm(dir, {recursive: true, force: true}))
      return dir
    },
  }
}
