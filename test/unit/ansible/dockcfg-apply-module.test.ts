import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

// The Ansible module of templates/ansible, run as Ansible runs it (Debian's python3 with
// ansible-core's module_utils, arguments in a JSON file) against a stand-in dockcfg that answers
// with the documents the pinned `dockcfg apply --json` interface defines. This tests the module's
// own logic only; test/e2e/ansible.e2e.test.ts drives the real dockcfg on real hosts.
const MODULE = join(import.meta.dirname, '../../../templates/ansible/roles/dockcfg/library/dockcfg_apply.py')
// Debian's interpreter, the one ansible-core is installed for (a pyenv python3 earlier on PATH has no ansible).
const PYTHON = '/usr/bin/python3'

function ansibleAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import ansible.module_utils.basic'], {stdio: 'ignore'}).status === 0
}
const available = ansibleAvailable()
const ci = process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI.toLowerCase())

const work = mkdtempSync(join(tmpdir(), 'dockcfg-ansible-module-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))
let runs = 0

interface FakeAnswer {
  stdout: string
  stderr?: string
  rc?: number
}

interface ModuleRun {
  exitCode: number
  output: Record<string, unknown>
  /** The stand-in's argv after the program name. */
  argv: string[]
  /** What the module sent on the stand-in's stdin. */
  stdin: string
}

/** Runs the module once with `args`, the stand-in answering `answer`. */
function runModule(args: Record<string, unknown>, answer: FakeAnswer): ModuleRun {
  const dir = join(work, String(++runs))
  rmSync(dir, {recursive: true, force: true})
  spawnSync('mkdir', ['-p', dir])
  writeFileSync(join(dir, 'stdout'), answer.stdout)
  writeFileSync(join(dir, 'stderr'), answer.stderr ?? '')
  const fake = join(dir, 'dockcfg')
  writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > '${dir}/argv'\ncat > '${dir}/stdin'\ncat '${dir}/stdout'\ncat '${dir}/stderr' >&2\nexit ${answer.rc ?? 0}\n`)
  chmodSync(fake, 0o755)
  const argsFile = join(dir, 'args.json')
  writeFileSync(argsFile, JSON.stringify({ANSIBLE_MODULE_ARGS: {executable: fake, ...args}}))
  const r = spawnSync(PYTHON, [MODULE, argsFile], {encoding: 'utf8', cwd: dir})
  const ran = existsSync(join(dir, 'argv'))
  return {
    exitCode: r.status ?? -1,
    output: JSON.parse(r.stdout) as Record<string, unknown>,
    argv: ran ? readFileSync(join(dir, 'argv'), 'utf8').trimEnd().split('\n') : [],
    stdin: ran ? readFileSync(join(dir, 'stdin'), 'utf8') : '',
  }
}

const DIFF = '--- /etc/docker/daemon.json\n+++ /etc/docker/daemon.json\n@@ -1,3 +1,4 @@\n {\n-  "mtu": 1500\n+  "mtu": 1400,\n+  "bip": "192.168.42.1/24"\n }\n'

/** An ApplyResult as the pinned interface documents it. */
function applyResult(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    changed: true,
    dryRun: false,
    diff: DIFF,
    files: ['/etc/docker/daemon.json'],
    removed: [],
    backupId: '20261203T190000000Z-abc123',
    undo: 'dockcfg rollback 20261203T190000000Z-abc123',
    action: 'restarted',
    verification: [{key: 'bip', live: true}],
    warnings: [],
    changedKeys: ['bip', 'mtu'],
    activation: 'restart',
    findings: [],
    actions: [],
    dockerdVersion: '20.10.24',
    ...over,
  })
}

const STATE = {
  daemon: {bip: '192.168.42.1/24', mtu: 1400, dns: ['10.0.0.2'], debug: null},
  owners: {hosts: 'file'},
  remote: {enabled: true, address: '0.0.0.0', port: 2376, ca: '/etc/dockcfg/fleet-ca', san: ['docker1.example.com']},
}

describe.skipIf(!available && !ci)('the dockcfg_apply Ansible module', () => {
  it('is runnable where CI runs (ansible-core from Debian, scripts/e2e-prereqs.sh)', () => {
    expect(available, `${PYTHON} cannot import ansible: install ansible-core (scripts/e2e-prereqs.sh)`).toBe(true)
  })

  it('sends the desired state as the pinned document on stdin and reports dockcfg changed', () => {
    const run = runModule(STATE, {stdout: applyResult()})
    expect(run.exitCode).toBe(0)
    expect(run.argv).toEqual(['apply', '-f', '-', '--json'])
    // null stays null: it is how the document removes a key.
    expect(JSON.parse(run.stdin)).toEqual(STATE)
    expect(run.output).toMatchObject({changed: true, action: 'restarted', changed_keys: ['bip', 'mtu'], backup_id: '20261203T190000000Z-abc123'})
    expect(run.output['diff']).toBeUndefined()
  })

  it('leaves owners and remote out of the document when they are not given (remote access left as it is)', () => {
    const run = runModule({daemon: {mtu: 1400}}, {stdout: applyResult()})
    expect(JSON.parse(run.stdin)).toEqual({daemon: {mtu: 1400}})
  })

  it('reports no change when dockcfg says nothing changed', () => {
    const run = runModule(STATE, {stdout: applyResult({changed: false, diff: '', files: [], backupId: undefined, undo: undefined, action: 'none', changedKeys: []})})
    expect(run.exitCode).toBe(0)
    expect(run.output).toMatchObject({changed: false, action: 'none'})
    expect(run.output['backup_id']).toBeUndefined()
  })

  it('in check mode runs a dry run and reports the pending change', () => {
    const run = runModule({...STATE, _ansible_check_mode: true}, {stdout: applyResult({dryRun: true, action: 'none', backupId: undefined, undo: undefined})})
    expect(run.argv).toEqual(['apply', '-f', '-', '--json', '--dry-run'])
    expect(run.output).toMatchObject({changed: true, msg: 'changes pending'})
  })

  it('takes exit 8 (changes pending, from --check in extra_args) as a change, not a failure', () => {
    const run = runModule({...STATE, extra_args: ['--check']}, {stdout: applyResult({dryRun: true, action: 'none'}), rc: 8})
    expect(run.argv).toEqual(['apply', '-f', '-', '--json', '--check'])
    expect(run.exitCode).toBe(0)
    expect(run.output).toMatchObject({changed: true})
  })

  it("in diff mode returns dockcfg's diff as Ansible's diff", () => {
    const run = runModule({...STATE, _ansible_diff: true, _ansible_check_mode: true}, {stdout: applyResult({dryRun: true})})
    expect(run.output['diff']).toEqual({prepared: DIFF})
  })

  it('passes the apply flags it is given', () => {
    const run = runModule(
      {
        ...STATE,
        replace: true,
        assume_yes: true,
        keep_containers: true,
        no_restart: true,
        timeout: 90,
        root: '/mnt/image',
        config_file: '/etc/docker/daemon.json',
        dockerd_version: '20.10.24',
      },
      {stdout: applyResult()},
    )
    expect(run.argv).toEqual([
      'apply',
      '-f',
      '-',
      '--json',
      '--replace',
      '--root',
      '/mnt/image',
      '--config-file',
      '/etc/docker/daemon.json',
      '--dockerd-version',
      '20.10.24',
      '--timeout',
      '90',
      '--yes',
      '--keep-containers',
      '--no-restart',
    ])
  })

  it("fails with dockcfg's message, remedy and exit code from the error document", () => {
    const error = {error: {name: 'RefusedError', message: 'a restart would stop 2 running containers: web, db', exitCode: 7, remedy: 'add --yes'}}
    const run = runModule(STATE, {stdout: JSON.stringify(error), rc: 7})
    expect(run.exitCode).toBe(1)
    expect(run.output).toMatchObject({failed: true, msg: 'a restart would stop 2 running containers: web, db', rc: 7, remedy: 'add --yes', changed: false})
  })

  it('reports a rolled-back apply (exit 4) as failed and changed: dockerd was restarted twice', () => {
    const error = {error: {name: 'DockcfgError', message: 'dockerd did not come back; the previous configuration was restored', exitCode: 4}, action: 'rolled-back'}
    const run = runModule(STATE, {stdout: JSON.stringify(error), rc: 4})
    expect(run.output).toMatchObject({failed: true, rc: 4, changed: true})
  })

  it('fails with the end of stderr when dockcfg gives no JSON (not installed, crashed)', () => {
    const run = runModule(STATE, {stdout: '', stderr: 'node: bad option\n', rc: 9})
    expect(run.exitCode).toBe(1)
    expect(run.output).toMatchObject({failed: true, rc: 9})
    expect(run.output['msg']).toMatch(/no readable JSON answer \(exit 9\): node: bad option/)
  })

  it('fails with a message, not a traceback, on an answer nested deeper than Python reads', () => {
    const deep = `{"changed": true, "result": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`
    const run = runModule(STATE, {stdout: deep})
    expect(run.exitCode).toBe(1)
    expect(run.output).toMatchObject({failed: true, rc: 0})
    expect(run.output['msg']).toMatch(/no readable JSON answer/)
  })

  it('fails when the executable does not exist, naming it', () => {
    const argsFile = join(work, 'missing.json')
    writeFileSync(argsFile, JSON.stringify({ANSIBLE_MODULE_ARGS: {executable: join(work, 'no-such-dockcfg'), daemon: {mtu: 1400}}}))
    const r = spawnSync(PYTHON, [MODULE, argsFile], {encoding: 'utf8'})
    expect(r.status).toBe(1)
    expect(JSON.parse(r.stdout)['msg']).toContain('no-such-dockcfg')
  })

  it('never passes on a private key, whatever dockcfg printed', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----'
    const inDiff = runModule({...STATE, _ansible_diff: true}, {stdout: applyResult({diff: `+${key}\n`, warnings: [`odd: ${key}`]})})
    const failed = runModule(STATE, {stdout: 'not json', stderr: `boom ${key}`, rc: 1})
    for (const run of [inDiff, failed]) {
      expect(JSON.stringify(run.output)).not.toContain('MIGHAgEAMBMG')
      expect(JSON.stringify(run.output)).toContain('[private key withheld]')
    }
  })

  it('refuses arguments the module does not know', () => {
    const run = runModule({...STATE, deamon: {mtu: 1}}, {stdout: applyResult()})
    expect(run.exitCode).toBe(1)
    expect(run.output['msg']).toMatch(/deamon/)
    expect(run.argv).toEqual([])
  })
})

// The role's wiring, on this machine with a local connection: its variables become the module's
// arguments (a task key YAML reads differently, such as `yes`, fails here), and --check --diff
// reach dockcfg as a dry run whose diff Ansible prints. Installation and the CA copy are left out.
describe.skipIf(!available && !ci)('the dockcfg role', () => {
  const PLAYBOOK = join(import.meta.dirname, '../../../templates/ansible/playbook.yml')

  function runRole(extra: string[], answer: FakeAnswer): {exitCode: number; stdout: string; argv: string[]; stdin: string} {
    const dir = join(work, `role-${++runs}`)
    spawnSync('mkdir', ['-p', dir])
    writeFileSync(join(dir, 'stdout'), answer.stdout)
    const fake = join(dir, 'dockcfg')
    writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > '${dir}/argv'\ncat > '${dir}/stdin'\ncat '${dir}/stdout'\nexit ${answer.rc ?? 0}\n`)
    chmodSync(fake, 0o755)
    const vars = {
      dockcfg_hosts: 'all',
      ansible_become: false,
      ansible_python_interpreter: PYTHON,
      dockcfg_install_method: 'none',
      dockcfg_executable: fake,
      dockcfg_ca_src: join(dir, 'ca'),
      dockcfg_ca_dir: '/etc/dockcfg/fleet-ca',
      dockcfg_daemon: {mtu: 1400, debug: null},
      dockcfg_remote: {enabled: true, port: 2376},
      dockcfg_yes: true,
    }
    writeFileSync(join(dir, 'vars.json'), JSON.stringify(vars))
    const r = spawnSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', PLAYBOOK, '-e', `@${join(dir, 'vars.json')}`, '--skip-tags', 'dockcfg-ca', ...extra], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        ANSIBLE_CONFIG: join(dir, 'none.cfg'),
        ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
        ANSIBLE_REMOTE_TEMP: join(dir, 'tmp'),
        ANSIBLE_NOCOLOR: '1',
      },
      timeout: 120_000,
    })
    const ran = existsSync(join(dir, 'argv'))
    return {
      exitCode: r.status ?? -1,
      stdout: r.stdout + r.stderr,
      argv: ran ? readFileSync(join(dir, 'argv'), 'utf8').trimEnd().split('\n') : [],
      stdin: ran ? readFileSync(join(dir, 'stdin'), 'utf8') : '',
    }
  }

  it('sends its variables as the desired state, the shared CA named in remote', () => {
    const run = runRole([], {stdout: applyResult()})
    expect(run.exitCode, run.stdout).toBe(0)
    expect(run.argv).toEqual(['apply', '-f', '-', '--json', '--yes'])
    expect(JSON.parse(run.stdin)).toEqual({daemon: {mtu: 1400, debug: null}, remote: {enabled: true, port: 2376, ca: '/etc/dockcfg/fleet-ca'}})
    expect(run.stdout).toMatch(/localhost\s+: ok=1\s+changed=1 /)
  })

  it('with --check --diff runs a dry run and prints dockcfg diff', () => {
    const run = runRole(['--check', '--diff'], {stdout: applyResult({dryRun: true, action: 'none'})})
    expect(run.exitCode, run.stdout).toBe(0)
    expect(run.argv).toContain('--dry-run')
    expect(run.stdout).toContain('+  "bip": "192.168.42.1/24"')
    expect(run.stdout).toMatch(/localhost\s+: ok=1\s+changed=1 /)
  })
})
