import {execFileSync} from 'node:child_process'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCli, useRoots} from '../support/cli.js'

const FILE = '/etc/docker/daemon.json'
const {root, dir} = useRoots()
const V = ['--dockerd-version', '29.7.2']
const STATE = '{\n  "daemon": {"bip": "192.168.42.1/24", "mtu": 1400, "dns": ["10.0.0.2"], "debug": null}\n}\n'

async function documentFile(text: string): Promise<string> {
  const file = path.join(await dir('dockcfg-doc-'), 'state.json')
  await fsp.writeFile(file, text)
  return file
}

async function backups(treeRoot: string): Promise<string[]> {
  return fsp.readdir(path.join(treeRoot, 'var/lib/dockcfg/backups')).catch(() => [])
}

describe('dockcfg apply -f', () => {
  it('applies a document as one change on an image tree; the same document again changes nothing; --check says 8, then 0', async () => {
    const r = await root({[FILE]: '{\n  "debug": true,\n  "log-level": "warn"\n}\n'})
    const doc = await documentFile(STATE)
    const check = await runCli(['apply', '-f', doc, '--check', '--root', r.root, ...V])
    expect(check.exitCode).toBe(8)
    expect(check.stdout).toContain('+  "bip": "192.168.42.1/24",')
    expect(check.stderr).toContain('changes pending (exit 8)')
    expect(await backups(r.root)).toEqual([])

    const first = await runCli(['apply', '-f', doc, '--root', r.root, '--json', ...V])
    expect(first.exitCode).toBe(0)
    expect(first.json()).toMatchObject({changed: true, action: 'written', pending: 'restart', document: doc, activation: 'restart', dockerdVersion: '29.7.2'})
    expect(JSON.parse(await r.read(FILE))).toEqual({'log-level': 'warn', bip: '192.168.42.1/24', mtu: 1400, dns: ['10.0.0.2']})
    expect(await backups(r.root)).toHaveLength(1)

    const again = await runCli(['apply', '-f', doc, '--root', r.root, '--json', ...V])
    expect(again.json()).toMatchObject({changed: false, action: 'none', files: []})
    expect(await backups(r.root)).toHaveLength(1)
    const after = await runCli(['apply', '-f', doc, '--check', '--root', r.root, ...V])
    expect([after.exitCode, after.stderr]).toEqual([0, 'already as requested; nothing to do\nno changes pending\n'])
  })

  it('reads the document from standard input with -f -', async () => {
    const r = await root({[FILE]: '{}\n'})
    const run = await runCli(['apply', '-f', '-', '--root', r.root, '--json', ...V], {input: '{"daemon": {"debug": true}}'})
    expect(run.exitCode).toBe(0)
    expect(run.json()).toMatchObject({changed: true, document: '<stdin>', activation: 'reload', pending: 'reload'})
    expect(JSON.parse(await r.read(FILE))).toEqual({debug: true})
  })

  it('--replace makes daemon.json exactly the document', async () => {
    const r = await root({[FILE]: '{"debug": true, "labels": ["a=b"]}\n'})
    const run = await runCli(['apply', '-f', '-', '--replace', '--root', r.root, ...V], {input: '{"daemon": {"mtu": 1400}}'})
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(await r.read(FILE))).toEqual({mtu: 1400})
  })

  it('refuses unknown fields (2) and bad values (3) with the line and column, before anything is written; --json too', async () => {
    const r = await root({[FILE]: '{}\n'})
    const unknown = await runCli(['apply', '-f', '-', '--root', r.root, ...V], {input: '{\n  "daemon": {"mut": 1400}\n}'})
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain('dockcfg: <stdin>:2:14: unknown daemon.json key "daemon.mut"; did you mean "mtu"?')
    const bad = await runCli(['apply', '-f', '-', '--root', r.root, '--json', ...V], {input: '{"daemon": {"bip": "not an address"}}'})
    expect(bad.exitCode).toBe(3)
    expect(bad.json<{error: {exitCode: number; message: string}}>().error).toMatchObject({exitCode: 3, message: expect.stringContaining('<stdin>:1:20:')})
    const nul = await runCli(['apply', '-f', '-', '--root', r.root, ...V], {input: '{"daemon": {"debug":\u0000 true}}'})
    expect(nul.exitCode).toBe(3)
    expect(nul.stderr).toContain('<stdin>:1:21: not valid JSON')
    expect(await r.read(FILE)).toBe('{}\n')
    expect(await backups(r.root)).toEqual([])
  })

  it('a FIFO, a directory, a missing file or one over 8 MiB is refused without waiting or reading it', async () => {
    const r = await root({[FILE]: '{}\n'})
    const d = await dir('dockcfg-doc-')
    const fifo = path.join(d, 'fifo')
    execFileSync('mkfifo', [fifo])
    const huge = path.join(d, 'huge.json')
    await fsp.writeFile(huge, `{"daemon": {"labels": ["${'x'.repeat(8 * 1024 * 1024)}"]}}`)
    const runs = await Promise.all([fifo, d, path.join(d, 'missing.json'), huge].map((f) => runCli(['apply', '-f', f, '--root', r.root, ...V])))
    expect(runs.map((x) => x.exitCode)).toEqual([3, 3, 2, 3])
    expect(runs[0]?.stderr).toContain('is a FIFO (named pipe), not a regular file')
    expect(runs[1]?.stderr).toContain('is a directory, not a regular file')
    expect(runs[2]?.stderr).toContain('no such file')
    expect(runs[3]?.stderr).toContain('a desired-state document may hold at most 8 MiB')
    const stdinHuge = await runCli(['apply', '-f', '-', '--root', r.root, ...V], {input: `{"daemon": {"labels": ["${'x'.repeat(8 * 1024 * 1024)}"]}}`})
    expect(stdinHuge.exitCode).toBe(3)
    expect(await r.read(FILE)).toBe('{}\n')
  })
})
