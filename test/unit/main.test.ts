import {readdirSync} from 'node:fs'
import {join, relative} from 'node:path'

import {describe, expect, it} from 'vitest'

import {refuseSwitchValues} from '../../src/cli/base-command.js'
import {UsageError} from '../../src/core/errors.js'
import {COMMANDS} from '../../src/main.js'
import {byCodeUnits} from '../../src/core/order.js'

const commandsDir = join(import.meta.dirname, '../../src/commands')

function commandFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? commandFiles(join(dir, e.name)) : [join(dir, e.name)]))
}

describe('the explicit command list (src/main.ts)', () => {
  // Property names only: reading a getter would need the bundle's require.
  const ids = Object.getOwnPropertyNames(COMMANDS)

  it('has exactly one entry per file in src/commands, under oclif id', () => {
    const fromFiles = commandFiles(commandsDir).map((f) => relative(commandsDir, f).replace(/\.ts$/, '').split('/').join(':'))
    expect([...ids].sort()).toEqual(fromFiles.sort())
  })

  it('sorts the same by code units as by localeCompare, so the build-time sort patch changes no order', () => {
    for (const id of ids) expect(id).toMatch(/^[a-z0-9:-]+$/)
    expect([...ids].sort(byCodeUnits)).toEqual([...ids].sort((a, b) => a.localeCompare(b)))
  })

  it('loads commands lazily: every entry is a getter', () => {
    for (const id of ids) expect(typeof Object.getOwnPropertyDescriptor(COMMANDS, id)?.get).toBe('function')
  })
})

describe('a switch given a value (oclif would read --yes=no as --yes plus an argument "no")', () => {
  const flags = {yes: {type: 'boolean', char: 'y'}, json: {type: 'boolean'}, out: {type: 'option'}}

  it.each(['--yes=no', '--yes=', '-y=1', '--json=false', '--yes=a=b'])('refuses %j', (arg) => {
    expect(() => refuseSwitchValues(['set', 'debug', 'true', arg], flags)).toThrow(UsageError)
  })

  it.each([['--yes'], ['-y'], ['--out=dir'], ['--unknown=1'], ['--', '--yes=no']])('leaves %j to oclif', (...args) => {
    expect(() => refuseSwitchValues(args, flags)).not.toThrow()
  })
})
