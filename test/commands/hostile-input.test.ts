import {afterEach, describe, expect, it} from 'vitest'

import {makeRoot, runCli} from '../support/cli.js'

// Hostile daemon.json files through the built CLI: never exit 1, never a stack trace.
const FILE = '/etc/docker/daemon.json'
const V = ['--dockerd-version', '29.7.2']
const roots: Array<{cleanup(): Promise<void>}> = []
afterEach(async () => {
  await Promise.all(roots.splice(0).map((r) => r.cleanup()))
})
async function root(files: Record<string, string>) {
  const r = await makeRoot(files)
  roots.push(r)
  return r
}

const NO_CRASH = /TypeError|RangeError|Maximum call stack|internal error|\n\s+at /

describe('keys of the wrong JSON type', () => {
  it.each(['1', '{}', '[1]', '[{"a": [1]}]', 'true'])('"hosts": %s is exit 3 with its position in validate; show still renders it', {timeout: 120_000}, async (value) => {
    const r = await root({[FILE]: `{\n  "debug": true,\n  "hosts": ${value}\n}\n`})
    const validate = await runCli(['validate', '--root', r.root, ...V])
    expect(validate.stderr).not.toMatch(NO_CRASH)
    expect(validate.exitCode).toBe(3)
    expect(validate.stdout).toMatch(new RegExp(`^${FILE}:3:\\d+: error\\[wrong-type\\] .*"hosts"`, 'm'))
    const show = await runCli(['show', '--root', r.root, ...V])
    expect(show.stderr).not.toMatch(NO_CRASH)
    expect(show.exitCode).toBe(0)
    expect(show.stdout).toMatch(new RegExp(`^hosts +${value.replace(/[[\]{}]/g, '\\$&').replace(/ /g, '')} +${FILE} line 3$`, 'm'))
    expect(show.stderr).toContain('error[wrong-type]')
  })
})

// Go's encoding/json (and so dockerd) decodes 10,000 levels of nesting and refuses the 10,001st.
describe.each([
  {kind: 'arrays', open: '[', close: ']', empty: '[]'},
  {kind: 'objects', open: '{"k": ', close: '}', empty: '{}'},
])('nesting of $kind', ({open, close, empty}) => {
  const document = (depth: number) => `{"builder": {"x": ${open.repeat(depth - 3)}${empty}${close.repeat(depth - 3)}}}\n`
  // The value of "builder" as compact JSON (JSON.stringify itself overflows the stack on it).
  const builder = document(10_000).replace(/ /g, '').trim().slice('{"builder":'.length, -1)

  // Each run parses and checks a 20-70 KB document of 10,000 levels (about a second of CPU for a
  // set): more time than the default on a shared machine.
  it('10,000 levels: validate, show --json, get, set and unset work', {timeout: 180_000}, async () => {
    const r = await root({[FILE]: document(10_000)})
    const validate = await runCli(['validate', '--root', r.root, ...V])
    expect(validate.stderr).not.toMatch(NO_CRASH)
    expect(validate.exitCode).toBe(0)
    const show = await runCli(['show', '--json', '--root', r.root, ...V])
    expect(show.exitCode, show.stderr).toBe(0)
    expect(show.stdout.replace(/\s/g, '')).toContain(`{"key":"builder","value":${builder},"origin":{"kind":"file","file":"${FILE}","line":1}}`)
    const get = await runCli(['get', 'builder', '--root', r.root, ...V])
    expect(get.exitCode, get.stderr).toBe(0)
    expect(get.stdout).toBe(`${builder}\n`)
    const set = await runCli(['set', 'debug', 'true', '--root', r.root, ...V])
    expect(set.exitCode, set.stderr).toBe(0)
    expect(JSON.parse(await r.read(FILE))).toMatchObject({debug: true})
    const unset = await runCli(['unset', 'debug', '--root', r.root, ...V])
    expect(unset.exitCode, unset.stderr).toBe(0)
    expect(await r.read(FILE)).toBe(document(10_000))
  })

  it('10,001 levels: exit 3 at the position of the bracket, as dockerd refuses it; nothing is edited', {timeout: 180_000}, async () => {
    const text = document(10_001)
    const r = await root({[FILE]: text})
    const column = text.indexOf(empty) + 1
    const validate = await runCli(['validate', '--root', r.root, ...V])
    expect(validate.exitCode).toBe(3)
    expect(validate.stdout).toContain(
      `${FILE}:1:${column}: error[json-too-deep] more than 10000 levels of nested objects and arrays: dockerd refuses the file ("invalid character '${empty[0]}' exceeded max depth")`,
    )
    const json = await runCli(['validate', '--json', '--root', r.root, ...V])
    expect(json.exitCode).toBe(3)
    expect(json.json<{findings: unknown[]}>().findings).toContainEqual(expect.objectContaining({code: 'json-too-deep', line: 1, column}))
    const set = await runCli(['set', 'debug', 'true', '--root', r.root, ...V])
    expect(set.exitCode).toBe(3)
    expect(set.stderr).toContain(`${FILE}:1:${column}: more than 10000 levels`)
    expect(set.stderr).not.toMatch(NO_CRASH)
    expect(await r.read(FILE)).toBe(text)
    const show = await runCli(['show', '--root', r.root, ...V])
    expect(show.exitCode).toBe(0)
    expect(show.stderr).toContain('error[json-too-deep]')
  })
})
