import {describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'
import {complete} from '../support/completion.js'

describe('dockcfg completion', () => {
  it('completes commands, registry keys and flags', async () => {
    const result = await runCli(['completion', 'bash'])
    expect(result.exitCode).toBe(0)
    expect(await complete(result.stdout, ['dockcfg', 'va'])).toEqual(['validate'])
    expect(await complete(result.stdout, ['dockcfg', 'set', 'default-a'])).toEqual(['default-address-pools'])
    expect(await complete(result.stdout, ['dockcfg', 'get', 'log-'])).toEqual(expect.arrayContaining(['log-driver', 'log-level', 'log-opts']))
    expect(await complete(result.stdout, ['dockcfg', 'fix', '--pre'])).toEqual(['--prefer'])
    // Values come from the registry for keys with a closed set, and only where a value goes.
    expect(await complete(result.stdout, ['dockcfg', 'set', 'firewall-backend', ''])).toEqual(['iptables', 'nftables'])
    expect(await complete(result.stdout, ['dockcfg', 'set', 'log-level', 'w'])).toEqual(['warn'])
    expect(await complete(result.stdout, ['dockcfg', 'get', 'log-level', 'w'])).toEqual([])
  })
})
