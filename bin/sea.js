// Starts dockcfg inside the single executable (dist/dockcfg-linux-x64, scripts/build-sea.js): the
// executable's main script is this file after one definition, the build's id (DOCKCFG_SEA_BUILD_ID).
// Its assets are root.json (below) and dockcfg.cjs, the whole bundle with nothing external. Not
// shipped in the npm package.
//
// oclif needs a package root on disk: it reads package.json and oclif.manifest.json from it and
// require()s the command list from the file package.json names (dist/dockcfg.cjs), and
// src/system/templates.ts reads templates/ beside it. Constructing oclif's Config from embedded data
// instead would mean patching its plugin loader, which reads all of these by path. So the build
// embeds those files as one asset (root.json) and the first run extracts them once into the user's
// cache directory, keyed by the build id; every later run only checks the directory. The code never
// comes from there: dist/dockcfg.cjs on disk is a placeholder, and oclif's require() of it finds the
// module this script registers under that name (as bin/run.js does for the real file).
//
// Start-up: the build's own code cache (useCodeCache) holds only what V8 compiles before running,
// so the bundle is compiled as bin/run.js does it, through a V8 code cache written after a run and
// kept in the extracted directory (code-cache.bin), with the same checks. CPU per run, measured on
// this machine: `get` 177 ms with no cache, 133 with useCodeCache on the whole bundle, 97 with this
// cache (bin/run.js on the same Node 24: 80); `validate` 215, 150, 106 (97).
/* global DOCKCFG_SEA_BUILD_ID */
const fs = require('node:fs')
const path = require('node:path')
const vm = require('node:vm')
const sea = require('node:sea')
const {Module, createRequire} = require('node:module')

process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'

/** $XDG_CACHE_HOME/dockcfg, else ~/.cache/dockcfg; none without a home (a systemd unit's run). */
function userCacheDir() {
  const xdg = process.env.XDG_CACHE_HOME
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'dockcfg')
  const home = process.env.HOME
  return home && path.isAbsolute(home) ? path.join(home, '.cache', 'dockcfg') : undefined
}

/**
 * The extracted files are what dockcfg writes into systemd drop-ins and what oclif trusts: a real
 * directory (not a link) that the user running dockcfg owns and nobody else can write. Inside it
 * only its owner can add or replace anything. Not root's for another user, unlike bin/run.js's
 * cache file: `sudo` keeping HOME leaves a 0700 directory of root's there that the user cannot read.
 */
function trusted(dir) {
  try {
    const info = fs.lstatSync(dir)
    return info.isDirectory() && info.uid === process.geteuid() && (info.mode & 0o022) === 0
  } catch {
    return false
  }
}

/** Writes the embedded package root into `dir`, a new directory that only this user can enter. */
function writeRoot(dir) {
  const files = JSON.parse(sea.getAsset('root.json', 'utf8'))
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name)
    fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700})
    // 'wx': never through a file or link that is already there.
    fs.writeFileSync(file, content, {mode: 0o600, flag: 'wx'})
  }
}

/** A short, stable name for a path (FNV-1a), as bin/run.js names its install locations. */
function fnv1a(text) {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0
  return hash.toString(16).padStart(8, '0')
}

/**
 * The package root for this build: the cache directory's copy, extracted by the first run (into a
 * temporary directory renamed into place, so a concurrent run sees all of it or none), and whether
 * a code cache may be kept there. Without a usable cache directory, a private temporary copy
 * removed at exit, and no code cache. One copy per location of the executable, as bin/run.js keeps
 * one code cache per install location: a new build there removes the copies of earlier ones, which
 * can never be used again, and two executables elsewhere never remove each other's.
 */
function packageRoot() {
  const cache = userCacheDir()
  if (cache !== undefined) {
    const location = `sea-${fnv1a(process.execPath)}-`
    const dir = path.join(cache, `${location}${DOCKCFG_SEA_BUILD_ID}`)
    if (trusted(dir)) return {dir: fs.realpathSync(dir), lasting: true}
    let temporary
    try {
      fs.mkdirSync(cache, {recursive: true, mode: 0o700})
      temporary = fs.mkdtempSync(path.join(cache, `.${location}${DOCKCFG_SEA_BUILD_ID}-`))
      writeRoot(temporary)
      try {
        fs.renameSync(temporary, dir)
        temporary = undefined
        for (const name of fs.readdirSync(cache)) {
          if (name.startsWith(location) && name !== path.basename(dir)) fs.rmSync(path.join(cache, name), {recursive: true, force: true})
        }
      } catch {
        // Another run's copy got there first (or something else is in the way: checked below).
      }
      if (trusted(dir)) return {dir: fs.realpathSync(dir), lasting: true}
    } catch {
      // A cache directory we cannot write: the temporary copy below.
    } finally {
      if (temporary !== undefined) fs.rmSync(temporary, {recursive: true, force: true})
    }
  }
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'dockcfg-'))
  process.once('exit', () => fs.rmSync(dir, {recursive: true, force: true}))
  writeRoot(dir)
  return {dir: fs.realpathSync(dir), lasting: false}
}

// The code cache, as in bin/run.js: its first line lists the commands whose runs it holds, and a
// command not among them adds what it compiled once (at most MAX_COMMANDS: a typo is a command too).
const MAX_COMMANDS = 40
const HEADER = 'dockcfg-code-cache '

/** "get", "remote:check": the words naming the command, or '' when there are none. */
function commandWords(argv) {
  const words = []
  for (const word of argv.slice(0, 2)) {
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(word)) break
    words.push(word)
    if (word !== 'remote') break
  }
  return words.join(':')
}

/** A code cache is code: only a regular file this user (or root) owns and nobody else can write. */
function readTrustedCache(file) {
  let descriptor
  try {
    // O_NONBLOCK: a FIFO in its place must not hang start-up (it fails isFile below).
    descriptor = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
    const info = fs.fstatSync(descriptor)
    if (!info.isFile() || !(info.uid === process.geteuid() || info.uid === 0) || (info.mode & 0o022) !== 0) return undefined
    const content = fs.readFileSync(descriptor)
    const end = content.indexOf(10)
    const header = content.toString('latin1', 0, end)
    if (end === -1 || !header.startsWith(HEADER)) return undefined
    const commands = header
      .slice(HEADER.length)
      .split(',')
      .filter((c) => c !== '')
    return {commands, data: content.subarray(end + 1)}
  } catch {
    return undefined
  } finally {
    if (descriptor !== undefined) fs.closeSync(descriptor)
  }
}

const root = packageRoot()
// The real path: require() resolves the file oclif names to it before looking in its cache.
const filename = path.join(root.dir, 'dist', 'dockcfg.cjs')
// NODE_DISABLE_COMPILE_CACHE is Node's own switch for its compile cache; honour it for ours.
const cacheFile = root.lasting && !process.env.NODE_DISABLE_COMPILE_CACHE ? path.join(root.dir, 'code-cache.bin') : undefined
const cached = cacheFile === undefined ? undefined : readTrustedCache(cacheFile)
const command = commandWords(process.argv.slice(2))

// latin1: the build writes ASCII only (scripts/build.js).
const source = sea.getAsset('dockcfg.cjs', 'latin1')
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {filename, cachedData: cached?.data})
const bundle = new Module(filename)
bundle.filename = filename
const bundleRequire = createRequire(filename)
bundleRequire.cache[filename] = bundle
script.runInThisContext().call(bundle.exports, bundle.exports, bundleRequire, bundle, filename, path.dirname(filename))
bundle.loaded = true

const commands = cached === undefined || script.cachedDataRejected ? [] : cached.commands
const newCommand = command !== '' && !commands.includes(command) && commands.length < MAX_COMMANDS
if (cacheFile !== undefined && (cached === undefined || script.cachedDataRejected || newCommand)) {
  // At exit, so the cache also holds what this run compiled lazily; by rename, so a concurrent run
  // never reads half a file. A failure leaves the run without a cache, nothing more.
  process.once('exit', () => {
    const temporary = `${cacheFile}.${process.pid}.tmp`
    try {
      const header = `${HEADER}${[...commands, ...(newCommand ? [command] : [])].join(',')}\n`
      fs.writeFileSync(temporary, Buffer.concat([Buffer.from(header, 'latin1'), script.createCachedData()]), {mode: 0o600, flag: 'wx'})
      fs.renameSync(temporary, cacheFile)
    } catch {
      fs.rmSync(temporary, {force: true})
    }
  })
}

// Its rejection is left unhandled: Node prints the error and exits 1, as for a top-level await.
bundle.exports.main(filename)
