import {spawn} from 'node:child_process'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'

const project = path.join(import.meta.dirname, '../..')
export const BIN = path.join(project, 'bin/run.js')

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
  /** A command that runs node for the CLI (setpriv, unshare): `[...wrapper, node, bin/run.js, ...args]`. */
  wrapper?: readonly string[]
  /** Kills the run when aborted: a test that times out on a hang leaves no process behind. */
  signal?: AbortSignal
  /** Sees stderr as it comes, for a test that acts while the run waits. */
  onStderr?: (soFar: string) => void
}

/** Runs the built CLI as a user would, with no TTY on either stream. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
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
    child.on('close', (code) =>
      resolve({
        exitCode: code ?? -1,
        stdout,
        stderr,
        json: <T>() => JSON.parse(stdout) as T,
      }),
    )
    child.stdin.end(options.input ?? '')
  })
}

/** A temporary --root tree, populated with the given files (tree path -> content). */
export async function makeRoot(files: Record<string, string> = {}): Promise<{root: string; read(p: string): Promise<string>; cleanup(): Promise<void>}> {
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
