/**
 * The single executable (dist/dockcfg-linux-x64, scripts/build-sea.js) on a real test host where
 * Node cannot run: an empty, non-executable file is bound over /usr/bin/node (which /usr/bin/nodejs
 * points to as well), so anything that tried to start node, the rollback timer included, would fail.
 * The binary is copied in, as onto a fleet host, and does a real safe apply, enables remote TLS
 * access (the certificate stack inside the binary), rolls back, and is rolled back by its own timer.
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {bridgeNetwork, DAEMON_JSON, docker0Addresses, dockerState, pingOk, snapshotFiles, waitFor} from './harness/docker-probes.js'
import {bootHost, e2eGate, REPO_ROOT, stopAllHosts, type ExecResult, type TestHost, WORK_DIR} from './harness/testbed.js'

const gate = e2eGate()

const BINARY = join(REPO_ROOT, `dist/dockcfg-linux-${process.arch}`)
/** Outside /usr (this machine's, read-only inside) and outside the checkout bound at /opt/dockcfg. */
const GUEST_BINARY = '/opt/sea/dockcfg'
const TLS_CLIENT = '/etc/docker/tls/client'

let h: TestHost

function sea(args: readonly string[]): Promise<ExecResult> {
  return h.exec([GUEST_BINARY, ...args], {allowFail: true, timeoutMs: 180_000})
}

function shown(args: readonly string[], r: ExecResult): string {
  return `dockcfg ${args.join(' ')} exited ${r.exitCode}\n${r.stdout}\n${r.stderr}`
}

async function run(args: readonly string[], exitCode = 0): Promise<ExecResult> {
  const r = await sea(args)
  expect(r.exitCode, shown(args, r)).toBe(exitCode)
  return r
}

/** The docker CLI inside the host, over TCP with the client bundle `remote enable` wrote. */
function dockerOverTls(): Promise<ExecResult> {
  const tls = ['--tlsverify', `--tlscacert=${TLS_CLIENT}/ca.pem`, `--tlscert=${TLS_CLIENT}/cert.pem`, `--tlskey=${TLS_CLIENT}/key.pem`]
  return h.exec(['docker', ...tls, '-H', 'tcp://127.0.0.1:2376', 'version', '--format', '{{.Server.Version}}'], {allowFail: true, timeoutMs: 30_000})
}

describe.skipIf(!gate.ok)('the single executable on a host without Node', () => {
  beforeAll(async () => {
    // Once per change: scripts/build-sea.js keeps an executable whose build id matches its input.
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/build-sea.js')], {stdio: 'inherit', timeout: 900_000})
    const noNode = join(WORK_DIR, 'no-node')
    writeFileSync(noNode, '', {mode: 0o644})
    h = await bootHost({bindRo: [{src: noNode, dst: '/usr/bin/node'}]})
    await h.waitDockerActive()
    // Over stdin, as scp would: this machine's files are not visible inside.
    await h.writeFile(GUEST_BINARY, readFileSync(BINARY), 0o755)
  }, 900_000)

  afterAll(stopAllHosts)

  it('1. node is not there: not on PATH, and /usr/bin/node does not run', async () => {
    const found = await h.sh('command -v node nodejs', {allowFail: true})
    expect(found.exitCode).not.toBe(0)
    expect(found.stdout).toBe('')
    for (const node of ['/usr/bin/node', '/usr/bin/nodejs']) {
      const tried = await h.exec([node, '-e', '0'], {allowFail: true})
      expect(tried.exitCode, `${node}: ${tried.stderr}`).not.toBe(0)
    }
  })

  it('2. --version, help and validate', async () => {
    expect((await run(['--version'])).stdout).toMatch(/^dockcfg\/0\.1\.0 linux-x64 node-v24\./)
    const help = await run(['help'])
    expect(help.stdout).toMatch(/^ {2}remote\s/m)
    expect(help.stdout).toMatch(/^ {2}set\s/m)
    expect((await run(['remote', 'enable', '--help'])).stdout).toContain('USAGE')
    await run(['validate'])
    // Its package root went to root's cache directory, private to root.
    const dirs = await h.sh('stat -c "%a %U %n" /root/.cache/dockcfg/sea-*')
    expect(dirs.stdout.trim()).toMatch(/^700 root \/root\/\.cache\/dockcfg\/sea-[0-9a-f]{8}-[0-9a-f]{32}$/)
  })

  it('3. set bip: a safe apply against real systemd and dockerd, verified live', async () => {
    const set = await run(['set', 'bip', '192.168.77.1/24', '--yes', '--json'])
    expect(JSON.parse(set.stdout)).toMatchObject({changed: true, action: 'restarted'})
    expect(await docker0Addresses(h)).toContain('192.168.77.1/24')
    expect((await bridgeNetwork(h)).subnets).toContain('192.168.77.0/24')
  })

  it('4. remote enable: certificates made by the binary, the docker CLI answers over mutual TLS', async () => {
    const enabled = await run(['remote', 'enable', '--yes'])
    expect(enabled.stderr).toMatch(/self-check: tcp:\/\/127\.0\.0\.1:2376 answers over mutual TLS/)
    const version = await dockerOverTls()
    expect(version.exitCode, version.stderr).toBe(0)
    expect(version.stdout.trim()).toMatch(/^20\.10\./)
  })

  it('5. rollback undoes the last change: no TCP listener, bip kept', async () => {
    await run(['rollback', '--yes'])
    expect((await dockerOverTls()).exitCode).not.toBe(0)
    expect(await pingOk(h, {socket: '/run/docker.sock'})).toBe(true)
    expect(await docker0Addresses(h)).toContain('192.168.77.1/24')
  })

  // The timer's command is the binary alone (src/system/host.ts): node cannot run here, so a
  // command line naming node, or the binary twice, would leave the half-applied change in place.
  it('6. killed after writing, the rollback timer runs the binary itself and restores the host', async () => {
    const before = await snapshotFiles(h, [DAEMON_JSON])
    // Stopped by DOCKCFG_TEST_PAUSE_AT once daemon.json is written (src/system/checkpoint.ts), then killed.
    const out = '/run/sea-paused.out'
    await h.exec(['setsid', '-f', 'sh', '-c', `DOCKCFG_TEST_PAUSE_AT=wrote-1 exec ${GUEST_BINARY} set mtu 1400 --yes --timeout 5 >${out} 2>&1 </dev/null`])
    let pid = 0
    await waitFor(
      'the binary to stop itself after its first write',
      120_000,
      async () => {
        pid = Number((await h.exec(['pgrep', '-f', `^${GUEST_BINARY} set mtu`], {allowFail: true})).stdout.trim().split('\n')[0] ?? 0)
        return pid > 0 && (await h.exec(['sh', '-c', `cut -d' ' -f3 /proc/${pid}/stat`], {allowFail: true})).stdout.trim() === 'T'
      },
      async () => h.readFile(out).catch(() => ''),
    )
    expect(await h.readFile(DAEMON_JSON)).toContain('1400')
    await h.exec(['kill', '-KILL', String(pid)])
    // The timer fires --timeout + 15 s after arming; allow for the rollback's restart on top.
    await waitFor(
      'the rollback timer to restore daemon.json and dockerd',
      (5 + 15 + 40) * 1000,
      async () => JSON.stringify(await snapshotFiles(h, [DAEMON_JSON])) === JSON.stringify(before) && (await dockerState(h)).active === 'active',
      async () => (await h.exec(['journalctl', '-n', '20', '--no-pager', '-u', 'dockcfg-rollback-*'], {allowFail: true})).stdout,
    )
    expect(await pingOk(h, {socket: '/run/docker.sock'})).toBe(true)
    expect(await docker0Addresses(h)).toContain('192.168.77.1/24')
  })
})

describe.skipIf(!gate.ok)('the single executable on this machine: where its package root comes from', () => {
  let work = ''
  beforeAll(() => {
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts/build-sea.js')], {stdio: 'inherit', timeout: 900_000})
    work = mkdtempSync(join(tmpdir(), 'dockcfg-sea-'))
  }, 900_000)
  afterAll(() => rmSync(work, {recursive: true, force: true}))

  const version = (env: Record<string, string>) => {
    const r = spawnSync(BINARY, ['--version'], {env: {PATH: '/usr/bin:/bin', ...env}, encoding: 'utf8'})
    expect(r.status, r.stderr).toBe(0)
    return r.stdout
  }

  it('7. an extracted root that others can write is not used; the owner-only one is', () => {
    const home = join(work, 'home')
    expect(version({HOME: home})).toMatch(/^dockcfg\/0\.1\.0 /)
    const id = readFileSync(join(REPO_ROOT, 'dist/sea/build-id'), 'utf8')
    const roots = readdirSync(join(home, '.cache/dockcfg'))
    expect(roots).toEqual([expect.stringMatching(new RegExp(`^sea-[0-9a-f]{8}-${id}$`))])
    const root = join(home, '.cache/dockcfg', roots[0]!)
    // Another version in its package.json: what oclif prints shows which root it read.
    const pkg = join(root, 'package.json')
    const forged = readFileSync(pkg, 'utf8').replace('"version": "0.1.0"', '"version": "6.6.6"')
    chmodSync(pkg, 0o600)
    writeFileSync(pkg, forged)
    chmodSync(root, 0o770)
    expect(version({HOME: home})).toMatch(/^dockcfg\/0\.1\.0 /)
    chmodSync(root, 0o700)
    expect(version({HOME: home})).toMatch(/^dockcfg\/6\.6\.6 /)
  })

  it('8. every command runs from the binary (on a tree with --root; remote check against a closed port)', () => {
    const tree = join(work, 'tree')
    mkdirSync(join(tree, 'etc/docker'), {recursive: true})
    writeFileSync(join(tree, 'etc/docker/daemon.json'), '{"bip": "192.168.42.1/24"}\n')
    const on = ['--root', tree, '--dockerd-version', '20.10.24']
    const ca = join(work, 'ca')
    // In this order (rollback after two writes, client-cert after the CA); remote check exits 6.
    const runs: Record<string, {args: string[]; exit?: number; out: RegExp}> = {
      completion: {args: ['completion', 'bash'], out: /_dockcfg\(\)/},
      keys: {args: ['keys', 'bip'], out: /flags\s+--bip/},
      help: {args: ['help', 'set'], out: /USAGE/},
      get: {args: ['get', 'bip', '--root', tree], out: /^192\.168\.42\.1\/24$/m},
      validate: {args: ['validate', ...on], out: /0 error\(s\)/},
      show: {args: ['show', ...on], out: /daemon\.json: \/etc\/docker\/daemon\.json/},
      fix: {args: ['fix', '--dry-run', ...on], out: /nothing to fix/},
      set: {args: ['set', 'mtu', '1400', '--no-restart', ...on], out: /wrote \/etc\/docker\/daemon\.json/},
      unset: {args: ['unset', 'mtu', '--no-restart', ...on], out: /wrote \/etc\/docker\/daemon\.json/},
      history: {args: ['history', '--root', tree], out: /dockcfg unset mtu/},
      rollback: {args: ['rollback', '--no-restart', ...on], out: /rolling back to backup/},
      restart: {args: ['restart', ...on], out: /services of this machine are never touched/},
      'remote:enable': {args: ['remote', 'enable', '--dry-run', ...on], out: /issued the server certificate/},
      'remote:disable': {args: ['remote', 'disable', '--dry-run', ...on], out: /nothing to do/},
      'remote:ca:create': {args: ['remote', 'ca', 'create', '--out', ca], out: /BEGIN|wrote .*ca\.pem/},
      'remote:client-cert': {args: ['remote', 'client-cert', '--ca', ca, '--out', join(work, 'client')], out: /wrote .*cert\.pem/},
      'remote:csr': {args: ['remote', 'csr', '--out', join(work, 'request')], out: /wrote .*csr\.pem/},
      'remote:sign': {args: ['remote', 'sign', '--ca', ca, '--csr', join(work, 'request/csr.pem'), '--out', join(work, 'signed'), '--accept-csr-sans'], out: /wrote .*cert\.pem/},
      'remote:check': {args: ['remote', 'check', 'tcp://127.0.0.1:1'], exit: 6, out: /127\.0\.0\.1:1/},
      apply: {args: ['apply', '-f', join(work, 'state.json'), '--no-restart', ...on], out: /wrote \/etc\/docker\/daemon\.json/},
    }
    writeFileSync(join(work, 'state.json'), '{"daemon": {"mtu": 1450}}\n')
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}
    expect(Object.keys(runs).sort()).toEqual(Object.keys(manifest.commands).sort())
    for (const [id, {args, exit, out}] of Object.entries(runs)) {
      // Not test 7's home, whose root now says 6.6.6.
      const r = spawnSync(BINARY, args, {cwd: work, env: {PATH: '/usr/bin:/bin', HOME: join(work, 'home-8')}, encoding: 'utf8'})
      expect(r.status, `${id}: ${r.stdout}${r.stderr}`).toBe(exit ?? 0)
      expect(`${r.stdout}${r.stderr}`, id).toMatch(out)
    }
  })

  it('9. without a home directory (a systemd unit), a private copy in TMPDIR, removed at exit', () => {
    const tmp = join(work, 'tmp')
    cpSync(join(REPO_ROOT, 'templates'), join(tmp, 'unrelated'), {recursive: true})
    expect(version({TMPDIR: tmp})).toMatch(/^dockcfg\/0\.1\.0 /)
    expect(readdirSync(tmp)).toEqual(['unrelated'])
  })

  it('10. a new build at the same location removes the roots of earlier ones, not those of other locations', () => {
    const home = join(work, 'home-10')
    version({HOME: home})
    const cache = join(home, '.cache/dockcfg')
    const [current] = readdirSync(cache)
    const location = /^(sea-[0-9a-f]{8}-)/.exec(current!)![1]!
    const earlier = `${location}${'0'.repeat(32)}`
    const elsewhere = `sea-00000000-${'0'.repeat(32)}`
    for (const name of [earlier, elsewhere]) mkdirSync(join(cache, name, 'dist'), {recursive: true, mode: 0o700})
    // As if this build ran here for the first time.
    rmSync(join(cache, current!), {recursive: true})
    version({HOME: home})
    expect(readdirSync(cache).sort()).toEqual([current, elsewhere].sort())
  })
})
