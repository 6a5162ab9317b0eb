import {describe, expect, it} from 'vitest'

import {runCli, useRoots} from '../support/cli.js'

// Hostile daemon.json files through the built CLI: never exit 1, never a stack trace.
const FILE = '/etc/docker/daemon.json'
const V = ['--dockerd-version', '29.7.2']
const {root} = useRoots()

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

describe('size and count', () => {
  it('a daemon.json over 8 MiB is refused with exit 3 by every command, before it is read', {timeout: 180_000}, async () => {
    const big = `{"debug": true}${' '.repeat(8 * 1024 * 1024)}`
    const r = await root({[FILE]: big})
    const message = `dockcfg: ${FILE} is ${big.length} bytes; dockcfg reads a daemon.json of at most 8 MiB (8388608 bytes), so it did not read this one`
    for (const args of [['validate'], ['show'], ['get', 'debug'], ['set', 'mtu', '1400'], ['unset', 'debug']]) {
      const result = await runCli([...args, '--root', r.root, ...V])
      expect([args, result.exitCode]).toEqual([args, 3])
      expect(result.stderr).toContain(message)
      expect(result.stderr).not.toMatch(NO_CRASH)
    }
    const json = await runCli(['validate', '--json', '--root', r.root, ...V])
    expect(json.exitCode).toBe(3)
    expect(json.json()).toEqual({error: expect.objectContaining({name: 'InvalidConfigError', exitCode: 3, message: message.slice('dockcfg: '.length)})})
    const candidate = await runCli(['validate', '--file', `${r.root}${FILE}`, '--root', r.root, ...V])
    expect(candidate.exitCode).toBe(3)
    expect(candidate.stderr).toContain(`${r.root}${FILE} is ${big.length} bytes`)
    expect(await r.read(FILE)).toBe(big)
  })

  it('thousands of findings: 20 of each kind listed, the rest counted', {timeout: 120_000}, async () => {
    const r = await root({[FILE]: `{\n${Array.from({length: 5000}, () => '  "debug": true').join(',\n')},\n  "dns": [${Array(3000).fill('"nope"').join(', ')}]\n}\n`})
    const validate = await runCli(['validate', '--root', r.root, ...V])
    expect(validate.exitCode).toBe(3)
    const lines = validate.stdout.split('\n').filter((l) => l.startsWith(FILE))
    expect(lines.filter((l) => l.includes('warning[duplicate-key]'))).toHaveLength(21)
    expect(lines.filter((l) => l.includes('error[dns-invalid]'))).toHaveLength(21)
    expect(validate.stdout).toContain(`${FILE}:23:3: warning[duplicate-key] and 4979 more duplicate-key findings like those above, the first of them here`)
    expect(validate.stderr).toContain(`${FILE}: 3000 error(s), 4999 warning(s)`)
    const json = await runCli(['validate', '--json', '--root', r.root, ...V])
    expect(json.json<{errors: number; warnings: number; findings: unknown[]}>()).toMatchObject({errors: 3000, warnings: 4999})
    expect(json.json<{findings: unknown[]}>().findings.length).toBeLessThan(50)
  })

  it('show: 1,000 labels print as one cut cell, not a 35 KB value padded onto every row', {timeout: 120_000}, async () => {
    const labels = Array.from({length: 1000}, (_, i) => `com.example.label-${i}=value-${i}`)
    const r = await root({[FILE]: `${JSON.stringify({labels, debug: true}, null, 2)}\n`})
    for (const args of [['show'], ['show', '-v']]) {
      const show = await runCli([...args, '--root', r.root, ...V])
      expect(show.exitCode).toBe(0)
      expect(Math.max(...show.stdout.split('\n').map((l) => l.length))).toBeLessThan(250)
      expect(show.stdout).toContain(`${JSON.stringify(labels).slice(0, 59)}…`)
    }
    const json = await runCli(['show', '--json', '--root', r.root, ...V])
    expect(json.json<{settings: Array<{key: string; value: unknown}>}>().settings.find((s) => s.key === 'labels')?.value).toEqual(labels)
  })
})
