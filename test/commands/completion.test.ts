import {execFileSync} from 'node:child_process'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCli} from '../support/cli.js'

/** Runs the generated bash completion for a command line and returns the candidates. */
async function complete(script: string, words: string[]): Promise<string[]> {
  const file = path.join(await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-compl-')), 'c.sh')
  await fsp.writeFile(file, script)
  const out = execFileSync(
    'bash',
    ['-c', `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _dockcfg; printf '%s\\n' "\${COMPREPLY[@]}"`],
    {encoding: 'utf8'},
  )
  return out.split('\n').filter(Boolean)
}

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
