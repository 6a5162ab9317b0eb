import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

// What `npm pack` ships is what `npm install -g dockcfg` puts on a host: it must be complete (every
// file a shipped file loads is shipped), carry its licence, and run from any directory.
const project = join(import.meta.dirname, '../..')

function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']})
  return (JSON.parse(out) as Array<{files: Array<{path: string}>}>)[0]!.files.map((f) => f.path)
}

describe('the npm package', () => {
  const files = packedFiles()

  it('ships the licence package.json names, the entry point, the bundle, the manifest and the templates', () => {
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).license).toBe('Apache-2.0')
    expect(readFileSync(join(project, 'LICENSE'), 'utf8')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/)
    expect(files).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'README.md',
        'package.json',
        'bin/run.js',
        'bin/package.json',
        'dist/dockcfg.cjs',
        'oclif.manifest.json',
        'templates/systemd/dockcfg-execstart.conf',
      ]),
    )
  })

  it('ships no file that loads something the package does not ship (bin/dev.js needs scripts/)', () => {
    for (const file of files.filter((f) => /\.(c|m)?js$/.test(f))) {
      const text = readFileSync(join(project, file), 'utf8')
      for (const [, spec] of text.matchAll(/(?:from\s+|import\(|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = join(file, '..', spec as string)
        expect(files, `${file} loads ${spec}`).toContain(target)
      }
    }
    expect(files.filter((f) => f.startsWith('dist/') && f !== 'dist/dockcfg.cjs')).toEqual([])
  })

  it('runs from an unrelated working directory', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dockcfg-cwd-'))
    try {
      const result = spawnSync(process.execPath, [join(project, 'bin/run.js'), 'keys', 'bip', '--json'], {cwd, encoding: 'utf8'})
      expect(result.status, result.stderr).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({keys: [{key: 'bip'}]})
    } finally {
      rmSync(cwd, {recursive: true, force: true})
    }
  })
})
