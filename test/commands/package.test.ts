import {execFileSync, spawnSync} from 'node:child_process'
import {lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
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
        'dist/x509.cjs',
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
    // Nothing else from dist/: the single executable (126 MB) is built there too.
    expect(files.filter((f) => f.startsWith('dist/')).sort()).toEqual(['dist/dockcfg.cjs', 'dist/x509.cjs'])
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

/** Every entry under `dir` with what a write would change: type, mode, size, mtime, inode. */
function snapshot(dir: string): Record<string, string> {
  const entries: Record<string, string> = {}
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const full = join(at, name)
      const st = lstatSync(full)
      entries[full.slice(dir.length)] = `${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${st.ino}`
      if (st.isDirectory()) walk(full)
    }
  }
  walk(dir)
  return entries
}

describe('the packed tarball, installed with npm install -g', () => {
  // No registry and no network: the package has no dependencies (the bundles carry them), so
  // --offline installs it from the tarball alone, as on a host with no route to the registry.
  it('installs offline, runs from another directory and never writes into its install directory', () => {
    const work = mkdtempSync(join(tmpdir(), 'dockcfg-pack-'))
    try {
      execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], {cwd: project, stdio: 'ignore'})
      const prefix = join(work, 'prefix')
      execFileSync('npm', ['install', '--global', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', prefix, join(work, 'dockcfg-0.1.0.tgz')], {
        cwd: work,
        stdio: 'ignore',
      })
      const installed = join(prefix, 'lib/node_modules/dockcfg')
      expect(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).dependencies).toBeUndefined()
      expect(readdirSync(installed)).not.toContain('node_modules')
      const before = snapshot(installed)

      const root = join(work, 'T')
      mkdirSync(join(root, 'etc/docker'), {recursive: true})
      writeFileSync(join(root, 'etc/docker/daemon.json'), '{"bip": "192.168.42.1/24"}\n')
      const elsewhere = join(work, 'elsewhere')
      mkdirSync(elsewhere)
      const cache = join(work, 'cache')
      const dockcfg = (...args: string[]) => {
        // PATH first: npm's bin link, as a shell finds it after `npm install -g`.
        const env = {...process.env, PATH: `${join(prefix, 'bin')}:${process.env['PATH']}`, HOME: join(work, 'home'), XDG_CACHE_HOME: cache}
        const run = spawnSync('dockcfg', args, {cwd: elsewhere, env, encoding: 'utf8'})
        expect(run.status, `dockcfg ${args.join(' ')}: ${run.stderr}`).toBe(0)
        return run
      }
      expect(dockcfg('--version').stdout).toMatch(/^dockcfg\/0\.1\.0 /)
      dockcfg('validate', '--root', root, '--dockerd-version', '20.10.24')
      dockcfg('set', 'mtu', '1400', '--root', root, '--no-restart', '--dockerd-version', '20.10.24')
      expect(JSON.parse(readFileSync(join(root, 'etc/docker/daemon.json'), 'utf8'))).toEqual({bip: '192.168.42.1/24', mtu: 1400})
      // The certificate stack: dist/x509.cjs, loaded only here.
      dockcfg('remote', 'ca', 'create', '--out', join(work, 'ca'))
      expect(readFileSync(join(work, 'ca/ca.pem'), 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/)
      expect(lstatSync(join(work, 'ca/ca-key.pem')).mode & 0o777).toBe(0o600)

      expect(snapshot(installed)).toEqual(before)
      // The code cache went to the user's cache directory instead.
      expect(readdirSync(join(cache, 'dockcfg')).filter((f) => f.endsWith('.bin'))).not.toEqual([])
    } finally {
      rmSync(work, {recursive: true, force: true})
    }
  }, 120_000)
})
