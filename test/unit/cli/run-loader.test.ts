import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

// bin/run.js runs dist/dockcfg.cjs through a V8 code cache. V8 accepts a cache for any source of
// the same length, so the cache must be keyed by the bundle's identity: these tests run the real
// bin/run.js against small stand-in bundles in a scratch package.
const realBin = join(import.meta.dirname, '../../../bin/run.js')

/** A bundle whose main() prints its tag and what the loader promises the real bundle. */
/** bin/run.js's name for an install location (FNV-1a of the bundle's path). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0
  return hash.toString(16).padStart(8, '0')
}

const bundleSource = (tag: string) => `exports.main = async (dir) => {
  require('reflect-metadata')
  const {X509Certificate} = require('@peculiar/x509')
  process.stdout.write(JSON.stringify({tag: ${JSON.stringify(tag)}, cached: require(__filename) === module.exports, dir, externalPackage: typeof X509Certificate}))
}
`

describe('bin/run.js', () => {
  let pkg: string
  // The user's cache directory ($XDG_CACHE_HOME/dockcfg), never the package's own.
  const cacheDir = () => join(pkg, 'cache/dockcfg')
  const cacheFiles = () => (existsSync(cacheDir()) ? readdirSync(cacheDir()) : [])
  const environment = () => ({...process.env, XDG_CACHE_HOME: join(pkg, 'cache')})
  const run = (env: Record<string, string> = {}, args: string[] = []) =>
    spawnSync(process.execPath, [join(pkg, 'bin/run.js'), ...args], {encoding: 'utf8', env: {...environment(), ...env}})
  /** The name bin/run.js gives the cache of the bundle now in place. */
  const cacheName = (id: string) => {
    const info = statSync(join(pkg, 'dist/dockcfg.cjs'))
    return `${fnv1a(join(pkg, 'dist/dockcfg.cjs'))}-${process.version}-${process.arch}-${id}-${info.ino}-${info.size}-${Math.trunc(info.mtimeMs)}.bin`
  }

  beforeEach(() => {
    pkg = mkdtempSync(join(tmpdir(), 'dockcfg-loader-'))
    mkdirSync(join(pkg, 'bin'))
    mkdirSync(join(pkg, 'dist'))
    copyFileSync(realBin, join(pkg, 'bin/run.js'))
    // As shipped: an ES-module package whose bin/ is CommonJS.
    copyFileSync(join(realBin, '../package.json'), join(pkg, 'bin/package.json'))
    writeFileSync(join(pkg, 'package.json'), '{"type": "module"}\n')
    // The real package's dependencies, as an installed dockcfg has them.
    symlinkSync(join(realBin, '../../node_modules'), join(pkg, 'node_modules'))
  })
  afterEach(() => rmSync(pkg, {recursive: true, force: true}))

  it('runs the bundle as a CommonJS module oclif can require again, loading the external packages from node_modules', () => {
    writeFileSync(join(pkg, 'dist/dockcfg.cjs'), bundleSource('one'))
    const result = run()
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual({tag: 'one', cached: true, dir: join(pkg, 'dist/dockcfg.cjs'), externalPackage: 'function'})
  })

  it('writes one code cache on the first run and reuses it', () => {
    writeFileSync(join(pkg, 'dist/dockcfg.cjs'), bundleSource('one'))
    run()
    expect(cacheFiles()).toHaveLength(1)
    const cached = run()
    expect(cached.stderr).toBe('')
    expect(JSON.parse(cached.stdout)).toMatchObject({tag: 'one', cached: true, externalPackage: 'function'})
    expect(cacheFiles()).toHaveLength(1)
  })

  it("never runs a cache against another bundle of the same length, and drops the old build's cache", () => {
    writeFileSync(join(pkg, 'dist/dockcfg.cjs'), bundleSource('one'))
    run()
    const [old] = cacheFiles()
    // What a rebuild does: a new file renamed into place, byte count unchanged.
    writeFileSync(join(pkg, 'dist/next.cjs'), bundleSource('two'))
    rmSync(join(pkg, 'dist/dockcfg.cjs'))
    copyFileSync(join(pkg, 'dist/next.cjs'), join(pkg, 'dist/dockcfg.cjs'))
    expect(JSON.parse(run().stdout).tag).toBe('two')
    expect(cacheFiles()).toHaveLength(1)
    expect(cacheFiles()).not.toContain(old)
  })

  it("keeps this build's caches for other Nodes, and drops every Node's cache of an earlier build", () => {
    const bundle = join(pkg, 'dist/dockcfg.cjs')
    writeFileSync(bundle, `// dockcfg-build:${'e'.repeat(32)}\n${bundleSource('one')}`)
    run()
    const [own] = cacheFiles() as [string]
    // What another Node version's first run of this build leaves, and an older build's cache.
    const otherNode = own.replace(`-${process.version}-`, '-v99.0.0-')
    const olderBuild = own.replace('e'.repeat(32), 'f'.repeat(32)).replace(`-${process.version}-`, '-v99.0.0-')
    writeFileSync(join(cacheDir(), otherNode), 'x', {mode: 0o600})
    writeFileSync(join(cacheDir(), olderBuild), 'x', {mode: 0o600})
    // A command the cache does not hold yet: this run writes.
    run({}, ['get'])
    expect(cacheFiles().sort()).toEqual([own, otherNode].sort())
  })

  it("never writes into the package: the cache goes to the user's cache directory, or nowhere without one", () => {
    writeFileSync(join(pkg, 'dist/dockcfg.cjs'), bundleSource('one'))
    const before = readdirSync(join(pkg, 'dist'))
    const homeless = spawnSync(process.execPath, [join(pkg, 'bin/run.js')], {encoding: 'utf8', env: {PATH: process.env.PATH ?? ''}})
    expect(JSON.parse(homeless.stdout).tag).toBe('one')
    expect(cacheFiles()).toEqual([])
    // ~/.cache when XDG_CACHE_HOME is not set.
    const home = join(pkg, 'home')
    mkdirSync(home)
    spawnSync(process.execPath, [join(pkg, 'bin/run.js')], {encoding: 'utf8', env: {PATH: process.env.PATH ?? '', HOME: home}})
    expect(readdirSync(join(home, '.cache/dockcfg'))).toHaveLength(1)
    expect(statSync(join(home, '.cache/dockcfg')).mode & 0o777).toBe(0o700)
    run()
    expect(cacheFiles()).toHaveLength(1)
    expect(readdirSync(join(pkg, 'dist'))).toEqual(before)
  })

  it('keys the cache by the build id on the first line, which survives in-place rewrites that keep inode and mtime', () => {
    const built = (tag: string, id: string) => `// dockcfg-build:${id.repeat(32)}\n${bundleSource(tag)}`
    const bundle = join(pkg, 'dist/dockcfg.cjs')
    writeFileSync(bundle, built('one', 'a'))
    const before = statSync(bundle)
    run()
    expect(cacheFiles()).toEqual([cacheName('a'.repeat(32))])
    // Same length, same inode, the old mtime put back: only the build id tells them apart.
    writeFileSync(bundle, built('two', 'b'))
    utimesSync(bundle, before.atime, before.mtime)
    expect(statSync(bundle).ino).toBe(before.ino)
    expect(JSON.parse(run().stdout).tag).toBe('two')
  })

  it('a hand edit that keeps the build line (same length, new mtime) meets no stale cache', () => {
    const bundle = join(pkg, 'dist/dockcfg.cjs')
    writeFileSync(bundle, `// dockcfg-build:${'d'.repeat(32)}\n${bundleSource('one')}`)
    run()
    writeFileSync(bundle, `// dockcfg-build:${'d'.repeat(32)}\n${bundleSource('two')}`)
    utimesSync(bundle, new Date(), new Date(Date.now() + 5_000))
    expect(JSON.parse(run().stdout).tag).toBe('two')
  })

  it('ignores a cache that others can write: V8 would run its code for any bundle of that length', () => {
    writeFileSync(join(pkg, 'dist/dockcfg.cjs'), bundleSource('one'))
    run()
    const [oneCache] = cacheFiles()
    rmSync(join(pkg, 'dist/dockcfg.cjs'))
    writeFileSync(join(pkg, 'dist/dockcfg.cjs'), bundleSource('two'))
    // Plant bundle one's cache where bundle two's belongs, writable by anyone.
    const twoCache = join(cacheDir(), cacheName('unbuilt'))
    copyFileSync(join(cacheDir(), oneCache as string), twoCache)
    chmodSync(twoCache, 0o666)
    expect(JSON.parse(run().stdout).tag).toBe('two')
    // ...and replaced by a trustworthy one.
    expect(statSync(twoCache).mode & 0o777).toBe(0o600)
  })

  /** A bundle with code that runs only when `more` follows the command word: compiled lazily, by such a run only. */
  const lazyBundle = () =>
    writeFileSync(
      join(pkg, 'dist/dockcfg.cjs'),
      `exports.main = async () => { if (process.argv[3] === 'more') { ${Array.from({length: 50}, (_, i) => `(function f${i}(a) { return a.map((x) => x * ${i}).filter(Boolean).join(); })([1, 2, 3]);`).join(' ')} } process.stdout.write('ok') }\n`,
    )

  it('DOCKCFG_CODE_CACHE=refresh adds what a run compiled to the cache (how the build warms it)', () => {
    lazyBundle()
    run({}, ['get'])
    const [file] = cacheFiles()
    const first = statSync(join(cacheDir(), file as string)).size
    // Without refresh, another run of the same command keeps the cache as it is.
    run({}, ['get', 'more'])
    expect(statSync(join(cacheDir(), file as string)).size).toBe(first)
    run({DOCKCFG_CODE_CACHE: 'refresh'}, ['get', 'more'])
    expect(statSync(join(cacheDir(), file as string)).size).toBeGreaterThan(first)
  })

  it("a command the cache does not hold yet adds what its run compiled, once; the header names the cache's commands", () => {
    lazyBundle()
    run({}, ['get'])
    const [file] = cacheFiles()
    const cache = join(cacheDir(), file as string)
    const first = statSync(cache).size
    run({}, ['set', 'more'])
    const second = statSync(cache)
    expect(second.size).toBeGreaterThan(first)
    expect(readFileSync(cache, 'latin1').split('\n', 1)[0]).toBe('dockcfg-code-cache get,set')
    run({}, ['set', 'more'])
    expect(statSync(cache).mtimeMs).toBe(second.mtimeMs)
    expect(cacheFiles()).toEqual([file])
  })

  it('names a remote command by both words, and keeps arguments and flags out of the header', () => {
    lazyBundle()
    run({}, ['remote', 'check', '--json'])
    run({}, ['get', 'bip'])
    run({}, ['--version'])
    const [file] = cacheFiles()
    expect(readFileSync(join(cacheDir(), file as string), 'latin1').split('\n', 1)[0]).toBe('dockcfg-code-cache remote:check,get')
  })

  it("takes a cache without dockcfg's header (an older layout) as none, and replaces it", () => {
    writeFileSync(join(pkg, 'dist/dockcfg.cjs'), bundleSource('one'))
    run()
    const [file] = cacheFiles()
    const cache = join(cacheDir(), file as string)
    writeFileSync(cache, readFileSync(cache).subarray(readFileSync(cache).indexOf(10) + 1), {mode: 0o600})
    expect(JSON.parse(run().stdout).tag).toBe('one')
    expect(readFileSync(cache, 'latin1').startsWith('dockcfg-code-cache \n')).toBe(true)
  })

  it('is not stopped by a FIFO where the cache belongs', () => {
    writeFileSync(join(pkg, 'dist/dockcfg.cjs'), `// dockcfg-build:${'c'.repeat(32)}\n${bundleSource('one')}`)
    mkdirSync(cacheDir(), {recursive: true})
    execFileSync('mkfifo', [join(cacheDir(), cacheName('c'.repeat(32)))])
    const result = spawnSync(process.execPath, [join(pkg, 'bin/run.js')], {encoding: 'utf8', env: environment(), timeout: 20_000})
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout).tag).toBe('one')
  })

  it('writes no cache under NODE_DISABLE_COMPILE_CACHE, and runs all the same', () => {
    writeFileSync(join(pkg, 'dist/dockcfg.cjs'), bundleSource('one'))
    expect(JSON.parse(run({NODE_DISABLE_COMPILE_CACHE: '1'}).stdout).tag).toBe('one')
    expect(cacheFiles()).toEqual([])
  })

  it('runs without a cache when the cache directory cannot be written', () => {
    writeFileSync(join(pkg, 'dist/dockcfg.cjs'), bundleSource('one'))
    // root ignores permission bits; a file where the directory should be fails for everyone.
    mkdirSync(join(pkg, 'cache'))
    writeFileSync(cacheDir(), '')
    const result = run()
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout).tag).toBe('one')
    expect(readdirSync(join(pkg, 'cache')).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('says how to build when the bundle is missing', () => {
    const result = run()
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('dist/dockcfg.cjs is missing: run `npm run build`')
  })
})
