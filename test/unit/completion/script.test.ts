import {describe, expect, it} from 'vitest'

import {complete} from '../../support/completion.js'

import {bashCompletion, type CompletionCommand, keyValues} from '../../../src/completion/script.js'
import {usableKeys} from '../../../src/registry/index.js'

const commands = (takesValue: boolean): CompletionCommand[] => [
  {words: ['set'], flags: ['dry-run'], takesKey: true, ...(takesValue ? {takesValue: true} : {})},
  {words: ['get'], flags: [], takesKey: true},
  {words: ['remote', 'enable'], flags: ['port'], takesKey: false},
]

describe('completion script', () => {
  it('takes the value sets from the registry', () => {
    const values = keyValues(usableKeys())
    expect(values.get('firewall-backend')).toEqual(['iptables', 'nftables'])
    expect(values.get('log-format')).toEqual(['text', 'json'])
    // Neither open sets nor keys without a set.
    expect(values.has('storage-driver')).toBe(false)
    expect(values.has('bip')).toBe(false)
  })

  it('offers the allowed values after the key of a command that takes a value', async () => {
    const script = bashCompletion(commands(true), usableKeys())
    expect(await complete(script, ['dockcfg', 'set', 'firewall-backend', ''])).toEqual(['iptables', 'nftables'])
    expect(await complete(script, ['dockcfg', 'set', 'log-level', 'w'])).toEqual(['warn'])
    expect(await complete(script, ['dockcfg', 'set', 'default-ipc-mode', ''])).toEqual(['private', 'shareable'])
    // A flag, a key without a set, a command that takes no value: flags as before.
    expect(await complete(script, ['dockcfg', 'set', 'log-level', '--d'])).toEqual(['--dry-run', '--dockerd-version'])
    expect(await complete(script, ['dockcfg', 'set', 'mtu', '--dr'])).toEqual(['--dry-run'])
    expect(await complete(script, ['dockcfg', 'get', 'log-level', 'w'])).toEqual([])
    expect(await complete(script, ['dockcfg', 'set', 'firewall-b'])).toEqual(['firewall-backend'])
  })

  it('leaves the script as it was when no command takes a value', () => {
    const script = bashCompletion(commands(false), usableKeys())
    expect(script).not.toContain('takes_value')
    expect(script).not.toContain('nftables')
  })
})
