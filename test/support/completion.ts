import {execFileSync} from 'node:child_process'
import * as fsp from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'

/** Runs a generated bash completion script for a command line and returns the candidates. */
export async function complete(script: string, words: string[]): Promise<string[]> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'dockcfg-compl-'))
  try {
    const file = path.join(dir, 'c.sh')
    await fsp.writeFile(file, script)
    const out = execFileSync(
      'bash',
      ['-c', `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _dockcfg; printf '%s\\n' "\${COMPREPLY[@]}"`],
      {encoding: 'utf8'},
    )
    return out.split('\n').filter(Boolean)
  } finally {
    await fsp.rm(dir, {recursive: true, force: true})
  }
}
