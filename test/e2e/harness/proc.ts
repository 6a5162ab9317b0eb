import {spawn} from 'node:child_process'
import {constants} from 'node:os'

export interface ExecResult {
  exitCode: number
  stdout: string
  stderr: string
}

export interface ExecOptions {
  /** Fed to the command's stdin; without it stdin is /dev/null so nothing can hang reading it. */
  input?: string | Buffer
  /** Hard bound; on expiry the whole process group is SIGKILLed and the call throws. Default 60 s. */
  timeoutMs?: number
  /** Return non-zero exits instead of throwing. Timeouts still throw. */
  allowFail?: boolean
  /** Extra environment (merged over the clean base environment). */
  env?: Record<string, string>
}

/** PATH for everything the harness runs: a test host must not inherit this session's toolchain paths. */
export const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

const tail = (s: string, n = 2000): string => (s.length > n ? '…' + s.slice(-n) : s)

export class ExecError extends Error {
  constructor(
    message: string,
    readonly result: ExecResult | undefined,
  ) {
    super(message)
    this.name = 'ExecError'
  }
}

/**
 * Runs a process in its own process group. `nsenter` forks (to enter the PID namespace), so
 * killing just its PID on timeout would leave the real command running inside the test host;
 * killing the group takes both.
 */
export function runProcess(argv: readonly string[], opts: ExecOptions & {baseEnv?: Record<string, string>; label?: string} = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv
  if (cmd === undefined) throw new Error('runProcess: empty argv')
  const timeoutMs = opts.timeoutMs ?? 60_000
  const label = opts.label ?? argv.join(' ')
  const env = {...(opts.baseEnv ?? {PATH: BASE_PATH, LANG: 'C.UTF-8', HOME: '/root'}), ...opts.env}

  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env,
      detached: true,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout?.on('data', (b: Buffer) => out.push(b))
    child.stderr?.on('data', (b: Buffer) => err.push(b))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(child.pid)
    }, timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(new ExecError(`${label}: could not start: ${e.message}`, undefined))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const result: ExecResult = {
        exitCode: code ?? 128 + signalNumber(signal),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }
      if (timedOut) {
        reject(new ExecError(`timed out after ${timeoutMs} ms: ${label}\nstdout: ${tail(result.stdout)}\nstderr: ${tail(result.stderr)}`, result))
      } else if (result.exitCode !== 0 && !opts.allowFail) {
        reject(new ExecError(`exit ${result.exitCode}: ${label}\nstdout: ${tail(result.stdout)}\nstderr: ${tail(result.stderr)}`, result))
      } else {
        resolve(result)
      }
    })
    if (opts.input !== undefined && child.stdin) {
      // EPIPE when the command exits without reading its input is not our error to report.
      child.stdin.on('error', () => {})
      child.stdin.end(opts.input)
    }
  })
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : constants.signals[signal]
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
