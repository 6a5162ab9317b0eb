import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import {describe, expect, it} from 'vitest'

import {COMMANDS} from '../../src/main.js'
import {type CliResult, runCli, useRoots} from '../support/cli.js'

// Issue 9 item 16: usage mistakes are exit 2 with a message that names the flag at fault, never
// "internal error", exit 1 or a write; under --json every one of them is a JSON error on stdout.

const FILE = '/etc/docker/daemon.json'
const V = ['--dockerd-version', '20.10.24']
const {root, dir} = useRoots({[FILE]: '{}\n'})
const emptyDir = () => dir('dockcfg-cwd-')

/** Runs each in turn, results in order. */
function runAll(runs: ReadonlyArray<readonly string[]>, options: Parameters<typeof runCli>[1] = {}): Promise<CliResult[]> {
  return Promise.all(runs.map((args) => runCli(args, options)))
}

/** The --json error object a usage mistake must print on stdout. */
function usageJson(res: CliResult, what: string): {name: string; message: string; exitCode: number} {
  expect(res.exitCode, `${what}: ${res.stdout}${res.stderr}`).toBe(2)
  let parsed: {error?: {name: string; message: string; exitCode: number}} = {}
  expect(() => (parsed = res.json()), `${what}: stdout is not JSON: ${res.stdout}`).not.toThrow()
  expect(parsed.error?.exitCode, what).toBe(2)
  // oclif's own parse errors too: one name for every usage error, whoever found it.
  expect(parsed.error?.name, what).toBe('UsageError')
  return parsed.error as {name: string; message: string; exitCode: number}
}

describe('--json-value numbers dockerd or dockcfg cannot carry exactly', () => {
  it.each([
    ['mtu', '1e309', /the number 1e309 is beyond what a JSON number can hold/],
    ['mtu', '-1e309', /the number -1e309 is beyond/],
    ['labels', '["a=b", 1e400]', /the number 1e400 is beyond/],
    ['mtu', '9223372036854775808', /the integer 9223372036854775808 is beyond ±2\^53/],
    ['max-concurrent-downloads', '9007199254740993', /the integer 9007199254740993 is beyond ±2\^53/],
    ['mtu', 'NaN', /is not valid JSON/],
  ])('set %s --json-value %s: exit 2, nothing written', async (key, json, message) => {
    const r = await root()
    const [plain, asJson] = await runAll([
      ['set', key, '--json-value', json, '--root', r.root, ...V],
      ['set', key, '--json-value', json, '--root', r.root, '--json', ...V],
    ])
    expect(plain?.exitCode, plain?.stderr).toBe(2)
    expect(plain?.stderr).toMatch(message)
    expect(plain?.stderr).not.toMatch(/internal error/)
    expect(usageJson(asJson as CliResult, json).message).toMatch(message)
    expect(await r.read(FILE)).toBe('{}\n')
  })
})

describe('flags are named as given', () => {
  it('remote enable --address 999.999.999.999 blames --address, not --san', async () => {
    const r = await root()
    const [plain, asJson] = await runAll([
      ['remote', 'enable', '--address', '999.999.999.999', '--dry-run', '--root', r.root, ...V],
      ['remote', 'enable', '--address', '999.999.999.999', '--insecure', '--root', r.root, '--json', ...V],
    ])
    expect(plain?.exitCode, plain?.stderr).toBe(2)
    expect(plain?.stderr).toContain('--address "999.999.999.999" is neither an IP address nor a valid DNS name')
    expect(plain?.stderr).not.toMatch(/--san|wildcard/)
    expect(usageJson(asJson as CliResult, '--address --json').message).toContain('--address')
  })

  it.each([
    [['set', 'debug', 'true', '--yes=no']],
    [['unset', 'debug', '--yes=false']],
    [['fix', '--dry-run=false']],
    [['rollback', '--yes=no']],
    [['rollback', '-y=1']],
    [['remote', 'enable', '--insecure=yes']],
    [['remote', 'disable', '--purge=no']],
    [['show', '--verbose=0']],
    [['set', 'debug', 'true', '--json=no']],
  ])('%j says the switch takes no value, changes nothing', async (args) => {
    const r = await root()
    const set = await runCli(['set', 'debug', 'false', '--root', r.root, ...V])
    expect(set.exitCode, set.stderr).toBe(0)
    const before = await r.read(FILE)
    const [plain, asJson] = await runAll([
      [...args, '--root', r.root, ...V],
      [...args, '--root', r.root, '--json', ...V],
    ])
    const flag = /^-y=/.test(args.at(-1) as string) ? '--yes' : (args.at(-1) as string).replace(/=.*$/, '')
    expect(plain?.exitCode, plain?.stderr).toBe(2)
    expect(plain?.stderr).toContain(`dockcfg: ${flag} takes no value (got "${args.at(-1)}"): give ${flag} to turn it on, or leave it out`)
    expect(usageJson(asJson as CliResult, args.join(' ')).message).toContain(`${flag} takes no value`)
    // `rollback --yes=no` must not have rolled back, `set … --yes=no` must not have set.
    expect(await r.read(FILE)).toBe(before)
  })
})

describe('an empty path is not the current directory', () => {
  it.each([
    [['remote', 'ca', 'create', '--out', ''], '--out'],
    [['remote', 'ca', 'create', '--out', '  '], '--out'],
    [['remote', 'client-cert', '--ca', '.', '--out', ''], '--out'],
    [['remote', 'enable', '--client-out', '', '--root', '/nonexistent-is-never-reached'], '--client-out'],
  ])('%j: exit 2, nothing written in the current directory', async (args, flag) => {
    const cwd = await emptyDir()
    const r = await root()
    const argv = args.includes('--root') ? args.map((a) => (a === '/nonexistent-is-never-reached' ? r.root : a)) : args
    const [plain, asJson] = await runAll(
      [
        [...argv, ...V],
        [...argv, '--json', ...V],
      ],
      {cwd},
    )
    expect(plain?.exitCode, plain?.stderr).toBe(2)
    expect(plain?.stderr).toContain(`${flag} needs a path; an empty one would mean the current directory`)
    expect(usageJson(asJson as CliResult, args.join(' ')).message).toContain(flag)
    expect(await fsp.readdir(cwd)).toEqual([])
  })
})

describe('rollback says what it did to each file', () => {
  it('"removed" for a file the backup says did not exist, "wrote" for the rest', async () => {
    const r = await root({'/etc/docker/.keep': ''})
    expect((await runCli(['set', 'debug', 'true', '--root', r.root, ...V])).exitCode).toBe(0)
    const back = await runCli(['rollback', '--root', r.root, ...V])
    expect(back.exitCode, back.stderr).toBe(0)
    expect(back.stderr).toMatch(/^removed \/etc\/docker\/daemon\.json \(backup /m)
    expect(back.stderr).not.toMatch(/^wrote /m)
    const again = await runCli(['rollback', '--root', r.root, '--json', ...V])
    expect(again.json()).toMatchObject({files: [FILE], removed: []})
    expect(JSON.parse(await r.read(FILE))).toEqual({debug: true})
  })
})

describe('every usage error is a JSON error object under --json', () => {
  const ids = Object.getOwnPropertyNames(COMMANDS)

  it('an unknown flag, for every command (help included)', async () => {
    const r = await root()
    const runs = ids.map((id) => [...id.split(':'), '--no-such-flag', '--json', ...(id === 'help' ? [] : ['--root', r.root])])
    const results = await runAll(runs)
    for (const [i, res] of results.entries()) {
      // help is text for people, whatever its flags: refused as such under --json.
      expect(usageJson(res, runs[i]?.join(' ') ?? '').message).toContain(ids[i] === 'help' ? 'help prints text for people' : '--no-such-flag')
    }
  })

  it('an unknown command, a topic without its command, a missing argument, a bad flag value', async () => {
    const r = await root()
    const runs = [
      ['nosuch', '--json'],
      ['remote', '--json'],
      ['remote', 'ca', '--json'],
      ['get', '--json', '--root', r.root],
      ['remote', 'enable', '--port', 'abc', '--json', '--root', r.root],
      ['rollback', '--timeout', '1', '--json', '--root', r.root],
      ['completion', 'fish', '--json'],
      ['get', 'bip', 'extra', '--json', '--root', r.root],
      ['remote', 'nosuch', '--json'],
      ['show', '--root', path.join(r.root, 'nonexistent'), '--json'],
      ['set', '--json', '--root', r.root],
    ]
    const results = await runAll(runs)
    const messages = results.map((res, i) => usageJson(res, runs[i]?.join(' ') ?? '').message)
    expect(messages[0]).toContain('command nosuch not found')
    expect(messages[1]).toBe('remote is a group of commands: remote ca create, remote check, remote client-cert, remote csr, remote disable, remote enable, remote sign')
    expect(messages[2]).toBe('remote ca is a group of commands: remote ca create')
    expect(messages[3]).toContain('Missing 1 required arg')
    expect(messages[4]).toContain('--port')
    expect(messages[6]).toContain('fish')
    expect(messages[7]).toContain('Unexpected argument: extra')
    expect(messages[8]).toContain('remote:nosuch not found')
    expect(messages[9]).toContain('--root')
    expect(messages[10]).toContain('Missing 1 required arg')
  })

  it('help, --help and --version are text for people: under --json a usage error, not text', async () => {
    const runs = [
      ['--help', '--json'],
      ['set', '--json', '--help'],
      ['help', 'set', '--json'],
      ['--version', '--json'],
    ]
    const results = await runAll(runs)
    for (const [i, res] of results.entries()) {
      const asked = runs[i]?.[0] === 'help' ? 'help' : runs[i]?.includes('--help') ? '--help' : '--version'
      expect(usageJson(res, runs[i]?.join(' ') ?? '').message).toBe(`${asked} prints text for people and has no --json form`)
      expect(res.stderr).toBe('')
    }
  })

  it('flags before the command, or no command at all: a usage error naming what is missing', async () => {
    const [alone, before] = await runAll([['--json'], ['--json', 'get', 'bip']])
    expect(usageJson(alone as CliResult, '--json').message).toBe('no command given')
    expect(usageJson(before as CliResult, '--json get bip').message).toBe('the command comes first, flags after it (got --json before any command)')
  })

  it('a --json after -- is an argument, not a request for JSON', async () => {
    const r = await root()
    const res = await runCli(['get', '--root', r.root, '--', '--json'])
    expect(res.exitCode).toBe(2)
    expect(res.stdout).toBe('')
    expect(res.stderr).toContain('--json')
  })
})
