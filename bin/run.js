#!/usr/bin/env node
// Starts dockcfg: checks Node, then runs the bundle (dist/dockcfg.cjs, scripts/build.js) through a
// V8 code cache. Fleet scripts call dockcfg many times and start-up is most of each call: Node 20
// has no compile cache of its own, and compiling the bundle costs about as much as running it.
// A CommonJS script (bin/package.json says so for bin/): as an ES module it cost every start on
// Node 20 about 7 ms more, the ES module loader's own start.

// package.json's engines (>= 20.19), checked here rather than by oclif, whose check loads all of
// semver on every start.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`dockcfg needs Node.js >= 20.19; this is ${process.versions.node}\n`)
  process.exit(1)
}
process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'

// getBuiltinModule rather than `import`: the ES-module view of node:fs loads all of node:stream.
const fs = process.getBuiltinModule('node:fs')
const path = process.getBuiltinModule('node:path')
const vm = process.getBuiltinModule('node:vm')
const {Module, createRequire} = process.getBuiltinModule('node:module')

const here = __dirname
const filename = path.join(here, '../dist/dockcfg.cjs')

let fd
try {
  fd = fs.openSync(filename, 'r')
} catch {
  process.stderr.write(`dockcfg: ${filename} is missing: run \`npm run build\` in ${path.dirname(here)}\n`)
  process.exit(1)
}
// Content and identity from one descriptor: a build renames a new bundle into place, and the cache
// must never pair one bundle's code with another's (V8 checks only the source's length).
const stat = fs.fstatSync(fd)
// latin1: the build writes ASCII only (scripts/build.js), and this skips UTF-8 decoding.
const source = fs.readFileSync(fd, 'latin1')
fs.closeSync(fd)

// NODE_DISABLE_COMPILE_CACHE is Node's own switch for its compile cache; honour it for ours.
const cacheEnabled = !process.env.NODE_DISABLE_COMPILE_CACHE
// The build writes its identity on the first line (scripts/build.js): a rebuild written in place
// keeping inode and mtime is still another bundle. The file's inode, size and mtime catch an edit
// by hand that kept the line.
const buildId = `${/^\/\/ dockcfg-build:([0-9a-f]{32})\n/.exec(source)?.[1] ?? 'unbuilt'}-${stat.ino}-${stat.size}-${Math.trunc(stat.mtimeMs)}`
// The cache lives in the user's cache directory, never beside the bundle: an installed package's
// directory is not dockcfg's to write (npm install -g puts it under the global node_modules). One
// prefix per install location, so a new build there replaces the cache of the old one.
const cacheDir = userCacheDir()
const installTag = fnv1a(filename)
const cacheFile = cacheDir === undefined ? undefined : path.join(cacheDir, `${installTag}-${process.version}-${process.arch}-${buildId}.bin`)

/** $XDG_CACHE_HOME/dockcfg, else ~/.cache/dockcfg; none without a home (a systemd unit's run). */
function userCacheDir() {
  const xdg = process.env.XDG_CACHE_HOME
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'dockcfg')
  const home = process.env.HOME
  return home && path.isAbsolute(home) ? path.join(home, '.cache', 'dockcfg') : undefined
}

/** A short, stable name for a path (FNV-1a): cheaper at start-up than loading node:crypto. */
function fnv1a(text) {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0
  return hash.toString(16).padStart(8, '0')
}

// V8 caches the functions a run compiled, so a cache written by `get` leaves most of `set` to be
// compiled on every `set`. The cache's first line lists the commands whose runs it holds; a command
// not among them adds its own once (at most MAX_COMMANDS: a typo is a command too).
const MAX_COMMANDS = 40
const HEADER = 'dockcfg-code-cache '
const command = commandWords(process.argv.slice(2))

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

const cached = cacheEnabled && cacheFile !== undefined ? readTrustedCache(cacheFile) : undefined
const cachedData = cached?.data

/**
 * A code cache is code: V8 runs whatever bytecode a cache holds once its checks pass, and those
 * never look at the source's content. Use only a file that the user running dockcfg (or root)
 * owns and nobody else can write, as for the bundle itself.
 */
function readTrustedCache(file) {
  let descriptor
  try {
    // O_NONBLOCK: a FIFO in its place must not hang start-up (it fails isFile below).
    descriptor = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
    const info = fs.fstatSync(descriptor)
    const owner = info.uid === process.geteuid() || info.uid === 0
    if (!info.isFile() || !owner || (info.mode & 0o022) !== 0) return undefined
    const content = fs.readFileSync(descriptor)
    const end = content.indexOf(10)
    const header = content.toString('latin1', 0, end)
    // Another layout (an older dockcfg's) is no cache: this run writes one.
    if (end === -1 || !header.startsWith(HEADER)) return undefined
    const commands = header
      .slice(HEADER.length)
      .split(',')
      .filter((c) => c !== '')
    return {commands, data: content.subarray(end + 1)}
  } catch {
    // No cache yet for this bundle and this Node: this run writes one.
    return undefined
  } finally {
    if (descriptor !== undefined) fs.closeSync(descriptor)
  }
}

// No importModuleDynamically: Node 20 drops it for scripts compiled from a cache, so the build
// leaves no import() in the bundle (scripts/build.js).
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {filename, cachedData})
const bundle = new Module(filename)
bundle.filename = filename
const bundleRequire = createRequire(filename)
// oclif loads its command list from this same file (package.json oclif.commands): let it find
// this instance instead of evaluating the file a second time.
bundleRequire.cache[filename] = bundle
script.runInThisContext().call(bundle.exports, bundle.exports, bundleRequire, bundle, filename, path.dirname(filename))
bundle.loaded = true

// DOCKCFG_CODE_CACHE=refresh rewrites the cache even when it was used: what this run compiled is
// added to what the cache held (the build runs several commands this way, scripts/build.js).
const refresh = process.env.DOCKCFG_CODE_CACHE === 'refresh'
const commands = cached === undefined || script.cachedDataRejected ? [] : cached.commands
const newCommand = command !== '' && !commands.includes(command) && commands.length < MAX_COMMANDS
if (cacheEnabled && cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected || refresh || newCommand)) {
  // At exit, so the cache also holds the functions this run compiled lazily. A rejected cache (V8
  // flags changed, say) is replaced. Without a writable cache directory dockcfg simply runs
  // without one; the rename keeps concurrent first runs from reading half a file.
  process.once('exit', () => {
    const temporary = `${cacheFile}.${process.pid}.tmp`
    try {
      fs.mkdirSync(cacheDir, {recursive: true, mode: 0o700})
      // 'wx': never through a file or link that is already there.
      const header = `${HEADER}${[...commands, ...(newCommand ? [command] : [])].join(',')}\n`
      fs.writeFileSync(temporary, Buffer.concat([Buffer.from(header, 'latin1'), script.createCachedData()]), {mode: 0o600, flag: 'wx'})
      fs.renameSync(temporary, cacheFile)
      // Earlier builds at this install location: their caches can never match again. Not this
      // build's caches for other Nodes: removing those made two Nodes sharing an install (the
      // benchmark's Node 20 and 24) throw each other's cache away on every run.
      for (const name of fs.readdirSync(cacheDir)) {
        if (name.startsWith(`${installTag}-`) && !name.endsWith(`-${buildId}.bin`) && !name.endsWith('.tmp')) fs.rmSync(path.join(cacheDir, name), {force: true})
      }
    } catch {
      try {
        fs.rmSync(temporary, {force: true})
      } catch {
        // Nothing more to do: the next run tries again.
      }
    }
  })
}

// Its rejection is left unhandled: Node prints the error and exits 1, as for a top-level await.
bundle.exports.main(filename)
