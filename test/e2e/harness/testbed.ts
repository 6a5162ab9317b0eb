/**
 * Test hosts for the e2e suite: systemd-nspawn containers booting this machine's own OS with real
 * systemd as PID 1 and Debian's docker.io. Recipe and its reasons: /work/shared/docs/testbed.md
 * and test/e2e/README.md.
 */
import {spawn, execFileSync} from 'node:child_process'
import {closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync, symlinkSync, unlinkSync, writeFileSync} from 'node:fs'
import {constants} from 'node:os'
import {join} from 'node:path'
import {REPO_ROOT, WORK_DIR} from './paths.js'
import {cgroupLayout, e2eAvailability} from './availability.js'
import {BASE_PATH, type ExecOptions, type ExecResult, isAlive, runProcess, sleep} from './proc.js'
import {checkJsonOutput} from '../../support/contract.js'

export {e2eAvailability, e2eGate, isCI, type Availability} from './availability.js'
export {ExecError, type ExecOptions, type ExecResult} from './proc.js'
export {ensureBusyboxImage, BUSYBOX_IMAGE} from './busybox-image.js'

export {REPO_ROOT, WORK_DIR} from './paths.js'
/** Where the checkout is bound (read-only) inside every test host. */
export const GUEST_REPO = '/opt/dockcfg'
/** Where this run's frozen copy of the built CLI is bound (see distSnapshot). */
export const GUEST_BUILD = '/opt/dockcfg-build'
/** The CLI entry point inside a host: what `host.dockcfg()` runs. */
export const GUEST_CLI = `${GUEST_BUILD}/bin/run.js`

const NAME_PREFIX = 'dcfg-'
const VETH_PREFIX = 'dcfgv'
/** Machine-wide, so two runs (or two checkouts) never pick the same 10.250.N.0/24. */
const LOCK_DIR = '/run/dcfg-e2e'
const NET_FIRST = 100
const NET_LAST = 249

/** The environment every command inside a host starts with: like a root login, not like vitest. */
const GUEST_ENV: Record<string, string> = {PATH: BASE_PATH, HOME: '/root', LANG: 'C.UTF-8', TERM: 'dumb', USER: 'root', LOGNAME: 'root'}

export interface BootOptions {
  /** Bound for the whole boot (leader appears, network, systemd running). Default 90 s. */
  timeoutMs?: number
  /** Wait for `is-system-running` → running|degraded before returning. Default true. */
  waitForSystem?: boolean
  /** Extra `--bind-ro=SRC:DST` pairs. */
  bindRo?: Array<{src: string; dst: string}>
}

export interface JournalEntry {
  message: string
  pid: number | undefined
  realtimeUs: number
  invocationId: string | undefined
  cursor: string
}

export interface JournalResult {
  entries: JournalEntry[]
  /** MESSAGE fields joined by newlines, for `toContain` style assertions. */
  text: string
  /** Cursor of the last entry returned (or the one passed in when nothing new): feed it back. */
  cursor: string | undefined
}

const hosts = new Set<TestHost>()
let seq = 0

export class TestHost {
  /** Set by bootHost, cleared by stop(). */
  private stopped = false
  private stopping: Promise<void> | undefined
  /** Milliseconds from spawning nspawn to systemd running|degraded (undefined when not waited). */
  bootMs: number | undefined

  constructor(
    readonly name: string,
    readonly nspawnPid: number,
    public leader: number,
    readonly net: number,
    readonly logPath: string,
    private readonly cgroupDirs: readonly string[],
  ) {}

  /** The host's own address on its veth (reachable from this machine). */
  get address(): string {
    return `10.250.${this.net}.2`
  }
  /** This machine's end of the veth pair. */
  get hostSideAddress(): string {
    return `10.250.${this.net}.1`
  }
  get veth(): string {
    return `${VETH_PREFIX}${this.net}`
  }

  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (this.stopped) return Promise.reject(new Error(`${this.name}: exec after stop: ${argv.join(' ')}`))
    return runProcess(['nsenter', '-t', String(this.leader), '-a', '--', ...argv], {
      ...opts,
      baseEnv: GUEST_ENV,
      label: `[${this.name}] ${argv.join(' ')}`,
    })
  }

  sh(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.exec(['/bin/sh', '-c', script], opts)
  }

  /** Content goes over stdin: this machine's /tmp (and anything outside /usr) is not visible inside. */
  async writeFile(path: string, content: string | Buffer, mode = 0o644): Promise<void> {
    await this.exec(['/bin/sh', '-c', 'mkdir -p "$(dirname "$1")" && cat > "$1" && chmod "$2" "$1"', 'sh', path, mode.toString(8)], {input: content})
  }

  async readFile(path: string): Promise<string> {
    return (await this.exec(['cat', path])).stdout
  }

  async exists(path: string): Promise<boolean> {
    return (await this.exec(['test', '-e', path], {allowFail: true})).exitCode === 0
  }

  /** Waits for `systemctl is-system-running` to say running or degraded (degraded is normal here). */
  async waitForSystem(timeoutMs = 60_000): Promise<string> {
    let last = ''
    await this.poll(
      'systemd to reach running|degraded',
      timeoutMs,
      async () => {
        const r = await this.exec(['systemctl', 'is-system-running'], {allowFail: true, timeoutMs: 10_000})
        last = r.stdout.trim()
        if (last === 'stopping' || last === 'offline') throw new Error(`${this.name}: systemd is ${last} while booting\n${this.logTail()}`)
        return last === 'running' || last === 'degraded'
      },
      () => `last state: "${last}"`,
    )
    return last
  }

  /** Waits for docker.service active; fails fast (with its journal) when it lands in failed. */
  async waitDockerActive(timeoutMs = 60_000): Promise<void> {
    let last = ''
    await this.poll(
      'docker.service to become active',
      timeoutMs,
      async () => {
        const r = await this.exec(['systemctl', 'is-active', 'docker'], {allowFail: true, timeoutMs: 10_000})
        last = r.stdout.trim()
        if (last === 'failed') {
          const j = await this.journal('docker')
          throw new Error(`${this.name}: docker.service failed\n${j.text.split('\n').slice(-30).join('\n')}`)
        }
        return last === 'active'
      },
      () => `last state: "${last}"`,
    )
  }

  /** Cursor of the newest journal entry: take one before acting, then journal(unit, cursor). */
  async journalCursor(): Promise<string | undefined> {
    const r = await this.exec(['journalctl', '-o', 'json', '-n', '1', '--no-pager'], {allowFail: true})
    const line = r.stdout.trim().split('\n').pop()
    if (!line) return undefined
    return (JSON.parse(line) as Record<string, unknown>)['__CURSOR'] as string | undefined
  }

  async journal(unit: string, sinceCursor?: string): Promise<JournalResult> {
    const argv = ['journalctl', '-u', unit, '-o', 'json', '--no-pager', '--output-fields=MESSAGE,_PID,_SYSTEMD_INVOCATION_ID']
    if (sinceCursor !== undefined) argv.push(`--after-cursor=${sinceCursor}`)
    const r = await this.exec(argv, {allowFail: true})
    const entries: JournalEntry[] = []
    for (const line of r.stdout.split('\n')) {
      if (line.trim() === '') continue
      const o = JSON.parse(line) as Record<string, unknown>
      entries.push({
        message: journalString(o['MESSAGE']),
        pid: o['_PID'] === undefined ? undefined : Number(o['_PID']),
        realtimeUs: Number(o['__REALTIME_TIMESTAMP']),
        invocationId: o['_SYSTEMD_INVOCATION_ID'] as string | undefined,
        cursor: String(o['__CURSOR']),
      })
    }
    return {entries, text: entries.map((e) => e.message).join('\n'), cursor: entries.at(-1)?.cursor ?? sinceCursor}
  }

  /** Runs the project's CLI inside the host: the frozen copy of the build (GUEST_BUILD). */
  dockcfg(args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    // No assertDistBuilt() here: the host runs the snapshot taken at boot, whatever happens to dist/ now.
    // Every --json output of the e2e tier is checked against the committed schemas too.
    return this.exec(['node', GUEST_CLI, ...args], opts).then((r) => {
      checkJsonOutput(args, r)
      return r
    })
  }

  /** Last lines of nspawn's console log (boot messages); attached to every timeout. */
  logTail(lines = 40): string {
    try {
      const t = readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
      return `--- ${this.name} console (${this.logPath}), last ${lines} lines ---\n${t}`
    } catch {
      return `--- ${this.name}: no console log at ${this.logPath} ---`
    }
  }

  /**
   * Powers the host off: SIGTERM (systemd poweroff), then a second SIGTERM (nspawn's immediate
   * termination), then SIGKILL of the leader (which ends the whole PID namespace) and of nspawn.
   * Each stage is bounded, so a stuck container costs at most ~graceMs + 8 s.
   */
  stop(graceMs = 8_000): Promise<void> {
    this.stopping ??= this.doStop(graceMs)
    return this.stopping
  }

  private async doStop(graceMs: number): Promise<void> {
    this.stopped = true
    try {
      if (isAlive(this.nspawnPid)) {
        signal(this.nspawnPid, 'SIGTERM')
        if (!(await waitExit(this.nspawnPid, graceMs))) {
          process.stderr.write(`[e2e] ${this.name}: no poweroff within ${graceMs} ms, terminating immediately\n`)
          signal(this.nspawnPid, 'SIGTERM')
          if (!(await waitExit(this.nspawnPid, 3_000))) {
            process.stderr.write(`[e2e] ${this.name}: still there, SIGKILL\n`)
            // Leader first: nspawn, still alive, reaps it; the other way round leaves an orphan.
            signal(this.leader, 'SIGKILL')
            if (!(await waitExit(this.nspawnPid, 3_000))) signal(this.nspawnPid, 'SIGKILL')
            await waitExit(this.nspawnPid, 2_000)
          }
        }
      }
      if (isAlive(this.leader) && readComm(this.leader) === 'systemd') signal(this.leader, 'SIGKILL')
    } finally {
      // The veth normally vanishes with the host's network namespace; this covers a stuck one.
      await runProcess(['ip', 'link', 'del', this.veth], {allowFail: true, timeoutMs: 10_000}).catch(() => undefined)
      await removeCgroupDirs(this.cgroupDirs)
      releaseNet(this.net)
      hosts.delete(this)
    }
  }

  private async poll(what: string, timeoutMs: number, probe: () => Promise<boolean>, detail: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (!isAlive(this.nspawnPid)) throw new Error(`${this.name}: nspawn exited while waiting for ${what}\n${this.logTail()}`)
      if (await probe()) return
      if (Date.now() > deadline) throw new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what} (${detail()})\n${this.logTail()}`)
      await sleep(150)
    }
  }
}

function journalString(v: unknown): string {
  // journald emits non-UTF-8 or binary messages as byte arrays.
  if (Array.isArray(v)) return Buffer.from(v as number[]).toString('utf8')
  return v === undefined || v === null ? '' : String(v)
}

export function assertDistBuilt(): void {
  if (!existsSync(join(REPO_ROOT, 'dist'))) {
    throw new Error(`dist/ is missing in ${REPO_ROOT}: the e2e suite runs the built CLI. Run \`npm run build\` first (\`npm test\` does).`)
  }
}

// ---------------------------------------------------------------------------------------------
// A frozen copy of the build

const SNAPSHOT_PREFIX = 'dist-snapshot-'
let snapshot: Promise<string> | undefined

/**
 * Other people build in the same checkout while the suite runs (`npm run build` starts with
 * `rm -rf dist`): hosts that ran the live dist/ failed mid-test with MODULE_NOT_FOUND. So each run
 * copies the runnable package (bin, dist, templates, package.json, oclif manifest) once, after
 * waiting for a complete build (the manifest is written last), and binds the copy at GUEST_BUILD,
 * with node_modules a symlink to the checkout's. Not bound over /opt/dockcfg/dist: deleting a
 * directory on this side detaches mounts on it in other mount namespaces (Linux >= 3.18), and the
 * next `rm -rf dist` silently put the live, half-built dist/ back under the running host.
 */
function distSnapshot(): Promise<string> {
  snapshot ??= takeDistSnapshot()
  return snapshot
}

async function takeDistSnapshot(): Promise<string> {
  const dist = join(REPO_ROOT, 'dist')
  const manifest = join(REPO_ROOT, 'oclif.manifest.json')
  const dir = join(WORK_DIR, `${SNAPSHOT_PREFIX}${process.pid}`)
  const deadline = Date.now() + 120_000
  for (;;) {
    if (buildComplete(dist, manifest)) {
      rmSync(dir, {recursive: true, force: true})
      mkdirSync(dir, {recursive: true})
      try {
        for (const part of ['bin', 'dist', 'templates', 'package.json', 'oclif.manifest.json']) {
          // Not the single executable (128 MB) and its build files: sea.e2e.test.ts copies it in itself.
          const copied = (src: string) => !src.startsWith(join(dist, 'sea')) && !src.startsWith(join(dist, 'dockcfg-linux-'))
          if (existsSync(join(REPO_ROOT, part))) cpSync(join(REPO_ROOT, part), join(dir, part), {recursive: true, filter: copied})
        }
        symlinkSync(`${GUEST_REPO}/node_modules`, join(dir, 'node_modules'))
        // A build that started while we copied leaves a partial copy: check again after.
        if (buildComplete(dist, manifest)) break
      } catch {
        // dist/ vanished under us: a build started; wait for it.
      }
    }
    if (Date.now() > deadline) throw new Error(`no complete build in ${dist} within 120 s (dist/dockcfg.cjs plus oclif.manifest.json newer than it): run \`npm run build\``)
    await sleep(500)
  }
  return dir
}

/** The build renames the bundle into place, then writes the manifest: a newer manifest means done. */
function buildComplete(dist: string, manifest: string): boolean {
  try {
    return statSync(manifest).mtimeMs >= statSync(join(dist, 'dockcfg.cjs')).mtimeMs
  } catch {
    return false
  }
}

function removeSnapshot(pid: number): void {
  rmSync(join(WORK_DIR, `${SNAPSHOT_PREFIX}${pid}`), {recursive: true, force: true})
}

// ---------------------------------------------------------------------------------------------
// Boot

export async function bootHost(opts: BootOptions = {}): Promise<TestHost> {
  const avail = e2eAvailability()
  if (!avail.ok) throw new Error(`cannot boot a test host: ${avail.reason}`)
  installExitHooks()
  await cleanupStale()

  const timeoutMs = opts.timeoutMs ?? 90_000
  const started = Date.now()
  const name = `${NAME_PREFIX}${process.pid}-${++seq}`
  const net = claimNet(name)
  mkdirSync(join(WORK_DIR, 'logs'), {recursive: true})
  const logPath = join(WORK_DIR, 'logs', `${name}.log`)

  // Each host gets its own cgroup subtree, bound over /sys/fs/cgroup/<hierarchy> inside. With the
  // whole tree bound (testbed.md), every host's systemd used the *same* /system.slice/docker.service
  // and /init.scope, so the units of parallel hosts shared one cgroup.
  const layout = cgroupLayout()
  if (layout === undefined) throw new Error('no usable cgroup hierarchy')
  const cgroupDirs = layout.roots.map((r) => join(r, name))
  for (const d of cgroupDirs) mkdirSync(d, {recursive: true})

  const args = [
    '-D',
    '/',
    '--volatile=yes',
    '--overlay=/etc::/etc',
    '-b',
    `--network-veth-extra=${VETH_PREFIX}${net}:host0`,
    '-M',
    name,
    `--setenv=DCFG_E2E_OWNER=${process.pid}`,
    '--console=pipe',
    '--register=no',
    '--keep-unit',
    '--bind=/sys/fs/cgroup',
    ...layout.roots.map((r) => `--bind=${join(r, name)}:${r}`),
    '--capability=all',
    '--system-call-filter=add_key keyctl request_key',
    `--bind-ro=${REPO_ROOT}:${GUEST_REPO}`,
    `--bind-ro=${await distSnapshot()}:${GUEST_BUILD}`,
    ...(opts.bindRo ?? []).map((b) => `--bind-ro=${b.src}:${b.dst}`),
  ]
  const logFd = openSync(logPath, 'w')
  // The shell moves itself into the host's cgroups and then becomes nspawn (exec keeps the PID).
  // detached: own process group, so a terminal ^C reaches us, not nspawn (which would reboot the host).
  const child = spawn('/bin/sh', ['-c', 'for f in $DCFG_CG_PROCS; do echo $$ > "$f" || exit 97; done; unset DCFG_CG_PROCS; exec systemd-nspawn "$@"', 'sh', ...args], {
    env: {PATH: BASE_PATH, LANG: 'C.UTF-8', HOME: '/root', SYSTEMD_NSPAWN_API_VFS_WRITABLE: '1', DCFG_CG_PROCS: cgroupDirs.map((d) => join(d, 'cgroup.procs')).join(' ')},
    detached: true,
    stdio: ['ignore', logFd, logFd],
  })
  closeSync(logFd)
  child.unref()
  const nspawnPid = child.pid
  if (nspawnPid === undefined) {
    releaseNet(net)
    throw new Error(`${name}: failed to spawn systemd-nspawn`)
  }

  const host = new TestHost(name, nspawnPid, 0, net, logPath, cgroupDirs)
  hosts.add(host)
  try {
    host.leader = await waitLeader(host, timeoutMs)
    await runProcess(['ip', 'addr', 'add', `${host.hostSideAddress}/24`, 'dev', host.veth])
    await runProcess(['ip', 'link', 'set', host.veth, 'up'])
    await host.sh(`ip addr add ${host.address}/24 dev host0 && ip link set host0 up && ip link set lo up`)
    if (opts.waitForSystem ?? true) {
      await host.waitForSystem(Math.max(1_000, timeoutMs - (Date.now() - started)))
      host.bootMs = Date.now() - started
      // Every host would otherwise report this machine's /etc/hostname.
      await host.exec(['hostname', name])
    }
    return host
  } catch (e) {
    await host.stop(2_000)
    throw e
  }
}

/** Boots n hosts concurrently; if one fails, the others are stopped too. */
export async function bootHosts(n: number, opts: BootOptions = {}): Promise<TestHost[]> {
  const results = await Promise.allSettled(Array.from({length: n}, () => bootHost(opts)))
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) {
    await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.stop(2_000) : undefined)))
    throw failed.reason
  }
  return results.map((r) => (r as PromiseFulfilledResult<TestHost>).value)
}

async function waitLeader(host: TestHost, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    // nspawn forks an intermediate child that becomes systemd; wait for the exec, not just the fork.
    const leader = childrenOf(host.nspawnPid).find((p) => readComm(p) === 'systemd')
    if (leader !== undefined) return leader
    if (!isAlive(host.nspawnPid) || readComm(host.nspawnPid) === undefined) {
      throw new Error(`${host.name}: systemd-nspawn exited during boot\n${host.logTail()}`)
    }
    if (Date.now() > deadline) throw new Error(`${host.name}: timed out after ${timeoutMs} ms waiting for the container's systemd (PID 1) to start\n${host.logTail()}`)
    await sleep(50)
  }
}

/** All hosts still running; each test file should call this in afterAll. */
export async function stopAllHosts(): Promise<void> {
  await Promise.all([...hosts].map((h) => h.stop()))
}

export function runningHosts(): readonly TestHost[] {
  return [...hosts]
}

// ---------------------------------------------------------------------------------------------
// /proc helpers

function readComm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return undefined
  }
}

function readStatPpid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // comm may contain spaces and parentheses: fields restart after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // rest[0] is the state; a zombie is not a live leader.
    if (rest[0] === 'Z') return undefined
    return Number(rest[1])
  } catch {
    return undefined
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
}

function childrenOf(pid: number): number[] {
  return allPids().filter((p) => readStatPpid(p) === pid)
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // Already gone.
  }
}

async function waitExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    // nspawn is our child but unref'd and not waited by node: a zombie counts as gone.
    if (!isAlive(pid) || readStatPpid(pid) === undefined) return true
    await sleep(100)
  }
  return !isAlive(pid) || readStatPpid(pid) === undefined
}

// ---------------------------------------------------------------------------------------------
// Network index claims: /run/dcfg-e2e/net-N holds "<owner pid> <host name>".

function claimNet(name: string): number {
  mkdirSync(LOCK_DIR, {recursive: true})
  const inUse = addressesInUse()
  for (let n = NET_FIRST; n <= NET_LAST; n++) {
    if (inUse.has(n)) continue
    const path = join(LOCK_DIR, `net-${n}`)
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(path, `${process.pid} ${name}\n`, {flag: 'wx'})
        return n
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
        if (lockOwnerAlive(path)) break
        try {
          unlinkSync(path)
        } catch {
          // Someone else took it over first.
        }
      }
    }
  }
  throw new Error(`no free 10.250.N.0/24 for a test host (all of ${NET_FIRST}..${NET_LAST} claimed in ${LOCK_DIR})`)
}

function releaseNet(n: number): void {
  const path = join(LOCK_DIR, `net-${n}`)
  try {
    if (readFileSync(path, 'utf8').split(' ')[0] === String(process.pid)) unlinkSync(path)
  } catch {
    // Not ours or already gone.
  }
}

function lockOwnerAlive(path: string): boolean {
  try {
    const owner = Number(readFileSync(path, 'utf8').split(' ')[0])
    return Number.isInteger(owner) && owner > 0 && ownerAlive(owner)
  } catch {
    return false
  }
}

/** A harness owner is a live node process (vitest worker); a recycled PID running something else is not. */
function ownerAlive(pid: number): boolean {
  if (pid === process.pid) return true
  if (!isAlive(pid)) return false
  return /node|vitest/.test(readComm(pid) ?? '')
}

function addressesInUse(): Set<number> {
  const used = new Set<number>()
  try {
    const out = execFileSync('ip', ['-o', '-4', 'addr', 'show'], {encoding: 'utf8', env: {PATH: BASE_PATH}})
    for (const m of out.matchAll(/inet 10\.250\.(\d+)\./g)) used.add(Number(m[1]))
  } catch {
    // ip missing is reported by e2eAvailability.
  }
  return used
}

// ---------------------------------------------------------------------------------------------
// Cgroups

async function removeCgroupDirs(roots: readonly string[]): Promise<void> {
  // Emptied cgroups can stay busy for a moment after their last process is reaped.
  for (let attempt = 0; attempt < 20; attempt++) {
    let left = 0
    for (const root of roots) left += rmdirTree(root)
    if (left === 0) return
    await sleep(100)
  }
  process.stderr.write(`[e2e] could not remove cgroup(s) ${roots.join(' ')} (still busy)\n`)
}

/** Depth-first rmdir (cgroupfs only allows removing empty leaves); returns how many dirs are left. */
function rmdirTree(dir: string): number {
  let st
  try {
    st = statSync(dir)
  } catch {
    return 0
  }
  if (!st.isDirectory()) return 0
  let left = 0
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    if (e.isDirectory()) left += rmdirTree(join(dir, e.name))
  }
  try {
    rmdirSync(dir)
  } catch {
    left++
  }
  return left
}

function cgroupPids(dir: string): number[] {
  const pids: number[] = []
  try {
    for (const p of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (p.trim() !== '') pids.push(Number(p))
    for (const e of readdirSync(dir, {withFileTypes: true})) if (e.isDirectory()) pids.push(...cgroupPids(join(dir, e.name)))
  } catch {
    // Gone meanwhile.
  }
  return pids
}

// ---------------------------------------------------------------------------------------------
// Stale hosts from a crashed run

let staleCleanup: Promise<void> | undefined

/**
 * Removes hosts, veths, cgroups and network claims left by a harness process that no longer
 * exists (a crashed or SIGKILLed run). Hosts of live runs are left alone. Runs once per process.
 */
export function cleanupStale(): Promise<void> {
  staleCleanup ??= doCleanupStale()
  return staleCleanup
}

async function doCleanupStale(): Promise<void> {
  const found: string[] = []
  const ownerOfName = (n: string): number | undefined => {
    const m = /^dcfg-(\d+)-\d+$/.exec(n)
    return m ? Number(m[1]) : undefined
  }
  const isStaleOwner = (o: number | undefined): boolean => o !== undefined && !ownerAlive(o)

  const nspawns: number[] = []
  const leaders: number[] = []
  for (const pid of allPids()) {
    if (pid === process.pid) continue
    const comm = readComm(pid)
    if (comm === 'systemd-nspawn') {
      let argv: string[] = []
      try {
        argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
      } catch {
        continue
      }
      const i = argv.indexOf('-M')
      const machine = i >= 0 ? argv[i + 1] : undefined
      if (machine !== undefined && isStaleOwner(ownerOfName(machine))) {
        nspawns.push(pid)
        found.push(`nspawn ${pid} (${machine})`)
      }
    } else if (comm === 'systemd') {
      let env = ''
      try {
        env = readFileSync(`/proc/${pid}/environ`, 'utf8')
      } catch {
        continue
      }
      const m = /(?:^|\0)DCFG_E2E_OWNER=(\d+)(?:\0|$)/.exec(env)
      if (m && isStaleOwner(Number(m[1]))) {
        leaders.push(pid)
        found.push(`host PID 1 ${pid} (owner ${m[1]})`)
      }
    }
  }
  // Stale cgroup subtrees: anything still inside belongs to a dead run's host.
  const layout = cgroupLayout()
  const staleCgroups: string[] = []
  for (const root of layout?.roots ?? []) {
    let names: string[] = []
    try {
      names = readdirSync(root).filter((n) => n.startsWith(NAME_PREFIX))
    } catch {
      continue
    }
    for (const n of names) if (isStaleOwner(ownerOfName(n))) staleCgroups.push(join(root, n))
  }
  const cgPids = staleCgroups.flatMap(cgroupPids)

  for (const p of leaders) signal(p, 'SIGKILL')
  for (const p of cgPids) signal(p, 'SIGKILL')
  for (const p of nspawns) signal(p, 'SIGKILL')
  for (const p of [...nspawns, ...leaders]) await waitExit(p, 3_000)
  if (staleCgroups.length > 0) {
    found.push(`cgroups ${staleCgroups.join(' ')}`)
    await removeCgroupDirs(staleCgroups)
  }

  // veths and claims of dead owners.
  let links = ''
  try {
    links = execFileSync('ip', ['-o', 'link', 'show'], {encoding: 'utf8', env: {PATH: BASE_PATH}})
  } catch {
    // reported by availability
  }
  for (const m of links.matchAll(new RegExp(`^\\d+: (${VETH_PREFIX}(\\d+))[@:]`, 'gm'))) {
    const [, ifname, n] = m
    if (ifname === undefined || n === undefined) continue
    if (!lockOwnerAlive(join(LOCK_DIR, `net-${n}`))) {
      found.push(`veth ${ifname}`)
      await runProcess(['ip', 'link', 'del', ifname], {allowFail: true, timeoutMs: 10_000}).catch(() => undefined)
    }
  }
  try {
    for (const f of readdirSync(LOCK_DIR)) {
      if (f.startsWith('net-') && !lockOwnerAlive(join(LOCK_DIR, f))) unlinkSync(join(LOCK_DIR, f))
    }
  } catch {
    // No lock dir yet.
  }
  // Build snapshots of dead runs.
  try {
    for (const f of readdirSync(WORK_DIR)) {
      const owner = f.startsWith(SNAPSHOT_PREFIX) ? Number(f.slice(SNAPSHOT_PREFIX.length)) : undefined
      if (isStaleOwner(owner)) removeSnapshot(owner as number)
    }
  } catch {
    // No work dir yet.
  }
  // Console logs are kept for post-mortems, but not forever.
  const logs = join(WORK_DIR, 'logs')
  try {
    for (const f of readdirSync(logs)) {
      if (f.endsWith('.log') && Date.now() - statSync(join(logs, f)).mtimeMs > 24 * 3600_000) unlinkSync(join(logs, f))
    }
  } catch {
    // No logs yet.
  }
  if (found.length > 0) process.stderr.write(`[e2e] cleaned up leftovers of a previous run: ${found.join(', ')}\n`)
}

// ---------------------------------------------------------------------------------------------
// Teardown on exit and signals

let hooksInstalled = false

function installExitHooks(): void {
  if (hooksInstalled) return
  hooksInstalled = true
  // Last resort when afterAll did not run: 'exit' handlers cannot await, so kill synchronously.
  // SIGKILL of a host's PID 1 ends its whole PID namespace (dockerd, containers and all).
  process.on('exit', () => {
    for (const h of hosts) {
      signal(h.leader, 'SIGKILL')
      signal(h.nspawnPid, 'SIGKILL')
      try {
        execFileSync('ip', ['link', 'del', h.veth], {stdio: 'ignore', env: {PATH: BASE_PATH}, timeout: 5_000})
      } catch {
        // Gone with the namespace.
      }
      releaseNet(h.net)
    }
    // The cgroup dirs are removed by the next run's cleanupStale (they stay busy for a moment).
    if (snapshot !== undefined) removeSnapshot(process.pid)
  })
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      // Re-raise once our hosts are gone, so the default action (or vitest's own handler) runs as
      // if we had never been here. The 'exit' hook still SIGKILLs whatever missed the bound.
      const reraise = (): void => {
        // The default action of the re-raised signal skips 'exit' handlers.
        if (snapshot !== undefined) removeSnapshot(process.pid)
        process.kill(process.pid, sig)
        setTimeout(() => process.exit(128 + constants.signals[sig]), 1_000).unref()
      }
      if (hosts.size === 0) return reraise()
      process.stderr.write(`[e2e] ${sig}: stopping ${hosts.size} test host(s)\n`)
      const bound = setTimeout(reraise, 15_000)
      void Promise.allSettled([...hosts].map((h) => h.stop(3_000))).finally(() => {
        clearTimeout(bound)
        reraise()
      })
    })
  }
}
