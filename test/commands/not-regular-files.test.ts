/**
 * Issue 9 item 13: what dockerd and systemd cannot read where a configuration file belongs (a
 * FIFO, a directory, a link loop, a name too long) is exit 3 with the path and what it is, for
 * every command that reads it; never a hang, never a raw errno with exit 1. A hang shows as this
 * file's test timeout (the runs are in-process: the test worker, and the run with it, ends with the file).
 */
import {execFileSync} from 'node:child_process'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCli, useRoots} from '../support/cli.js'

const FIXTURES = path.join(import.meta.dirname, '../fixtures')
const V = ['--dockerd-version', '20.10.24']
const DAEMON_JSON = '/etc/docker/daemon.json'
const VENDOR = '/lib/systemd/system/docker.service'
const DROPIN = '/etc/systemd/system/docker.service.d/http-proxy.conf'
const ENV_FILE = '/etc/default/docker'

const {root} = useRoots()

async function tree(files: Record<string, string> = {}) {
  return root({[VENDOR]: await fsp.readFile(path.join(FIXTURES, 'vendor/debian-12-docker.io-docker.service'), 'utf8'), ...files})
}
const at = (root: string, p: string) => path.join(root, p)
async function fifo(root: string, p: string): Promise<void> {
  await fsp.mkdir(path.dirname(at(root, p)), {recursive: true})
  execFileSync('mkfifo', [at(root, p)])
}

/** Every command that reads daemon.json (and the unit), each with its own arguments. */
const READERS = [['validate'], ['show'], ['get', 'debug'], ['set', 'debug', 'true'], ['unset', 'debug'], ['fix'], ['set', 'debug', 'true', '--dry-run']]

/** stderr's lines, without the note a writer prints when it queues for the lock: the tests run commands side by side. */
function messages(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !l.startsWith('waiting for another dockcfg run'))
}

async function expectRefusal(root: string, message: string, commands: readonly string[][] = READERS): Promise<void> {
  const results = await Promise.all(commands.map((args) => runCli([...args, '--root', root, ...V])))
  for (const [i, run] of results.entries()) {
    expect([run.exitCode, ...messages(run.stderr)], commands[i]!.join(' ')).toEqual([3, `dockcfg: ${message}`, expect.stringMatching(/^hint: /) as unknown])
  }
}

describe('daemon.json is not a regular file', () => {
  it('a FIFO: every reader says so at once, --json too', async () => {
    const r = await tree()
    await fifo(r.root, DAEMON_JSON)
    await expectRefusal(r.root, `${DAEMON_JSON} is a FIFO (named pipe), not a regular file: dockerd and systemd read configuration only from regular files`)
    const json = await runCli(['validate', '--root', r.root, '--json', ...V])
    expect(json.exitCode).toBe(3)
    expect(json.json()).toEqual({
      error: {name: 'InvalidConfigError', exitCode: 3, message: expect.stringContaining('is a FIFO') as unknown, remedy: 'replace it with a regular file'},
    })
  })

  it('a directory', async () => {
    const r = await tree()
    await fsp.mkdir(at(r.root, DAEMON_JSON), {recursive: true})
    await expectRefusal(r.root, `${DAEMON_JSON} is a directory, not a regular file: dockerd and systemd read configuration only from regular files`)
  })

  it('a symlink loop', async () => {
    const r = await tree()
    await fsp.mkdir(at(r.root, '/etc/docker'), {recursive: true})
    await fsp.symlink('/etc/docker/other.json', at(r.root, DAEMON_JSON))
    await fsp.symlink('/etc/docker/daemon.json', at(r.root, '/etc/docker/other.json'))
    await expectRefusal(r.root, `${DAEMON_JSON}: too many levels of symbolic links (a link loop), so it cannot be read`)
  })

  it('a name too long: one component over 255 bytes, or the whole path over 4095, existing or not', async () => {
    const r = await tree()
    const component = `/etc/docker/${'a'.repeat(256)}.json`
    const whole = `/etc/${`${'b'.repeat(200)}/`.repeat(21)}daemon.json`
    const cases = [component, whole].flatMap((file) => [['validate'], ['get', 'debug'], ['set', 'debug', 'true']].map((args) => [...args, '--config-file', file]))
    for (const run of await Promise.all(cases.map((args) => runCli([...args, '--root', r.root, ...V])))) {
      expect(run.exitCode, run.stderr).toBe(3)
      expect(messages(run.stderr).join('\n')).toMatch(
        /^dockcfg: \/etc\/.{70,}…\S* \(\d+ characters\): file name too long \(ENAMETOOLONG\), so it cannot be read\nhint: use a shorter path$/,
      )
    }
  })

  it('validate --file naming a FIFO or a directory', async () => {
    const r = await tree({[DAEMON_JSON]: '{}\n'})
    await fifo(r.root, '/candidate.json')
    const run = await runCli(['validate', '--file', at(r.root, '/candidate.json'), '--root', r.root, ...V])
    expect([run.exitCode, run.stderr.split('\n')[0]]).toEqual([
      3,
      `dockcfg: ${at(r.root, '/candidate.json')} is a FIFO (named pipe), not a regular file: dockerd and systemd read configuration only from regular files`,
    ])
    const dir = await runCli(['validate', '--file', r.root, '--root', r.root, ...V])
    expect([dir.exitCode, dir.stderr.split('\n')[0]]).toEqual([
      3,
      `dockcfg: ${r.root} is a directory, not a regular file: dockerd and systemd read configuration only from regular files`,
    ])
  })
})

describe('the unit, a drop-in or an environment file is not a regular file', () => {
  it.each([
    ['the unit file', VENDOR],
    ['a drop-in', DROPIN],
    ['the environment file', ENV_FILE],
  ])('%s is a FIFO: exit 3 naming it, no hang', async (_what, file) => {
    const r = await tree({[DAEMON_JSON]: '{}\n'})
    await fsp.rm(at(r.root, file), {force: true})
    await fifo(r.root, file)
    await expectRefusal(r.root, `${file} is a FIFO (named pipe), not a regular file: dockerd and systemd read configuration only from regular files`, [
      ['validate'],
      ['show'],
      ['set', 'debug', 'true'],
      ['fix'],
    ])
  })
})

describe('an empty --config-file', () => {
  it("dockcfg's own flag names no file: a usage error (exit 2), under --json too", async () => {
    const r = await tree({[DAEMON_JSON]: '{}\n'})
    const commands = [['validate'], ['show'], ['get', 'debug'], ['set', 'debug', 'true']]
    for (const run of await Promise.all(commands.map((args) => runCli([...args, '--root', r.root, '--config-file', '', ...V])))) {
      expect(run.exitCode, run.stderr).toBe(2)
      expect(run.stderr).toContain('--config-file is empty: give the path of daemon.json inside the tree')
    }
    const json = await runCli(['validate', '--root', r.root, '--config-file=', '--json'])
    expect(json.exitCode).toBe(2)
    expect(json.json()).toMatchObject({error: {name: 'UsageError', exitCode: 2}})
  })

  it('in ExecStart: dockerd reads no file at all, so validate warns and set refuses (exit 3)', async () => {
    const r = await tree({
      // Not JSON: dockerd 20.10.24 started anyway with this unit (it reads no configuration file).
      [DAEMON_JSON]: '{ not json',
      [DROPIN]: '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// --config-file=\n',
    })
    const validate = await runCli(['validate', '--root', r.root, ...V])
    expect(validate.exitCode, validate.stderr).toBe(0)
    expect(validate.stdout).toContain('ExecStart passes an empty --config-file: dockerd reads no configuration file, so no daemon.json applies')
    const set = await runCli(['set', 'debug', 'true', '--root', r.root, ...V])
    expect([set.exitCode, set.stderr.split('\n')[0]]).toEqual([
      3,
      'dockcfg: ExecStart passes an empty --config-file, so dockerd reads no daemon.json: a change there would not take effect; nothing was written',
    ])
    expect(await fsp.readFile(at(r.root, DAEMON_JSON), 'utf8')).toBe('{ not json')
  })
})
