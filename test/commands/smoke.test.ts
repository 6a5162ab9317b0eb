/**
 * The command tests run the bundle in-process (runCli). Here the same runs go through the built bin
 * in a process of their own (spawnCli) too, and must give the same exit code and the same bytes on
 * stdout and stderr: a read, a write, a refusal, usage errors with and without --json, a question
 * with no terminal to ask it on. And the in-process runner must leave the test process as it found
 * it.
 */
import * as fsp from 'node:fs/promises'
import {describe, expect, it} from 'vitest'

import {type CliResult, runCli, spawnCli, useRoots} from '../support/cli.js'

const FILE = '/etc/docker/daemon.json'
const V = ['--dockerd-version', '29.7.2']
const {root} = useRoots({[FILE]: '{\n  "bip": "192.168.42.1/24"\n}\n'})

/** What differs between two runs of the same write: the backup id (time and random suffix) and the tree's path. */
function comparable(res: CliResult, treeRoot: string): {exitCode: number; stdout: string; stderr: string} {
  const normalize = (text: string) => text.replaceAll(treeRoot, '<root>').replace(/\d{8}T\d{9}Z-[0-9a-f]{6}/g, '<backup>')
  return {exitCode: res.exitCode, stdout: normalize(res.stdout), stderr: normalize(res.stderr)}
}

describe('the built bin in its own process does what the in-process run does', () => {
  it.each([
    ['a read', 0, ['get', 'bip']],
    ['a read, --json', 0, ['show', '--json']],
    ['a write', 0, ['set', 'mtu', '1400']],
    ['a refused write', 3, ['set', 'bip', '192.168.42.0/24']],
    ['a usage error', 2, ['get']],
    ['a usage error under --json', 2, ['set', 'debug', 'true', '--yes=no', '--json']],
    ['an unknown command under --json', 2, ['nosuch', '--json']],
    ['a question without a terminal to ask it on', 7, ['remote', 'enable', '--insecure', '--address', '0.0.0.0']],
  ])('%s: exit %i, the same stdout and stderr both ways', async (_what, exitCode, args) => {
    const [inProcess, spawned] = await Promise.all([root(), root()])
    const a = await runCli([...args, '--root', inProcess.root, ...V])
    const b = await spawnCli([...args, '--root', spawned.root, ...V])
    expect(a.exitCode, a.stderr).toBe(exitCode)
    expect(comparable(a, inProcess.root)).toEqual(comparable(b, spawned.root))
    expect(await inProcess.read(FILE)).toBe(await spawned.read(FILE))
  })

  it('validate of an invalid file: exit 3 both ways, with the same findings', async () => {
    const files = {[FILE]: '{\n  "mtu": "big"\n}\n'}
    const [inProcess, spawned] = await Promise.all([root(files), root(files)])
    const a = await runCli(['validate', '--root', inProcess.root, ...V])
    const b = await spawnCli(['validate', '--root', spawned.root, ...V])
    expect(a.exitCode).toBe(3)
    expect(comparable(a, inProcess.root)).toEqual(comparable(b, spawned.root))
  })
})

/** What a run in this process could change behind the test's back. */
function processState() {
  return {
    env: {...process.env},
    cwd: process.cwd(),
    umask: process.umask(),
    argv: process.argv,
    exitCode: process.exitCode,
    console: globalThis.console,
    streams: [process.stdin, process.stdout, process.stderr],
  }
}

describe('runCli leaves this process as it found it', () => {
  it('environment, working directory, umask, argv, exit code, console and streams', async () => {
    const r = await root()
    const before = processState()
    // validate sets process.exitCode on invalid files; --cwd and env are the run's own.
    await fsp.writeFile(`${r.root}${FILE}`, '{"mtu": "big"}\n')
    const res = await runCli(['validate', '--root', r.root, ...V], {cwd: r.root, env: {DOCKCFG_SMOKE: '1'}})
    expect(res.exitCode).toBe(3)
    expect(processState()).toEqual(before)
    expect(process.stdout).toBe(before.streams[1])
  })

  it("a run's exit code is its own: the exit code one run sets is not the next run's", async () => {
    const r = await root({[FILE]: '{"mtu": "big"}\n'})
    expect((await runCli(['validate', '--root', r.root, ...V])).exitCode).toBe(3)
    expect((await runCli(['get', 'mtu', '--root', r.root, ...V])).exitCode).toBe(0)
  })

  it('a run sees the environment it is given, and only that run sees it', async () => {
    const r = await root()
    const env = {DOCKER_HOST: 'tcp://127.0.0.1:1', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent'}
    const a = await runCli(['remote', 'check', '--timeout', '2', '--root', r.root], {env})
    const b = await spawnCli(['remote', 'check', '--timeout', '2', '--root', r.root], {env})
    expect([a.exitCode, a.stderr]).toEqual([b.exitCode, b.stderr])
    expect(a.exitCode).not.toBe(0)
    expect(process.env.DOCKER_CERT_PATH).not.toBe('/nonexistent')
  })

  it('runs started side by side take turns: each gets its own output', async () => {
    const r = await root()
    const runs = await Promise.all([runCli(['get', 'bip', '--root', r.root]), runCli(['get', 'mtu', '--root', r.root]), runCli(['get', 'bip', '--root', r.root, '--json'])])
    expect(runs.map((x) => [x.exitCode, x.stdout])).toEqual([
      [0, '192.168.42.1/24\n'],
      // A key that is not set: exit 1, nothing on stdout.
      [1, ''],
      [0, expect.stringContaining('"value": "192.168.42.1/24"')],
    ])
  })
})
