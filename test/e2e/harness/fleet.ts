/**
 * A small fleet reached over SSH (testbed.md, "A small fleet"): test hosts running this machine's
 * sshd with one key pair per run, an Ansible inventory of their veth addresses, and Debian's
 * ansible-playbook run from this side (the control machine).
 */
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {type ExecResult, runProcess} from './proc.js'
import {REPO_ROOT, WORK_DIR} from './paths.js'
import type {TestHost} from './testbed.js'

/** Debian's interpreter: ansible-core is installed for it (an earlier python3 on PATH may lack it). */
export const SYSTEM_PYTHON = '/usr/bin/python3'

export interface SshKey {
  /** The private key's path (0600, inside this run's directory). */
  path: string
  publicKey: string
}

/** One ed25519 key pair for the whole run, in `dir`. */
export async function sshKeyPair(dir: string): Promise<SshKey> {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const path = join(dir, 'id_ed25519')
  if (!existsSync(path)) await runProcess(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'dockcfg-e2e-fleet', '-f', path])
  return {path, publicKey: readFileSync(`${path}.pub`, 'utf8')}
}

const SSH_OPTIONS = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR']

/** Authorizes `key` for root inside the host, starts its sshd and waits until a login works. */
export async function startSshd(h: TestHost, key: SshKey): Promise<void> {
  await h.sh('mkdir -p /root/.ssh && cat > /root/.ssh/authorized_keys && chmod 700 /root/.ssh && chmod 600 /root/.ssh/authorized_keys && systemctl start ssh', {
    input: key.publicKey,
  })
  const deadline = Date.now() + 30_000
  for (;;) {
    const r = await ssh(h, key, ['true'])
    if (r.exitCode === 0) return
    if (Date.now() > deadline) throw new Error(`${h.name}: no ssh login within 30 s (exit ${r.exitCode}): ${r.stderr}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** A command over SSH from this side, as Ansible reaches the host. */
export function ssh(h: TestHost, key: SshKey, argv: readonly string[]): Promise<ExecResult> {
  return runProcess(['ssh', ...SSH_OPTIONS, '-i', key.path, `root@${h.address}`, '--', ...argv], {allowFail: true, timeoutMs: 30_000})
}

/** An INI inventory: group `docker`, each host by its name at its veth address. */
export function writeInventory(path: string, hosts: readonly TestHost[], key: SshKey): string {
  const lines = ['[docker]', ...hosts.map((h) => `${h.name} ansible_host=${h.address}`), '', '[docker:vars]']
  lines.push('ansible_user=root', `ansible_ssh_private_key_file=${key.path}`, `ansible_python_interpreter=${SYSTEM_PYTHON}`)
  lines.push(`ansible_ssh_common_args='${SSH_OPTIONS.join(' ')}'`)
  writeFileSync(path, lines.join('\n') + '\n')
  return path
}

/** What PLAY RECAP says about one host. */
export interface RecapLine {
  ok: number
  changed: number
  unreachable: number
  failed: number
  skipped: number
  rescued: number
  ignored: number
}

export interface PlaybookRun extends ExecResult {
  ms: number
  recap: Record<string, RecapLine>
  /** argv and both streams, for assertion messages. */
  describe: string
}

/** `host : ok=5 changed=1 unreachable=0 failed=0 skipped=2 rescued=0 ignored=0` lines after PLAY RECAP. */
export function parseRecap(stdout: string): Record<string, RecapLine> {
  const at = stdout.lastIndexOf('PLAY RECAP')
  const recap: Record<string, RecapLine> = {}
  if (at < 0) return recap
  for (const m of stdout.slice(at).matchAll(/^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$/gm)) {
    const counts = Object.fromEntries([...(m[2] as string).matchAll(/(\w+)=(\d+)/g)].map((c) => [c[1], Number(c[2])]))
    recap[m[1] as string] = {
      ok: counts['ok'] ?? 0,
      changed: counts['changed'] ?? 0,
      unreachable: counts['unreachable'] ?? 0,
      failed: counts['failed'] ?? 0,
      skipped: counts['skipped'] ?? 0,
      rescued: counts['rescued'] ?? 0,
      ignored: counts['ignored'] ?? 0,
    }
  }
  return recap
}

/** ansible-playbook from this side, in the environment of ansibleEnv(dir). */
export async function runPlaybook(dir: string, args: readonly string[], timeoutMs = 600_000): Promise<PlaybookRun> {
  const argv = ['ansible-playbook', ...args]
  const t0 = Date.now()
  const r = await runProcess(argv, {allowFail: true, timeoutMs, env: ansibleEnv(dir)})
  const ms = Date.now() - t0
  return {...r, ms, recap: parseRecap(r.stdout), describe: `${argv.join(' ')} -> exit ${r.exitCode} in ${ms} ms\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`}
}

/**
 * Ansible's environment for a run: no ansible.cfg of the machine or the user is read
 * (ANSIBLE_CONFIG points at none); the run's own local temp and SSH control paths.
 */
export function ansibleEnv(dir: string): Record<string, string> {
  return {
    ANSIBLE_CONFIG: join(dir, 'no-ansible.cfg'),
    ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: join(dir, 'ansible-cp'),
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_FORKS: '10',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: 'False',
    ANSIBLE_PYTHON_INTERPRETER: SYSTEM_PYTHON,
  }
}

/**
 * The npm tarball the hosts install: the package has no runtime dependencies (everything is in its
 * bundles, scripts/build.js), so it installs on a host that reaches no registry (testbed.md).
 */
export async function packOfflineTarball(dir: string): Promise<string> {
  const r = await runProcess(['npm', 'pack', REPO_ROOT, '--ignore-scripts', '--silent', '--pack-destination', dir], {baseEnv: npmEnv(), timeoutMs: 300_000})
  return join(dir, r.stdout.trim().split('\n').pop() as string)
}

function npmEnv(): Record<string, string> {
  return {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', LANG: 'C.UTF-8'}
}

/** Scratch space for one fleet run: keys, inventory, CA, client bundle, tarball. */
export function fleetDir(label: string): string {
  const dir = join(WORK_DIR, `${label}-${process.pid}`)
  mkdirSync(dir, {recursive: true, mode: 0o700})
  return dir
}
