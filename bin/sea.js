// Starts dockcfg inside the single executable (dist/dockcfg-linux-x64, scripts/build-sea.js). The
// build puts this script into the executable's main script after two definitions: the build's id
// (DOCKCFG_SEA_BUILD_ID) and the whole bundle, nothing external, wrapped as the function
// dockcfgBundle(exports, require, module, __filename, __dirname). Not shipped in the npm package.
//
// oclif needs a package root on disk: it reads package.json and oclif.manifest.json from it and
// require()s the command list from the file package.json names (dist/dockcfg.cjs), and
// src/system/templates.ts reads templates/ beside it. Constructing oclif's Config from embedded data
// instead would mean patching its plugin loader, which reads all of these by path. So the build
// embeds those files as one SEA asset (root.json) and the first run extracts them once into the
// user's cache directory, keyed by the build id; every later run only checks the directory. The code
// never comes from there: dist/dockcfg.cjs on disk is a placeholder, and oclif's require() of it
// finds the module this script registers under that name (as bin/run.js does for the real file).
/* global dockcfgBundle, DOCKCFG_SEA_BUILD_ID */
const fs = require('node:fs')
const path = require('node:path')
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
 * The extracted files are what dockcfg writes into systemd drop-ins and what oclif trusts, so, as
 * for bin/run.js's code cache: a real directory (not a link) that the user running dockcfg (or
 * root) owns and nobody else can write. Inside it only its owner can add or replace anything.
 */
function trusted(dir) {
  try {
    const info = fs.lstatSync(dir)
    return info.isDirectory() && (info.uid === process.geteuid() || info.uid === 0) && (info.mode & 0o022) === 0
  } catch {
    return false
  }
}

/** Writes the embedded package root into `dir`, a new directory that only this user can enter. */
function writeRoot(dir) {
  const files = JSON.parse(require('node:sea').getAsset('root.json', 'utf8'))
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name)
    fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700})
    // 'wx': never through a file or link that is already there.
    fs.writeFileSync(file, content, {mode: 0o600, flag: 'wx'})
  }
}

/**
 * The package root for this build: the cache directory's copy, extracted by the first run (into a
 * temporary directory renamed into place, so a concurrent run sees all of it or none). Without a
 * usable cache directory, a private temporary copy removed at exit.
 */
function packageRoot() {
  const cache = userCacheDir()
  if (cache !== undefined) {
    const dir = path.join(cache, `sea-${DOCKCFG_SEA_BUILD_ID}`)
    if (trusted(dir)) return fs.realpathSync(dir)
    let temporary
    try {
      fs.mkdirSync(cache, {recursive: true, mode: 0o700})
      temporary = fs.mkdtempSync(path.join(cache, `.sea-${DOCKCFG_SEA_BUILD_ID}-`))
      writeRoot(temporary)
      try {
        fs.renameSync(temporary, dir)
        temporary = undefined
      } catch {
        // Another run's copy got there first (or something else is in the way: checked below).
      }
      if (trusted(dir)) return fs.realpathSync(dir)
    } catch {
      // A cache directory we cannot write: the temporary copy below.
    } finally {
      if (temporary !== undefined) fs.rmSync(temporary, {recursive: true, force: true})
    }
  }
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'dockcfg-'))
  process.once('exit', () => fs.rmSync(dir, {recursive: true, force: true}))
  writeRoot(dir)
  return fs.realpathSync(dir)
}

// The real path: require() resolves the file oclif names to it before looking in its cache.
const filename = path.join(packageRoot(), 'dist', 'dockcfg.cjs')
const bundle = new Module(filename)
bundle.filename = filename
const bundleRequire = createRequire(filename)
bundleRequire.cache[filename] = bundle
dockcfgBundle.call(bundle.exports, bundle.exports, bundleRequire, bundle, filename, path.dirname(filename))
bundle.loaded = true

// Its rejection is left unhandled: Node prints the error and exits 1, as for a top-level await.
bundle.exports.main(filename)
