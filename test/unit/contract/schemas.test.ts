import {readFileSync} from 'node:fs'
import * as path from 'node:path'

import {describe, expect, it} from 'vitest'

import {generateSchemas, SCHEMA_DIR, schemaFileOf} from '../../../scripts/schemas.js'
import {errorDocument} from '../../../src/cli/base-command.js'
import {ApplyFailedError, DockcfgError, InvalidConfigError, RefusedError, UsageError} from '../../../src/core/errors.js'
import {ExitCode} from '../../../src/core/exit-codes.js'
import {COMMANDS} from '../../../src/main.js'
import {checkJsonOutput, commandSchemaOf, contractViolations, expectContract, schemaFiles} from '../../support/contract.js'

// The committed schemas are the types of src/cli/contract.ts, regenerated here: a changed result
// type without `npm run schemas` fails, and so does a command without its entry.

describe('schemas/ is what src/cli/contract.ts says', () => {
  it('regenerating gives the committed files, byte for byte, and no others', {timeout: 180_000}, async () => {
    const generated = await generateSchemas()
    expect(schemaFiles().sort()).toEqual([...generated.keys()].sort())
    for (const [name, text] of generated) expect(readFileSync(path.join(SCHEMA_DIR, name), 'utf8'), `schemas/${name}: run npm run schemas`).toBe(text)
  })

  it('every command but help has a schema (one entry in CommandResults), and the error document has one', () => {
    const commands = Object.getOwnPropertyNames(COMMANDS).filter((id) => id !== 'help')
    expect(schemaFiles().sort()).toEqual([...commands.map(schemaFileOf), 'error.schema.json'].sort())
  })

  it('finds the command of an invocation by its leading words, topics included', () => {
    expect(commandSchemaOf(['remote', 'ca', 'create', '--out', 'x', '--json'])).toBe('remote-ca-create.schema.json')
    expect(commandSchemaOf(['remote:client-cert', '--json'])).toBe('remote-client-cert.schema.json')
    expect(commandSchemaOf(['set', 'bip', '10.0.0.1/24', '--json'])).toBe('set.schema.json')
    expect(commandSchemaOf(['remote', '--json'])).toBeUndefined()
  })
})

const applied = {
  changed: true,
  dryRun: false,
  diff: '',
  files: ['/etc/docker/daemon.json'],
  removed: [],
  action: 'restarted',
  verification: [{key: 'bip', status: 'verified', expected: '10.9.0.1/24', actual: {Subnet: '10.9.0.0/24'}}],
  warnings: [],
  file: '/etc/docker/daemon.json',
  changedKeys: ['bip'],
  activation: 'restart',
  findings: [],
  actions: [],
  dockerdVersion: '20.10.24',
}

describe('the check can fail', () => {
  it('accepts a conforming result', () => {
    expect(contractViolations('set.schema.json', applied)).toEqual([])
  })

  it.each([
    ['an action outside the contract', {...applied, action: 'exploded'}, /action/],
    ['a missing field', Object.fromEntries(Object.entries(applied).filter(([k]) => k !== 'changed')), /changed/],
    ['a field the type does not name', {...applied, surprise: 1}, /surprise/],
    ['a wrongly typed field', {...applied, files: '/etc/docker/daemon.json'}, /files/],
  ])('rejects %s', (_what, output, problem) => {
    const problems = contractViolations('set.schema.json', output)
    expect(problems.join('\n')).toMatch(problem)
    expect(() => expectContract('set.schema.json', output)).toThrow(/breaks the contract of schemas\/set\.schema\.json/)
  })

  it('rejects a run whose stdout is not JSON, a result that breaks its schema, and an error document with another exit code', () => {
    expect(() => checkJsonOutput(['set', 'bip', 'x', '--json'], {exitCode: 0, stdout: 'done\n'})).toThrow(/not one JSON document/)
    expect(() => checkJsonOutput(['set', 'bip', 'x', '--json'], {exitCode: 0, stdout: JSON.stringify({...applied, action: 'exploded'})})).toThrow(/set\.schema\.json/)
    const usage = JSON.stringify(errorDocument(new UsageError('bad')))
    expect(() => checkJsonOutput(['get', '--json'], {exitCode: 1, stdout: usage})).toThrow(/exited 1 but its error document says exitCode 2/)
    expect(() => checkJsonOutput(['get', '--json'], {exitCode: 2, stdout: usage})).not.toThrow()
    // Without --json (or with it after --), the output is for people and not checked.
    expect(() => checkJsonOutput(['get', 'bip'], {exitCode: 0, stdout: 'x'})).not.toThrow()
    expect(() => checkJsonOutput(['get', '--', '--json'], {exitCode: 0, stdout: 'x'})).not.toThrow()
  })

  it('an exit 4 document must say where the host stands; a plain error cannot claim exit 4', () => {
    const plain = {error: {name: 'DockcfgError', message: 'x', exitCode: ExitCode.RolledBack}}
    expect(contractViolations('error.schema.json', plain).length).toBeGreaterThan(0)
    const lying = {...errorDocument(rolledBack), action: 'restarted'}
    expect(contractViolations('error.schema.json', lying).join('\n')).toMatch(/action/)
  })
})

const rolledBack = new ApplyFailedError('dockerd did not come back', {
  changed: false,
  action: 'rolled-back',
  files: ['/etc/docker/daemon.json'],
  restored: ['/etc/docker/daemon.json'],
  backupId: '20261203T190000000Z-abcdef',
  reason: 'dockerd did not come back',
  journal: ['failed to start daemon'],
  warnings: [],
})

describe('errorDocument(): every failure is the error document', () => {
  it.each([
    ['a usage error', new UsageError('unknown flag', {remedy: 'dockcfg --help'}), ExitCode.Usage],
    ['an invalid configuration with findings', new InvalidConfigError('bad', {details: [{code: 'x', severity: 'error', message: 'm'}]}), ExitCode.InvalidConfig],
    ['a refusal', new RefusedError('needs --yes'), ExitCode.Refused],
    ['an unexpected error', new Error('boom'), ExitCode.Unexpected],
    ['a DockcfgError with its own code', new DockcfgError('unreachable', {exitCode: ExitCode.Unreachable}), ExitCode.Unreachable],
  ])('%s', (_what, error, code) => {
    const doc = errorDocument(error)
    expectContract('error.schema.json', doc)
    expect(doc.error.exitCode).toBe(code)
  })

  it('oclif’s own parse errors (exit 2) are named UsageError', () => {
    const oclif = Object.assign(new Error('Nonexistent flag: --x'), {oclif: {exit: 2}})
    expect(errorDocument(oclif).error).toMatchObject({name: 'UsageError', exitCode: 2})
  })

  it('a rolled-back apply: exit 4, action rolled-back, the backup, what failed', () => {
    const doc = errorDocument(rolledBack)
    expectContract('error.schema.json', doc)
    expect(doc).toMatchObject({
      error: {name: 'ApplyFailedError', exitCode: 4},
      changed: false,
      action: 'rolled-back',
      backupId: '20261203T190000000Z-abcdef',
      reason: 'dockerd did not come back',
    })
  })

  it('a failed rollback: exit 5, action rollback-failed, the state it left', () => {
    const failed = new ApplyFailedError('and the rollback failed', {
      changed: true,
      action: 'rollback-failed',
      files: ['/etc/docker/daemon.json'],
      restored: [],
      backupId: 'b',
      reason: 'r',
      journal: [],
      warnings: [],
      rollbackError: 'disk full',
      service: {activeState: 'failed', subState: 'failed'},
      timer: {unit: 'dockcfg-rollback-b.timer', armed: false},
    })
    expect(failed.exitCode).toBe(ExitCode.RollbackFailed)
    const doc = errorDocument(failed)
    expectContract('error.schema.json', doc)
    expect(doc).toMatchObject({error: {exitCode: 5}, action: 'rollback-failed', service: {activeState: 'failed'}, timer: {armed: false}})
  })
})
