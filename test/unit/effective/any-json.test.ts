import fc from 'fast-check'
import {beforeAll, describe, expect, it} from 'vitest'

import {verifyLive} from '../../../src/apply/verify.js'
import {DockcfgError} from '../../../src/core/errors.js'
import {planDaemonJsonEdit} from '../../../src/daemon-config/edit.js'
import type {Finding} from '../../../src/core/findings.js'
import {parseDaemonJson} from '../../../src/daemon-config/parse.js'
import {validateDaemonConfig} from '../../../src/daemon-config/validate.js'
import type {DockerApi} from '../../../src/system/docker-api.js'
import {inspectEffective} from '../../../src/effective/effective.js'
import {planFix} from '../../../src/effective/fix.js'
import {stringifyJson} from '../../../src/json/stringify.js'
import {renderSettings} from '../../../src/output/show.js'
import {ignoredFlagNameKey, OPTIONS, optionStatus} from '../../../src/registry/index.js'
import type {OptionSpec, ValueKind} from '../../../src/registry/types.js'
import type {FileSystem} from '../../../src/system/fs.js'
import {OverlayFileSystem} from '../../../src/system/overlay-fs.js'
import {DAEMON_JSON, DROPIN_DIR, debianTree} from './helpers.js'

// Every daemon.json key given every JSON type, and nested junk, through everything that reads
// the file: validation, the effective model (conflicts with the key's flag included), the show
// table and its --json form, fix, `set` of another key and live verification. A value of the wrong
// type is a finding (an error with file, line and column); nothing may throw anything else.

const VERSIONS = ['20.10.24', '29.7.2']
const NEWEST = '29.7.2'

/** One value of every JSON type, empty and not, and containers of the wrong members. */
const EVERY_TYPE: unknown[] = [
  1,
  -1.5,
  0,
  1e300,
  '',
  'x',
  'a\r\n[Service]\u0000',
  true,
  false,
  null,
  [],
  [1],
  [null],
  [true, 'x'],
  [[]],
  [{}],
  [{base: 1, size: 'x'}],
  {},
  {a: 1},
  {a: null},
  {a: [1]},
  {a: {b: 1}},
  {a: {path: 1, runtimeArgs: 'x', options: []}},
  {nofile: {Name: 1, Soft: 'x', Hard: null}},
]

/** One of each JSON type, and lists and objects of the wrong members, for the slower readers. */
const EACH_TYPE: unknown[] = [1, 'x', true, null, [1], [null], [{}], {}, {a: {b: 1}}]

/** The JSON types a kind's value may have (null is accepted and ignored for every key). */
const TOP_LEVEL_TYPES: Record<ValueKind, string> = {
  string: 'string',
  boolean: 'boolean',
  'nullable-boolean': 'boolean',
  integer: 'number',
  'string-list': 'array',
  'string-map': 'object',
  'bool-map': 'object',
  'address-pools': 'array',
  ulimits: 'object',
  runtimes: 'object',
  'nested-map': 'object',
  object: 'object',
}

function jsonType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}

/** A word the key's flag accepts, so that the command line sets the key too (a conflict). */
function flagWord(spec: OptionSpec): string | undefined {
  const flag = spec.flags[0]
  if (flag === undefined) return undefined
  const value: Record<ValueKind, string | undefined> = {
    string: 'x',
    boolean: undefined,
    'nullable-boolean': undefined,
    integer: '1',
    'string-list': 'x',
    'string-map': 'a=b',
    'bool-map': 'a=true',
    'address-pools': 'base=10.0.0.0/16,size=24',
    ulimits: 'nofile=1:2',
    runtimes: 'r=/usr/bin/r',
    'nested-map': 'bridge=a=b',
    object: 'a=b',
  }
  const v = value[spec.kind]
  return v === undefined ? `--${flag.long}` : `--${flag.long}=${v}`
}

const fakeApi: DockerApi = {
  ping: async () => true,
  info: async () => ({Labels: ['a=b'], Debug: true, RegistryConfig: {Mirrors: ['https://m/'], IndexConfigs: {}}}),
  version: async () => ({}),
  network: async () => ({IPAM: {Config: [{Subnet: '172.17.0.0/16', Gateway: '172.17.0.1'}]}, Options: {'com.docker.network.driver.mtu': '1500'}}),
  runningContainers: async () => [],
  stopContainer: async () => undefined,
  startContainer: async () => undefined,
  daemonEvents: async () => [],
}

let base: FileSystem
beforeAll(async () => {
  base = await debianTree()
})

/** The tree with daemon.json holding `key: value`, and the key's flag on the command line when `withFlag`. */
function treeWith(spec: OptionSpec, value: unknown, withFlag: boolean): FileSystem {
  const word = withFlag ? flagWord(spec) : undefined
  const files = [{path: DAEMON_JSON, after: `{\n  ${JSON.stringify(spec.key)}: ${stringifyJson(value)}\n}\n`}]
  if (word !== undefined) files.push({path: `${DROPIN_DIR}/flag.conf`, after: `[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd -H fd:// ${word}\n`})
  return new OverlayFileSystem(base, files)
}

/** Errors that must be findings, not exceptions: only dockcfg's own refusals may be thrown. */
async function refusalOrValue<T>(work: () => Promise<T> | T): Promise<T | DockcfgError> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof DockcfgError) return error
    throw error
  }
}

/** Validation of `{key: value}`: a wrong top-level type is an error finding with a position. */
function checkValidation(spec: OptionSpec, value: unknown, version: string): Finding[] {
  const text = `{\n  ${JSON.stringify(spec.key)}: ${stringifyJson(value)}\n}\n`
  const parsed = parseDaemonJson(text, DAEMON_JSON, {dockerdVersion: version})
  expect(parsed.decodable).toBe(true)
  const findings = validateDaemonConfig(parsed, {dockerdVersion: version})
  const status = optionStatus(spec, version)
  const plainKey = (status === 'ok' || status === 'deprecated') && ignoredFlagNameKey(spec.key, version) === undefined
  const wrongType = value !== null && jsonType(value) !== TOP_LEVEL_TYPES[spec.kind]
  if (plainKey && wrongType) {
    const errors = findings.filter((f) => f.severity === 'error' && f.key?.split('.')[0] === spec.key)
    expect(errors.length, `${spec.key}: ${stringifyJson(value)} at ${version}`).toBeGreaterThan(0)
    for (const f of errors) expect(f, `${spec.key}: ${stringifyJson(value)}`).toMatchObject({file: DAEMON_JSON, line: expect.any(Number), column: expect.any(Number)})
  }
  return findings
}

/** Everything else that reads the file: none of it may throw on any value. */
async function checkReaders(spec: OptionSpec, value: unknown, withFlag: boolean): Promise<void> {
  const fs = treeWith(spec, value, withFlag)
  const e = await inspectEffective(fs, {dockerdVersion: NEWEST})
  expect(e.hosts.every((h) => typeof h === 'string')).toBe(true)
  expect(typeof e.socket).toBe('string')
  renderSettings(e.settings, true)
  JSON.parse(stringifyJson({settings: e.settings, findings: e.findings}, {indent: 2}))
  if (e.conflicts.length > 0) await refusalOrValue(() => planFix(fs, e, 'file', 'dockcfg fix'))
  await refusalOrValue(() => planDaemonJsonEdit(e.daemonJson.text, [{key: 'debug', value: true}], DAEMON_JSON))
  await verifyLive(fakeApi, [spec.key], e.daemonJson.parsed.value, {
    hosts: [],
    socketHostPath: (p) => p,
    network: {connect: () => Promise.reject(new Error('hosts is empty: nothing to dial'))},
  })
}

describe('any JSON value for any key', () => {
  it('every key, every JSON type: findings with positions, no exception (validation)', () => {
    for (const spec of OPTIONS) for (const value of EVERY_TYPE) for (const version of VERSIONS) checkValidation(spec, value, version)
  })

  it('every key, every JSON type: effective model, show, fix, set and verify do not throw', {timeout: 600_000}, async () => {
    for (const spec of OPTIONS) for (const value of EACH_TYPE) await checkReaders(spec, value, true)
  })

  it('the classic crash: "hosts" of 1, {}, [1] or [null] is a wrong-type error at its line and column, and show still renders', async () => {
    const spec = OPTIONS.find((o) => o.key === 'hosts') as OptionSpec
    for (const value of [1, {}, [1], [{}, true]]) {
      const e = await inspectEffective(treeWith(spec, value, false), {dockerdVersion: NEWEST})
      expect(e.findings.find((f) => f.code === 'wrong-type')).toMatchObject({severity: 'error', key: 'hosts', file: DAEMON_JSON, line: 2})
      expect(e.hosts).toEqual(['unix:///var/run/docker.sock'])
      const row = renderSettings(e.settings, false)
        .split('\n')
        .find((line) => line.startsWith('hosts '))
      expect(row?.split(/ {2,}/).slice(0, 2)).toEqual(['hosts', stringifyJson(value)])
    }
    // A null entry is what Go makes of it in a []string: "" (the default socket for hosts).
    const e = await inspectEffective(treeWith(spec, [null], false), {dockerdVersion: NEWEST})
    // (The Debian unit's -H fd:// makes any "hosts" in the file a conflict.)
    expect(e.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual(['flag-file-conflict'])
    expect(e.hosts).toEqual([''])
    expect(e.socket).toBe('/var/run/docker.sock')
  })

  it('a null entry of a list is "" for the list rules, as dockerd decodes it', () => {
    const findings = validateDaemonConfig(parseDaemonJson('{"labels": [null], "dns": [null]}', DAEMON_JSON), {dockerdVersion: NEWEST})
    expect(findings.map((f) => f.code)).toEqual(expect.arrayContaining(['label-format', 'dns-invalid']))
  })

  // Nested junk: random JSON, and the shapes of structured keys with random members.
  const junk = fc.jsonValue({maxDepth: 3})
  const name = fc.oneof(fc.constantFrom('a', 'base', 'size', 'path', 'runtimeArgs', 'Name', 'Soft', 'Hard', 'max-size', 'bridge'), fc.string({maxLength: 4}))
  const shaped = fc.oneof(
    junk,
    fc.array(junk, {maxLength: 3}),
    fc.dictionary(name, junk, {maxKeys: 3}),
    fc.array(fc.dictionary(name, junk, {maxKeys: 3}), {maxLength: 2}),
    fc.dictionary(name, fc.dictionary(name, junk, {maxKeys: 3}), {maxKeys: 2}),
  )
  it('random nested junk under random keys, with and without the key on the command line', {timeout: 600_000}, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...OPTIONS), shaped, fc.boolean(), async (spec, value, withFlag) => {
        for (const version of VERSIONS) checkValidation(spec, value, version)
        await checkReaders(spec, value, withFlag)
      }),
      {numRuns: 400},
    )
  })
})
